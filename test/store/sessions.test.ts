import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import type { KeyvStoreAdapter } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisLease, createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';
import { createSessionStore, csrfMatches, csrfTokenOf, SESSION_MS, SIGN_IN_TOKEN_MS } from '../../src/store/sessions.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { silentLogger } from '../helpers/logger.js';
import { claimRedisDatabase, rawRedis, redisSkipReason } from '../helpers/redis.js';

/** The database this file owns (flushed before use; refused when it holds keys this file did not write). */
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const redisSkip = await redisSkipReason(REDIS_URL);
if (redisSkip) process.stderr.write(`skipping the Redis half of the session store test: ${redisSkip}\n`);

const T0 = new Date('2026-12-07T03:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

interface Backend {
  adapter: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  lease: () => Promise<Lease>;
  /** Every stored key and value, as text. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

function contract(name: string, make: () => Promise<Backend>, skip = false) {
  describe.skipIf(skip)(`session store on ${name}`, () => {
    const backends: Backend[] = [];
    afterAll(async () => {
      for (const b of backends) await b.close();
    });
    const open = async () => {
      const backend = await make();
      backends.push(backend);
      const stores = [
        await createSessionStore({ adapter: backend.adapter, log: silentLogger(), lease: await backend.lease() }),
        await createSessionStore({ adapter: backend.adapter, log: silentLogger(), lease: await backend.lease() }),
      ];
      return { backend, a: stores[0]!, b: stores[1]! };
    };

    it('a token signs in once, on any instance; the session is accepted by both; only hashes are stored', async () => {
      const { backend, a, b } = await open();
      const token = await a.issueToken('telegram:42', 'telegram:abcdef', T0);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [first, second] = await Promise.all([b.redeem(token, later(1000)), a.redeem(token, later(1000))]);
      const won = [first, second].filter((r) => r.ok);
      expect(won).toHaveLength(1);
      expect([first, second].find((r) => !r.ok)).toEqual({ ok: false, reason: 'used', staffId: 'telegram:42' });
      const sessionId = won[0]!.ok ? won[0]!.sessionId : '';
      expect(await a.get(sessionId, later(2000))).toMatchObject({ staffId: 'telegram:42', name: 'telegram:abcdef' });
      expect(await b.get(sessionId, later(2000))).toMatchObject({ staffId: 'telegram:42' });
      const stored = await backend.dump();
      expect(stored).not.toContain(token);
      expect(stored).not.toContain(sessionId);
      expect(stored).not.toContain(csrfTokenOf(sessionId));
      await a.close();
      await b.close();
    });

    it('an expired token, an unknown or malformed one are refused; a session ends after 8 hours, by sign-out or by endAll', async () => {
      const { a, b } = await open();
      const old = await a.issueToken('zalo:u1', 'zalo:aaaaaa', T0);
      expect(await b.redeem(old, later(SIGN_IN_TOKEN_MS + 1))).toEqual({ ok: false, reason: 'expired', staffId: 'zalo:u1' });
      expect(await b.redeem('A'.repeat(43), T0)).toEqual({ ok: false, reason: 'invalid' });
      expect(await b.redeem('<script>', T0)).toEqual({ ok: false, reason: 'invalid' });
      expect(await b.get('x'.repeat(10_000), T0)).toBeUndefined();

      const one = await a.redeem(await a.issueToken('zalo:u1', 'zalo:aaaaaa', T0), T0);
      const two = await a.redeem(await a.issueToken('zalo:u1', 'zalo:aaaaaa', T0), T0);
      const other = await a.redeem(await a.issueToken('telegram:7', 'telegram:bbbbbb', T0), T0);
      if (!one.ok || !two.ok || !other.ok) throw new Error('sign-in failed');
      expect(await b.get(one.sessionId, later(SESSION_MS - 1000))).toBeDefined();
      expect(await b.get(one.sessionId, later(SESSION_MS + 1))).toBeUndefined();
      await b.end(one.sessionId);
      expect(await a.get(one.sessionId, T0)).toBeUndefined();
      expect(await a.get(two.sessionId, T0)).toBeDefined();
      expect(await b.endAll('zalo:u1', T0)).toBe(1);
      expect(await a.get(two.sessionId, T0)).toBeUndefined();
      expect(await a.get(other.sessionId, T0)).toBeDefined();
      await a.close();
      await b.close();
    });
  });
}

contract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-sessions-'));
  const opened: KeyvSqlite[] = [];
  const adapter = async () => {
    const made = await createSqliteAdapter(dir);
    opened.push(made);
    return made;
  };
  return {
    adapter,
    lease: async () => createSqliteLease(await adapter()),
    dump: async () => JSON.stringify(await (await adapter()).query('SELECT * FROM keyv')),
    async close() {
      await Promise.allSettled(opened.map((a) => a.disconnect()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

contract(
  'Redis',
  async () => {
    await claimRedisDatabase(REDIS_URL);
    const admin: RedisAdapter = createRedisAdapter(REDIS_URL);
    const client = await rawRedis(admin);
    const opened: RedisAdapter[] = [];
    return {
      adapter: () => {
        const made = createRedisAdapter(REDIS_URL);
        opened.push(made);
        return made;
      },
      lease: async () => createRedisLease(REDIS_URL),
      async dump() {
        const keys = await client.keys('*');
        const values = await Promise.all(keys.map((k) => client.get(k).catch(() => '')));
        return JSON.stringify([keys, values]);
      },
      async close() {
        await Promise.allSettled(opened.map((a) => a.disconnect()));
        await admin.disconnect();
        await claimRedisDatabase(REDIS_URL);
      },
    };
  },
  redisSkip !== undefined,
);

describe('CSRF token', () => {
  it('is derived from the session id and checked in constant time', () => {
    const id = 'S'.repeat(43);
    expect(csrfMatches(id, csrfTokenOf(id))).toBe(true);
    expect(csrfMatches(id, csrfTokenOf('T'.repeat(43)))).toBe(false);
    expect(csrfMatches(id, undefined)).toBe(false);
    expect(csrfMatches(id, '')).toBe(false);
    expect(csrfMatches(id, 'x')).toBe(false);
  });
});
