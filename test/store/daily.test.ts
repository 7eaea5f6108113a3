import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import type { KeyvStoreAdapter } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createDailyStore, dayRange } from '../../src/store/daily.js';
import { createMemoryLease, createRedisLease, createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { capturingLogger } from '../helpers/logger.js';
import { claimRedisDatabase, rawRedis, redisSkipReason } from '../helpers/redis.js';

/** The database this file owns: flushed before each Redis test, so nothing else may live there. */
const REDIS_URL = 'redis://127.0.0.1:6379/4';
const redisSkip = await redisSkipReason(REDIS_URL);
if (redisSkip) process.stderr.write(`skipping the Redis daily figures tests: ${redisSkip}\n`);

/** A backend: adapters for the store, one lease per "instance", and a clean-up. */
interface Backend {
  adapter(): Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  lease(): Promise<Lease>;
  close(): Promise<void>;
}

const snapshot = (at: string, total: number) => ({
  at,
  total,
  byChannel: { telegram: total - 1, zalo: 1 },
  byProvince: { 'Quảng Trị': 2, 'cả nước': total - 2 },
});

function contract(name: string, open: () => Promise<Backend>) {
  describe(`daily figures (${name})`, () => {
    it('counts per Vietnam day: 23:30 UTC is the next day in Vietnam; days without data read as zeros', async () => {
      const backend = await open();
      const { log } = capturingLogger();
      const daily = await createDailyStore({ adapter: backend.adapter, log, lease: await backend.lease() });
      await daily.add(new Date('2026-03-01T16:59:00Z'), { answered: 1 });
      await daily.add(new Date('2026-03-01T17:00:00Z'), { answered: 2, noInfo: 1 });
      await daily.add(new Date('2026-03-02T23:30:00Z'), { digestDelivered: 5, digestFailed: 1 });
      const days = await daily.days('2026-03-01', '2026-03-04');
      expect(days.map((d) => [d.date, d.counts.answered, d.counts.noInfo, d.counts.digestDelivered, d.counts.digestFailed])).toEqual([
        ['2026-03-01', 1, 0, 0, 0],
        ['2026-03-02', 2, 1, 0, 0],
        ['2026-03-03', 0, 0, 5, 1],
        ['2026-03-04', 0, 0, 0, 0],
      ]);
      expect(days[3]!.counts).toEqual({ answered: 0, noInfo: 0, ticket: 0, curated: 0, digestDelivered: 0, digestFailed: 0 });
      await daily.close();
      await backend.close();
    });

    it('a burst of adds loses none, and two instances on one store add up rather than overwrite', async () => {
      const backend = await open();
      const { log } = capturingLogger();
      const a = await createDailyStore({ adapter: backend.adapter, log, lease: await backend.lease() });
      const b = await createDailyStore({ adapter: backend.adapter, log, lease: await backend.lease() });
      const at = new Date('2026-04-10T03:00:00Z');
      await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).add(at, { answered: 1, ticket: i % 3 === 0 ? 1 : 0 })));
      const [day] = await a.days('2026-04-10', '2026-04-10');
      expect(day!.counts.answered).toBe(60);
      expect(day!.counts.ticket).toBe(20);
      // Negative and fractional increments are not counts.
      await a.add(at, { answered: -5, curated: 1.7 });
      expect((await b.days('2026-04-10', '2026-04-10'))[0]!.counts).toMatchObject({ answered: 60, curated: 1 });
      await Promise.all([a.close(), b.close()]);
      await backend.close();
    });

    it('keeps the last subscriber snapshot of each day, and it survives reopening', async () => {
      const backend = await open();
      const { log } = capturingLogger();
      const first = await createDailyStore({ adapter: backend.adapter, log });
      await first.snapshot(snapshot('2026-05-01T02:00:00Z', 5));
      await first.snapshot(snapshot('2026-05-01T15:00:00Z', 7));
      await first.snapshot(snapshot('2026-05-02T02:00:00Z', 8));
      await first.close();
      const again = await createDailyStore({ adapter: backend.adapter, log });
      const days = await again.days('2026-04-30', '2026-05-02');
      expect(days.map((d) => d.subscribers?.total)).toEqual([undefined, 7, 8]);
      expect(days[1]!.subscribers!.byProvince).toEqual({ 'Quảng Trị': 2, 'cả nước': 5 });
      await again.close();
      await backend.close();
    });
  });
}

contract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-daily-'));
  const opened: KeyvSqlite[] = [];
  const adapter = async () => {
    const a = await createSqliteAdapter(dir);
    opened.push(a);
    return a;
  };
  return {
    adapter,
    lease: async () => createSqliteLease(await adapter()),
    async close() {
      await Promise.allSettled(opened.map((a) => a.disconnect()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(redisSkip !== undefined)('Redis', () => {
  afterAll(async () => {
    const admin = createRedisAdapter(REDIS_URL);
    await (await rawRedis(admin)).flushDb();
    await admin.disconnect();
  });
  contract('Redis', async () => {
    await claimRedisDatabase(REDIS_URL);
    const opened: RedisAdapter[] = [];
    const adapter = () => {
      const a = createRedisAdapter(REDIS_URL);
      opened.push(a);
      return a;
    };
    return {
      adapter,
      lease: async () => createRedisLease(adapter()),
      close: async () => {
        await Promise.allSettled(opened.map((a) => a.disconnect()));
      },
    };
  });
});

describe('dayRange', () => {
  it('lists calendar days across a month end and a leap day, and nothing for a reversed range', () => {
    expect(dayRange('2028-02-27', '2028-03-01')).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([]);
  });
});

describe('daily figures while the store fails', () => {
  it('a lease left by a dead instance costs a short wait: the increments are kept and written once it is free', async () => {
    const { log, lines } = capturingLogger();
    const lease = createMemoryLease();
    await lease.acquire('daily', 'dead-instance', 60_000);
    const daily = await createDailyStore({ log, lease });
    const at = new Date('2026-06-02T05:00:00Z');
    const started = Date.now();
    await daily.add(at, { answered: 2 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect((await daily.days('2026-06-02', '2026-06-02'))[0]!.counts.answered).toBe(0);
    expect(lines.some((l) => String(l.msg).includes('daily figures not written yet'))).toBe(true);
    await lease.release('daily', 'dead-instance');
    await daily.add(at, { answered: 1 });
    expect((await daily.days('2026-06-02', '2026-06-02'))[0]!.counts.answered).toBe(3);
    await daily.close();
  });

  it('keeps the increments of a failed write and writes them with the next one; add never rejects', async () => {
    const { log, lines } = capturingLogger();
    let failing = true;
    const map = new Map<string, unknown>();
    const flaky = {
      get: (k: string) => map.get(k),
      set: (k: string, v: unknown) => {
        if (failing) throw new Error('disk full');
        map.set(k, v);
        return true;
      },
      delete: (k: string) => map.delete(k),
      clear: () => map.clear(),
      has: (k: string) => map.has(k),
    } as unknown as KeyvStoreAdapter;
    const daily = await createDailyStore({ adapter: () => flaky, log });
    const at = new Date('2026-06-01T05:00:00Z');
    await expect(daily.add(at, { noInfo: 2 })).resolves.toBeUndefined();
    expect(lines.some((l) => String(l.msg).includes('daily figures not written yet'))).toBe(true);
    failing = false;
    await daily.add(at, { noInfo: 1 });
    expect((await daily.days('2026-06-01', '2026-06-01'))[0]!.counts.noInfo).toBe(3);
    await daily.close();
  });
});
