import type { Logger } from 'pino';
import type { AnswerEngine } from '../answer/index.js';
import { createConsoleLoginFlow } from '../assistant/console-login.js';
import { createConversation } from '../assistant/conversation.js';
import { createFaqFlow, createFaqService, type FaqService } from '../assistant/faq.js';
import { createPrivacyFlow } from '../assistant/privacy.js';
import { createStaffFlow } from '../assistant/staff.js';
import { createSubscriptionFlow } from '../assistant/subscribe.js';
import { createTicketFlow, createTicketService, type TicketService } from '../assistant/tickets.js';
import type { ChannelId, InboundHandler } from '../core/chat.js';
import type { Config } from '../config.js';
import { faqText } from '../copy/messages.js';
import type { Metrics } from '../metrics.js';
import type { DailyStore } from '../store/daily.js';
import type { Jobs } from './jobs.js';
import type { Search } from './search.js';
import type { Storage } from './storage.js';

/** The staff-side services the chat commands and the staff console share. */
export interface StaffServices {
  faq: FaqService;
  tickets: TicketService;
}

/**
 * The curated answers and ticket services over the stores and the index; a citizen's erasure puts the entries
 * that held their wordings back into the index.
 */
export function buildStaffServices(deps: { storage: Storage; search: Search; jobs: Jobs; log: Logger }): StaffServices {
  const { storage, search, jobs, log } = deps;
  const faq = createFaqService({
    faq: storage.faq,
    staff: storage.staff,
    publisher: search.publisher,
    engine: search.engine,
    pseudonyms: storage.pseudonyms,
    log: log.child({ module: 'faq' }),
  });
  storage.onFaqForgotten((entries) => faq.reindex(entries));
  const tickets = createTicketService({
    tickets: storage.tickets,
    delivery: jobs.ticketAnswers,
    staff: storage.staff,
    faq,
    pseudonyms: storage.pseudonyms,
    log: log.child({ module: 'tickets' }),
  });
  return { faq, tickets };
}

/** Questions answered from curated entries in the 7 Vietnam days up to `at` (the daily figures). */
async function curatedThisWeek(daily: DailyStore, at: Date): Promise<number> {
  const day = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
  const days = await daily.days(day(at.getTime() - 6 * 86_400_000), day(at.getTime()));
  return days.reduce((sum, d) => sum + d.counts.curated, 0);
}

/** The engine as the conversation uses it, counting the answers given from a curated entry (hỏi đáp) in the daily figures. */
function countingEngine(engine: AnswerEngine, daily: DailyStore): AnswerEngine {
  const counting: AnswerEngine = Object.create(engine);
  counting.answer = (question) => {
    const answer = engine.answer(question);
    if (answer.faq !== undefined) void daily.add(new Date(), { curated: 1 });
    return answer;
  };
  return counting;
}

/** The ticket store, counting each question handed to staff (a new ticket or a new asker joining one) in the daily figures. */
function countingTickets(storage: Storage): Storage['tickets'] {
  const { tickets, daily } = storage;
  return {
    ...tickets,
    async open(asker, pick) {
      const opened = await tickets.open(asker, pick);
      // Not awaited: the ticket number never waits for the figures.
      if (!opened.repeated) void daily.add(new Date(asker.at), { ticket: 1 });
      return opened;
    },
  };
}

/**
 * The conversation every channel hands its messages to, with the subscription and staff flows; each message
 * is counted and timed for the metrics.
 */
export function buildAssistant(
  config: Config,
  deps: {
    storage: Storage;
    search: Search;
    jobs: Jobs;
    pushChannels: Iterable<ChannelId>;
    log: Logger;
    metrics: Metrics;
    /** The staff console's base URL for sign-in links (known once the HTTP server listens). */
    consoleUrl: () => string;
    /** The services shared with the staff console (made here when not given). */
    services?: StaffServices;
  },
): InboundHandler {
  const { storage, search, jobs, log, metrics } = deps;
  const services = deps.services ?? buildStaffServices(deps);
  const { index, lexicon, publisher } = search;
  const staffFlow = createStaffFlow({
    staff: storage.staff,
    admins: new Set(config.ADMIN_IDS),
    announcements: jobs.announcements,
    subscriptions: storage.subscriptions,
    broadcasts: storage.broadcasts,
    index,
    lexicon,
    publisher,
    pseudonyms: storage.pseudonyms,
    importUrl: (url) => jobs.importer.importUrl(url),
    ticketStats: async () => `${await ticketFlow.stats()}\n${faqText.statsLine(await curatedThisWeek(storage.daily, new Date()))}`,
    log: log.child({ module: 'staff' }),
  });
  const ticketFlow = createTicketFlow({
    tickets: countingTickets(storage),
    delivery: jobs.ticketAnswers,
    staff: storage.staff,
    lexicon,
    roleOf: (msg) => staffFlow.roleOf(msg),
    log: log.child({ module: 'tickets' }),
    faq: services.faq,
    pseudonyms: storage.pseudonyms,
    service: services.tickets,
  });
  const faqFlow = createFaqFlow({
    service: services.faq,
    staff: storage.staff,
    roleOf: (msg) => staffFlow.roleOf(msg),
    log: log.child({ module: 'faq' }),
  });
  const subscriptionFlow = createSubscriptionFlow({
    subscriptions: storage.subscriptions,
    digest: jobs.digest,
    lexicon,
    pushChannels: new Set(deps.pushChannels),
    log: log.child({ module: 'subscribe' }),
  });
  const consoleLoginFlow = createConsoleLoginFlow({
    sessions: storage.sessions,
    roleOf: (msg) => staffFlow.roleOf(msg),
    baseUrl: deps.consoleUrl,
    pseudonyms: storage.pseudonyms,
    audit: (entry) => storage.staff.audit.append(entry),
    log: log.child({ module: 'console' }),
  });
  const privacyFlow = createPrivacyFlow({
    sources: storage.personal,
    pseudonyms: storage.pseudonyms,
    audit: (entry) => storage.staff.audit.append(entry),
    retentionDays: config.QUESTION_RETENTION_DAYS,
    log: log.child({ module: 'privacy' }),
  });
  const conversation = createConversation({
    engine: countingEngine(search.engine, storage.daily),
    index,
    lexicon,
    stores: storage.stores,
    tickets: ticketFlow,
    flows: [subscriptionFlow, ticketFlow, staffFlow, faqFlow, consoleLoginFlow, privacyFlow],
    events: {
      answerGiven(msg, kind, confidence) {
        if (kind === 'answer') metrics.answerConfidence(confidence);
        else metrics.unanswered(msg.channel);
      },
      questionAnswered: async (msg, question, kind, confidence, at) => {
        await staffFlow.questionAnswered(msg, question, kind, confidence, at);
        // After the staff record: a retry of a refused record does not count the question twice.
        await storage.daily.add(at, kind === 'answer' ? { answered: 1 } : { noInfo: 1 });
      },
      thumbsDown: (msg, question, at) => staffFlow.thumbsDown(msg, question, at),
      recordsDropped: (count) => metrics.storeRecordsDropped(count),
    },
    log: log.child({ module: 'conversation' }),
  });
  return async (msg) => {
    metrics.messageIn(msg.channel);
    const done = metrics.startReply(msg.channel);
    const replies = await conversation.handle(msg);
    metrics.messageOut(msg.channel, replies.length);
    done();
    return replies;
  };
}
