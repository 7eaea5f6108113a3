import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { CheckResult } from '../http/server.js';
import type { Metrics } from '../metrics.js';
import { createArticleStore, type ArticleStore } from '../store/articles.js';
import { createBroadcastStore, type BroadcastStore } from '../store/broadcasts.js';
import { createChangeLog, type ChangeLog } from '../store/changes.js';
import { createFaqStore, faqData, type FaqEntry, type FaqStore } from '../store/faq.js';
import { createDailyStore, type DailyStore } from '../store/daily.js';
import { createRedisLease, createSqliteLease, type Lease } from '../store/lock.js';
import { createRedisBackend } from '../store/redis.js';
import { createSessionStore, type SessionStore } from '../store/sessions.js';
import { createSqliteAdapter, sqliteFile } from '../store/sqlite.js';
import {
  broadcastData,
  conversationData,
  createPseudonyms,
  inboxData,
  subscriptionData,
  ticketData,
  type PersonalDataSource,
  type Pseudonyms,
} from '../store/personal.js';
import { createStaffStore, type StaffStore } from '../store/staff.js';
import { createStores, type Stores } from '../store/stores.js';
import { createSubscriptionStore, type SubscriptionStore } from '../store/subscriptions.js';
import { createTicketStore, type TicketStore } from '../store/tickets.js';

/** Every store the bot keeps its state in, on the SQLite file in DATA_DIR or on Redis. */
export interface Storage {
  /** Imported articles. */
  articles: ArticleStore;
  /** Chat state, feedback, unanswered questions. */
  stores: Stores;
  staff: StaffStore;
  subscriptions: SubscriptionStore;
  broadcasts: BroadcastStore;
  /** The change log that keeps several instances' indexes in step. */
  changes: ChangeLog;
  /** Leases shared by every instance on the same state. */
  lease: Lease;
  /** Citizens' questions handed to staff, and the staff answers. */
  tickets: TicketStore;
  /** The ids staff see instead of chat ids. */
  pseudonyms: Pseudonyms;
  /** Curated question–answer entries (hỏi đáp). */
  faq: FaqStore;
  /** Be told of the entries a citizen's erasure changed (their wordings removed), to put them back into the index. */
  onFaqForgotten(listener: (entries: FaqEntry[]) => void): void;
  /** The staff console's sign-in links and sessions (hashed). */
  sessions: SessionStore;
  /** Anonymous daily figures for the statistics (counts only, kept). */
  daily: DailyStore;
  /** Every store that keeps data about people (/dulieucuatoi, /xoadulieu, the retention job). */
  personal: PersonalDataSource[];
  /** The readiness check of the store: on Redis 'store unavailable' at once while its breaker is open, else a PING. */
  probe(): Promise<CheckResult>;
  /** Close every store and connection opened here. */
  close(): Promise<void>;
}

/**
 * Open the stores: one adapter (connection) per keyv namespace, as the stores expect; on Redis they share one
 * circuit breaker, whose state goes to `metrics.storeUp`. What was opened is closed again when a store fails
 * to open.
 */
export async function buildStorage(config: Config, deps: { log: Logger; metrics: Metrics }): Promise<Storage> {
  const log = deps.log.child({ module: 'store' });
  const dataDir = resolve(config.DATA_DIR);
  const redisUrl = config.REDIS_URL;
  const redis = redisUrl ? createRedisBackend(redisUrl, { log, onChange: (up) => deps.metrics.storeUp(up) }) : undefined;
  const adapter = redis ? async () => redis.adapter() : () => createSqliteAdapter(dataDir);
  const closers: (() => Promise<unknown>)[] = [];
  const opened = <T extends { close(): Promise<void> }>(store: T): T => {
    closers.push(() => store.close());
    return store;
  };
  const closeAll = async () => {
    await Promise.allSettled(closers.splice(0).map((close) => close()));
    await redis?.close();
  };
  try {
    const articles = opened(await createArticleStore({ adapter, log }));
    const stores = opened(await createStores({ adapter, log }));
    const staff = opened(await createStaffStore({ adapter, log }));
    let lease: Lease;
    if (redis) lease = createRedisLease(redis.adapter());
    else {
      const leaseAdapter = await createSqliteAdapter(dataDir);
      closers.push(() => leaseAdapter.disconnect());
      lease = await createSqliteLease(leaseAdapter);
    }
    // Leases also guard the subscription index lists, so instances sharing a store lose no subscriber.
    const subscriptions = opened(await createSubscriptionStore({ adapter, log, lease }));
    const broadcasts = opened(await createBroadcastStore({ adapter, log, lease }));
    // Announcements, removals and imports made on one instance reach the others' indexes within seconds.
    const changes = opened(await createChangeLog({ adapter, log, lease }));
    const tickets = opened(await createTicketStore({ adapter, log, lease }));
    const pseudonyms = opened(await createPseudonyms({ adapter, log, lease }));
    const sessions = opened(await createSessionStore({ adapter, log, lease }));
    const daily = opened(await createDailyStore({ adapter, log, lease }));
    const faq = opened(await createFaqStore({ adapter, log, lease }));
    const faqListeners: ((entries: FaqEntry[]) => void)[] = [];
    const personal = [
      subscriptionData(subscriptions),
      conversationData(stores),
      inboxData(staff),
      broadcastData(broadcasts),
      ticketData(tickets),
      faqData(faq, (entries) => {
        for (const listener of faqListeners) listener(entries);
      }),
    ];
    deps.metrics.storeUp(true);
    if (redisUrl) deps.log.info({ redis: new URL(redisUrl).host }, 'state store ready (Redis)');
    else deps.log.info({ file: sqliteFile(dataDir) }, 'state store ready');
    return {
      articles,
      stores,
      staff,
      subscriptions,
      broadcasts,
      changes,
      lease,
      tickets,
      pseudonyms,
      faq,
      onFaqForgotten: (listener) => void faqListeners.push(listener),
      sessions,
      daily,
      personal,
      probe: async () => {
        if (redis) return redis.ping();
        await stores.chats.get('readyz:probe');
        return true;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
