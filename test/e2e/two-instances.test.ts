import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vnClock } from '../../src/digest/time.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createRedisAdapter } from '../../src/store/redis.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { deliveryEnv, spawnBot } from '../helpers/bot-process.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { claimRedisDatabase, redisAnswers } from '../helpers/redis.js';

/** A database of its own (the store contract uses 15); flushed before the test. */
const REDIS_URL = 'redis://127.0.0.1:6379/13';
const SUBSCRIBERS = 120;

/** Empty the test database, refusing when it holds keys this suite did not write. */
const resetDatabase = () => claimRedisDatabase(REDIS_URL);

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the two-instance test: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe.skipIf(!hasRedis)('two instances on one Redis', () => {
  it('long polling: only one instance polls; when it dies the other takes over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-poll-'));
    const admin = createRedisAdapter(REDIS_URL);
    const fake = await startFakeTelegram();
    try {
      await resetDatabase();
      const start = (name: string) =>
        spawnBot(
          {
            DATA_DIR: join(dir, name),
            REDIS_URL,
            INSTANCE_ID: name,
            LEASE_TTL_SECONDS: '2',
            TELEGRAM_BOT_TOKEN: '123456:TEST-polling',
            TELEGRAM_API_ROOT: fake.baseUrl,
            LOG_LEVEL: 'warn',
          },
          children,
        );
      // Each instance that starts polling calls getMe first; one standing by does not.
      const getMe = () => fake.calls.filter((c) => c.api === 'getMe').length;
      const a = start('a');
      await waitFor(() => fake.calls.some((c) => c.api === 'getUpdates'), 30_000);
      const b = start('b');
      await new Promise((r) => setTimeout(r, 5000));
      expect(getMe()).toBe(1);
      a.kill('SIGKILL');
      await waitFor(() => getMe() === 2, 15_000);
      const before = fake.calls.filter((c) => c.api === 'getUpdates').length;
      await waitFor(() => fake.calls.filter((c) => c.api === 'getUpdates').length > before, 5000);
      b.kill('SIGTERM');
      await new Promise((r) => b.once('exit', r));
    } finally {
      await fake.close();
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('one instance dies mid-broadcast (SIGKILL): the other takes the digest over; nobody missed, at most the one send in flight repeated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-two-'));
    const admin = createRedisAdapter(REDIS_URL);
    const fake = await startFakeTelegram({
      onSend: () => ({ delayMs: 5, body: { ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } } }),
    });
    try {
      await resetDatabase();
      // Subscribers due now, and the previous slot marked done: at start the current slot is "missed" and runs.
      const now = new Date();
      const { day, hour } = vnClock(now);
      const previous = vnClock(new Date(now.getTime() - 3_600_000));
      const subs = await createSubscriptionStore({ adapter: () => createRedisAdapter(REDIS_URL), log: silentLogger() });
      for (let i = 0; i < SUBSCRIBERS; i++)
        await subs.put({
          channel: 'telegram',
          chatId: String(7000 + i),
          topics: [],
          provinces: [],
          hour,
          paused: false,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        });
      await subs.close();
      const bc = await createBroadcastStore({ adapter: () => createRedisAdapter(REDIS_URL), log: silentLogger() });
      await bc.setMark('digest:lastSlot', `${previous.day}T${String(previous.hour).padStart(2, '0')}`);
      await bc.close();
      const corpus = join(dir, 'fresh.jsonl');
      await writeFile(
        corpus,
        `${JSON.stringify({ id: 'fresh-1', title: 'Ủy ban MTTQ tỉnh trao quà cho hộ nghèo', summary: 'Trao 200 suất quà.', body: 'Trao 200 suất quà cho hộ nghèo trong tháng cao điểm Vì người nghèo.', publishedAt: new Date(now.getTime() - 1_800_000).toISOString(), source: 'test' })}\n`,
      );

      const start = (name: string) =>
        spawnBot({ DATA_DIR: join(dir, name), CORPUS: corpus, REDIS_URL, INSTANCE_ID: name, ...deliveryEnv('two-instances', fake.baseUrl) }, children);
      const digests = () => fake.sent().filter((c) => String(c.body.text).startsWith('📰'));
      const a = start('a');
      await waitFor(() => digests().length >= 10, 30_000);
      const b = start('b');
      // B is up while A still holds the broadcast: it must not send in parallel.
      await new Promise((r) => setTimeout(r, 2500));
      a.kill('SIGKILL');
      const atKill = digests().length;
      expect(atKill).toBeLessThan(SUBSCRIBERS);
      await waitFor(() => new Set(digests().map((c) => String(c.body.chat_id))).size === SUBSCRIBERS, 40_000);
      await new Promise((r) => setTimeout(r, 1000));
      const chats = digests().map((c) => String(c.body.chat_id));
      expect(new Set(chats).size).toBe(SUBSCRIBERS);
      // One send can be in flight at the kill (BROADCAST_CONCURRENCY=1): it may repeat, nothing else.
      expect(chats.length - SUBSCRIBERS).toBeLessThanOrEqual(1);
      expect(b.exitCode).toBeNull();
      b.kill('SIGTERM');
      await new Promise((r) => b.once('exit', r));
      expect(b.exitCode ?? 0).toBe(0);
      void day;
    } finally {
      await fake.close();
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
