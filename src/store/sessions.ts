import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { withLease, type Lease } from './lock.js';
import { openNamespace } from './stores.js';

/** How long a sign-in link can be used: 10 minutes. */
export const SIGN_IN_TOKEN_MS = 10 * 60_000;
/** How long a console session lasts from sign-in: 8 hours (no sliding renewal). */
export const SESSION_MS = 8 * 3_600_000;
/** How long a used or expired token is remembered, to tell "used" and "expired" apart from "invalid". */
const TOKEN_MEMORY_MS = 24 * 3_600_000;

/** A signed-in staff member's session, as the store keeps it (under the hash of its id). */
export interface ConsoleSession {
  /** `channel:userId` of the staff member the sign-in link was sent to. */
  staffId: string;
  /** What the pages show (the pseudonym), fixed at sign-in. */
  name: string;
  createdAt: string;
  expiresAt: string;
}

/** Why a sign-in token is refused: used, expired, unknown, or cancelled by /dangxuat before it was used. */
export type SignInRefusal = 'expired' | 'used' | 'invalid' | 'cancelled';

/** What redeeming a sign-in token gives: a new session (its raw id goes in the cookie), or why not. */
export type Redeemed = { ok: true; sessionId: string; session: ConsoleSession } | { ok: false; reason: SignInRefusal; staffId?: string };

/** Whether a sign-in token could be used now (nothing is spent): its staff member, or why not. */
export type Checked = { ok: true; staffId: string } | { ok: false; reason: SignInRefusal; staffId?: string };

/**
 * One-time sign-in tokens and console sessions. Only SHA-256 hashes of tokens and session ids are stored, so
 * the store never holds a value that signs anyone in, and every instance on the same store accepts a session.
 */
export interface SessionStore {
  /** A new sign-in token for `staffId` (valid {@link SIGN_IN_TOKEN_MS}); the raw token, to put in the link. */
  issueToken(staffId: string, name: string, now: Date): Promise<string>;
  /** Whether a token could be used now, without using it (the link's confirmation page). */
  check(token: string, now: Date): Promise<Checked>;
  /** Use a token once: a session for its staff member, or the reason it is refused. */
  redeem(token: string, now: Date): Promise<Redeemed>;
  /** The live session behind a cookie value, or undefined. */
  get(sessionId: string, now: Date): Promise<ConsoleSession | undefined>;
  /** End one session (sign-out in the page). */
  end(sessionId: string): Promise<void>;
  /**
   * End every session of a staff member (/dangxuat, a revoked role), and make the links sent before now unusable;
   * how many sessions were live.
   */
  endAll(staffId: string, now: Date): Promise<number>;
  close(): Promise<void>;
}

/** Lower-case hex SHA-256 of a secret: the only form a token or session id takes in the store. */
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A random secret of 32 bytes, base64url. */
const secret = () => randomBytes(32).toString('base64url');

/** Tokens and session ids are 43 base64url characters; anything else is not looked up. */
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/**
 * The CSRF token of a session: derived from the raw session id, so it is never stored and cannot be made
 * without the cookie.
 */
export function csrfTokenOf(sessionId: string): string {
  return createHash('sha256').update(`csrf:${sessionId}`).digest('base64url');
}

/** Whether `given` is the CSRF token of `sessionId` (constant-time). */
export function csrfMatches(sessionId: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfTokenOf(sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

interface TokenRecord {
  staffId: string;
  name: string;
  /** The member's sign-out mark when the link was sent (none before their first /dangxuat). */
  mark?: string;
  expiresAt: string;
  usedAt?: string;
}

/**
 * Create the session store over the keyv namespace `console`: `t:<hash>` tokens, `s:<hash>` sessions,
 * `u:<staffId>` the hashes of a staff member's sessions (for /dangxuat) and `n:<staffId>` a random mark made anew
 * by each /dangxuat: a link sent under another mark is refused (an order, not a time: messages are dated to the second). `lease` makes a token single-use across instances.
 */
export async function createSessionStore(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<SessionStore> {
  const kv = await openNamespace<unknown>(options, 'console');
  const owner = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  /** Writes that read first: serialised here, and under one lease across instances. */
  const locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.catch(() => undefined).then(() => withLease(options.lease, 'console', owner, fn));
    chain = next;
    return next;
  };
  const hashesOf = async (staffId: string) => ((await kv.get(`u:${staffId}`)) as string[] | undefined) ?? [];
  /** A token's record and why it cannot be used now (undefined: it can). */
  async function look(token: string, now: Date): Promise<{ key: string; record?: TokenRecord; refused?: SignInRefusal }> {
    if (!WELL_FORMED.test(token)) return { key: '', refused: 'invalid' };
    const key = `t:${hash(token)}`;
    const record = (await kv.get(key)) as TokenRecord | undefined;
    if (!record) return { key, refused: 'invalid' };
    if (record.usedAt) return { key, record, refused: 'used' };
    if (record.mark !== ((await kv.get(`n:${record.staffId}`)) as string | undefined)) return { key, record, refused: 'cancelled' };
    if (Date.parse(record.expiresAt) <= now.getTime()) return { key, record, refused: 'expired' };
    return { key, record };
  }

  return {
    async issueToken(staffId, name, now) {
      const token = secret();
      const mark = (await kv.get(`n:${staffId}`)) as string | undefined;
      // The mark must outlive the link that names it.
      if (mark) await kv.set(`n:${staffId}`, mark, TOKEN_MEMORY_MS);
      const record: TokenRecord = { staffId, name, ...(mark ? { mark } : {}), expiresAt: new Date(now.getTime() + SIGN_IN_TOKEN_MS).toISOString() };
      await kv.set(`t:${hash(token)}`, record, TOKEN_MEMORY_MS);
      return token;
    },
    async check(token, now) {
      const { record, refused } = await look(token, now);
      if (refused || !record) return { ok: false, reason: refused ?? 'invalid', ...(record ? { staffId: record.staffId } : {}) };
      return { ok: true, staffId: record.staffId };
    },
    redeem: (token, now) =>
      locked(async (): Promise<Redeemed> => {
        const { key, record, refused } = await look(token, now);
        if (refused || !record) return { ok: false, reason: refused ?? 'invalid', ...(record ? { staffId: record.staffId } : {}) };
        await kv.set(key, { ...record, usedAt: now.toISOString() }, TOKEN_MEMORY_MS);
        const sessionId = secret();
        const session: ConsoleSession = {
          staffId: record.staffId,
          name: record.name,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
        };
        const sessionHash = hash(sessionId);
        await kv.set(`s:${sessionHash}`, session, SESSION_MS);
        // Forget hashes of sessions that have ended, so the list stays short.
        const live: string[] = [];
        for (const h of await hashesOf(record.staffId)) if (await kv.get(`s:${h}`)) live.push(h);
        await kv.set(`u:${record.staffId}`, [...live, sessionHash], SESSION_MS);
        return { ok: true, sessionId, session };
      }),
    async get(sessionId, now) {
      if (!WELL_FORMED.test(sessionId)) return undefined;
      const session = (await kv.get(`s:${hash(sessionId)}`)) as ConsoleSession | undefined;
      return session && Date.parse(session.expiresAt) > now.getTime() ? session : undefined;
    },
    async end(sessionId) {
      if (WELL_FORMED.test(sessionId)) await kv.delete(`s:${hash(sessionId)}`);
    },
    endAll: (staffId, now) =>
      locked(async () => {
        let ended = 0;
        for (const h of await hashesOf(staffId)) {
          const session = (await kv.get(`s:${h}`)) as ConsoleSession | undefined;
          if (session && Date.parse(session.expiresAt) > now.getTime()) ended++;
          await kv.delete(`s:${h}`);
        }
        await kv.delete(`u:${staffId}`);
        // Links sent until now stop working too: they carry the old mark.
        await kv.set(`n:${staffId}`, secret(), TOKEN_MEMORY_MS);
        return ended;
      }),
    async close() {
      await chain.catch(() => undefined);
      await kv.disconnect();
    },
  };
}
