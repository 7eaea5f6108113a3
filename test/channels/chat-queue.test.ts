import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChatQueue } from '../../src/channels/chat-queue.js';
import { createMemoryLease, createRedisLease, createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createRedisBackend } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { waitFor } from '../helpers/fake-http.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { redisAnswers } from '../helpers/redis.js';

/** A database of its own (the store contract flushes 15, the two-instance test 13); chat leases delete their keys. */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
/** The outage test's database: it writes no key while the connection is cut, and deletes the one it takes before. */
const OUTAGE_DATABASE = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the chat queue on Redis: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

/** Records which tasks ran, and the most that ever ran at once. */
function tracker() {
  let running = 0;
  const state = { order: [] as string[], maxAtOnce: 0 };
  const task = (name: string, ms: number) => async () => {
    running++;
    state.maxAtOnce = Math.max(state.maxAtOnce, running);
    await sleep(ms);
    running--;
    state.order.push(name);
    return name;
  };
  return { state, task };
}

/** Leases two instances share, on one backend; `close()` frees what it opened. */
type SharedLeases = () => Promise<{ leases: Lease[]; close(): Promise<void> }>;

const backends: [string, SharedLeases][] = [
  [
    'in memory',
    async () => {
      const lease = createMemoryLease();
      return { leases: [lease, lease], close: async () => undefined };
    },
  ],
  [
    'in SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mattran-chat-lease-'));
      const adapters = [await createSqliteAdapter(dir), await createSqliteAdapter(dir)];
      const leases = [await createSqliteLease(adapters[0]!), await createSqliteLease(adapters[1]!)];
      return {
        leases,
        close: async () => {
          await Promise.all(adapters.map((a) => a.disconnect()));
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (hasRedis) {
  backends.push([
    'in Redis',
    async () => {
      const leases = [createRedisLease(REDIS_URL), createRedisLease(REDIS_URL)];
      return { leases, close: async () => void (await Promise.all(leases.map((l) => l.close()))) };
    },
  ]);
}

describe('chat queue', () => {
  it("runs one chat's tasks one at a time, in the order they were handed in, whatever each takes", async () => {
    const queue = createChatQueue({ log: silentLogger() });
    const { state, task } = tracker();
    const durations = [40, 5, 25, 0, 15, 30, 1, 10];
    const results = await Promise.all(durations.map((ms, i) => queue.run('telegram:1', task(`m${i}`, ms))));
    expect(results).toEqual(durations.map((_, i) => `m${i}`));
    expect(state.order).toEqual(results);
    expect(state.maxAtOnce).toBe(1);
  });

  it('runs different chats in parallel: a slow task of one chat does not delay another', async () => {
    const queue = createChatQueue({ log: silentLogger() });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = queue.run('zalo:a', () => held.then(() => 'a'));
    const other = queue.run('zalo:b', async () => 'b');
    try {
      expect(await Promise.race([other, sleep(500).then(() => 'still waiting')])).toBe('b');
    } finally {
      release();
    }
    expect(await slow).toBe('a');
  });

  it('a failed task rejects its own caller only, and the chat goes on', async () => {
    const queue = createChatQueue({ log: silentLogger() });
    const failed = queue.run('web:s', async () => {
      throw new TypeError('bug');
    });
    const next = queue.run('web:s', async () => 'next');
    await expect(failed).rejects.toThrow('bug');
    expect(await next).toBe('next');
  });

  it('forgets a chat once its queue is idle, so memory does not grow with the number of chats', async () => {
    const queue = createChatQueue({ log: silentLogger() });
    const all = Array.from({ length: 2000 }, (_, i) => queue.run(`zalo:${i}`, () => sleep(i % 7)));
    expect(queue.size).toBe(2000);
    await queue.onIdle();
    await Promise.all(all);
    expect(queue.size).toBe(0);
  });

  describe.each(backends)('across instances sharing leases %s', (_name, open) => {
    it("never runs one chat's tasks on two instances at once, and keeps other chats apart", async () => {
      const { leases, close } = await open();
      try {
        const [a, b] = leases.map((lease) => createChatQueue({ lease, log: silentLogger() }));
        const key = `telegram:${randomUUID()}`;
        const { state, task } = tracker();
        const other = tracker();
        const runs = [];
        for (let i = 0; i < 6; i++) {
          runs.push((i % 2 ? b! : a!).run(key, task(`m${i}`, 30)));
          runs.push((i % 2 ? a! : b!).run(`${key}-other${i}`, other.task(`o${i}`, 30)));
        }
        await Promise.all(runs);
        expect(state.order).toHaveLength(6);
        expect(state.maxAtOnce).toBe(1);
        // Chats of their own each take their lease at once: they ran side by side.
        expect(other.state.maxAtOnce).toBeGreaterThan(1);
      } finally {
        await close();
      }
    });

    it('waits for the lease of an instance that died only until it expires', async () => {
      const { leases, close } = await open();
      try {
        const key = `zalo:${randomUUID()}`;
        expect(await leases[1]!.acquire(`chat:${key}`, 'dead-instance', 400)).toBe(true);
        // A wait bound far beyond the time to live: what ends the wait is the expiry.
        const queue = createChatQueue({ lease: leases[0], leaseTtlMs: 400, leaseWaitMs: 10_000, log: silentLogger() });
        const started = Date.now();
        await queue.run(key, async () => undefined);
        const waitedMs = Date.now() - started;
        expect(waitedMs).toBeGreaterThanOrEqual(300);
        expect(waitedMs).toBeLessThan(2000);
      } finally {
        await close();
      }
    });

    it('keeps the lease while a task runs longer than its time to live, and gives it back after', async () => {
      const { leases, close } = await open();
      try {
        const key = `web:${randomUUID()}`;
        const queue = createChatQueue({ lease: leases[0], leaseTtlMs: 150, log: silentLogger() });
        const running = queue.run(key, () => sleep(500));
        await sleep(350);
        expect(await leases[1]!.acquire(`chat:${key}`, 'other', 150)).toBe(false);
        await running;
        expect(await leases[1]!.acquire(`chat:${key}`, 'other', 150)).toBe(true);
      } finally {
        await close();
      }
    });
  });

  it('answers anyway, and logs it, when another instance holds the chat past the longest wait', async () => {
    const lease = createMemoryLease();
    await lease.acquire('chat:telegram:7', 'stuck-instance', 60_000);
    const { log, lines } = capturingLogger();
    const queue = createChatQueue({ lease, leaseTtlMs: 60_000, leaseWaitMs: 200, log });
    const started = Date.now();
    expect(await queue.run('telegram:7', async () => 'answered')).toBe('answered');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(lines.some((l) => l.msg === 'chat lease still held elsewhere: handling anyway' && l.key === 'telegram:7')).toBe(true);
  });

  it('handles each message at once, in order and without a log line, while the store refuses the lease', async () => {
    let refused = 0;
    const lease: Lease = {
      acquire: async () => {
        refused++;
        throw new StoreUnavailableError();
      },
      release: async () => {
        throw new StoreUnavailableError();
      },
    };
    const { log, lines } = capturingLogger();
    const queue = createChatQueue({ lease, leaseWaitMs: 5000, log });
    const { state, task } = tracker();
    const started = performance.now();
    const results = await Promise.all([20, 0, 10, 5].map((ms, i) => queue.run('zalo:outage', task(`m${i}`, ms))));
    expect(results).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(state.order).toEqual(results);
    expect(state.maxAtOnce).toBe(1);
    expect(refused).toBe(4);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lines).toEqual([]);
  });

  it('still says so when the lease fails for another reason than an unavailable store', async () => {
    const lease: Lease = { acquire: async () => Promise.reject(new TypeError('bad lease')), release: async () => undefined };
    const { log, lines } = capturingLogger();
    expect(await createChatQueue({ lease, log }).run('web:x', async () => 'answered')).toBe('answered');
    expect(lines.map((l) => l.msg)).toEqual(['chat lease unavailable: handling without it']);
  });

  it.skipIf(!hasRedis)(
    "on Redis cut off: one chat's messages are handled at once and in order, and only the store logs the outage",
    async () => {
      const proxy = await startTcpProxy(6379);
      const { log, lines } = capturingLogger();
      const backend = createRedisBackend(`redis://127.0.0.1:${proxy.port}/${OUTAGE_DATABASE}`, { log: log.child({ module: 'store' }), probeIntervalMs: 100 });
      const lease = createRedisLease(backend.adapter());
      const queue = createChatQueue({ lease, leaseTtlMs: 2000, log: log.child({ module: 'telegram' }) });
      const key = `telegram:${randomUUID()}`;
      try {
        expect(await queue.run(key, async () => 'before')).toBe('before');
        await proxy.cut();
        await lease.acquire('chat:warm-up', 'x', 1000).catch(() => undefined);
        await waitFor(() => backend.breaker.isOpen, 5000);
        const { state, task } = tracker();
        const started = performance.now();
        const results = await Promise.all([30, 0, 10, 0, 20].map((ms, i) => queue.run(key, task(`m${i}`, ms))));
        expect(performance.now() - started).toBeLessThan(1000);
        expect(results).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
        expect(state.order).toEqual(results);
        expect(state.maxAtOnce).toBe(1);
        expect(lines.filter((l) => (l.level as number) >= 40).map((l) => [l.module, l.msg])).toEqual([['store', 'store unavailable']]);
      } finally {
        await backend.close();
        await proxy.close();
      }
    },
    20_000,
  );
});
