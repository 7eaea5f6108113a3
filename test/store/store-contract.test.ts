import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createRedisLease, createSqliteLease } from '../../src/store/lock.js';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { capturingLogger } from '../helpers/logger.js';
import { describeStoreContract } from './contract.js';
import { claimRedisDatabase, rawRedis, redisAnswers, redisSkipReason, TEST_MARKER } from '../helpers/redis.js';

/** The database the suite owns: flushed before each test, so nothing else may live there. */
const REDIS_URL = 'redis://127.0.0.1:6379/15';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redisSkip = await redisSkipReason(REDIS_URL);
if (redisSkip) process.stderr.write(`skipping the Redis store contract: ${redisSkip}\n`);

describeStoreContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-contract-'));
  const opened: KeyvSqlite[] = [];
  const open = async () => {
    const adapter = await createSqliteAdapter(dir);
    opened.push(adapter);
    return adapter;
  };
  let clock = Date.now();
  return {
    adapter: open,
    async leases(count) {
      // One after another: opening a fresh file from several connections at once can meet SQLITE_BUSY on
      // `PRAGMA journal_mode=WAL` (seen about once in 30 tries); the service opens its connections in turn too.
      const leases = [];
      for (let i = 0; i < count; i++) leases.push(await createSqliteLease(await open(), () => clock));
      return leases;
    },
    advance: async (ms) => {
      clock += ms;
    },
    async close() {
      await Promise.allSettled(opened.map((a) => a.disconnect()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(redisSkip !== undefined)('Redis', () => {
  const reset = () => claimRedisDatabase(REDIS_URL);
  afterAll(async () => {
    const admin = createRedisAdapter(REDIS_URL);
    await (await rawRedis(admin)).flushDb();
    await admin.disconnect();
  });

  describeStoreContract('Redis', async () => {
    await reset();
    const opened: RedisAdapter[] = [];
    const open = () => {
      const adapter = createRedisAdapter(REDIS_URL);
      opened.push(adapter);
      return adapter;
    };
    return {
      adapter: open,
      // Each lease on its own connection, as separate instances hold them; Redis keeps the time.
      leases: async (count) => Array.from({ length: count }, () => createRedisLease(open())),
      advance: async (ms) => {
        await sleep(ms);
      },
      close: async () => {
        await Promise.allSettled(opened.map((a) => a.disconnect()));
      },
    };
  });

  it('keeps each namespace under its own key prefix (namespace::namespace:key) and leases apart', async () => {
    await reset();
    const stores = await createStores({ adapter: () => createRedisAdapter(REDIS_URL), log: capturingLogger().log });
    const subs = await createSubscriptionStore({ adapter: () => createRedisAdapter(REDIS_URL), log: capturingLogger().log });
    const lease = createRedisLease(REDIS_URL);
    await stores.chats.set('telegram:1', { lastAt: 1 });
    await stores.feedback.set('telegram:1', { channel: 'telegram', chatId: '1', question: 'q', sourceIds: [], vote: 'up', at: 't' });
    await subs.put({ channel: 'zalo', chatId: '2', topics: [], provinces: [], hour: 7, paused: false, createdAt: 'c', updatedAt: 'u' });
    await lease.acquire('digest:2026-03-01T07', 'i1', 60_000);
    const admin = createRedisAdapter(REDIS_URL);
    expect(await admin.ping()).toBe(true);
    const keys = (await (await rawRedis(admin)).keys('*')).filter((k) => k !== TEST_MARKER).sort();
    expect(keys).toEqual([
      'chat::chat:telegram:1',
      'feedback::feedback:telegram:1',
      'lease:digest:2026-03-01T07',
      'sub::sub:zalo:2',
      expect.stringMatching(/^subidx::subidx:h07:s\d\d$/),
    ]);
    await Promise.all([stores.close(), subs.close(), lease.close(), admin.disconnect()]);
  });

  it('a store that is down: every operation rejects, with what failed, within the connect timeout', async () => {
    const down = 'redis://127.0.0.1:1';
    const { log, lines } = capturingLogger();
    const stores = await createStores({ adapter: () => createRedisAdapter(down), log });
    const subs = await createSubscriptionStore({ adapter: () => createRedisAdapter(down), log });
    const broadcasts = await createBroadcastStore({ adapter: () => createRedisAdapter(down), log });
    const lease = createRedisLease(down);
    const started = Date.now();
    const outcomes = await Promise.allSettled([
      stores.chats.get('telegram:1'),
      stores.chats.set('telegram:1', { lastAt: 1 }, 1000),
      stores.chats.getMany(['a', 'b']),
      stores.chats.delete('telegram:1'),
      stores.chats.deleteMany(['a', 'b']),
      subs.put({ channel: 'zalo', chatId: '2', topics: [], provinces: [], hour: 7, paused: false, createdAt: 'c', updatedAt: 'u' }),
      subs.keysAt(7),
      broadcasts.create({ id: 'b', kind: 'digest', createdAt: 't', params: {} }, []),
      lease.acquire('slot', 'a', 1000),
      createRedisAdapter(down).ping(),
    ]);
    const elapsedMs = Date.now() - started;
    expect(outcomes.map((o) => o.status)).toEqual(Array(outcomes.length).fill('rejected'));
    const messages = outcomes.map((o) => String((o as PromiseRejectedResult).reason?.message));
    expect(messages[0]).toBe('Redis get failed: could not connect within 3000 ms');
    expect(messages[2]).toMatch(/^Redis getMany failed/);
    expect(messages[8]).toMatch(/^Redis eval failed/);
    expect(messages[9]).toMatch(/^Redis ping failed/);
    expect(elapsedMs).toBeLessThan(5000);
    expect(lines.some((l) => l.msg === 'store error')).toBe(true);
    const closing = Date.now();
    await Promise.all([stores.close(), subs.close(), broadcasts.close(), lease.close()]);
    expect(Date.now() - closing).toBeLessThan(1000);
  });

  const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
  it.skipIf(!hasRedisServer)('a Redis that goes away: operations fail within the command timeout, and work again when it is back', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const start = async (): Promise<ChildProcess> => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 50 && !(await redisAnswers('127.0.0.1', port)); i++) await sleep(50);
      return child;
    };
    let server = await start();
    const { log } = capturingLogger();
    const stores = await createStores({
      adapter: () => createRedisAdapter(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 500, connectTimeoutMs: 500 }),
      log,
    });
    try {
      await stores.chats.set('telegram:1', { lastAt: 1 });
      server.kill('SIGKILL');
      await sleep(100);
      const started = Date.now();
      await expect(stores.chats.get('telegram:1')).rejects.toThrow('Redis get failed: no answer within 500 ms');
      expect(Date.now() - started).toBeLessThan(1500);
      server = await start();
      // The client reconnects in the background (backoff up to 2 s); nothing is rebuilt by hand.
      let value: unknown;
      for (const deadline = Date.now() + 5000; value === undefined && Date.now() < deadline; ) {
        try {
          await stores.chats.set('telegram:9', { lastAt: 9 });
          value = await stores.chats.get('telegram:9');
        } catch {
          await sleep(100);
        }
      }
      expect(value).toEqual({ lastAt: 9 });
    } finally {
      await stores.close();
      server.kill('SIGKILL');
    }
  });
});
