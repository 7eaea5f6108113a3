import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createAnswerEngine } from './answer/index.js';
import { createConversation } from './assistant/conversation.js';
import { createStaffFlow } from './assistant/staff.js';
import { createSubscriptionFlow } from './assistant/subscribe.js';
import { createAnnouncementService, type AnnouncementService } from './digest/announcements.js';
import { createStaffStore } from './store/staff.js';
import type { Channel, ChannelId } from './channels/types.js';
import { createBroadcaster } from './digest/broadcaster.js';
import { createDigestService, type DigestService } from './digest/digest.js';
import { scheduleDigest, scheduleIngest } from './digest/schedule.js';
import { toSearchDoc } from './content/types.js';
import { createFeedPoller, createImporter } from './ingest/importer.js';
import { createArticleStore } from './store/articles.js';
import { staffText } from './assistant/messages.js';
import { createBroadcastStore } from './store/broadcasts.js';
import { createSubscriptionStore } from './store/subscriptions.js';
import { createRedisLease, createSqliteLease, type Lease } from './store/lock.js';
import { createRedisBackend } from './store/redis.js';
import { StoreUnavailableError } from './store/unavailable.js';
import { createMetrics } from './metrics.js';
import { createChangeLog } from './store/changes.js';
import { createIndexSync } from './search/sync.js';
import { createSqliteAdapter, sqliteFile } from './store/sqlite.js';
import { createStores } from './store/stores.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/channel.js';
import { createZaloChannel, type ZaloChannel } from './channels/zalo/channel.js';
import { createHttpServer } from './http/server.js';
import { createLogger } from './log.js';
import { loadIndex } from './search/build.js';
import { loadLexicon } from './search/lexicon.js';

async function start(config: Config): Promise<void> {
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY) });
  const contentDir = resolve(config.CONTENT_DIR);
  const lexicon = loadLexicon(join(contentDir, 'lexicon'));
  const dataDir = resolve(config.DATA_DIR);
  const metrics = createMetrics();
  // One adapter (connection) per keyv namespace, as the stores expect; on Redis they share one circuit breaker.
  const redisUrl = config.REDIS_URL;
  const redis = redisUrl ? createRedisBackend(redisUrl, { log: log.child({ module: 'store' }), onChange: (up) => metrics.storeUp(up) }) : undefined;
  const adapter = redis ? async () => redis.adapter() : () => createSqliteAdapter(dataDir);
  // Imported articles live in the store; they are indexed with the files and kept in the same snapshot
  // (keyed on the store's version), so a restart does not index them again.
  const articles = await createArticleStore({ adapter, log: log.child({ module: 'store' }) });
  const { index, problems } = await loadIndex({
    paths: [contentDir, ...config.CORPUS.map((p) => resolve(p))],
    cacheDir: join(dataDir, 'cache'),
    log: log.child({ module: 'index' }),
    extra: { key: await articles.version(), load: async () => (await articles.all()).map((r) => toSearchDoc({ type: 'article', ...r.article })) },
  });
  if (problems.length > 0) log.warn({ skipped: problems.length }, 'some content records were skipped');
  const engine = createAnswerEngine({ index, lexicon, tuning: { minConfidence: config.ANSWER_MIN_CONFIDENCE } });
  metrics.indexSize(index.size);
  const stores = await createStores({ adapter, log: log.child({ module: 'store' }) });
  const staffStore = await createStaffStore({ adapter, log: log.child({ module: 'store' }) });
  const leaseAdapter = redisUrl ? undefined : await createSqliteAdapter(dataDir);
  const lease: Lease = redis ? createRedisLease(redis.adapter()) : await createSqliteLease(leaseAdapter!);
  // Leases also guard the subscription index lists, so instances sharing a store lose no subscriber.
  const subscriptions = await createSubscriptionStore({ adapter, log: log.child({ module: 'store' }), lease });
  const broadcasts = await createBroadcastStore({ adapter, log: log.child({ module: 'store' }), lease });

  // Announcements, removals and imports made on one instance reach the others' indexes within seconds.
  const changes = await createChangeLog({ adapter, log: log.child({ module: 'store' }), lease });
  const indexSync = await createIndexSync({ index, changes, log: log.child({ module: 'index' }) });
  metrics.storeUp(true);
  if (redisUrl) log.info({ redis: new URL(redisUrl).host }, 'state store ready (Redis)');
  else log.info({ file: sqliteFile(dataDir) }, 'state store ready');
  const channels: (TelegramChannel | ZaloChannel)[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    channels.push(
      createTelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.WEBHOOK_SECRET,
        lease,
        log: log.child({ module: 'telegram' }),
        onFatal: () => process.exit(1),
      }),
    );
  }
  if (config.ZALO_BOT_TOKEN) {
    channels.push(
      createZaloChannel({
        token: config.ZALO_BOT_TOKEN,
        apiBase: config.ZALO_API_BASE,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.WEBHOOK_SECRET,
        sendsPerSecond: config.ZALO_SEND_RATE,
        errorCodes: config.ZALO_ERROR_CODES_FILE ? resolve(config.ZALO_ERROR_CODES_FILE) : undefined,
        lease,
        log: log.child({ module: 'zalo' }),
        onFatal: () => process.exit(1),
      }),
    );
  }
  const byId = new Map<ChannelId, Channel>(channels.map((c) => [c.id, c]));
  const pace = (rate: number) => ({ ratePerSecond: rate, concurrency: config.BROADCAST_CONCURRENCY, perChatGapMs: 1000 });
  // The broadcaster reports deliveries and gone recipients to the digest service, created just after it.
  // Stable across restarts, so a restarted instance takes its own leases back at once.
  const instanceId = config.INSTANCE_ID ?? `${hostname()}:${config.PORT}`;
  let digest: DigestService | undefined;
  let announcements: AnnouncementService | undefined;
  const broadcaster = createBroadcaster({
    store: broadcasts,
    channels: byId,
    log: log.child({ module: 'broadcast' }),
    pace: { telegram: pace(config.TELEGRAM_SEND_RATE), zalo: pace(config.ZALO_SEND_RATE) },
    onGone: (recipient, reason) => {
      metrics.subscriberBlocked(recipient.channel);
      return digest!.gone(recipient, reason);
    },
    onDelivered: (id, recipient) => digest!.delivered(id, recipient),
    onRateLimited: (channel) => metrics.rateLimited(channel),
    onProgress: (report) => {
      metrics.broadcastProgress(report.id.startsWith('ann:') ? 'announcement' : 'digest', report);
      announcements?.progress(report);
    },
  });
  digest = createDigestService({
    docs: () => index.all(),
    subscriptions,
    broadcasts,
    broadcaster,
    hasChannel: (id) => byId.has(id),
    maxTextLength: (id) => byId.get(id)?.limits.maxTextLength ?? 4000,
    log: log.child({ module: 'digest' }),
    catchUpHours: config.DIGEST_CATCHUP_HOURS,
    lease,
    instanceId,
    leaseTtlMs: config.LEASE_TTL_SECONDS * 1000,
  });
  announcements = createAnnouncementService({ staff: staffStore, index, subscriptions, broadcasts, broadcaster, channels: byId, lease, instanceId, leaseTtlMs: config.LEASE_TTL_SECONDS * 1000, publisher: indexSync.publisher, log: log.child({ module: 'announcements' }) });
  await announcements.restore();
  const unpublished = new Set(await staffStore.unpublished());
  if (config.INGEST_ALLOW_PRIVATE) log.warn({ allowedPorts: config.INGEST_ALLOWED_PORTS }, 'INGEST_ALLOW_PRIVATE is on: the importer may fetch loopback, private and link-local addresses');
  const importer = createImporter({
    store: articles,
    lexicon,
    log: log.child({ module: 'ingest' }),
    fetch: { addressPolicy: { allowPrivate: config.INGEST_ALLOW_PRIVATE, allowedPorts: config.INGEST_ALLOWED_PORTS } },
    isUnpublished: async (id) => unpublished.has(id) || (await staffStore.unpublished()).includes(id),
    onChange: (record) => {
      if (unpublished.has(record.article.id)) return;
      engine.invalidate(record.article.id);
      indexSync.publisher.upsert(toSearchDoc({ type: 'article', ...record.article }));
      metrics.importResult('saved');
    },
  });
  const tellStaff = async (text: string) => {
    // Admins hear about it in their chat; the log has it in any case.
    for (const admin of config.ADMIN_IDS) {
      const [channelId, userId] = admin.split(':') as [ChannelId, string];
      await byId.get(channelId)?.send(userId, { text }).catch(() => undefined);
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
    const isMine = await lease.acquire('ingest:poll', instanceId, 10 * 60_000).catch((err: unknown) => {
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
  const staffFlow = createStaffFlow({ staff: staffStore, admins: new Set(config.ADMIN_IDS), announcements, subscriptions, broadcasts, index, lexicon, publisher: indexSync.publisher, importUrl: (url) => importer.importUrl(url), log: log.child({ module: 'staff' }) });
  const subscriptionFlow = createSubscriptionFlow({ subscriptions, digest, lexicon, pushChannels: new Set(byId.keys()), log: log.child({ module: 'subscribe' }) });
  const conversation = createConversation({ engine, index, lexicon, stores, flows: [subscriptionFlow, staffFlow],
    events: {
      answerGiven(msg, kind, confidence) {
        if (kind === 'answer') metrics.answerConfidence(confidence);
        else metrics.unanswered(msg.channel);
      },
      questionAnswered: (msg, question, kind, confidence, at) => staffFlow.questionAnswered(msg, question, kind, confidence, at),
      thumbsDown: (msg, question, at) => staffFlow.thumbsDown(msg, question, at),
      recordsDropped: (count) => metrics.storeRecordsDropped(count),
    }, log: log.child({ module: 'conversation' }) });
  const started = new Set<ChannelId>();
  const readiness = {
    index: () => (index.size > 0 ? true : 'index is empty'),
    // On Redis: 'store unavailable' at once while the breaker is open, else a PING.
    store: async () => (redis ? redis.ping() : (await stores.chats.get('readyz:probe'), true)),
    ...Object.fromEntries(channels.map((c) => [c.id, () => (started.has(c.id) ? true : 'not started')])),
  };
  const indexGauge = setInterval(() => metrics.indexSize(index.size), 15_000);
  indexGauge.unref();
  /** Count and time every message the conversation answers on any channel. */
  const handle = async (msg: Parameters<typeof conversation.handle>[0]) => {
    metrics.messageIn(msg.channel);
    const done = metrics.startReply(msg.channel);
    const replies = await conversation.handle(msg);
    metrics.messageOut(msg.channel, replies.length);
    done();
    return replies;
  };
  const server = createHttpServer({ conversation: { handle }, log: log.child({ module: 'http' }), routes: channels.map((c) => c.route), readiness, metrics, lease });
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ documents: index.size, url: `http://${config.HOST}:${port}/` }, `web chat ready: open http://${config.HOST}:${port}/`);
  });
  const startChannel = async (channel: TelegramChannel | ZaloChannel) => {
    try {
      await channel.start(handle);
      started.add(channel.id);
    } catch (err) {
      log.fatal({ channel: channel.id, err: err instanceof Error ? err.message : String(err) }, `${channel.id} channel could not start`);
      process.exit(1);
    }
  };
  const leaseTtlMs = config.LEASE_TTL_SECONDS * 1000;
  const pollGuards: NodeJS.Timeout[] = [];
  for (const channel of channels) {
    if (config.PUBLIC_URL) {
      await startChannel(channel);
      continue;
    }
    // Long polling: at most one instance polls each bot (a second getUpdates gets 409 from Telegram, and
    // Zalo hands each update to one caller). The others stand by, can still send, and take over when the
    // poller's lease runs out.
    const name = `poll:${channel.id}`;
    let polling = false;
    const guard = async () => {
      let held: boolean;
      try {
        held = await lease.acquire(name, instanceId, leaseTtlMs);
      } catch (err) {
        // A store that cannot be asked is not a lost lease: go on as before until it answers; the lease is
        // renewed then, unless another instance took it meanwhile.
        if (!(err instanceof StoreUnavailableError)) log.warn({ channel: channel.id, reason: (err as Error)?.message }, 'polling lease not checked');
        return;
      }
      if (held && !polling) {
        polling = true;
        await startChannel(channel);
        log.info({ channel: channel.id }, 'this instance polls');
      } else if (!held && polling) {
        polling = false;
        started.delete(channel.id);
        await channel.stop();
        log.warn({ channel: channel.id }, 'another instance polls now: polling stopped here');
      } else if (!held) {
        started.add(channel.id); // standing by is ready: sends work, updates go to the poller
      }
    };
    await guard();
    const timer = setInterval(() => void guard().catch((err: unknown) => log.error({ err }, 'polling lease check failed')), leaseTtlMs / 3);
    timer.unref();
    pollGuards.push(timer);
  }
  // Resume an interrupted broadcast and run missed digests in the background; then every hour.
  void digest.recover(new Date()).catch((err: unknown) => log.error({ err }, 'digest recovery failed'));
  const digestTask = scheduleDigest(digest, config.DIGEST_CRON, log.child({ module: 'digest' }));
  // Take over what a dead instance left: its leases expire, then the next sweep here resumes the work.
  // A sweep during a store outage waits for the next one (the breaker logs the outage).
  const quiet = (what: string) => (err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err }, what));
  const sweeper = setInterval(() => {
    void digest!.sweep().catch(quiet('digest sweep failed'));
    void announcements!.sweep().catch(quiet('announcement sweep failed'));
  }, (config.LEASE_TTL_SECONDS * 1000) / 2);
  sweeper.unref();
  indexSync.start();
  const ingestTask = scheduleIngest(pollRound, config.INGEST_CRON, log.child({ module: 'ingest' }));
  void pollRound().catch((err: unknown) => log.error({ err }, 'first import round failed'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    void digestTask.stop();
    clearInterval(sweeper);
    for (const t of pollGuards) clearInterval(t);
    // Hand polling over at once instead of after the lease runs out.
    for (const c of channels) void lease.release(`poll:${c.id}`, instanceId).catch(() => undefined);
    void ingestTask.stop();
    indexSync.stop();
    announcements?.stop();
    void Promise.allSettled([broadcaster.stop(), ...channels.map((c) => c.stop())]).then(() =>
      server.close(() => void Promise.allSettled([stores.close(), subscriptions.close(), broadcasts.close(), staffStore.close(), changes.close(), importer.idle().then(() => articles.close()), leaseAdapter?.disconnect(), redis?.close()]).finally(() => process.exit(0))),
    );
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

try {
  await start(loadConfig());
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
