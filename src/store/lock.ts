import type KeyvSqlite from '@keyv/sqlite';

/**
 * A named lease with an owner and a time to live: what makes a digest slot or a broadcast run on one
 * instance only. keyv has no atomic "set if absent", so each backend does it natively (SQLite: one
 * conditional upsert; Redis comes with the scale-out issue).
 */
export interface Lease {
  /** Take or renew `name` for `owner` for `ttlMs`; true when `owner` holds it afterwards. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give it up (only if `owner` holds it). */
  release(name: string, owner: string): Promise<void>;
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
