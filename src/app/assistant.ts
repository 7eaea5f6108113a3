import type { Logger } from 'pino';
import { createConversation } from '../assistant/conversation.js';
import { createPrivacyFlow } from '../assistant/privacy.js';
import { createStaffFlow } from '../assistant/staff.js';
import { createSubscriptionFlow } from '../assistant/subscribe.js';
import { createTicketFlow } from '../assistant/tickets.js';
import type { ChannelId, InboundHandler } from '../core/chat.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { Jobs } from './jobs.js';
import type { Search } from './search.js';
import type { Storage } from './storage.js';

/** The ticket store, counting each question handed to staff (a new ticket or a new asker joining one) in the daily figures. */
function countingTickets(storage: Storage): Storage['tickets'] {
  const { tickets, daily } = storage;
  return {
    ...tickets,
    async open(asker, pick) {
      const opened = await tickets.open(asker, pick);
      if (!opened.repeated) await daily.add(new Date(asker.at), { ticket: 1 });
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
  deps: { storage: Storage; search: Search; jobs: Jobs; pushChannels: Iterable<ChannelId>; log: Logger; metrics: Metrics },
): InboundHandler {
  const { storage, search, jobs, log, metrics } = deps;
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
    ticketStats: () => ticketFlow.stats(),
    log: log.child({ module: 'staff' }),
  });
  const ticketFlow = createTicketFlow({
    tickets: countingTickets(storage),
    delivery: jobs.ticketAnswers,
    staff: storage.staff,
    lexicon,
    roleOf: (msg) => staffFlow.roleOf(msg),
    log: log.child({ module: 'tickets' }),
  });
  const subscriptionFlow = createSubscriptionFlow({
    subscriptions: storage.subscriptions,
    digest: jobs.digest,
    lexicon,
    pushChannels: new Set(deps.pushChannels),
    log: log.child({ module: 'subscribe' }),
  });
  const privacyFlow = createPrivacyFlow({
    sources: storage.personal,
    pseudonyms: storage.pseudonyms,
    audit: (entry) => storage.staff.audit.append(entry),
    retentionDays: config.QUESTION_RETENTION_DAYS,
    log: log.child({ module: 'privacy' }),
  });
  const conversation = createConversation({
    engine: search.engine,
    index,
    lexicon,
    stores: storage.stores,
    tickets: ticketFlow,
    flows: [subscriptionFlow, ticketFlow, staffFlow, privacyFlow],
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
