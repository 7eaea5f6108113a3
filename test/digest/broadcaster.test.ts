import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import { createBroadcaster, type BroadcasterOptions } from '../../src/digest/broadcaster.js';
import { createBroadcastStore, type BroadcastStore, type Recipient } from '../../src/store/broadcasts.js';
import { createRedisAdapter, createRedisBackend } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { openNamespace } from '../../src/store/stores.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { startFakeTelegram, waitFor, type FakeReply, type RecordedCall } from '../helpers/fake-http.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { redisAnswers } from '../helpers/redis.js';

const TOKEN = '123456:TEST-token-not-real';
let dir: string;
let store: BroadcastStore;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-bcast-'));
  store = await createBroadcastStore({ adapter: () => createSqliteAdapter(dir), log: silentLogger() });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function telegram(onSend?: (call: RecordedCall) => FakeReply | undefined) {
  const fake = await startFakeTelegram({ onSend });
  cleanups.push(fake.close);
  const channel = createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, log: silentLogger(), sendTimeoutMs: 300 });
  return { fake, channels: new Map<ChannelId, Channel>([['telegram', channel]]) };
}

const recipients = (n: number): Recipient[] => Array.from({ length: n }, (_, i) => ({ channel: 'telegram', chatId: String(1000 + i) }));
const fast = { telegram: { ratePerSecond: 500, concurrency: 8, perChatGapMs: 0 } };
const chatsOf = (calls: RecordedCall[]) => calls.map((c) => String(c.body.chat_id));

function broadcaster(channels: Map<ChannelId, Channel>, extra: Partial<BroadcasterOptions> = {}) {
  return createBroadcaster({ store, channels, log: silentLogger(), pace: fast, retryBaseMs: 10, ...extra });
}

describe('broadcaster', () => {
  it('sends to every recipient exactly once and writes a final report', async () => {
    const { fake, channels } = await telegram();
    await store.create({ id: 'b1', kind: 'announcement', createdAt: new Date().toISOString(), params: {} }, recipients(1200));
    const report = await broadcaster(channels).run('b1', () => [{ text: 'Thông báo của Mặt trận' }]);
    expect(report).toMatchObject({ total: 1200, sent: 1200, blocked: 0, failed: 0, remaining: 0, maybeDuplicated: 0 });
    const chats = chatsOf(fake.sent());
    expect(new Set(chats).size).toBe(1200);
    expect(chats).toHaveLength(1200);
    expect((await store.get('b1'))?.status).toBe('done');
    expect(await store.running()).toEqual([]);
    expect((await store.lastReport('announcement'))?.sent).toBe(1200);
    // Running a finished broadcast again sends nothing.
    await broadcaster(channels).run('b1', () => [{ text: 'x' }]);
    expect(fake.sent()).toHaveLength(1200);
  });

  it('pauses the whole channel on 429 for retry_after, then delivers everything', async () => {
    let limited = 0;
    const { fake, channels } = await telegram(() =>
      limited++ === 5
        ? { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } }
        : undefined,
    );
    await store.create({ id: 'b429', kind: 'announcement', createdAt: '', params: {} }, recipients(40));
    const started = Date.now();
    const report = await broadcaster(channels).run('b429', () => [{ text: 'Bản tin' }]);
    expect(report).toMatchObject({ sent: 40, got429: 1, failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(new Set(chatsOf(fake.sent().filter((c) => c.body.text))).size).toBe(40);
  });

  it('marks blocked and unknown chats once and never retries them', async () => {
    const gone: string[] = [];
    const { fake, channels } = await telegram((call) => {
      if (call.body.chat_id === '1003') return { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } };
      if (call.body.chat_id === '1004') return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } };
      return undefined;
    });
    await store.create({ id: 'b403', kind: 'digest', createdAt: '', params: {} }, recipients(10));
    const report = await broadcaster(channels, { onGone: async (r, reason) => void gone.push(`${r.chatId}:${reason}`) }).run('b403', () => [
      { text: 'Bản tin' },
    ]);
    expect(report).toMatchObject({ sent: 8, blocked: 2, failed: 0 });
    expect(gone.sort()).toEqual(['1003:blocked', '1004:chat_not_found']);
    expect(chatsOf(fake.sent()).filter((c) => c === '1003')).toHaveLength(1);
  });

  it('reports to listeners attached after it was built, after the option callbacks, until they are detached', async () => {
    const { channels } = await telegram((call) =>
      call.body.chat_id === '1002' ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } } : undefined,
    );
    const order: string[] = [];
    const b = broadcaster(channels, { onDelivered: async (_id, r) => void order.push(`option:delivered:${r.chatId}`) });
    b.on('delivered', async (id, r) => void order.push(`listener:delivered:${id}:${r.chatId}`));
    b.on('gone', async (r, reason) => void order.push(`listener:gone:${r.chatId}:${reason}`));
    const finished: number[] = [];
    const detach = b.on('progress', (report) => void (report.finishedAt && finished.push(report.sent)));
    await store.create({ id: 'bon', kind: 'digest', createdAt: '', params: {} }, recipients(3));
    await b.run('bon', () => [{ text: 'Bản tin' }]);
    expect(order.filter((o) => o.endsWith(':1000'))).toEqual(['option:delivered:1000', 'listener:delivered:bon:1000']);
    expect(order).toContain('listener:gone:1002:blocked');
    expect(order.filter((o) => o.includes('delivered'))).toHaveLength(4);
    expect(finished).toEqual([2]);
    detach();
    await store.create({ id: 'bon2', kind: 'digest', createdAt: '', params: {} }, recipients(1));
    await b.run('bon2', () => [{ text: 'Bản tin' }]);
    expect(finished).toEqual([2]);
  });

  it('retries 5xx with backoff, then records the recipient as failed', async () => {
    let calls1005 = 0;
    const { channels } = await telegram((call) => {
      if (call.body.chat_id !== '1005') return undefined;
      calls1005++;
      return { status: 502, raw: '<html>Bad Gateway</html>' };
    });
    let flaky = 0;
    const { channels: flakyChannels, fake: flakyFake } = await telegram((call) =>
      call.body.chat_id === '1001' && flaky++ < 2 ? { status: 500, raw: 'oops' } : undefined,
    );
    await store.create({ id: 'b5xx', kind: 'digest', createdAt: '', params: {} }, recipients(8));
    const report = await broadcaster(channels, { maxAttempts: 3 }).run('b5xx', () => [{ text: 'Bản tin' }]);
    expect(report).toMatchObject({ sent: 7, failed: 1 });
    expect(calls1005).toBe(3);
    await store.create({ id: 'bflaky', kind: 'digest', createdAt: '', params: {} }, recipients(3));
    expect(await broadcaster(flakyChannels, { maxAttempts: 3 }).run('bflaky', () => [{ text: 'Bản tin' }])).toMatchObject({ sent: 3, failed: 0 });
    expect(chatsOf(flakyFake.sent()).filter((c) => c === '1001')).toHaveLength(3);
  });

  it('retries a send with an unknown outcome (timeout) once and counts it as maybe duplicated', async () => {
    let slow = 0;
    const { fake, channels } = await telegram((call) =>
      call.body.chat_id === '1002' && slow++ === 0 ? { delayMs: 1000, body: { ok: true, result: {} } } : undefined,
    );
    await store.create({ id: 'btimeout', kind: 'digest', createdAt: '', params: {} }, recipients(4));
    const report = await broadcaster(channels).run('btimeout', () => [{ text: 'Bản tin' }]);
    expect(report).toMatchObject({ sent: 4, maybeDuplicated: 1 });
    expect(chatsOf(fake.sent()).filter((c) => c === '1002')).toHaveLength(2);
  });

  it('sends the parts of a long message in order, one second apart per chat', async () => {
    const { fake, channels } = await telegram();
    await store.create({ id: 'bparts', kind: 'digest', createdAt: '', params: {} }, recipients(3));
    const report = await broadcaster(channels, { pace: { telegram: { ratePerSecond: 500, concurrency: 8, perChatGapMs: 300 } } }).run('bparts', () => [
      { text: 'Phần 1' },
      { text: 'Phần 2' },
    ]);
    expect(report.sent).toBe(3);
    const forChat = fake.sent().filter((c) => c.body.chat_id === '1001');
    expect(forChat.map((c) => c.body.text)).toEqual(['Phần 1', 'Phần 2']);
  });

  it('resumes after a crash from its journal: nobody skipped, only in-flight sends repeated', async () => {
    const { fake, channels } = await telegram((call) =>
      Number(call.body.chat_id) >= 1000 ? { delayMs: 2, body: { ok: true, result: { message_id: 1, date: 0, chat: { id: 1 } } } } : undefined,
    );
    const all = recipients(300);
    await store.create({ id: 'bcrash', kind: 'digest', createdAt: '', params: {} }, all);
    const concurrency = 4;
    const pace = { telegram: { ratePerSecond: 400, concurrency, perChatGapMs: 0 } };
    const first = broadcaster(channels, { pace });
    void first.run('bcrash', () => [{ text: 'Bản tin' }]);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (fake.sent().length >= 120) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    // "Crash": the first broadcaster stops taking work; its journal is what a killed process leaves.
    await first.stop();
    const sentBefore = fake.sent().length;
    expect(sentBefore).toBeLessThan(300);
    const report = await broadcaster(channels, { pace }).run('bcrash', () => [{ text: 'Bản tin' }]);
    expect(report.remaining).toBe(0);
    const chats = chatsOf(fake.sent());
    expect(new Set(chats).size).toBe(300);
    const duplicated = chats.length - 300;
    expect(duplicated).toBeLessThanOrEqual(concurrency);
    expect(report.maybeDuplicated).toBeGreaterThanOrEqual(duplicated);
  });
});

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the broadcast outage test: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

/** The outage tests' database; this test deletes the keys it wrote (they all hold its broadcast id, or are the broadcast list). */
const OUTAGE_DATABASE = 9;

describe.skipIf(!hasRedis)('broadcaster while Redis is cut off', () => {
  it('pauses at the first refused store call with one log line; resumed, everybody gets the message once and every delivery is recorded', async () => {
    const proxy = await startTcpProxy(6379);
    const { log, lines } = capturingLogger();
    const backend = createRedisBackend(`redis://127.0.0.1:${proxy.port}/${OUTAGE_DATABASE}`, { log: log.child({ module: 'store' }), probeIntervalMs: 100 });
    const adapter = () => backend.adapter();
    const id = `outage-${randomUUID()}`;
    const redisStore = await createBroadcastStore({ adapter, log: log.child({ module: 'store' }) });
    const marks = await openNamespace<number>({ adapter, log: log.child({ module: 'store' }) }, 'bcasttest');
    const recorded: string[] = [];
    let cut: Promise<void> | undefined;
    let restored = false;
    const ok = { ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } };
    const { fake, channels } = await telegram(() => {
      if (fake.sent().length < 61 || restored) return undefined;
      // The store goes away while this send and the others in flight wait for Telegram: they are delivered,
      // and what became of them cannot be written to the journal.
      cut ??= proxy.cut();
      return { delayMs: 200, body: ok };
    });
    const all = recipients(200);
    try {
      await redisStore.create({ id, kind: 'announcement', createdAt: new Date().toISOString(), params: {} }, all);
      const b = createBroadcaster({
        store: redisStore,
        channels,
        log: log.child({ module: 'broadcast' }),
        pace: { telegram: { ratePerSecond: 500, concurrency: 4, perChatGapMs: 0 } },
        onDelivered: async (_id, r) => {
          await marks.set(`${id}|${r.chatId}`, 1);
          recorded.push(r.chatId);
        },
      });
      const build = () => [{ text: 'Thông báo của Mặt trận' }];
      await expect(b.run(id, build)).rejects.toBeInstanceOf(StoreUnavailableError);
      await cut;
      const sentDuringOutage = fake.sent().length;
      expect(sentDuringOutage).toBeGreaterThanOrEqual(61);
      expect(sentDuringOutage).toBeLessThan(200);
      expect(lines.filter((l) => (l.level as number) >= 40).map((l) => [l.module, l.msg])).toEqual([
        ['store', 'store unavailable'],
        ['broadcast', 'broadcast paused: store unavailable'],
      ]);

      await proxy.restore();
      restored = true;
      await waitFor(() => !backend.breaker.isOpen, 10_000);
      // What the sweep does once the store is back.
      const report = await b.run(id, build);
      expect(report).toMatchObject({ total: 200, sent: 200, failed: 0, remaining: 0 });
      const chats = chatsOf(fake.sent());
      expect(chats).toHaveLength(200);
      expect(new Set(chats).size).toBe(200);
      expect(new Set(recorded).size).toBe(200);
      expect((await marks.getMany(all.map((r) => `${id}|${r.chatId}`))).filter((m) => m === 1)).toHaveLength(200);
      expect(lines.filter((l) => l.msg === 'delivery crashed' || l.msg === 'could not record a delivery')).toEqual([]);
    } finally {
      await Promise.allSettled([redisStore.close(), marks.disconnect()]);
      await backend.close();
      await proxy.close();
      const admin = createRedisAdapter(`redis://127.0.0.1:6379/${OUTAGE_DATABASE}`);
      const raw = (await admin.getClient()) as unknown as { keys(pattern: string): Promise<string[]>; del(keys: string[]): Promise<number> };
      const written = [...(await raw.keys(`*${id}*`)), ...(await raw.keys('bcastm*'))];
      if (written.length) await raw.del(written);
      await admin.disconnect();
    }
  }, 30_000);
});
