import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { staffText } from '../copy/messages.js';
import type { Channel, ChannelId } from '../core/chat.js';
import type { Config } from '../config.js';
import { toSearchDoc } from '../content/types.js';
import { createAnnouncementService, type AnnouncementService } from '../digest/announcements.js';
import { createBroadcaster, type Broadcaster } from '../digest/broadcaster.js';
import { createDigestService, type DigestService } from '../digest/digest.js';
import { createTicketDelivery, type TicketDelivery } from '../digest/ticket-answers.js';
import { scheduleDigest, scheduleIngest, scheduleRetention } from '../digest/schedule.js';
import type { Importer } from '../ingest/importer.js';
import { createFeedPoller, type SourceStatus } from '../ingest/poller.js';
import type { Metrics } from '../metrics.js';
import { subscriberSnapshot, type SubscriberSnapshot } from '../store/daily.js';
import { expirePersonalData } from '../store/personal.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import { createBotImporter } from './importer.js';
import type { Search } from './search.js';
import type { Storage } from './storage.js';

/** The work the bot does on its own: digests, announcements, imports, and taking over a dead instance's work. */
export interface Jobs {
  broadcaster: Broadcaster;
  digest: DigestService;
  announcements: AnnouncementService;
  /** Staff answers to tickets, pushed to every asker. */
  ticketAnswers: TicketDelivery;
  importer: Importer;
  /** Erase recorded questions and closed tickets older than QUESTION_RETENTION_DAYS (the daily job; one instance). */
  retention(now: Date): Promise<Record<string, number> | undefined>;
  /** Count today's subscribers by channel and province into the daily figures (hourly and at start; one instance per run). */
  snapshotSubscribers(now: Date): Promise<SubscriberSnapshot | undefined>;
  /** The import sources as this instance's poller knows them (state is per instance, fresh after a restart). */
  sources(): SourceStatus[];
  /** Resume what was interrupted and run missed digests (in the background), then schedule every job. */
  start(): void;
  /** Stop the schedules and timers, wait for sends and imports in flight. */
  stop(): Promise<void>;
}

/** How long one import round may hold `ingest:poll` before another instance may run one. */
const INGEST_LEASE_MS = 10 * 60_000;
/** When the subscribers are counted for the statistics: hourly (the day's last count stands), Vietnam time. */
const SNAPSHOT_CRON = '50 * * * *';
/** How long a subscriber count may hold `daily:snapshot` (a count that runs again only writes the same figures). */
const SNAPSHOT_LEASE_MS = 10 * 60_000;
/** How long a retention run may hold `retention` (it is idempotent: a second run the same day erases nothing more). */
const RETENTION_LEASE_MS = 30 * 60_000;

/**
 * Build the broadcaster and the services it reports to (digest, announcements), the importer and the source
 * poller; scheduled announcements are re-armed here.
 */
export async function buildJobs(
  config: Config,
  deps: { storage: Storage; search: Search; channels: Map<ChannelId, Channel>; instanceId: string; log: Logger; metrics: Metrics },
): Promise<Jobs> {
  const { storage, search, channels, instanceId, log, metrics } = deps;
  const { lease, subscriptions, broadcasts, staff } = storage;
  const leaseTtlMs = config.LEASE_TTL_SECONDS * 1000;
  const pace = (rate: number) => ({ ratePerSecond: rate, concurrency: config.BROADCAST_CONCURRENCY, perChatGapMs: 1000 });
  const broadcaster = createBroadcaster({
    store: broadcasts,
    channels,
    log: log.child({ module: 'broadcast' }),
    pace: { telegram: pace(config.TELEGRAM_SEND_RATE), zalo: pace(config.ZALO_SEND_RATE) },
    onRateLimited: (channel) => metrics.rateLimited(channel),
  });
  const digest = createDigestService({
    docs: () => search.index.all(),
    subscriptions,
    broadcasts,
    broadcaster,
    hasChannel: (id) => channels.has(id),
    maxTextLength: (id) => channels.get(id)?.limits.maxTextLength ?? 4000,
    log: log.child({ module: 'digest' }),
    catchUpHours: config.DIGEST_CATCHUP_HOURS,
    lease,
    instanceId,
    leaseTtlMs,
  });
  const announcements = createAnnouncementService({
    staff,
    index: search.index,
    subscriptions,
    broadcasts,
    broadcaster,
    channels,
    lease,
    instanceId,
    leaseTtlMs,
    publisher: search.publisher,
    log: log.child({ module: 'announcements' }),
  });
  broadcaster.on('gone', (recipient, reason) => {
    metrics.subscriberBlocked(recipient.channel);
    return digest.gone(recipient, reason);
  });
  const ticketAnswers = createTicketDelivery({
    tickets: storage.tickets,
    broadcasts,
    broadcaster,
    channels,
    lease,
    instanceId,
    leaseTtlMs,
    log: log.child({ module: 'tickets' }),
  });
  broadcaster.on('delivered', (id, recipient) => digest.delivered(id, recipient));
  broadcaster.on('delivered', (id, recipient) => ticketAnswers.delivered(id, recipient));
  // Digest deliveries per day for the statistics (anonymous counts; the daily store never rejects). Not awaited: a send
  // never waits for the figures.
  broadcaster.on('delivered', async (id) => {
    if (id.startsWith('digest:')) void storage.daily.add(new Date(), { digestDelivered: 1 });
  });
  // A chat closed outside a broadcast (Telegram's my_chat_member "kicked") is handled as a send answered `blocked`.
  for (const channel of channels.values()) {
    channel.onChatClosed?.(async (chatId) => {
      if (await digest.gone({ channel: channel.id, chatId }, 'blocked')) metrics.subscriberBlocked(channel.id);
    });
  }
  broadcaster.on('progress', (report) => {
    metrics.broadcastProgress(report.id.startsWith('ann:') ? 'announcement' : 'digest', report);
    announcements.progress(report);
    if (report.finishedAt && report.id.startsWith('digest:') && report.failed + report.blocked > 0)
      void storage.daily.add(new Date(report.finishedAt), { digestFailed: report.failed + report.blocked });
  });
  await announcements.restore();

  const unpublished = new Set(await staff.unpublished());
  if (config.INGEST_ALLOW_PRIVATE)
    log.warn({ allowedPorts: config.INGEST_ALLOWED_PORTS }, 'INGEST_ALLOW_PRIVATE is on: the importer may fetch loopback, private and link-local addresses');
  const importer = createBotImporter(config, {
    store: storage.articles,
    lexicon: search.lexicon,
    log: log.child({ module: 'ingest' }),
    isUnpublished: async (id) => unpublished.has(id) || (await staff.unpublished()).includes(id),
    onChange: (record) => {
      if (unpublished.has(record.article.id)) return;
      search.engine.invalidate(record.article.id);
      search.publisher.upsert(toSearchDoc({ type: 'article', ...record.article }));
      metrics.importResult('saved');
    },
  });
  const tellStaff = async (text: string) => {
    // Admins hear about it in their chat; the log has it in any case.
    for (const admin of config.ADMIN_IDS) {
      const [channelId, userId] = admin.split(':') as [ChannelId, string];
      await channels
        .get(channelId)
        ?.send(userId, { text })
        .catch(() => undefined);
    }
  };
  const poller = createFeedPoller({
    importer,
    sources: config.FEEDS,
    log: log.child({ module: 'ingest' }),
    onSourcePaused: (url, failures, reason) => void tellStaff(staffText.sourcePaused(url, failures, String(reason))),
  });
  /** One instance polls the sources per round (a lease), whichever fires first; none while the store is unavailable. */
  const pollRound = async () => {
    if (config.FEEDS.length === 0) return;
    const isMine = await lease.acquire('ingest:poll', instanceId, INGEST_LEASE_MS).catch((err: unknown) => {
      if (err instanceof StoreUnavailableError) return false;
      throw err;
    });
    if (!isMine) return;
    try {
      const summary = await poller.poll();
      log.info({ summary }, 'import round done');
    } finally {
      await lease.release('ingest:poll', instanceId).catch(() => undefined);
    }
  };

  /** One instance runs the retention job per day (a lease); it resolves with the erased counts, undefined on another instance. */
  const retention = async (now: Date) => {
    const isMine = await lease.acquire('retention', instanceId, RETENTION_LEASE_MS);
    if (!isMine) return undefined;
    try {
      const before = new Date(now.getTime() - config.QUESTION_RETENTION_DAYS * 86_400_000);
      const erased = await expirePersonalData(storage.personal, before);
      log.info({ module: 'retention', before: before.toISOString(), erased }, 'retention run done');
      return erased;
    } finally {
      await lease.release('retention', instanceId).catch(() => undefined);
    }
  };

  /** One instance counts per run (a lease, kept until it expires so the others skip this hour). */
  const countSubscribers = async (now: Date) => {
    if (!(await lease.acquire('daily:snapshot', instanceId, SNAPSHOT_LEASE_MS))) return undefined;
    const keys = [...new Set(await subscriptions.allKeys())];
    const snapshot = subscriberSnapshot(await subscriptions.getMany(keys), now, staffText.wholeCountry);
    await storage.daily.snapshot(snapshot);
    return snapshot;
  };
  /** The count in progress, which stop() waits for. */
  let counting: Promise<unknown> = Promise.resolve();
  const snapshotSubscribers = (now: Date) => {
    const run = countSubscribers(now);
    counting = run.catch(() => undefined);
    return run;
  };

  let tasks: ScheduledTask[] = [];
  let sweeper: NodeJS.Timeout | undefined;
  return {
    broadcaster,
    digest,
    announcements,
    ticketAnswers,
    importer,
    retention,
    snapshotSubscribers,
    sources: () => poller.status(),
    start() {
      if (sweeper) return;
      // Resume an interrupted broadcast and run missed digests in the background; then every hour.
      void digest.recover(new Date()).catch((err: unknown) => log.error({ err }, 'digest recovery failed'));
      // Ticket answers a stopped instance was delivering go on from their journal.
      void ticketAnswers.sweep().catch((err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err }, 'ticket answer recovery failed')));
      // Take over what a dead instance left: its leases expire, then the next sweep here resumes the work.
      // A sweep during a store outage waits for the next one (the breaker logs the outage).
      const quiet = (what: string) => (err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err }, what));
      sweeper = setInterval(() => {
        void digest.sweep().catch(quiet('digest sweep failed'));
        void announcements.sweep().catch(quiet('announcement sweep failed'));
        void ticketAnswers.sweep().catch(quiet('ticket answer sweep failed'));
      }, leaseTtlMs / 2);
      sweeper.unref();
      tasks = [
        scheduleDigest(digest, config.DIGEST_CRON, log.child({ module: 'digest' })),
        scheduleIngest(pollRound, config.INGEST_CRON, log.child({ module: 'ingest' })),
        scheduleRetention(() => retention(new Date()), log.child({ module: 'retention' })),
        cron.schedule(SNAPSHOT_CRON, () => void snapshotSubscribers(new Date()).catch(quiet('subscriber count failed')), {
          timezone: 'Asia/Ho_Chi_Minh',
          name: 'daily-snapshot',
          noOverlap: true,
        }),
      ];
      void snapshotSubscribers(new Date()).catch(quiet('subscriber count failed'));
      void pollRound().catch((err: unknown) => log.error({ err }, 'first import round failed'));
    },
    async stop() {
      clearInterval(sweeper);
      await Promise.allSettled(tasks.splice(0).map((t) => t.stop()));
      announcements.stop();
      await broadcaster.stop();
      await counting;
      await importer.idle();
    },
  };
}
