import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import type { SearchDoc } from '../../src/content/types.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createDigestService, type DigestService } from '../../src/digest/digest.js';
import { createBroadcastStore, type BroadcastStore } from '../../src/store/broadcasts.js';
import { createRedisLease } from '../../src/store/lock.js';
import { createRedisAdapter, createRedisBackend } from '../../src/store/redis.js';
import { createSubscriptionStore, type SubscriptionStore } from '../../src/store/subscriptions.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { subscriber } from '../helpers/subscribers.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { claimRedisDatabase, rawRedis, redisAnswers } from '../helpers/redis.js';

const TOKEN = '123456:TEST-token-not-real';
const at = (iso: string) => new Date(`${iso}+07:00`);

let docs: SearchDoc[];
let subs: SubscriptionStore;
let broadcasts: BroadcastStore;
let digest: DigestService;
let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
let lines: Record<string, unknown>[];

const article = (id: string, title: string, publishedAt: string, province?: string): SearchDoc => ({
  id,
  type: 'article',
  title,
  summary: `Tóm tắt ${id}`,
  body: 'x',
  url: `https://mattran.org.vn/${id}.html`,
  publishedAt,
  province,
  source: 't',
});

beforeEach(async () => {
  docs = [
    article('a1', 'Hội nghị Ủy ban MTTQ tỉnh', '2026-11-27T06:00:00', 'Quảng Trị'),
    article('a2', 'Giám sát chính sách bảo hiểm y tế', '2026-11-26T21:00:00', 'Gia Lai'),
  ];
  subs = await createSubscriptionStore({ log: silentLogger() });
  broadcasts = await createBroadcastStore({ log: silentLogger() });
  fake = await startFakeTelegram({
    onSend: (call) =>
      call.body.chat_id === '9' ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } } : undefined,
  });
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, log: silentLogger() })]]);
  const captured = capturingLogger('info');
  lines = captured.lines;
  const broadcaster = createBroadcaster({
    store: broadcasts,
    channels,
    log: silentLogger(),
    pace: { telegram: { ratePerSecond: 200, concurrency: 4, perChatGapMs: 0 } },
    onGone: (r, reason) => digest.gone(r, reason),
    onDelivered: (id, r) => digest.delivered(id, r),
  });
  digest = createDigestService({
    docs: () => docs,
    subscriptions: subs,
    broadcasts,
    broadcaster,
    hasChannel: (id) => id === 'telegram',
    maxTextLength: () => 4096,
    log: captured.log,
    catchUpHours: 6,
  });
});
afterEach(async () => {
  await fake.close();
});

const sentTo = (chatId: string) =>
  fake
    .sent()
    .filter((c) => c.body.chat_id === chatId)
    .map((c) => String(c.body.text));

describe('daily digest', () => {
  it('sends at each subscriber’s hour what matches their topics and provinces, and nothing when nothing matches', async () => {
    await subs.put(subscriber('1'));
    await subs.put(subscriber('2', { provinces: ['Gia Lai'] }));
    await subs.put(subscriber('3', { topics: ['thong-bao'] }));
    await subs.put(subscriber('4', { hour: 18 }));
    await subs.put(subscriber('5', { paused: true }));
    const report = await digest.tick(at('2026-11-27T07:00:05'));
    expect(report).toMatchObject({ total: 2, sent: 2 });
    expect(sentTo('1')[0]).toContain('Hội nghị Ủy ban MTTQ tỉnh');
    expect(sentTo('1')[0]).toContain('Giám sát chính sách');
    expect(sentTo('2')[0]).toContain('Giám sát chính sách');
    expect(sentTo('2')[0]).not.toContain('Hội nghị');
    expect(sentTo('3')).toEqual([]);
    expect(sentTo('4')).toEqual([]);
    expect(sentTo('5')).toEqual([]);
    expect((await subs.lastDelivered(['telegram:1']))[0]?.day).toBe('2026-11-27');
  });

  it('never sends two digests for one day, even when the hour changes or the run repeats', async () => {
    await subs.put(subscriber('1'));
    await digest.tick(at('2026-11-27T07:00:05'));
    await digest.tick(at('2026-11-27T07:30:00'));
    docs.push(article('a3', 'Tin mới buổi trưa', '2026-11-27T09:00:00'));
    await subs.put({ ...(await subs.get('telegram', '1'))!, hour: 10 });
    await digest.tick(at('2026-11-27T10:00:01'));
    expect(sentTo('1')).toHaveLength(1);
    // The next day brings only what is new since the last digest.
    await subs.put({ ...(await subs.get('telegram', '1'))!, hour: 7 });
    await digest.tick(at('2026-11-28T07:00:02'));
    expect(sentTo('1')).toHaveLength(2);
    expect(sentTo('1')[1]).toContain('Tin mới buổi trưa');
    expect(sentTo('1')[1]).not.toContain('Hội nghị Ủy ban MTTQ tỉnh');
  });

  it('marks subscribers who blocked the bot inactive, keeps them, and skips them next time', async () => {
    await subs.put(subscriber('9'));
    const report = await digest.tick(at('2026-11-27T07:00:05'));
    expect(report).toMatchObject({ blocked: 1, sent: 0 });
    const kept = await subs.get('telegram', '9');
    expect(kept?.inactive?.reason).toBe('blocked');
    docs.push(article('a4', 'Tin hôm sau', '2026-11-28T06:00:00'));
    await digest.tick(at('2026-11-28T07:00:05'));
    expect(fake.sent().filter((c) => c.body.chat_id === '9')).toHaveLength(1);
  });

  it('catches up a missed run inside the window once, and skips older ones with a log line', async () => {
    await subs.put(subscriber('1', { hour: 5 }));
    await subs.put(subscriber('2', { hour: 8 }));
    await digest.tick(at('2026-11-27T00:00:00'));
    // The service was down from 00:30 to 09:20: slots 01–03 began more than 6 hours ago (skipped), 04–09 run.
    await digest.recover(at('2026-11-27T09:20:00'));
    expect(sentTo('1')).toHaveLength(1);
    expect(sentTo('2')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'missed digest slot is older than the catch-up window: skipped').map((l) => l.slot)).toEqual([
      '2026-11-27T01',
      '2026-11-27T02',
      '2026-11-27T03',
    ]);
    // A second start catches up nothing more.
    await digest.recover(at('2026-11-27T09:25:00'));
    expect(fake.sent()).toHaveLength(2);
  });

  it('the periodic sweep runs a slot whose hourly run never came, once it is two minutes old, and only once', async () => {
    await subs.put(subscriber('1'));
    await digest.recover(at('2026-11-27T06:10:00'));
    // No hourly run at 07:00 (it fell in a store outage): the sweep leaves the slot to it for two minutes.
    await digest.sweep(at('2026-11-27T07:01:30'));
    expect(sentTo('1')).toEqual([]);
    await digest.sweep(at('2026-11-27T07:02:30'));
    expect(sentTo('1')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'running a missed digest slot').map((l) => l.slot)).toEqual(['2026-11-27T07']);
    await digest.sweep(at('2026-11-27T07:03:00'));
    await digest.tick(at('2026-11-27T07:30:00'));
    await digest.tick(at('2026-11-27T08:00:01'));
    await digest.sweep(at('2026-11-27T08:05:00'));
    expect(sentTo('1')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'running a missed digest slot')).toHaveLength(1);
  });

  it('starts a fresh install without catching up anything', async () => {
    await subs.put(subscriber('1'));
    await digest.recover(at('2026-11-27T09:00:00'));
    expect(fake.sent()).toHaveLength(0);
  });
});

describe('daily digest on several instances', () => {
  it('two instances sharing one SQLite state file run a slot once: every subscriber gets one digest', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createSqliteAdapter } = await import('../../src/store/sqlite.js');
    const { createSqliteLease } = await import('../../src/store/lock.js');
    const dir = await mkdtemp(join(tmpdir(), 'mattran-two-'));
    const api = await startFakeTelegram();
    try {
      const instance = async (name: string) => {
        const adapter = () => createSqliteAdapter(dir);
        const subscriptions = await createSubscriptionStore({ adapter, log: silentLogger() });
        const store = await createBroadcastStore({ adapter, log: silentLogger() });
        const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: TOKEN, apiRoot: api.baseUrl, log: silentLogger() })]]);
        let service: DigestService | undefined;
        const broadcaster = createBroadcaster({
          store,
          channels,
          log: silentLogger(),
          pace: { telegram: { ratePerSecond: 300, concurrency: 4, perChatGapMs: 0 } },
          onDelivered: (id, r) => service!.delivered(id, r),
        });
        service = createDigestService({
          docs: () => docs,
          subscriptions,
          broadcasts: store,
          broadcaster,
          hasChannel: () => true,
          maxTextLength: () => 4096,
          log: silentLogger(),
          lease: await createSqliteLease(await adapter()),
          instanceId: name,
        });
        return { service, subscriptions, close: () => Promise.all([subscriptions.close(), store.close()]) };
      };
      const a = await instance('a');
      const b = await instance('b');
      for (let i = 0; i < 200; i++) await a.subscriptions.put(subscriber(String(5000 + i)));
      const when = at('2026-11-27T07:00:03');
      await Promise.all([a.service.tick(when), b.service.tick(when), a.service.tick(when)]);
      const chats = api.sent().map((c) => String(c.body.chat_id));
      expect(chats).toHaveLength(200);
      expect(new Set(chats).size).toBe(200);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the digest outage test: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

/** A database of its own, flushed before and after (only when it holds nothing but this test's marker). */
const OUTAGE_DATABASE = 7;
const MARKER = 'mattran-bot:test-database:digest-outage';

describe.skipIf(!hasRedis)('daily digest across a Redis outage', () => {
  it('sends the hour whose run fell in the outage when the store is back, from the sweep of either instance, once to each subscriber', async () => {
    await claimRedisDatabase(`redis://127.0.0.1:6379/${OUTAGE_DATABASE}`, MARKER);
    const admin = createRedisAdapter(`redis://127.0.0.1:6379/${OUTAGE_DATABASE}`);
    const raw = await rawRedis(admin);
    const proxy = await startTcpProxy(6379);
    const api = await startFakeTelegram();
    const { log, lines: said } = capturingLogger('info');
    const news = [article('o1', 'Hội nghị hiệp thương tại phường', '2031-03-14T06:00:00'), article('o2', 'Giám sát bầu cử ở xã', '2031-03-13T20:00:00')];
    const opened: { close(): Promise<unknown> }[] = [];
    const instance = async (name: string) => {
      const backend = createRedisBackend(`redis://127.0.0.1:${proxy.port}/${OUTAGE_DATABASE}`, {
        log: log.child({ module: 'store', instance: name }),
        probeIntervalMs: 100,
      });
      const adapter = () => backend.adapter();
      const lease = createRedisLease(backend.adapter());
      const subscriptions = await createSubscriptionStore({ adapter, log, lease });
      const store = await createBroadcastStore({ adapter, log, lease });
      const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: TOKEN, apiRoot: api.baseUrl, log: silentLogger() })]]);
      let service: DigestService | undefined;
      const broadcaster = createBroadcaster({
        store,
        channels,
        log: log.child({ module: 'broadcast', instance: name }),
        pace: { telegram: { ratePerSecond: 300, concurrency: 4, perChatGapMs: 0 } },
        onDelivered: (id, r) => service!.delivered(id, r),
      });
      service = createDigestService({
        docs: () => news,
        subscriptions,
        broadcasts: store,
        broadcaster,
        hasChannel: () => true,
        maxTextLength: () => 4096,
        log: log.child({ module: 'digest', instance: name }),
        lease,
        instanceId: name,
        catchUpHours: 6,
      });
      opened.push({
        close: async () => {
          await Promise.allSettled([subscriptions.close(), store.close()]);
          await backend.close();
        },
      });
      return { service, subscriptions, backend };
    };
    try {
      const a = await instance('a');
      const b = await instance('b');
      await a.service.recover(at('2031-03-14T06:10:00'));
      await b.service.recover(at('2031-03-14T06:11:00'));
      for (let i = 0; i < 30; i++) await a.subscriptions.put(subscriber(String(700_000 + i), { hour: 7 }));

      await proxy.cut();
      await Promise.all([a, b].map((x) => x.subscriptions.get('telegram', 'warm-up').catch(() => undefined)));
      await waitFor(() => a.backend.breaker.isOpen && b.backend.breaker.isOpen, 5000);
      await expect(a.service.tick(at('2031-03-14T07:00:02'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(b.service.tick(at('2031-03-14T07:00:03'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(a.service.sweep(at('2031-03-14T07:04:00'))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(api.sent()).toEqual([]);

      await proxy.restore();
      await waitFor(() => !a.backend.breaker.isOpen && !b.backend.breaker.isOpen, 10_000);
      await Promise.all([a.service.sweep(at('2031-03-14T07:10:00')), b.service.sweep(at('2031-03-14T07:10:01'))]);
      const chats = api.sent().map((c) => String(c.body.chat_id));
      expect(chats).toHaveLength(30);
      expect(new Set(chats).size).toBe(30);
      expect(String(api.sent()[0]!.body.text)).toContain('Hội nghị hiệp thương tại phường');

      // Later sweeps, a late hourly run of the same hour and the next hour send nobody a second digest.
      await Promise.all([a.service.sweep(at('2031-03-14T07:11:00')), b.service.tick(at('2031-03-14T07:40:00')), a.service.tick(at('2031-03-14T08:00:01'))]);
      await b.service.sweep(at('2031-03-14T08:30:00'));
      expect(api.sent()).toHaveLength(30);
      expect(said.filter((l) => l.msg === 'running a missed digest slot').map((l) => l.slot)).toContain('2031-03-14T07');
      expect(said.filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      for (const o of opened) await o.close();
      await proxy.close();
      await api.close();
      await raw.flushDb().catch(() => undefined);
      await admin.disconnect();
    }
  }, 30_000);
});
