import type { Logger } from 'pino';
import { formatDate, staffText, ticketText as t } from '../copy/messages.js';
import type { ChannelId, InboundMessage, OutboundMessage } from '../core/chat.js';
import { takeClosedNotice, ticketAnswerMessage, type TicketDelivery } from '../digest/ticket-answers.js';
import { foldDiacritics, foldToken, tokenize } from '../search/analyzer.js';
import type { Lexicon } from '../search/lexicon.js';
import type { Pseudonyms } from '../store/personal.js';
import type { AuditEntry, StaffStore } from '../store/staff.js';
import type { ChatState } from '../store/stores.js';
import { askerKey, type Ticket, type TicketStore } from '../store/tickets.js';
import type { ConversationFlow, TicketDesk } from './conversation.js';
import { type FaqProblem, type FaqService, faqProblemText } from './faq.js';
import { contentWords, similar } from './staff.js';

/** Longest staff answer: one Zalo message with the question and the signature around it. */
const MAX_ANSWER_CHARS = 1500;

/** Dependencies of the ticket flow. */
export interface TicketFlowOptions {
  tickets: TicketStore;
  delivery: TicketDelivery;
  staff: StaffStore;
  lexicon: Lexicon;
  /** Whether the sender may use staff commands (the staff flow decides). */
  roleOf(msg: InboundMessage): Promise<'admin' | 'staff' | 'citizen'>;
  log: Logger;
  /** Where "Gửi và lưu thành hỏi đáp" saves the curated entry. */
  faq?: FaqService;
  /** How staff see askers: `channel:xxxxxx` (without it, the channel alone). */
  pseudonyms?: Pseudonyms;
  /** The staff-side actions, when made elsewhere (the chat flow and the console share one). */
  service?: TicketService;
}

/** One asker as staff see them: a pseudonym, never the chat id. */
export interface TicketAskerView {
  /** `channel:xxxxxx`. */
  who: string;
  at: string;
  wording: string;
}

/** A ticket as staff see it (chat and console). */
export interface TicketView {
  number: number;
  status: Ticket['status'];
  createdAt: string;
  updatedAt: string;
  /** The first wording kept (a placeholder when every asker's data was erased). */
  firstWording: string;
  askers: TicketAskerView[];
  /** Everyone who asked, erased askers included. */
  askerCount: number;
  answer?: { text: string; by: string; at: string; saveAsFaq?: boolean };
  closed?: { by: string; at: string; reason?: string; told?: boolean; notice?: { delivered: number; waiting: number; finished: boolean } };
  delivery?: { delivered: number; waiting: number; total: number; finished: boolean };
  /** The curated entry made from the answer. */
  faqId?: number;
}

/** Why a staff action on a ticket was refused. */
export type TicketProblem = 'missing' | 'not_open' | 'not_closed' | 'empty' | 'too_long';

/** A staff action's outcome: the ticket as it is now, or why nothing changed. */
export type TicketOutcome =
  | {
      ok: true;
      ticket: TicketView;
      /** The curated entry the answer was saved as. */
      faqId?: number;
      /** Why the answer, sent all the same, could not be saved as a curated entry. */
      faqProblem?: FaqProblem;
    }
  | { ok: false; problem: TicketProblem };

/**
 * The staff side of tickets as plain functions, for the chat commands and the staff console alike. `by` is the
 * staff member as the audit log names them; each action is audited.
 */
export interface TicketService {
  /** Open tickets, most askers first, then oldest. */
  openTickets(): Promise<TicketView[]>;
  /** Tickets of one status (all without), open ones most askers first then oldest, the others newest first. */
  listTickets(status?: Ticket['status']): Promise<TicketView[]>;
  getTicket(number: number): Promise<TicketView | undefined>;
  /** The message every asker would get (the first asker's wording), for a preview. */
  previewAnswer(number: number, text: string, by: string, at?: Date): Promise<OutboundMessage | undefined>;
  /**
   * Answer an open ticket: close it as answered and deliver the answer to every asker (`reportTo` gets the
   * delivery report). `saveAsFaq` also makes a curated entry of it: its question is staff wording (`question`,
   * else the first wording as staff saw it in the preview); the askers' own wordings are alternates, each erased
   * with its asker's data. The entry's number is `faqId`.
   */
  answerTicket(
    number: number,
    text: string,
    options: { saveAsFaq?: boolean; question?: string; by: string; reportTo?: { channel: ChannelId; chatId: string }; at?: Date },
  ): Promise<TicketOutcome>;
  /** Close an open ticket without an answer; `tell`: the askers are told (see {@link tellClosed}). */
  closeTicket(
    number: number,
    options: { by: string; reason?: string; tell?: boolean; reportTo?: { channel: ChannelId; chatId: string }; at?: Date },
  ): Promise<TicketOutcome>;
  /** Tell the askers of a closed ticket that no answer is coming (once); `reportTo` gets the report of who got it and who waits. */
  tellClosed(number: number, options: { by: string; reportTo?: { channel: ChannelId; chatId: string }; at?: Date }): Promise<TicketOutcome>;
}

/** Create the staff-side ticket service. */
export function createTicketService(options: Omit<TicketFlowOptions, 'roleOf' | 'lexicon' | 'service'>): TicketService {
  const { tickets, delivery, staff, log } = options;

  async function audit(by: string, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string): Promise<void> {
    await staff.audit
      .append({ at: at.toISOString(), who: by, action, detail: detail?.slice(0, 200), outcome })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  const pseudonym = async (a: { channel: string; chatId: string }) =>
    options.pseudonyms ? options.pseudonyms.of(a.channel, a.chatId).catch(() => a.channel) : a.channel;
  const count = (x: Ticket) => x.askers.length + (x.forgottenAskers ?? 0);

  async function view(x: Ticket): Promise<TicketView> {
    const d = x.delivery;
    const faqId = x.answer?.saveAsFaq && options.faq ? (await options.faq.raw()).find((e) => e.fromTicket === x.number)?.id : undefined;
    return {
      number: x.number,
      status: x.status,
      createdAt: x.createdAt,
      updatedAt: x.updatedAt,
      firstWording: x.askers[0]?.wording ?? t.erased,
      askers: await Promise.all(x.askers.map(async (a) => ({ who: await pseudonym(a), at: a.at, wording: a.wording }))),
      askerCount: count(x),
      ...(x.answer ? { answer: { text: x.answer.text, by: x.answer.by, at: x.answer.at, ...(x.answer.saveAsFaq ? { saveAsFaq: true } : {}) } } : {}),
      // Counts only: the notice's lists hold chat ids, reportTo a staff chat.
      ...(x.closed ? { closed: closedView(x.closed) } : {}),
      ...(d
        ? {
            delivery: {
              delivered: d.delivered.length + (d.forgottenDelivered ?? 0),
              waiting: d.waiting.length,
              total: count(x),
              finished: d.finishedAt !== undefined,
            },
          }
        : {}),
      ...(faqId === undefined ? {} : { faqId }),
    };
  }

  const closedView = ({ by, at, reason, told, toldAt, notice }: NonNullable<Ticket['closed']>): NonNullable<TicketView['closed']> => ({
    by,
    at,
    ...(reason ? { reason } : {}),
    ...(told ? { told } : {}),
    ...(notice ? { notice: { delivered: notice.delivered.length, waiting: notice.waiting.length, finished: toldAt !== undefined } } : {}),
  });

  const byAskersThenAge = (a: Ticket, b: Ticket) => count(b) - count(a) || Date.parse(a.createdAt) - Date.parse(b.createdAt);

  /**
   * The curated entry of an answered ticket: the question staff approved (no asker's: erasing an asker's data
   * leaves it), the askers' wordings as alternates with their askers, the staff answer.
   */
  async function saveFaq(x: Ticket, text: string, question: string | undefined, by: string, at: Date): Promise<{ id?: number; problem?: FaqProblem }> {
    if (!options.faq) return {};
    const made = await options.faq.add({
      question: question?.trim() || (x.askers[0]?.wording ?? ''),
      alternates: x.askers.map((a) => ({ text: a.wording, from: askerKey(a) })),
      answer: text,
      author: by,
      fromTicket: x.number,
      at,
    });
    if (made.ok) return { id: made.entry.id };
    // The same question is curated already: the askers' wordings join that entry.
    if (made.problem === 'duplicate' && made.existing !== undefined) {
      for (const a of x.askers) await options.faq.addAlternate(made.existing, a.wording, by, { from: askerKey(a), at });
      return { id: made.existing };
    }
    log.warn({ ticket: x.number, problem: made.problem }, 'could not save the answer as a curated entry');
    return { problem: made.problem };
  }

  return {
    openTickets: async () => Promise.all((await tickets.openTickets()).sort(byAskersThenAge).map(view)),
    async listTickets(status) {
      if (status === 'open') return this.openTickets();
      const all = (await tickets.all()).filter((x) => status === undefined || x.status === status);
      const open = all.filter((x) => x.status === 'open').sort(byAskersThenAge);
      const rest = all.filter((x) => x.status !== 'open').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      return Promise.all([...open, ...rest].map(view));
    },
    async getTicket(n) {
      const x = await tickets.get(n);
      return x && view(x);
    },
    async previewAnswer(n, text, by, at = new Date()) {
      const x = await tickets.get(n);
      if (!x) return undefined;
      return ticketAnswerMessage({ number: x.number, answer: { text: text.trim(), by, at: at.toISOString() } }, { wording: x.askers[0]?.wording ?? t.erased });
    },
    async answerTicket(n, raw, { saveAsFaq = false, question, by, reportTo, at = new Date() }) {
      const text = raw.replace(/\r\n?/g, '\n').trim();
      if (!text) return { ok: false, problem: 'empty' };
      if (text.length > MAX_ANSWER_CHARS) return { ok: false, problem: 'too_long' };
      const current = await tickets.get(n);
      if (!current) return { ok: false, problem: 'missing' };
      const answered = await tickets.update(n, (x) =>
        x.status === 'open'
          ? {
              ...x,
              status: 'answered',
              updatedAt: at.toISOString(),
              answer: { text, by, at: at.toISOString(), ...(reportTo ? { reportTo } : {}), ...(saveAsFaq ? { saveAsFaq } : {}) },
              delivery: { startedAt: at.toISOString(), delivered: [], waiting: [] },
            }
          : undefined,
      );
      if (!answered) return { ok: false, problem: 'not_open' };
      await audit(by, at, '/traloi', 'ok', t.audit.answered(n, saveAsFaq));
      delivery.start(n);
      const saved = saveAsFaq ? await saveFaq(answered, text, question, by, at) : {};
      return {
        ok: true,
        ticket: await view(answered),
        ...(saved.id === undefined ? {} : { faqId: saved.id }),
        ...(saved.problem === undefined ? {} : { faqProblem: saved.problem }),
      };
    },
    async closeTicket(n, { by, reason, tell, reportTo, at = new Date() }) {
      const current = await tickets.get(n);
      if (!current) return { ok: false, problem: 'missing' };
      const why = reason?.trim();
      const closed = await tickets.update(n, (x) =>
        x.status === 'open'
          ? { ...x, status: 'closed', updatedAt: at.toISOString(), closed: { by, at: at.toISOString(), ...(why ? { reason: why } : {}) } }
          : undefined,
      );
      if (!closed) return { ok: false, problem: 'not_open' };
      await audit(by, at, '/dongcauhoi', 'ok', `#${n}${why ? ` ${why}` : ''}`);
      if (tell) return this.tellClosed(n, { by, at, ...(reportTo ? { reportTo } : {}) });
      return { ok: true, ticket: await view(closed) };
    },
    async tellClosed(n, { by, reportTo, at = new Date() }) {
      const told = await tickets.update(n, (x) =>
        x.status === 'closed' && x.closed && !x.closed.told ? { ...x, closed: { ...x.closed, told: true, ...(reportTo ? { reportTo } : {}) } } : undefined,
      );
      if (!told) return (await tickets.get(n)) ? { ok: false, problem: 'not_closed' } : { ok: false, problem: 'missing' };
      await audit(by, at, '/dongcauhoi', 'ok', t.audit.told(n));
      void delivery.tellClosed(n).catch((err: unknown) => log.error({ err, ticket: n }, 'could not tell the askers'));
      return { ok: true, ticket: await view(told) };
    },
  };
}

/** "tôi muốn hỏi cán bộ …", "gặp cán bộ", "cho mình hỏi cán bộ Mặt trận: …" (folded words), with the question after it. */
const ASK_STAFF =
  /^(?:(?:toi|minh|em|chau|cho toi|cho minh|cho em|xin|ad|ad oi)\s+)*(?:muon\s+|can\s+|duoc\s+)*(?:hoi|gap|noi chuyen voi|lien he)\s+(?:truc tiep\s+)?can bo(?:\s+mat tran(?:\s+to quoc)?)?(?:\s+(?:a|voi|nhe|duoc khong))*(?:\s+(?:ve|la|rang))?\s*(.*)$/;

/** The question a request to talk to staff carries ("tôi muốn hỏi cán bộ về X" → "X"), or '' for a bare request; undefined when it is not one. */
export function readStaffRequest(text: string): string | undefined {
  const words = tokenize(text);
  const folded = words.map(foldToken).join(' ');
  const m = ASK_STAFF.exec(folded);
  if (!m) return undefined;
  const restWords = m[1] ? m[1].split(' ').length : 0;
  return words.slice(words.length - restWords).join(' ');
}

const QUESTION_MARKER = foldDiacritics(t.faqQuestionMarker).toLowerCase();

/**
 * A /traloi text whose first line is "Hỏi: …" (accents and case aside) and more lines after: that question for
 * the curated entry, and the answer below it; otherwise the whole text is the answer.
 */
function splitFaqQuestion(text: string): { question?: string; answer: string } {
  const [first = '', ...rest] = text.split('\n');
  const answer = rest.join('\n').trim();
  const head = first.trim();
  if (!answer || !foldDiacritics(head).toLowerCase().startsWith(QUESTION_MARKER)) return { answer: text };
  const question = head.slice(t.faqQuestionMarker.length).trim();
  return question ? { question, answer } : { answer };
}

/** The ticket flow: a conversation flow, the conversation's ticket desk, "gặp cán bộ" and the /thongke line. */
export interface TicketFlow extends ConversationFlow, TicketDesk {
  /** Hand `question` (or, when empty, the chat's previous question) to staff; the reply with the ticket number. */
  askStaff(msg: InboundMessage, state: ChatState, question: string, at: Date): Promise<OutboundMessage[]>;
  stats(): Promise<string>;
  /** The staff-side actions the flow runs (shared with the staff console). */
  service: TicketService;
}

const who = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;

/**
 * Tickets: the citizen's side (a question handed to staff by "no information", /hoicanbo or "gặp cán bộ";
 * /cauhoicuatoi; answers waiting for the next message) and the staff side (/cauhoi, /traloi with preview and
 * [Gửi] [Gửi và lưu thành hỏi đáp] [Hủy], /dongcauhoi with [Báo cho người hỏi]). Alike questions join the
 * open ticket `/cauhoi` would group them into.
 */
export function createTicketFlow(options: TicketFlowOptions): TicketFlow {
  const { tickets, staff, lexicon, log } = options;
  const service = options.service ?? createTicketService(options);

  /** Staff are named by their id; a citizen refused a staff command by pseudonym, never by chat id. */
  async function audit(msg: InboundMessage, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string): Promise<void> {
    const by =
      outcome !== 'denied' ? who(msg) : options.pseudonyms ? await options.pseudonyms.of(msg.channel, msg.chatId).catch(() => msg.channel) : msg.channel;
    await staff.audit
      .append({ at: at.toISOString(), who: by, action, detail: detail?.slice(0, 200), outcome })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  /** Open a ticket for `question` or join the open one it is alike; the ticket's number. */
  async function open(msg: InboundMessage, question: string, at: Date): Promise<number> {
    const words = contentWords(question, lexicon);
    const pick = (list: Ticket[]) =>
      list.find(
        (x) =>
          x.askers.some((a) => askerKey(a) === askerKey(msg) && a.wording === question) ||
          x.askers.some((a) => similar(contentWords(a.wording, lexicon), words)),
      )?.number;
    const { ticket } = await tickets.open({ channel: msg.channel, chatId: msg.chatId, at: at.toISOString(), wording: question }, pick);
    return ticket.number;
  }

  /** Answers (each with a line saying so) and closing notices that waited for this chat, marked delivered as they are handed out. */
  async function waiting(msg: InboundMessage): Promise<OutboundMessage[]> {
    const numbers = await tickets.takeWaiting(msg.channel, msg.chatId);
    const out: OutboundMessage[] = [];
    for (const n of numbers) {
      const notice = await takeClosedNotice(tickets, n, msg);
      if (notice) {
        out.push(notice);
        continue;
      }
      const key = askerKey(msg);
      const ticket = await tickets.update(n, (x) => {
        if (!x.delivery || x.delivery.delivered.includes(key)) return undefined;
        x.delivery.delivered.push(key);
        x.delivery.waiting = x.delivery.waiting.filter((k) => k !== key);
        return x;
      });
      const asker = ticket?.askers.find((a) => askerKey(a) === key);
      if (ticket?.answer && asker) out.push({ text: `${t.waitedLine(ticket.number)}\n\n${ticketAnswerMessage(ticket, asker).text}` });
    }
    return out;
  }

  async function askStaff(msg: InboundMessage, state: ChatState, question: string, at: Date): Promise<OutboundMessage[]> {
    const asked = question.trim() || state.optionsFor || state.lastQuestion;
    if (!asked) return [{ text: t.askUsage }];
    return [{ text: t.opened(await open(msg, asked, at)) }];
  }

  function firstWording(x: Ticket): string {
    return x.askers[0]?.wording ?? t.erased;
  }

  async function list(n: number, at: Date): Promise<OutboundMessage> {
    const open = await service.openTickets();
    if (open.length === 0) return { text: t.listEmpty };
    const sorted = open.slice(0, n);
    const lines = sorted.map((x) => t.listLine(x.number, x.askerCount, x.firstWording, t.age(at.getTime() - Date.parse(x.createdAt))));
    return { text: [t.listTitle(sorted.length, open.length), ...lines, '', t.listHint].join('\n') };
  }

  const isStaff = async (msg: InboundMessage) => (await options.roleOf(msg)) !== 'citizen';

  async function command(msg: InboundMessage, state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    switch (name) {
      case 'hoicanbo':
        return askStaff(msg, state, args, at);
      case 'cauhoicuatoi': {
        const mine = await tickets.mine(msg.channel, msg.chatId);
        if (mine.length === 0) return [{ text: t.mineNone }];
        const key = askerKey(msg);
        const lines = mine.slice(0, 10).map((x) => {
          const asker = x.askers.find((a) => askerKey(a) === key);
          return t.mineLine(
            x.number,
            asker?.wording ?? firstWording(x),
            x.status,
            formatDate(asker?.at ?? x.createdAt) ?? '',
            x.closed?.told ? x.closed.reason : undefined,
          );
        });
        return [{ text: [t.mineTitle, ...lines].join('\n') }];
      }
      case 'cauhoi':
      case 'traloi':
      case 'dongcauhoi':
        break;
      default:
        return undefined;
    }
    // The old inbox (low confidence, 👎) stays with the staff flow; so does the refusal of citizens.
    if (name === 'cauhoi' && /^phan ?hoi$/i.test(args.trim())) return undefined;
    if (!(await isStaff(msg))) {
      if (name === 'cauhoi') return undefined;
      log.warn({ who: who(msg), command: name }, 'staff command refused');
      await audit(msg, at, `/${name}`, 'denied');
      return [{ text: staffText.denied }];
    }
    if (name === 'cauhoi') {
      await audit(msg, at, '/cauhoi', 'ok', args);
      return [await list(Math.min(Math.max(Number(args) || 10, 1), 30), at)];
    }
    const m = /^#?(\d+)(?:\s+([\s\S]*))?$/.exec(args.replace(/\r\n?/g, '\n').trim());
    if (!m) return [{ text: name === 'traloi' ? t.answerUsage : t.closeUsage }];
    const ticket = await tickets.get(Number(m[1]));
    if (!ticket) return [{ text: t.missing(m[1]!) }];
    if (ticket.status !== 'open') return [{ text: t.notOpen(ticket.number) }];
    const text = (m[2] ?? '').trim();
    if (name === 'traloi') {
      const draft = splitFaqQuestion(text);
      if (!draft.answer.trim()) return [{ text: t.answerUsage }];
      if (draft.answer.length > MAX_ANSWER_CHARS) return [{ text: staffText.announceTooLong(MAX_ANSWER_CHARS) }];
      // The draft keeps the "Hỏi:" line: it is read again when staff press a button.
      state.ticketDraft = { number: ticket.number, text };
      await audit(msg, at, '/traloi', 'ok', t.audit.previewed(ticket.number));
      const preview = ticketAnswerMessage(
        { number: ticket.number, answer: { text: draft.answer, by: who(msg), at: at.toISOString() } },
        { wording: firstWording(ticket) },
      );
      return [
        { text: t.previewHead(ticket.number, ticket.askers.length) },
        preview,
        {
          text: `${t.previewFaqQuestion(draft.question ?? firstWording(ticket))}\n\n${t.choose}`,
          buttons: [
            [{ label: t.buttonSend, data: 'tk:send' }],
            [{ label: t.buttonSendAndSave, data: 'tk:save' }],
            [{ label: t.buttonCancel, data: 'tk:cancel' }],
          ],
        },
      ];
    }
    const closed = await service.closeTicket(ticket.number, { by: who(msg), ...(text ? { reason: text } : {}), at });
    if (!closed.ok) return [{ text: t.notOpen(ticket.number) }];
    return [{ text: t.closed(ticket.number), buttons: [[{ label: t.buttonTell, data: `tk:tell:${ticket.number}` }]] }];
  }

  async function press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!data.startsWith('tk:')) return undefined;
    if (!(await isStaff(msg))) {
      await audit(msg, at, data, 'denied');
      return [{ text: staffText.denied }];
    }
    if (data.startsWith('tk:tell:')) {
      const n = Number(data.slice('tk:tell:'.length));
      const reportTo = msg.channel === 'web' ? undefined : { channel: msg.channel as ChannelId, chatId: msg.chatId };
      const told = await service.tellClosed(n, { by: who(msg), at, ...(reportTo ? { reportTo } : {}) });
      if (!told.ok) return [{ text: t.notOpen(n) }];
      return [{ text: t.told(n) }];
    }
    const draft = state.ticketDraft;
    if (!draft) return [{ text: t.noDraft }];
    state.ticketDraft = undefined;
    if (data === 'tk:cancel') {
      await audit(msg, at, '/traloi', 'cancelled', `#${draft.number}`);
      return [{ text: t.draftCancelled }];
    }
    const saveAsFaq = data === 'tk:save';
    const reportTo = msg.channel === 'web' ? undefined : { channel: msg.channel as ChannelId, chatId: msg.chatId };
    const { question, answer } = splitFaqQuestion(draft.text);
    const answered = await service.answerTicket(draft.number, answer, {
      saveAsFaq,
      ...(question ? { question } : {}),
      by: who(msg),
      ...(reportTo ? { reportTo } : {}),
      at,
    });
    if (!answered.ok) return [{ text: t.notOpen(draft.number) }];
    const sending = t.sending(draft.number, answered.ticket.askers.length, answered.faqId);
    const problem = answered.faqProblem;
    return [{ text: problem === undefined ? sending : `${sending}\n${t.faqNotSaved(faqProblemText(problem))}` }];
  }

  async function typed(msg: InboundMessage, state: ChatState, text: string, at: Date): Promise<OutboundMessage[] | undefined> {
    const question = readStaffRequest(text);
    return question === undefined ? undefined : askStaff(msg, state, question, at);
  }

  async function stats(): Promise<string> {
    const all = await tickets.all();
    const hours = all
      .filter((x) => x.answer)
      .map((x) => (Date.parse(x.answer!.at) - Date.parse(x.createdAt)) / 3_600_000)
      .sort((a, b) => a - b);
    const median =
      hours.length === 0 ? undefined : hours.length % 2 ? hours[(hours.length - 1) / 2]! : (hours[hours.length / 2 - 1]! + hours[hours.length / 2]!) / 2;
    const finished = all.filter((x) => x.delivery?.finishedAt);
    const askers = finished.reduce((s, x) => s + x.askers.length + (x.forgottenAskers ?? 0), 0);
    const delivered = finished.reduce((s, x) => s + x.delivery!.delivered.length + (x.delivery!.forgottenDelivered ?? 0), 0);
    return t.stats({ open: all.filter((x) => x.status === 'open').length, ...(median === undefined ? {} : { medianHours: median }), delivered, askers });
  }

  return { command, press, typed, open, waiting, askStaff, stats, service };
}
