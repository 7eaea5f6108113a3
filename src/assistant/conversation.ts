import type { Logger } from 'pino';
import type { Button, InboundMessage, OutboundMessage } from '../core/chat.js';
import type { SearchDoc } from '../content/types.js';
import { parseVnTime } from '../digest/time.js';
import { foldText, foldToken, tokenize } from '../search/analyzer.js';
import type { ArticleIndex } from '../search/article-index.js';
import type { Lexicon } from '../search/lexicon.js';
import { MAX_QUERY_CHARS } from '../search/query.js';
import { tidySpacing } from '../search/sentences.js';
import { alternation, WORDS } from '../search/words.js';
import type { ChatState, Stores } from '../store/stores.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import { cleanText, countChars, normalizeMessage, sliceChars } from '../text/normalize.js';
import type { Answer, AnswerEngine, AnswerSource } from '../answer/index.js';
import { formatDate, messages, ticketText, webPage } from '../copy/messages.js';
import { createStaffRecorder, type StaffRecorderOptions } from './recorder.js';
import { commandInWords, readConfirmation, readRequest, type BotRequest } from './requests.js';
/** A group of commands, buttons and typed answers handled outside the core (subscriptions, staff tools). */
export interface ConversationFlow {
  /** Extra lines for /trogiup for this user (staff see their commands), if any. */
  help?(msg: InboundMessage): Promise<string | undefined>;
  command(msg: InboundMessage, state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[] | undefined>;
  press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined>;
  typed(msg: InboundMessage, state: ChatState, text: string, at: Date): Promise<OutboundMessage[] | undefined>;
}

/** What the core reports to the staff tools (the question inbox and statistics). */
export interface ConversationEvents {
  /** A question was answered (or not): called once, before the reply (metrics). */
  answerGiven?(msg: InboundMessage, kind: 'answer' | 'no_answer', confidence: number): void;
  /** Record a question for staff; called again if the store refused it as unavailable (a retry). */
  questionAnswered?(msg: InboundMessage, question: string, kind: 'answer' | 'no_answer', confidence: number, at: Date): Promise<void>;
  /** Record a 👎 for staff; retried like questionAnswered. */
  thumbsDown?(msg: InboundMessage, question: string, at: Date): Promise<void>;
  /** `count` records for staff were given up because the store stayed unavailable. */
  recordsDropped?(count: number): void;
}

/** Tickets as the core sees them: a question handed to staff, and staff answers that waited for this chat. */
export interface TicketDesk {
  /** Open a ticket for `question` (or join the alike open one); its number. */
  open(msg: InboundMessage, question: string, at: Date): Promise<number>;
  /** Answers that could not be pushed to this chat, handed out once, each saying it waited. */
  waiting(msg: InboundMessage, at: Date): Promise<OutboundMessage[]>;
}

/** Longest a "no information" reply waits for its ticket number before saying the ticket could not be opened now. */
const TICKET_WAIT_MS = 1500;

/** Settings of the conversation core. */
export interface ConversationOptions {
  engine: AnswerEngine;
  index: ArticleIndex;
  lexicon: Lexicon;
  stores: Stores;
  log: Logger;
  now?: () => Date;
  /** Messages per user per window before the bot asks them to wait. */
  floodLimit?: number;
  floodWindowMs?: number;
  /** How long a follow-up ("còn Gia Lai thì sao?") refers to the previous question. */
  contextTtlMs?: number;
  /** Command groups tried in order: subscriptions (/dangky …), staff tools (/thongbao …). */
  flows?: ConversationFlow[];
  events?: ConversationEvents;
  /** Tickets: "no information" hands the question to staff; waiting staff answers come with the next reply. */
  tickets?: TicketDesk;
  /** Longest a "no information" reply waits for its ticket number. @default TICKET_WAIT_MS */
  ticketWaitMs?: number;
  /** How records for staff wait and retry while the store is unavailable (see createStaffRecorder). */
  records?: Omit<StaffRecorderOptions, 'log' | 'onDropped'>;
}

/** The channel-agnostic conversation: one inbound message in, replies out. */
export interface Conversation {
  handle(msg: InboundMessage): Promise<OutboundMessage[]>;
}

const PAGE_SIZE = 5;
/** Longest sender name the bot greets by (Telegram allows 64 characters for a first name). */
const MAX_NAME_CHARS = 64;

/** The sender's name as the bot may echo it: normalized like any inbound text, and short. */
function displayName(msg: InboundMessage): string | undefined {
  return msg.displayName ? sliceChars(cleanText(msg.displayName), MAX_NAME_CHARS) || undefined : undefined;
}
const SEARCH_DEPTH = 50;
/** Two results closer than this (score ratio) are offered as a choice. */
const CLOSE_RATIO = 0.92;
/** "vậy còn Hà Nội thì sao": a lead, the new place, an optional tail (`followUp` of `data/lexicon/words.json`), folded. */
const FOLLOW_UP = new RegExp(`^(?:(?:${alternation(WORDS.followUp.leads.map(foldText))}) )+(.+?)(?: (?:${alternation(WORDS.followUp.tails.map(foldText))}))?$`);

/** Per-user sliding-window flood limit, in memory (each instance limits its own share). */
class FloodGate {
  private readonly hits = new Map<string, number[]>();
  private readonly warned = new Set<string>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  /** "ok" to serve, "warn" for the first message over the limit, "drop" after that until the window passes. */
  check(key: string, now: number): 'ok' | 'warn' | 'drop' {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      if (this.warned.has(key)) return 'drop';
      this.warned.add(key);
      return 'warn';
    }
    this.warned.delete(key);
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 50_000) for (const [k, v] of this.hits) if (now - (v[v.length - 1] ?? 0) >= this.windowMs) this.hits.delete(k);
    return 'ok';
  }
}

function parseCommand(text: string): { command: string; args: string } | undefined {
  const m = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text);
  return m ? { command: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : undefined;
}

/** A 👍 or 👎 typed as text (how Zalo users answer the feedback hint) becomes a vote on the latest answer. */
function typedFeedback(text: string, state: ChatState): string | undefined {
  const m = /^(👍|👎)[\u{1F3FB}-\u{1F3FF}\uFE0F]*$/u.exec(text);
  const qid = Object.keys(state.answers ?? {}).pop();
  if (!m || !qid) return undefined;
  return `fb:${m[1] === '👍' ? 'up' : 'down'}:${qid}`;
}

/** A command typed as its own words, with or without diacritics ("đăng ký", "huy dang ky", "Cài đặt"). */
function typedCommand(text: string): { command: string; args: string } | undefined {
  const command = commandInWords(text);
  return command ? { command, args: '' } : undefined;
}

/** "có" / "không" typed after the bot asked whether to run a command (Zalo has no buttons). */
function typedConfirmation(text: string, state: ChatState): string | undefined {
  const [yes, no] = state.lastButtons ?? [];
  if (!yes?.startsWith('req:') || no !== 'req:no') return undefined;
  const answer = readConfirmation(text);
  return answer === 'yes' ? yes : answer === 'no' ? no : undefined;
}

/** "thêm" / "xem thêm" typed after a result list asks for the next page. */
function typedMore(text: string, state: ChatState): string | undefined {
  const folded = foldText(text);
  return state.search && /^(xem )?(them|tiep|tiep theo)$/.test(folded) ? 'more' : undefined;
}

/** A typed number: an item of the list just shown, else the n-th choice button. */
function pickNumber(n: number, state: ChatState): string | undefined {
  const listed = state.listed;
  if (listed && n >= listed.start && n < listed.start + listed.ids.length) return `doc:${listed.ids[n - listed.start]}`;
  return state.lastButtons?.[n - 1];
}

/** Commands a request asks about before running them (`req:<command>` buttons). */
const CONFIRMED_COMMANDS: ReadonlySet<string> = new Set(Object.keys(messages.confirmRequest));

/** Create the conversation core. */
export function createConversation(options: ConversationOptions): Conversation {
  const { engine, index, lexicon, stores, log } = options;
  const now = options.now ?? (() => new Date());
  const contextTtlMs = options.contextTtlMs ?? 10 * 60_000;
  const flood = new FloodGate(options.floodLimit ?? 20, options.floodWindowMs ?? 60_000);
  let latestCache: { size: number; docs: SearchDoc[] } | undefined;
  // Records for staff never hold up a reply for long, and outlive a short store outage.
  const recorder = createStaffRecorder({ ...options.records, log, onDropped: (count) => options.events?.recordsDropped?.(count) });
  /** Chat states that could not be read: a button that needs one says the store is busy, not "expired". */
  const unread = new WeakSet<ChatState>();
  const expired = (state: ChatState): OutboundMessage[] => [{ text: unread.has(state) ? messages.storeUnavailable : messages.expired }];
  /** Log a store failure, unless it is an outage (the store's breaker reports those). */
  const logStoreError = (err: unknown, fields: Record<string, unknown>, what: string) => {
    if (!(err instanceof StoreUnavailableError)) log.error({ err, ...fields }, what);
  };

  const stateKey = (msg: InboundMessage) => `${msg.channel}:${msg.chatId}`;

  function withButtons(state: ChatState, message: OutboundMessage): OutboundMessage {
    // Numbered replies pick among choices only: a "1" after an answer must not count as a 👍.
    state.lastButtons = (message.buttons ?? [])
      .flat()
      .filter((b) => !b.role)
      .map((b) => b.data);
    state.listed = listedIds.get(message);
    return message;
  }

  /** Lists remember which documents they numbered, so that typing a number opens one. */
  const listedIds = new WeakMap<OutboundMessage, { start: number; ids: string[] }>();

  function latest(): SearchDoc[] {
    if (!latestCache || latestCache.size !== index.size) {
      // Sources write their zones differently ("…Z", "…+07:00"): order by the instant, not by the text.
      const dated = [...index.all()].flatMap((doc) => {
        const at = doc.type === 'article' && doc.publishedAt ? parseVnTime(doc.publishedAt) : Number.NaN;
        return Number.isNaN(at) ? [] : [{ doc, at }];
      });
      dated.sort((a, b) => b.at - a.at);
      latestCache = { size: index.size, docs: dated.slice(0, 50).map((d) => d.doc) };
    }
    return latestCache.docs;
  }

  function listMessage(title: string, docs: SearchDoc[], startAt = 1): OutboundMessage {
    const lines = docs.map((d, i) => messages.listItem(startAt + i, tidySpacing(d.title), formatDate(d.publishedAt)));
    const message: OutboundMessage = {
      text: [title, ...lines, '', messages.listHint].join('\n'),
      links: docs.filter((d) => d.url).map((d) => ({ title: tidySpacing(d.title), url: d.url! })),
    };
    listedIds.set(message, { start: startAt, ids: docs.map((d) => d.id) });
    return message;
  }

  function programs(filter: string): OutboundMessage {
    const all = [...index.all()].filter((d) => d.type === 'program');
    if (!filter) return listMessage(messages.programsTitle(), all);
    const province = lexicon.provinceNames.find(tokenize(filter))[0]?.value;
    const year = /\b(19|20)\d\d\b/.exec(filter)?.[0];
    const folded = foldToken(cleanText(filter).toLowerCase());
    const matched = all.filter((d) => {
      if (province) return d.province === province.name;
      if (year) return d.body.includes(year) || d.title.includes(year);
      return foldToken(`${d.title} ${d.summary}`.toLowerCase()).includes(folded);
    });
    if (matched.length === 0) return { text: messages.programsNone(filter) };
    return listMessage(messages.programsTitle(province?.name ?? filter), matched);
  }

  function searchPage(state: ChatState): OutboundMessage {
    const search = state.search!;
    const ranked = engine.rank(search.query, SEARCH_DEPTH);
    if (ranked.length === 0) return { text: messages.searchNone(search.query) };
    if (search.offset >= ranked.length) return { text: messages.searchEnd };
    const page = ranked.slice(search.offset, search.offset + PAGE_SIZE).map((r) => r.doc);
    const message = listMessage(messages.searchTitle(search.query, search.offset + 1, search.offset + page.length, ranked.length), page, search.offset + 1);
    search.offset += page.length;
    if (search.offset < ranked.length) message.buttons = [[{ label: messages.more, data: 'more', role: 'more' }]];
    return message;
  }

  /** Resolve a follow-up question against the previous one, when it is one. */
  function resolveFollowUp(text: string, state: ChatState, at: number): string {
    if (!state.lastQuestion || !state.lastAt || at - state.lastAt > contextTtlMs) return text;
    const folded = foldText(text);
    const m = FOLLOW_UP.exec(folded);
    if (!m) return text;
    if (lexicon.provinceNames.find(tokenize(m[1]!)).length === 0) return text;
    const newPlace = lexicon.provinceNames.find(tokenize(text))[0]!;
    const previous = tokenize(state.lastQuestion);
    const oldPlace = lexicon.provinceNames.find(previous)[0];
    const placeText = newPlace.text;
    if (!oldPlace) return `${state.lastQuestion} ở ${placeText}`;
    return [...previous.slice(0, oldPlace.start), placeText, ...previous.slice(oldPlace.end)].join(' ');
  }

  async function answerQuestion(msg: InboundMessage, state: ChatState, question: string, at: Date): Promise<OutboundMessage[]> {
    const started = performance.now();
    const answer: Answer = engine.answer(question);
    log.debug({ channel: msg.channel, kind: answer.kind, confidence: answer.confidence, ms: Math.round(performance.now() - started) }, 'question answered');
    const answered = options.events?.questionAnswered;
    const recorded: Promise<void>[] = [];
    if (answer.kind === 'answer' || answer.kind === 'no_answer') options.events?.answerGiven?.(msg, answer.kind, answer.confidence);
    if (answered && (answer.kind === 'answer' || answer.kind === 'no_answer')) {
      const kind = answer.kind;
      recorded.push(
        recorder.record({ what: 'could not record a question for staff', fields: { question, kind } }, () =>
          answered(msg, question, kind, answer.confidence, at),
        ),
      );
    }
    if (answer.kind === 'no_answer') {
      const record = {
        channel: msg.channel,
        chatId: msg.chatId,
        question,
        confidence: answer.confidence,
        closest: answer.sources.map((s) => s.id),
        at: at.toISOString(),
      };
      // If the store stays down the question still reaches staff through the log.
      recorded.push(
        recorder.record({ what: 'could not record an unanswered question', fields: { unanswered: record } }, () => stores.recordUnanswered(record, at)),
      );
    }
    const ticket = answer.kind === 'no_answer' ? openTicket(msg, question, at) : undefined;
    await Promise.all(recorded);
    if (answer.kind === 'no_answer') {
      state.options = answer.sources.map((s) => s.id);
      state.optionsFor = question;
      const ticketLine = await ticket;
      return [
        withButtons(state, {
          text: ticketLine ? `${answer.text}\n\n${ticketLine}` : answer.text,
          buttons: answer.sources.map((s, i) => [{ label: s.title, data: `opt:${i}` }]),
        }),
      ];
    }
    if (answer.kind !== 'answer') return [{ text: answer.text }];
    state.lastQuestion = question;
    state.lastAt = at.getTime();
    const qid = at.getTime().toString(36);
    state.answers = Object.fromEntries([
      ...Object.entries(state.answers ?? {}).slice(-4),
      [qid, { question, sourceIds: answer.sources.slice(0, 3).map((s) => s.id) }],
    ]);
    // An answer may cite no article ("UBND là gì?" is answered from the abbreviation list).
    const top = answer.sources[0];
    // The link is shown by the channel (a button-like link on the web, an <a> line on Telegram).
    const text = answer.body ?? answer.text;
    // The article the answer quotes, then the one quoted after it, if any (once per address).
    const added = answer.sources.find((s) => s.id === answer.also?.id);
    const quoted = [top, added].filter((s): s is AnswerSource => s?.url !== undefined);
    const links = quoted.filter((s, i) => quoted.findIndex((o) => o.url === s.url) === i).map((s) => ({ title: s.title, url: s.url! }));
    const reply: OutboundMessage = {
      text,
      links,
      buttons: [
        [
          { label: messages.feedbackUp, data: `fb:up:${qid}`, role: 'feedback' },
          { label: messages.feedbackDown, data: `fb:down:${qid}`, role: 'feedback' },
        ],
      ],
    };
    // Close results are offered to choose from, except the one already quoted after the answer.
    const close = top ? answer.sources.slice(1, 4).filter((s) => s.score >= top.score * CLOSE_RATIO && s.id !== added?.id) : [];
    if (top && close.length > 0) {
      state.options = [top.id, ...close.map((s) => s.id)];
      state.optionsFor = question;
      reply.text += `\n\n${messages.didYouMean}`;
      reply.buttons!.push(...close.map((s, i): Button[] => [{ label: s.title, data: `opt:${i + 1}` }]));
    }
    return [withButtons(state, reply)];
  }

  /**
   * The one line a "no information" reply ends with: the ticket number, or that the question could not reach
   * staff now (a store that is down or slow costs the ticket, never the reply); without a ticket desk, that the
   * question was recorded. Undefined only without a desk when `recordedLine` is false.
   */
  async function openTicket(msg: InboundMessage, question: string, at: Date, recordedLine = true): Promise<string | undefined> {
    const desk = options.tickets;
    if (!desk) return recordedLine ? messages.recordedForStaff : undefined;
    let waited: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (waited = setTimeout(() => resolve(undefined), options.ticketWaitMs ?? TICKET_WAIT_MS)));
    const number = await Promise.race([
      desk.open(msg, question, at).catch((err: unknown) => void logStoreError(err, { channel: msg.channel }, 'could not open a ticket')),
      late,
    ]);
    clearTimeout(waited);
    return number === undefined ? ticketText.notOpened : ticketText.opened(number);
  }

  /**
   * A request about the bot: its command, asked first when it changes the settings. A request for staff hands the
   * question just asked to a ticket ("chuyển cho cán bộ giúp em" after a "no information"); without tickets or a
   * question it is recorded for staff.
   */
  async function botRequest(msg: InboundMessage, state: ChatState, request: BotRequest, at: Date): Promise<OutboundMessage[]> {
    if (!request.command) {
      const asked = state.optionsFor || state.lastQuestion;
      const ticket = asked ? await openTicket(msg, asked, at, false) : undefined;
      if (ticket) return [{ text: ticket }];
      const answered = options.events?.questionAnswered;
      if (answered)
        await recorder.record({ what: 'could not record a request for staff', fields: { question: msg.text } }, () =>
          answered(msg, cleanText(msg.text ?? ''), 'no_answer', 0, at),
        );
      return [{ text: messages.staffRequested }];
    }
    if (!request.confirm) return command(msg, state, request.command, '', at);
    const ask = messages.confirmRequest[request.command];
    if (!ask) return command(msg, state, request.command, '', at);
    return [
      withButtons(state, {
        text: ask.question,
        buttons: [[{ label: ask.yes, data: `req:${request.command}` }], [{ label: messages.requestNo, data: 'req:no' }]],
      }),
    ];
  }

  async function pressButton(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[]> {
    for (const flow of options.flows ?? []) {
      const flowReply = await flow.press(msg, state, data, at);
      if (flowReply) return flowReply.map((r) => withButtons(state, r));
    }
    const [kind, arg, qid] = data.split(':');
    if (kind === 'fb' && (arg === 'up' || arg === 'down')) {
      const answered = qid ? state.answers?.[qid] : undefined;
      if (!answered) return expired(state);
      const record = {
        channel: msg.channel,
        chatId: msg.chatId,
        question: answered.question,
        sourceIds: answered.sourceIds,
        vote: arg,
        at: at.toISOString(),
      } as const;
      try {
        await stores.recordFeedback(record, at);
      } catch (err) {
        logStoreError(err, { feedback: record }, 'could not store feedback');
        return [{ text: messages.storeDown }];
      }
      const thumbsDown = options.events?.thumbsDown;
      if (arg === 'down' && thumbsDown)
        await recorder.record({ what: 'could not record a 👎 for staff', fields: { question: answered.question } }, () =>
          thumbsDown(msg, answered.question, at),
        );
      return [{ text: messages.feedbackThanks }];
    }
    if (kind === 'ex') {
      const example = webPage.examples[Number(arg)];
      return example ? answerQuestion(msg, state, example, at) : [{ text: messages.expired }];
    }
    if (kind === 'opt') {
      const docId = state.options?.[Number(arg)];
      const answer = docId ? engine.answerFrom(state.optionsFor ?? '', docId) : undefined;
      if (!answer) return expired(state);
      const source = answer.sources[0]!;
      return [{ text: answer.body ?? answer.text, links: source.url ? [{ title: source.title, url: source.url }] : [] }];
    }
    if (kind === 'doc') {
      const doc = index.get(data.slice('doc:'.length));
      if (!doc) return [{ text: messages.expired }];
      const summary = tidySpacing(doc.summary || doc.body.slice(0, 600));
      return [
        {
          text: messages.card(tidySpacing(doc.title), formatDate(doc.publishedAt), summary),
          links: doc.url ? [{ title: tidySpacing(doc.title), url: doc.url }] : [],
        },
      ];
    }
    if (kind === 'req') {
      if (arg === 'no') return [{ text: messages.requestKept }];
      return arg && CONFIRMED_COMMANDS.has(arg) ? command(msg, state, arg, '', at) : [{ text: messages.expired }];
    }
    if (kind === 'more') {
      if (!state.search) return expired(state);
      return [withButtons(state, searchPage(state))];
    }
    return [{ text: messages.expired }];
  }

  async function command(msg: InboundMessage, state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[]> {
    switch (name) {
      case 'start':
        return [withButtons(state, { text: messages.welcome(displayName(msg)), buttons: webPage.examples.map((q, i) => [{ label: q, data: `ex:${i}` }]) })];
      case 'help':
      case 'trogiup': {
        const extra: string[] = [];
        for (const flow of options.flows ?? []) {
          // Help is shown without the store: a flow that needs it to tell staff apart adds nothing meanwhile.
          const more = await flow.help?.(msg).catch((err: unknown) => void logStoreError(err, {}, 'could not list commands'));
          if (more) extra.push(more);
        }
        return [{ text: [messages.help, ...extra].join('\n\n') }];
      }
      case 'moi': {
        const docs = latest().slice(0, PAGE_SIZE);
        return [docs.length ? withButtons(state, listMessage(messages.latestTitle, docs)) : { text: messages.latestNone }];
      }
      case 'chuongtrinh':
        return [withButtons(state, programs(cleanText(args)))];
      case 'tim':
        if (!args) return [{ text: messages.searchUsage }];
        state.search = { query: sliceChars(cleanText(args), MAX_QUERY_CHARS), offset: 0 };
        return [withButtons(state, searchPage(state))];
      default: {
        for (const flow of options.flows ?? []) {
          const flowReply = await flow.command(msg, state, name, args, at);
          if (flowReply) return flowReply.map((r) => withButtons(state, r));
        }
        return [{ text: `${messages.unknownCommand(`/${name}`)}\n\n${messages.help}` }];
      }
    }
  }

  async function handle(msg: InboundMessage): Promise<OutboundMessage[]> {
    const at = options.now ? now() : msg.receivedAt;
    const verdict = flood.check(`${msg.channel}:${msg.userId}`, at.getTime());
    if (verdict === 'drop') return [];
    if (verdict === 'warn') return [{ text: messages.flood }];
    const key = stateKey(msg);
    // A store that is down costs the conversation its context, not its answer.
    let isUnread = false;
    const state: ChatState =
      (await stores.chats.get(key).catch((err: unknown) => {
        isUnread = true;
        logStoreError(err, { key }, 'could not read chat state');
      })) ?? {};
    if (isUnread) unread.add(state);
    let replies: OutboundMessage[];
    // The limit is in characters of the normalized text, so a question typed in decomposed form fits as it reads.
    const message = normalizeMessage(msg.text ?? '');
    if (countChars(message) > MAX_QUERY_CHARS) replies = [{ text: messages.tooLong(MAX_QUERY_CHARS) }];
    else {
      const text = cleanText(message);
      // Channels without keyboards number the choices and ask for a typed 👍/👎 or "thêm".
      const numbered = /^\d{1,2}$/.test(text)
        ? pickNumber(Number(text), state)
        : (typedFeedback(text, state) ?? typedMore(text, state) ?? typedConfirmation(text, state));
      // Command arguments keep their line breaks (a multi-line announcement is sent as written).
      const cmd = parseCommand(message) ?? typedCommand(text);
      try {
        if (msg.callbackData) replies = await pressButton(msg, state, msg.callbackData, at);
        else if (numbered) replies = await pressButton(msg, state, numbered, at);
        else if (cmd) replies = await command(msg, state, cmd.command, cmd.args, at);
        else if (text === '') replies = [{ text: messages.empty }];
        else {
          // A request about the bot itself ("tôi muốn nhận bản tin hằng ngày") leads to its command, not to the articles,
          // even while a flow waits for a typed answer (no province or hour reads as a request). A request for staff
          // goes to the flows first (one of them may hand it to staff), then is recorded for them here.
          const request = readRequest(text);
          let typed: OutboundMessage[] | undefined = request?.command ? await botRequest(msg, state, request, at) : undefined;
          for (const flow of options.flows ?? []) if (!typed) typed = await flow.typed(msg, state, text, at);
          if (!typed && request) typed = await botRequest(msg, state, request, at);
          replies = typed ? typed.map((r) => withButtons(state, r)) : await answerQuestion(msg, state, resolveFollowUp(text, state, at.getTime()), at);
        }
      } catch (err) {
        // A command needs the store and it is unavailable (or failed): say so at once, keep serving.
        logStoreError(err, { channel: msg.channel, chatId: msg.chatId }, 'could not handle a message');
        replies = [{ text: err instanceof StoreUnavailableError ? messages.storeUnavailable : messages.storeBusy }];
      }
    }
    // Staff answers the push could not deliver come first, once, each saying it waited.
    const waiting =
      options.tickets && verdict === 'ok'
        ? await options.tickets.waiting(msg, at).catch((err: unknown) => void logStoreError(err, { channel: msg.channel }, 'could not read waiting answers'))
        : undefined;
    if (waiting?.length) replies = [...waiting, ...replies];
    // A state that could not be read is not written back: it would replace the stored one with a blank.
    // After /xoadulieu nothing of the chat is saved back, not even its key.
    if (state.forget) await stores.chats.delete(key).catch((err: unknown) => logStoreError(err, { key }, 'could not delete chat state'));
    else if (!isUnread)
      await stores.chats.set(key, state, 7 * 24 * 3_600_000).catch((err: unknown) => logStoreError(err, { key }, 'could not save chat state'));
    return replies;
  }

  return { handle };
}
