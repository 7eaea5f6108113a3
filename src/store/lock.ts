import type KeyvSqlite from '@keyv/sqlite';
import { createRedisAdapter, type RedisAdapter } from './redis.js';

/**
 * A named lease with an owner and a time to live: what makes a digest slot or a broadcast run on one
 * instance only. keyv has no atomic "set if absent", so each backend does it natively (SQLite: one
 * conditional upsert; Redis: one Lua script).
 */
export interface Lease {
  /** Take or renew `name` for `owner` for `ttlMs`; true when `owner` holds it afterwards. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give it up (only if `owner` holds it). */
  release(name: string, owner: string): Promise<void>;
}

/**
 * Run `fn` holding the short lease `name` (a critical section across instances): waits for it a few
 * seconds at most, then fails; without a lease (one process) `fn` just runs.
 */
export async function withLease<T>(lease: Lease | undefined, name: string, owner: string, fn: () => Promise<T>): Promise<T> {
  if (!lease) return fn();
  for (let attempt = 0; !(await lease.acquire(name, owner, 10_000)); attempt++) {
    if (attempt >= 400) throw new Error(`${name} stayed locked by another instance`);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    await lease.release(name, owner).catch(() => undefined);
  }
}

/**
 * Take `name` for `owner`, waiting up to `waitMs` while another owner holds it (polled with a growing pause,
 * 10 ms to 200 ms); true when `owner` holds it, false when the wait ran out.
 */
export async function acquireWithin(lease: Lease, name: string, owner: string, ttlMs: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (let pauseMs = 10; !(await lease.acquire(name, owner, ttlMs)); pauseMs = Math.min(pauseMs * 1.5, 200)) {
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pauseMs, leftMs)));
  }
  return true;
}

/** Leases in this process only (tests, and a single instance without a shared store). */
export function createMemoryLease(now: () => number = Date.now): Lease {
  const held = new Map<string, { owner: string; expiresAt: number }>();
  return {
    async acquire(name, owner, ttlMs) {
      const current = held.get(name);
      if (current && current.owner !== owner && current.expiresAt > now()) return false;
      held.set(name, { owner, expiresAt: now() + ttlMs });
      return true;
    },
    async release(name, owner) {
      if (held.get(name)?.owner === owner) held.delete(name);
    },
  };
}

/**
 * Leases in the SQLite state file, shared by every process that opens it: one statement takes the lease when
 * it is free, expired or already ours, atomically (SQLite serialises writers).
 */
export async function createSqliteLease(adapter: KeyvSqlite, now: () => number = Date.now): Promise<Lease> {
  await adapter.query('CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  return {
    async acquire(name, owner, ttlMs) {
      const at = now();
      await adapter.query(
        `INSERT INTO leases(name, owner, expires_at) VALUES(?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
        name,
        owner,
        at + ttlMs,
        at,
      );
      const rows = (await adapter.query('SELECT owner FROM leases WHERE name = ?', name)) as { owner: string }[];
      return rows[0]?.owner === owner;
    },
    async release(name, owner) {
      await adapter.query('DELETE FROM leases WHERE name = ? AND owner = ?', name, owner);
    },
  };
}

/** Take `KEYS[1]` for `ARGV[1]` for `ARGV[2]` ms when it is free or already ours; 1 when ours afterwards. */
const ACQUIRE_SCRIPT = `local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Delete `KEYS[1]` only while `ARGV[1]` holds it. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Key prefix of leases in Redis (apart from keyv's `namespace::` keys). */
export const REDIS_LEASE_PREFIX = 'lease:';

/** A lease in Redis; `close()` ends the connection it opened (none when it was given an adapter). */
export interface RedisLease extends Lease {
  close(): Promise<void>;
}

/**
 * Leases in Redis, shared by every instance that uses the same server and database: each lease is one key
 * holding its owner, with Redis's own expiry (PX), so the server's clock decides expiry for everyone. Take
 * and renew run as one Lua script, as does release, so no other client can slip in between the check and
 * the write. Given a URL it opens its own connection; given an adapter, it shares that one.
 */
export function createRedisLease(target: string | RedisAdapter): RedisLease {
  const owned = typeof target === 'string';
  const adapter = owned ? createRedisAdapter(target) : target;
  return {
    async acquire(name, owner, ttlMs) {
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      return (await adapter.evalScript(ACQUIRE_SCRIPT, [REDIS_LEASE_PREFIX + name], [owner, ttl])) === 1;
    },
    async release(name, owner) {
      await adapter.evalScript(RELEASE_SCRIPT, [REDIS_LEASE_PREFIX + name], [owner]);
    },
    async close() {
      if (owned) await adapter.disconnect();
    },
  };
}
