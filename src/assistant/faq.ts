/**
 * Curated answers (hỏi đáp): the one service behind `/hoidap`, "Gửi và lưu thành hỏi đáp", the CLI import and the
 * staff console. Every change is audited and reaches the answer index at once, here and on every other instance
 * (through the index publisher and its change log).
 */
import type { Logger } from 'pino';
import type { AnswerEngine, Decision, Explained } from '../answer/index.js';
import { faqText, formatDate, staffText } from '../copy/messages.js';
import type { InboundMessage, OutboundMessage } from '../core/chat.js';
import type { SearchDoc } from '../content/types.js';
import { foldText } from '../search/analyzer.js';
import type { IndexPublisher } from '../search/sync.js';
import type { FaqEntry, FaqStore, FaqWording } from '../store/faq.js';
import type { Pseudonyms } from '../store/personal.js';
import type { AuditEntry, StaffStore } from '../store/staff.js';
import type { ChatState } from '../store/stores.js';
import { cleanText, countChars, normalizeMessage } from '../text/normalize.js';
import type { ConversationFlow } from './conversation.js';

/** Longest question or wording, in characters. */
const MAX_FAQ_QUESTION_CHARS = 300;
/** Longest answer: one Zalo message with the "Mặt trận trả lời (cập nhật …)" label. */
const MAX_FAQ_ANSWER_CHARS = 1500;
/** The limits the refusals name. */
const limits = { question: MAX_FAQ_QUESTION_CHARS, answer: MAX_FAQ_ANSWER_CHARS };

/** The sentence staff read for a refused change (`id`: the entry it concerns, when there is one). */
export function faqProblemText(problem: FaqProblem, id?: number): string {
  return faqText.problem(problem, id, limits);
}

/** The index id of entry `id`. */
const faqDocId = (id: number) => `faq:${id}`;

/**
 * An active entry as the index holds it: title the question, summary the question and its other wordings (one a
 * line, so each is a sentence the decision can weigh), body the answer, publishedAt its last change.
 */
export function faqDoc(entry: FaqEntry): SearchDoc {
  return {
    id: faqDocId(entry.id),
    type: 'faq',
    title: entry.question,
    summary: [entry.question, ...entry.alternates.map((w) => w.text)].filter(Boolean).join('\n'),
    body: entry.answer,
    publishedAt: entry.updatedAt,
    source: faqText.sourceLabel,
  };
}

/** Put every active entry into the index (at start, before the change log is followed). */
export function indexFaq(entries: FaqEntry[], index: { upsert(doc: SearchDoc): void }): number {
  let n = 0;
  for (const e of entries)
    if (e.status === 'active') {
      index.upsert(faqDoc(e));
      n++;
    }
  return n;
}

/** One wording as staff see it: a citizen's wording names its author by pseudonym only. */
export interface FaqWordingView {
  text: string;
  /** `channel:xxxxxx` when it is a citizen's own wording (erased with their data). */
  from?: string;
  addedAt: string;
}

/** An entry as staff see it (chat, console, export). */
export interface FaqView {
  id: number;
  /** '' when the entry needs a question (its only wording was a citizen's, erased at their request). */
  question: string;
  needsQuestion: boolean;
  /** The other wordings' texts. */
  alternates: string[];
  /** The other wordings with where they come from. */
  wordings: FaqWordingView[];
  /** Whether the main question is a citizen's own wording. */
  questionFromCitizen: boolean;
  answer: string;
  createdAt: string;
  updatedAt: string;
  author: string;
  status: 'active' | 'withdrawn';
  fromTicket?: number;
}

/** Why a change was refused (the copy module has a sentence for each: `faqText.problem`). */
export type FaqProblem = 'missing' | 'withdrawn' | 'empty_question' | 'empty_answer' | 'question_too_long' | 'answer_too_long' | 'duplicate';

/** A change's outcome: the entry as it is now, or why nothing changed (`existing`: the entry a duplicate matches). */
export type FaqOutcome = { ok: true; entry: FaqView } | { ok: false; problem: FaqProblem; existing?: number };

/** Another wording given to {@link FaqService.add}: a text, or a citizen's own wording with its `channel:chatId`. */
export type FaqAlternateInput = string | { text: string; from?: string };

/** What {@link FaqService.tryQuestion} tells: what the bot would reply now, and why. */
export interface FaqTrial {
  /** The reply as a citizen would read it. */
  text: string;
  kind: Explained['answer']['kind'];
  /** The entry answered from, when it is a curated answer. */
  faq?: number;
  /** The document answered from (or the closest, without an answer). */
  from?: Explained['from'];
  /** The decision's estimate that the reply answers the question (0..1), and its threshold. */
  probability?: number;
  threshold: number;
  reason?: Decision['reason'];
  /** The features the decision was made from. */
  features?: { name: string; value: number | boolean | string }[];
}

/** The curated answers service (see the module comment); `author`: who acts, as the audit log names them. */
export interface FaqService {
  /** Entries, most recently changed first; `query` keeps those whose wordings or answer hold its words (accents optional). */
  list(options?: { query?: string; status?: 'active' | 'withdrawn' | 'all' }): Promise<FaqView[]>;
  get(id: number): Promise<FaqView | undefined>;
  /** The stored entry, citizens' chat ids included (for the CLI export, which leaves their wordings out). */
  raw(): Promise<FaqEntry[]>;
  /** A new entry; refused when an active entry has the same question (accents and case aside). */
  add(input: {
    question: string;
    answer: string;
    alternates?: FaqAlternateInput[];
    author: string;
    fromTicket?: number;
    /** `channel:chatId` when the question is a citizen's own wording. */
    questionFrom?: string;
    at?: Date;
  }): Promise<FaqOutcome>;
  /** Change the question, the answer and/or the other wordings (a given list replaces the staff wordings; citizens' stay). */
  edit(id: number, change: { question?: string; answer?: string; alternates?: string[] }, author: string, at?: Date): Promise<FaqOutcome>;
  /** Add another wording; `from` when it is a citizen's own. */
  addAlternate(id: number, text: string, author: string, options?: { from?: string; at?: Date }): Promise<FaqOutcome>;
  /** Withdraw an entry: it stops answering at once. */
  withdraw(id: number, author: string, at?: Date): Promise<FaqOutcome>;
  /** What the bot would answer to `question` now, with the decision's probability and features. */
  tryQuestion(question: string): FaqTrial;
  /** Put the entries `forget` changed (a citizen's erasure) back into the index. */
  reindex(entries: FaqEntry[]): void;
}

/** Dependencies of the service. */
export interface FaqServiceOptions {
  faq: FaqStore;
  staff: StaffStore;
  publisher: IndexPublisher;
  engine: AnswerEngine;
  /** Staff see citizens' wordings by pseudonym; without it, as `channel:…`. */
  pseudonyms?: Pseudonyms;
  log: Logger;
  now?: () => Date;
}

/** Create the curated answers service. */
export function createFaqService(options: FaqServiceOptions): FaqService {
  const { faq, staff, publisher, engine, log } = options;
  const now = options.now ?? (() => new Date());

  async function audit(who: string, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string): Promise<void> {
    await staff.audit
      .append({ at: at.toISOString(), who, action, detail: detail?.slice(0, 200), outcome })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  async function citizen(from: string | undefined): Promise<string | undefined> {
    if (!from) return undefined;
    const cut = from.indexOf(':');
    const channel = from.slice(0, cut);
    if (!options.pseudonyms) return channel;
    return options.pseudonyms.of(channel, from.slice(cut + 1)).catch(() => channel);
  }

  async function view(e: FaqEntry): Promise<FaqView> {
    const wordings = await Promise.all(
      e.alternates.map(async (w): Promise<FaqWordingView> => {
        const from = await citizen(w.from);
        return { text: w.text, addedAt: w.addedAt, ...(from ? { from } : {}) };
      }),
    );
    return {
      id: e.id,
      question: e.question,
      needsQuestion: e.question === '',
      alternates: e.alternates.map((w) => w.text),
      wordings,
      questionFromCitizen: e.questionFrom !== undefined,
      answer: e.answer,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      author: e.author,
      status: e.status,
      ...(e.fromTicket === undefined ? {} : { fromTicket: e.fromTicket }),
    };
  }

  /** The index follows the entry: active ones answer, withdrawn ones are removed. */
  function publish(e: FaqEntry): void {
    if (e.status === 'active') publisher.upsert(faqDoc(e));
    else publisher.remove(faqDocId(e.id));
  }

  const question = (text: string) => cleanText(text);
  const answerText = (text: string) =>
    normalizeMessage(text)
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n');
  const checkQuestion = (q: string, emptyOk = false): FaqProblem | undefined =>
    !q && !emptyOk ? 'empty_question' : countChars(q) > MAX_FAQ_QUESTION_CHARS ? 'question_too_long' : undefined;
  const checkAnswer = (a: string): FaqProblem | undefined => (!a ? 'empty_answer' : countChars(a) > MAX_FAQ_ANSWER_CHARS ? 'answer_too_long' : undefined);
  const same = (a: string, b: string) => foldText(a) === foldText(b);

  /** Wordings without repeats or empty ones, none the same as the question (the first of repeats is kept). */
  function distinct(list: FaqWording[], q: string): FaqWording[] {
    const out: FaqWording[] = [];
    for (const w of list) {
      if (!w.text || countChars(w.text) > MAX_FAQ_QUESTION_CHARS || same(w.text, q) || out.some((o) => same(o.text, w.text))) continue;
      out.push(w);
    }
    return out;
  }

  /** Given wordings as stored ones. */
  const wordingsOf = (list: FaqAlternateInput[], q: string, at: string): FaqWording[] =>
    distinct(
      list.map((item) => {
        const from = typeof item === 'string' ? undefined : item.from;
        return { text: question(typeof item === 'string' ? item : item.text), addedAt: at, ...(from ? { from } : {}) };
      }),
      q,
    );

  async function duplicateOf(q: string, except?: number): Promise<number | undefined> {
    if (!q) return undefined;
    return (await faq.list()).find((e) => e.status === 'active' && e.id !== except && same(e.question, q))?.id;
  }

  const refused = async (who: string, at: Date, action: string, problem: FaqProblem, detail: string, existing?: number): Promise<FaqOutcome> => {
    await audit(who, at, action, 'failed', `${detail} (${problem})`);
    return { ok: false, problem, ...(existing === undefined ? {} : { existing }) };
  };

  return {
    async list(opts = {}) {
      const status = opts.status ?? 'all';
      const words = opts.query ? foldText(opts.query).split(' ').filter(Boolean) : [];
      const entries = (await faq.list()).filter((e) => {
        if (status !== 'all' && e.status !== status) return false;
        if (words.length === 0) return true;
        const text = foldText([e.question, ...e.alternates.map((w) => w.text), e.answer].join(' '));
        return words.every((w) => text.includes(w));
      });
      entries.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
      return Promise.all(entries.map(view));
    },
    async get(id) {
      const e = await faq.get(id);
      return e && view(e);
    },
    raw: () => faq.list(),
    async add(input) {
      const at = input.at ?? now();
      const q = question(input.question);
      const a = answerText(input.answer);
      const problem = checkQuestion(q, input.fromTicket !== undefined) ?? checkAnswer(a);
      if (problem) return refused(input.author, at, '/hoidap', problem, faqText.audit.add);
      const existing = await duplicateOf(q);
      if (existing !== undefined) return refused(input.author, at, '/hoidap', 'duplicate', faqText.audit.add, existing);
      const iso = at.toISOString();
      const entry = await faq.add({
        question: q,
        ...(input.questionFrom && q ? { questionFrom: input.questionFrom } : {}),
        alternates: wordingsOf(input.alternates ?? [], q, iso),
        answer: a,
        createdAt: iso,
        updatedAt: iso,
        author: input.author,
        status: 'active',
        ...(input.fromTicket === undefined ? {} : { fromTicket: input.fromTicket }),
      });
      publish(entry);
      await audit(input.author, at, '/hoidap', 'ok', faqText.audit.added(entry.id, input.fromTicket));
      return { ok: true, entry: await view(entry) };
    },
    async edit(id, change, author, at = now()) {
      const q = change.question === undefined ? undefined : question(change.question);
      const a = change.answer === undefined ? undefined : answerText(change.answer);
      const problem = (q === undefined ? undefined : checkQuestion(q)) ?? (a === undefined ? undefined : checkAnswer(a));
      if (problem) return refused(author, at, '/hoidap', problem, faqText.audit.edit(id));
      const current = await faq.get(id);
      if (!current) return refused(author, at, '/hoidap', 'missing', faqText.audit.edit(id));
      if (current.status === 'withdrawn') return refused(author, at, '/hoidap', 'withdrawn', faqText.audit.edit(id));
      const existing = q === undefined ? undefined : await duplicateOf(q, id);
      if (existing !== undefined) return refused(author, at, '/hoidap', 'duplicate', faqText.audit.edit(id), existing);
      const iso = at.toISOString();
      const next = await faq.update(id, (e) => {
        if (e.status === 'withdrawn') return undefined;
        const out: FaqEntry = { ...e, updatedAt: iso };
        if (q !== undefined && q !== e.question) {
          out.question = q;
          delete out.questionFrom;
        }
        if (a !== undefined) out.answer = a;
        const citizens = e.alternates.filter((w) => w.from);
        const staffOld = e.alternates.filter((w) => !w.from);
        const staffNew =
          change.alternates === undefined
            ? staffOld
            : change.alternates.map((text) => staffOld.find((w) => same(w.text, text)) ?? { text: question(text), addedAt: iso });
        out.alternates = distinct([...staffNew, ...citizens], out.question);
        return out;
      });
      if (!next) return refused(author, at, '/hoidap', 'withdrawn', faqText.audit.edit(id));
      publish(next);
      await audit(author, at, '/hoidap', 'ok', faqText.audit.edit(id));
      return { ok: true, entry: await view(next) };
    },
    async addAlternate(id, text, author, opts = {}) {
      const at = opts.at ?? now();
      const w = question(text);
      const problem = checkQuestion(w);
      if (problem) return refused(author, at, '/hoidap', problem, faqText.audit.alternate(id));
      const current = await faq.get(id);
      if (!current) return refused(author, at, '/hoidap', 'missing', faqText.audit.alternate(id));
      if (current.status === 'withdrawn') return refused(author, at, '/hoidap', 'withdrawn', faqText.audit.alternate(id));
      const iso = at.toISOString();
      const next = await faq.update(id, (e) => {
        if (e.status === 'withdrawn') return undefined;
        if (same(e.question, w) || e.alternates.some((o) => same(o.text, w))) return e;
        // An entry without a question takes the new wording as its question.
        if (!e.question) return { ...e, question: w, ...(opts.from ? { questionFrom: opts.from } : {}), updatedAt: iso };
        return { ...e, alternates: [...e.alternates, { text: w, addedAt: iso, ...(opts.from ? { from: opts.from } : {}) }], updatedAt: iso };
      });
      if (!next) return refused(author, at, '/hoidap', 'withdrawn', faqText.audit.alternate(id));
      publish(next);
      await audit(author, at, '/hoidap', 'ok', faqText.audit.alternate(id));
      return { ok: true, entry: await view(next) };
    },
    async withdraw(id, author, at = now()) {
      const current = await faq.get(id);
      if (!current) return refused(author, at, '/hoidap', 'missing', faqText.audit.withdraw(id));
      const next = await faq.withdraw(id, at.toISOString());
      if (!next) return refused(author, at, '/hoidap', 'withdrawn', faqText.audit.withdraw(id));
      publish(next);
      await audit(author, at, '/hoidap', 'ok', faqText.audit.withdraw(id));
      return { ok: true, entry: await view(next) };
    },
    tryQuestion(q) {
      const explained = engine.explain(q);
      const { answer, decision, features } = explained;
      return {
        text: answer.text,
        kind: answer.kind,
        ...(answer.faq === undefined ? {} : { faq: answer.faq }),
        ...(explained.from ? { from: explained.from } : {}),
        ...(decision ? { probability: Number(decision.confidence.toFixed(4)), reason: decision.reason } : {}),
        threshold: engine.tuning.minConfidence,
        ...(features
          ? {
              features: Object.entries(features).map(([name, value]) => ({
                name,
                value: Array.isArray(value) ? value.join(',') : typeof value === 'number' ? Number(value.toFixed(4)) : (value as boolean),
              })),
            }
          : {}),
      };
    },
    reindex(entries) {
      for (const e of entries) publish(e);
    },
  };
}

/** Dependencies of the /hoidap chat commands. */
export interface FaqFlowOptions {
  service: FaqService;
  staff: StaffStore;
  /** Whether the sender may use staff commands (the staff flow decides). */
  roleOf(msg: InboundMessage): Promise<'admin' | 'staff' | 'citizen'>;
  log: Logger;
}

/** The first `|` splits a question from its answer ("câu hỏi | câu trả lời"); undefined without one. */
function splitPair(text: string): { question: string; answer: string } | undefined {
  const cut = text.indexOf('|');
  if (cut < 0) return undefined;
  return { question: text.slice(0, cut).trim(), answer: text.slice(cut + 1).trim() };
}

/**
 * `/hoidap` for staff (like /cauhoi): list, show one, `them`, `cachhoi`, `sua`, `xoa` (with a confirmation
 * button) and `thu` (what the bot would answer, and why); every change through the {@link FaqService}.
 */
export function createFaqFlow(options: FaqFlowOptions): ConversationFlow {
  const { service, log } = options;
  const who = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;
  const isStaff = async (msg: InboundMessage) => (await options.roleOf(msg)) !== 'citizen';

  async function denied(msg: InboundMessage, at: Date, action: string): Promise<OutboundMessage[]> {
    log.warn({ who: who(msg), command: action }, 'staff command refused');
    await options.staff.audit
      .append({ at: at.toISOString(), who: who(msg), action, outcome: 'denied' })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
    return [{ text: staffText.denied }];
  }

  const done = (outcome: FaqOutcome, ok: (e: FaqView) => string, id?: number): OutboundMessage[] => [
    { text: outcome.ok ? ok(outcome.entry) : faqText.problem(outcome.problem, outcome.existing ?? id, limits) },
  ];

  async function list(): Promise<OutboundMessage> {
    const entries = await service.list({ status: 'active' });
    if (entries.length === 0) return { text: faqText.listEmpty };
    const shown = entries.slice(0, 20);
    const lines = shown.map((e) =>
      faqText.listLine(
        e.id,
        formatDate(e.updatedAt) ?? '',
        e.needsQuestion ? faqText.needsQuestion : e.question,
        e.alternates.length + (e.needsQuestion ? 0 : 1),
      ),
    );
    return { text: [faqText.listTitle(shown.length, entries.length), ...lines, '', faqText.listHint].join('\n') };
  }

  async function show(id: number): Promise<OutboundMessage> {
    const e = await service.get(id);
    if (!e) return { text: faqText.problem('missing', id, limits) };
    return {
      text: faqText.show({
        id: e.id,
        question: e.needsQuestion ? faqText.needsQuestion : e.question,
        status: e.status,
        date: formatDate(e.updatedAt) ?? '',
        author: e.author,
        wordings: e.wordings,
        answer: e.answer,
        ...(e.fromTicket === undefined ? {} : { fromTicket: e.fromTicket }),
      }),
    };
  }

  function trial(question: string): OutboundMessage {
    const t = service.tryQuestion(question);
    const main = ['coverage', 'quoteCoverage', 'margin', 'exactness', 'shapeFound'];
    const features = (t.features ?? [])
      .filter((f) => main.includes(f.name))
      .map((f) => `${f.name} ${f.value}`)
      .join(', ');
    const from = t.from ? `${t.from.type === 'faq' ? faqText.trialFrom(t.faq ?? t.from.id) : t.from.title}` : undefined;
    return {
      text: faqText.trial({
        text: t.text,
        threshold: t.threshold,
        features,
        ...(from ? { from } : {}),
        ...(t.probability === undefined ? {} : { probability: t.probability }),
      }),
    };
  }

  async function command(msg: InboundMessage, _state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (name !== 'hoidap') return undefined;
    if (!(await isStaff(msg))) return denied(msg, at, '/hoidap');
    const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args.trim());
    if (!m) return [await list()];
    let sub = foldText(m[1]!);
    let rest = (m[2] ?? '').trim();
    const second = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest);
    if (sub === 'cach' && second && foldText(second[1]!) === 'hoi') {
      sub = 'cachhoi';
      rest = (second[2] ?? '').trim();
    }
    const numbered = /^#?(\d{1,9})(?:\s+([\s\S]*))?$/.exec(rest);
    const id = numbered ? Number(numbered[1]) : undefined;
    const after = (numbered?.[2] ?? '').trim();
    const by = who(msg);
    if (/^#?\d{1,9}$/.test(sub)) return [await show(Number(sub.replace('#', '')))];
    switch (sub) {
      case 'them': {
        const pair = splitPair(rest);
        if (!pair) return [{ text: faqText.usage }];
        return done(await service.add({ question: pair.question, answer: pair.answer, author: by, at }), (e) => faqText.added(e.id));
      }
      case 'cachhoi':
        if (id === undefined || !after) return [{ text: faqText.usage }];
        return done(await service.addAlternate(id, after, by, { at }), (e) => faqText.alternateAdded(e.id, e.alternates.length), id);
      case 'sua': {
        const pair = id === undefined ? undefined : splitPair(after);
        if (id === undefined || !pair || (!pair.question && !pair.answer)) return [{ text: faqText.usage }];
        const change = { ...(pair.question ? { question: pair.question } : {}), ...(pair.answer ? { answer: pair.answer } : {}) };
        return done(await service.edit(id, change, by, at), (e) => faqText.edited(e.id), id);
      }
      case 'xoa': {
        if (id === undefined || after) return [{ text: faqText.usage }];
        const e = await service.get(id);
        if (!e || e.status === 'withdrawn') return [{ text: faqText.problem(e ? 'withdrawn' : 'missing', id, limits) }];
        return [
          {
            text: faqText.confirmWithdraw(id, e.question || faqText.needsQuestion),
            buttons: [[{ label: faqText.buttonWithdraw, data: `hd:xoa:${id}` }], [{ label: faqText.buttonKeep, data: 'hd:giu' }]],
          },
        ];
      }
      case 'thu':
        return [rest ? trial(rest) : { text: faqText.trialUsage }];
      default:
        return [{ text: faqText.usage }];
    }
  }

  async function press(msg: InboundMessage, _state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!data.startsWith('hd:')) return undefined;
    if (!(await isStaff(msg))) return denied(msg, at, data);
    if (data === 'hd:giu') return [{ text: faqText.kept }];
    const id = Number(data.slice('hd:xoa:'.length));
    if (!data.startsWith('hd:xoa:') || !Number.isSafeInteger(id)) return [{ text: faqText.usage }];
    return done(await service.withdraw(id, who(msg), at), (e) => faqText.withdrawn(e.id), id);
  }

  return {
    command,
    press,
    typed: async () => undefined,
    help: async (msg) => ((await isStaff(msg)) ? faqText.help : undefined),
  };
}
