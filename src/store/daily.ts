import { randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { vnDay } from './append-log.js';
import { acquireWithin, type Lease } from './lock.js';
import { openNamespace } from './stores.js';
import type { Subscriber } from './subscriptions.js';
import { StoreUnavailableError } from './unavailable.js';

/** The anonymous counters kept for each Vietnam day. */
export const DAILY_COUNTERS = ['answered', 'noInfo', 'ticket', 'curated', 'digestDelivered', 'digestFailed'] as const;
/** One of {@link DAILY_COUNTERS}. */
export type DailyCounter = (typeof DAILY_COUNTERS)[number];
/** A day's counters (every counter present, 0 when nothing happened). */
export type DailyCounts = Record<DailyCounter, number>;

/** Subscribers as counted on one day: totals only, nothing about anyone. */
export interface SubscriberSnapshot {
  /** When it was taken (ISO); the day's last snapshot wins. */
  at: string;
  total: number;
  byChannel: Record<string, number>;
  /** Province name → subscribers who chose it; the whole country under its own label. */
  byProvince: Record<string, number>;
}

/** What is kept for one day. */
export interface DayFigures {
  /** YYYY-MM-DD, Vietnam calendar day. */
  date: string;
  counts: DailyCounts;
  subscribers?: SubscriberSnapshot;
}

/** Anonymous daily figures for the statistics (keyv namespace `daily`): counters and a subscriber snapshot per day. */
export interface DailyStore {
  /** Add to the counters of the Vietnam day of `at`. Resolves once tried (increments close together share a write); never rejects. */
  add(at: Date, counts: Partial<DailyCounts>): Promise<void>;
  /** Keep `snapshot` as the subscribers of its Vietnam day (replacing an earlier one of that day). */
  snapshot(snapshot: SubscriberSnapshot): Promise<void>;
  /** The figures of every day from `from` to `to` (YYYY-MM-DD, inclusive), oldest first; days without data count zeros. */
  days(from: string, to: string): Promise<DayFigures[]>;
  close(): Promise<void>;
}

/** How long one write may hold the lease `daily`, and how long a write waits for it before keeping its increments for the next. */
const LEASE_MS = 5_000;
const LEASE_WAIT_MS = 2_000;
/** How soon increments a failed write kept are tried again without waiting for the next add. */
const RETRY_MS = 30_000;
/** Longest range {@link DailyStore.days} reads. */
const MAX_DAYS = 3660;

const zero = (): DailyCounts => Object.fromEntries(DAILY_COUNTERS.map((c) => [c, 0])) as DailyCounts;

/** The Vietnam days from `from` to `to`, inclusive (at most MAX_DAYS). */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < MAX_DAYS; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * Create the daily figures store. Increments are summed in memory and written by one flush at a time, so a burst
 * of questions costs a few writes; each flush is a read-add-write under the lease `daily`, so instances sharing a
 * store add up rather than overwrite each other. A flush that cannot take the lease within 2 s, or that the store
 * refuses, keeps the increments of the days it did not write for the next one, which an unref'd timer starts
 * after `retryMs` (30 s) if no add does it first.
 */
export async function createDailyStore(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
  retryMs?: number;
}): Promise<DailyStore> {
  const kv = await openNamespace<unknown>(options, 'daily');
  const owner = randomUUID();
  /** Day → increments not yet written. */
  let pending = new Map<string, DailyCounts>();
  let chain: Promise<void> = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  /** Write `batch`, each day taken out of it once written: what a failure leaves in it was not written. */
  async function write(batch: Map<string, DailyCounts>): Promise<void> {
    const { lease } = options;
    // A lease another instance holds (or a dead one left) costs a short wait, never a stalled caller.
    if (lease && !(await acquireWithin(lease, 'daily', owner, LEASE_MS, LEASE_WAIT_MS))) throw new Error('the daily figures lease stayed taken');
    try {
      for (const [day, add] of batch) {
        const now = { ...zero(), ...(((await kv.get(`d:${day}`)) as Partial<DailyCounts> | undefined) ?? {}) };
        for (const c of DAILY_COUNTERS) now[c] += add[c];
        await kv.set(`d:${day}`, now);
        batch.delete(day);
      }
    } finally {
      await lease?.release('daily', owner).catch(() => undefined);
    }
  }

  /**
   * Write what is pending. Adds that arrive while a write runs wait for the next flush, which takes them all at
   * once. A failed write keeps the days it did not write for the next flush (a written day is never added again;
   * nothing is thrown at the caller) and sets the retry timer.
   */
  function flush(): Promise<void> {
    const next = chain.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        await write(batch);
      } catch (err) {
        for (const [day, add] of batch) merge(day, add);
        if (!(err instanceof StoreUnavailableError)) options.log.warn({ err, days: batch.size }, 'daily figures not written yet: kept for the next write');
        if (!closed && !retry) {
          retry = setTimeout(() => {
            retry = undefined;
            void flush();
          }, options.retryMs ?? RETRY_MS);
          retry.unref();
        }
      }
    });
    chain = next;
    return next;
  }

  function merge(day: string, add: Partial<DailyCounts>): void {
    const current = pending.get(day) ?? zero();
    for (const c of DAILY_COUNTERS) current[c] += Math.max(0, Math.trunc(add[c] ?? 0));
    pending.set(day, current);
  }

  return {
    add(at, counts) {
      merge(vnDay(at.toISOString()), counts);
      return flush();
    },
    async snapshot(snapshot) {
      await kv.set(`s:${vnDay(snapshot.at)}`, snapshot);
    },
    async days(from, to) {
      const days = dayRange(from, to);
      if (days.length === 0) return [];
      const counts = (await kv.getMany(days.map((d) => `d:${d}`))) as (Partial<DailyCounts> | undefined)[];
      const snaps = (await kv.getMany(days.map((d) => `s:${d}`))) as (SubscriberSnapshot | undefined)[];
      return days.map((date, i) => ({
        date,
        counts: { ...zero(), ...(counts[i] ?? {}) },
        ...(snaps[i] ? { subscribers: snaps[i] } : {}),
      }));
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      retry = undefined;
      await flush();
      if (pending.size > 0) options.log.warn({ days: pending.size }, 'daily figures lost at close: the store did not take them');
      await kv.disconnect();
    },
  };
}

/**
 * Count subscribers for a snapshot: those the platform has not closed (paused ones included), by channel and by
 * chosen province; a subscriber of the whole country counts under `wholeCountry`, one of several provinces under each.
 */
export function subscriberSnapshot(subs: Iterable<Subscriber | undefined>, at: Date, wholeCountry: string): SubscriberSnapshot {
  const snapshot: SubscriberSnapshot = { at: at.toISOString(), total: 0, byChannel: {}, byProvince: {} };
  for (const s of subs) {
    if (!s || s.inactive) continue;
    snapshot.total++;
    snapshot.byChannel[s.channel] = (snapshot.byChannel[s.channel] ?? 0) + 1;
    for (const p of s.provinces.length ? s.provinces : [wholeCountry]) snapshot.byProvince[p] = (snapshot.byProvince[p] ?? 0) + 1;
  }
  return snapshot;
}
