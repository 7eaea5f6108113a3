import type { Logger } from 'pino';
import type { ChannelId, OutboundMessage } from '../core/chat.js';
import type { SearchDoc } from '../content/types.js';
import type { BroadcastStore, Recipient } from '../store/broadcasts.js';
import { randomUUID } from 'node:crypto';
import { createMemoryLease, type Lease } from '../store/lock.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import { subscriberKey, type DeliveryMark, type Subscriber, type SubscriptionStore } from '../store/subscriptions.js';
import type { BroadcastReport, Broadcaster, MessageBuilder } from './broadcaster.js';
import { digestCandidates, renderDigest, selectForSubscriber, type DigestCandidate } from './compose.js';
import { vnClock, vnSlotStart } from './time.js';

const HOUR_MS = 3_600_000;
/** A first digest covers the last day; a long pause at most the last week. */
const FIRST_WINDOW_MS = 24 * HOUR_MS;
const MAX_WINDOW_MS = 7 * 24 * HOUR_MS;

/** Settings of the digest service. */
export interface DigestOptions {
  /** The items that can be digested (the index's documents). */
  docs: () => Iterable<SearchDoc>;
  subscriptions: SubscriptionStore;
  broadcasts: BroadcastStore;
  broadcaster: Broadcaster;
  /** Whether a channel is running here; subscribers of others wait (kept) until it is configured again. */
  hasChannel: (channel: ChannelId) => boolean;
  /** Longest message per channel. */
  maxTextLength: (channel: ChannelId) => number;
  log: Logger;
  /** Missed hourly runs younger than this are run at start and by the sweep; older ones are skipped and logged. */
  catchUpHours?: number;
  /** The sweep leaves a slot this young to its own hourly run. @default SWEEP_GRACE_MS */
  sweepGraceMs?: number;
  /** Leases shared by the instances (one runs each slot and broadcast); in-process when absent. */
  lease?: Lease;
  /** This instance's name in leases. */
  instanceId?: string;
  /** How long a lease outlives an instance that died holding it. */
  leaseTtlMs?: number;
}

/** A broadcast's lease lives this long without renewal (default); it is renewed three times as often. */
const LEASE_TTL_MS = 60_000;
/** How old a slot must be before the sweep counts it as missed (its hourly run has this long to start it). */
const SWEEP_GRACE_MS = 2 * 60_000;

/** Where a subscriber's next digest starts. */
function windowStart(mark: DeliveryMark | undefined, untilMs: number): number {
  return Math.max(mark ? mark.untilMs : untilMs - FIRST_WINDOW_MS, untilMs - MAX_WINDOW_MS);
}

/** A slot is one delivery hour of one Vietnam day: "2026-11-27T07". */
const slotId = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}`;
function parseSlot(slot: string): { day: string; hour: number } {
  return { day: slot.slice(0, 10), hour: Number(slot.slice(11, 13)) };
}

/**
 * The daily digest: each hour, the subscribers whose delivery hour it is get what is new for them, through
 * the broadcaster. One broadcast per slot (id `digest:<day>T<hour>`), created once; a subscriber already
 * served that day is skipped, so nobody gets two digests in a day even after a restart or a catch-up.
 */
export function createDigestService(options: DigestOptions) {
  const { subscriptions, broadcasts, broadcaster, log } = options;
  const candidateCache = new Map<number, DigestCandidate[]>();
  const lease = options.lease ?? createMemoryLease();
  const instanceId = options.instanceId ?? randomUUID();
  const leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;

  /**
   * Run `fn` while holding the lease `name` (renewed until it ends); undefined without running it when another
   * instance holds the lease: a slot or a broadcast is never worked on twice at once.
   */
  const runningHere = new Set<string>();
  async function exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    // The lease is ours again for a second caller in this process: keep those out locally.
    if (runningHere.has(name)) return undefined;
    runningHere.add(name);
    try {
      return await leased(name, fn);
    } finally {
      runningHere.delete(name);
    }
  }
  async function leased<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (!(await lease.acquire(name, instanceId, leaseTtlMs))) {
      log.info({ name }, 'another instance holds this digest run');
      return undefined;
    }
    // A store outage pauses the broadcast (the broadcaster says so once): refused renewals and releases are no news.
    const renew = setInterval(() => {
      void lease.acquire(name, instanceId, leaseTtlMs).then(
        (held) => held || log.error({ name }, 'lost the lease of a running broadcast'),
        (err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err, name }, 'could not renew a lease')),
      );
    }, leaseTtlMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await lease
        .release(name, instanceId)
        .catch((err: unknown) => void (err instanceof StoreUnavailableError || log.warn({ err, name }, 'could not release a lease')));
    }
  }

  function candidates(untilMs: number): DigestCandidate[] {
    let list = candidateCache.get(untilMs);
    if (!list) {
      list = digestCandidates(options.docs(), untilMs - MAX_WINDOW_MS, untilMs);
      candidateCache.clear();
      candidateCache.set(untilMs, list);
    }
    return list;
  }

  /** The digest of one recipient for a window ending at `untilMs` (same input, same messages). */
  function compose(recipient: Recipient, untilMs: number): OutboundMessage[] {
    const filter = { topics: recipient.topics ?? [], provinces: recipient.provinces ?? [] };
    const items = selectForSubscriber(candidates(untilMs), filter, recipient.sinceMs ?? untilMs - FIRST_WINDOW_MS);
    return renderDigest(items, filter, new Date(untilMs), options.maxTextLength(recipient.channel));
  }

  /** The message builder of a stored digest broadcast. */
  const builderFor =
    (untilMs: number): MessageBuilder =>
    (recipient) =>
      compose(recipient, untilMs);

  /** Create (if new) and run the broadcast of one slot, on one instance. Undefined when nobody is due. */
  function runSlot(day: string, hour: number, now: Date): Promise<BroadcastReport | undefined> {
    const id = `digest:${slotId(day, hour)}`;
    return exclusively(id, () => createAndRun(id, day, hour, now));
  }

  async function createAndRun(id: string, day: string, hour: number, now: Date): Promise<BroadcastReport | undefined> {
    const existing = await broadcasts.get(id);
    if (existing) {
      if (existing.status === 'done') return existing.report;
      return broadcaster.run(id, builderFor(Number(existing.params.untilMs)));
    }
    const untilMs = now.getTime();
    const keys = await subscriptions.keysAt(hour);
    const subs = await subscriptions.getMany(keys);
    const marks = await subscriptions.lastDelivered(keys);
    const recipients: Recipient[] = [];
    let unreachable = 0;
    for (const [i, sub] of subs.entries()) {
      const mark = marks[i];
      if (!sub || sub.hour !== hour || sub.paused || sub.inactive || mark?.day === day) continue;
      if (!options.hasChannel(sub.channel)) {
        unreachable++;
        continue;
      }
      const recipient: Recipient = {
        channel: sub.channel,
        chatId: sub.chatId,
        topics: sub.topics,
        provinces: sub.provinces,
        sinceMs: windowStart(mark, untilMs),
      };
      // No message when there is nothing new: such subscribers are not part of the broadcast at all.
      if (compose(recipient, untilMs).length > 0) recipients.push(recipient);
    }
    if (unreachable > 0) log.warn({ unreachable }, 'subscribers of channels not configured here were skipped');
    log.info({ slot: slotId(day, hour), due: keys.length, recipients: recipients.length }, 'digest slot');
    if (recipients.length === 0) return undefined;
    if (!(await broadcasts.create({ id, kind: 'digest', createdAt: now.toISOString(), params: { day, hour, untilMs } }, recipients))) {
      log.info({ id }, 'digest broadcast created elsewhere meanwhile');
      return undefined;
    }
    return broadcaster.run(id, builderFor(untilMs));
  }

  const markOf = new Map<string, DeliveryMark>();
  /** Record that a recipient got its digest (one write): its window moves on and the day is marked served. */
  async function delivered(broadcastId: string, recipient: Recipient): Promise<void> {
    if (!broadcastId.startsWith('digest:')) return;
    let mark = markOf.get(broadcastId);
    if (!mark) {
      const spec = await broadcasts.get(broadcastId);
      if (!spec) return;
      mark = { day: String(spec.params.day), untilMs: Number(spec.params.untilMs) };
      markOf.set(broadcastId, mark);
    }
    await subscriptions.markDelivered(subscriberKey(recipient.channel, recipient.chatId), mark);
  }

  /** The platform says a recipient is gone: keep the subscriber, marked inactive with the reason; true when marked now. */
  async function gone(recipient: Pick<Recipient, 'channel' | 'chatId'>, reason: 'blocked' | 'chat_not_found', now = new Date()): Promise<boolean> {
    const sub = await subscriptions.get(recipient.channel, recipient.chatId);
    if (!sub || sub.inactive) return false;
    await subscriptions.put({ ...sub, inactive: { reason, at: now.toISOString() }, updatedAt: now.toISOString() });
    log.info({ channel: recipient.channel, chatId: recipient.chatId, reason }, 'subscriber marked inactive');
    return true;
  }

  /**
   * Resume digest broadcasts nobody is working on (interrupted by a crash or a store outage here, or by the
   * death of the instance that held them: its lease expired), then run the slots missed since the last run
   * (see {@link catchUp}) once they are `sweepGraceMs` old. Called at start and every half lease from then on.
   */
  async function sweep(now = new Date()): Promise<void> {
    await resume();
    await catchUp(now, options.sweepGraceMs ?? SWEEP_GRACE_MS);
  }

  async function resume(): Promise<void> {
    for (const id of await broadcasts.running()) {
      const spec = await broadcasts.get(id);
      if (spec?.kind !== 'digest' || runningHere.has(id)) continue;
      const report = await exclusively(id, async () => {
        log.warn({ id }, 'resuming an interrupted digest broadcast');
        return broadcaster.run(id, builderFor(Number(spec.params.untilMs)));
      });
      if (report) log.info({ id, sent: report.sent }, 'interrupted digest broadcast finished');
    }
  }

  /** Remember `slot` as the last run, unless a later one is remembered already (instances catch up side by side). */
  async function markSlot(slot: string): Promise<void> {
    const last = await broadcasts.getMark('digest:lastSlot');
    if (!last || slot > last) await broadcasts.setMark('digest:lastSlot', slot);
  }

  /** Run the slot `now` falls in and remember it as the last run (what cron calls every hour). */
  async function tick(now: Date): Promise<BroadcastReport | undefined> {
    const { day, hour } = vnClock(now);
    const report = await runSlot(day, hour, now);
    await markSlot(slotId(day, hour));
    return report;
  }

  /**
   * Run the slots missed since the last run (its hourly run fell in a store outage, or the process was down),
   * once each, when they are younger than the catch-up window and at least `graceMs` old; older ones are
   * skipped and logged. A slot whose broadcast exists is only marked (the resume pass sends what it lacks),
   * and nobody is sent two digests in a day: the slot's lease, its broadcast and the day mark keep it so.
   */
  async function catchUp(now: Date, graceMs: number): Promise<void> {
    const last = await broadcasts.getMark('digest:lastSlot');
    const current = vnClock(now);
    if (!last) {
      await markSlot(slotId(current.day, current.hour));
      return;
    }
    const lastStart = vnSlotStart(parseSlot(last).day, parseSlot(last).hour).getTime();
    const catchUpMs = (options.catchUpHours ?? 6) * HOUR_MS;
    for (let t = lastStart + HOUR_MS; t <= now.getTime() - graceMs; t += HOUR_MS) {
      const { day, hour } = vnClock(new Date(t));
      const slot = slotId(day, hour);
      // Its hourly run is at work here: that run marks it.
      if (runningHere.has(`digest:${slot}`)) return;
      if (now.getTime() - t > catchUpMs) {
        log.warn({ slot }, 'missed digest slot is older than the catch-up window: skipped');
      } else if (!(await broadcasts.get(`digest:${slot}`))) {
        log.warn({ slot }, 'running a missed digest slot');
        await runSlot(day, hour, now);
      }
      await markSlot(slot);
    }
  }

  /**
   * At start: resume broadcasts a crash interrupted, then run the slots missed since the last run, once
   * each, when they are younger than the catch-up window; older ones are skipped and logged.
   */
  async function recover(now: Date): Promise<void> {
    await resume();
    await catchUp(now, 0);
  }

  /** Today's digest for one chat on demand (/bantin): new since its last digest, or the last day. */
  function onDemand(
    channel: ChannelId,
    sub: Pick<Subscriber, 'topics' | 'provinces'> | undefined,
    mark: DeliveryMark | undefined,
    now: Date,
  ): OutboundMessage[] {
    const untilMs = now.getTime();
    const recipient: Recipient = { channel, chatId: '', topics: sub?.topics ?? [], provinces: sub?.provinces ?? [], sinceMs: windowStart(mark, untilMs) };
    return compose(recipient, untilMs);
  }

  return { runSlot, tick, recover, sweep, delivered, gone, onDemand };
}

/** The digest service's public face. */
export type DigestService = ReturnType<typeof createDigestService>;
