import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Channel, ChannelId, OutboundMessage, SendResult } from '../core/chat.js';
import type { BroadcastReport, BroadcastStore, JournalEntry, Outcome, Recipient } from '../store/broadcasts.js';
import { StoreUnavailableError } from '../store/unavailable.js';

export type { BroadcastReport, Outcome } from '../store/broadcasts.js';

/** Builds the messages of one recipient; must give the same parts every time (resume relies on it). */
export type MessageBuilder = (recipient: Recipient) => Promise<OutboundMessage[]> | OutboundMessage[];

/** Pacing and retry settings of one channel. */
export interface ChannelPace {
  /** Sends per second overall (Telegram's documented limit is ~30/s; we default to 25). */
  ratePerSecond: number;
  /** Sends in flight at once; also the most a crash can duplicate. */
  concurrency: number;
  /** Gap between two messages to the same chat (platform limit: about one per second). */
  perChatGapMs: number;
}

/** Settings of the broadcaster. */
export interface BroadcasterOptions {
  store: BroadcastStore;
  channels: Map<ChannelId, Channel>;
  log: Logger;
  pace?: Partial<Record<ChannelId, Partial<ChannelPace>>>;
  /** Attempts for network errors and 5xx before a recipient is recorded as failed. */
  maxAttempts?: number;
  /** First retry delay; doubled each attempt. */
  retryBaseMs?: number;
  /** How often progress is logged and reported. */
  progressEveryMs?: number;
  onProgress?: (report: BroadcastReport) => void;
  /** A recipient the platform says is gone (blocked, chat not found): the caller marks it inactive. */
  onGone?: (recipient: Recipient, reason: 'blocked' | 'chat_not_found') => Promise<unknown>;
  /** A recipient got every part: the caller records the delivery (e.g. the digest day). */
  onDelivered?: (broadcastId: string, recipient: Recipient) => Promise<void>;
  /** A platform answered 429 (metrics). */
  onRateLimited?: (channel: ChannelId) => void;
}

/** What the broadcaster reports to listeners attached with `on` (the option callbacks are called first). */
export interface BroadcasterEvents {
  progress: NonNullable<BroadcasterOptions['onProgress']>;
  gone: NonNullable<BroadcasterOptions['onGone']>;
  delivered: NonNullable<BroadcasterOptions['onDelivered']>;
  rateLimited: NonNullable<BroadcasterOptions['onRateLimited']>;
}

const DEFAULT_PACE: Record<ChannelId, ChannelPace> = {
  telegram: { ratePerSecond: 25, concurrency: 8, perChatGapMs: 1000 },
  // Zalo publishes no limits (docs/platforms.md §1.7): stay well under what is reported to work.
  zalo: { ratePerSecond: 5, concurrency: 4, perChatGapMs: 1000 },
  web: { ratePerSecond: 100, concurrency: 8, perChatGapMs: 0 },
};

/**
 * Paces send starts with a token bucket: `ratePerSecond` tokens a second, at most a fiftieth of a second
 * saved up, so any one-second window holds at most 1.02 × the rate (the platforms count per window) and a
 * late timer never releases a burst. Nothing starts while a 429 pause holds; waiters are served in order.
 * p-queue's interval mode lost 3–30% of the rate at 1,000/s (each window restarts from a late timer, and
 * bursts drew 429s).
 */
export class Pacer {
  private readonly capacity: number;
  private tokens: number;
  private refilledAt = performance.now();
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly ratePerSecond: number) {
    this.capacity = Math.max(1, ratePerSecond / 50);
    this.tokens = this.capacity;
  }
  /** Wait for the next start slot. */
  take(): Promise<void> {
    const turn = this.chain.then(() => this.acquire());
    this.chain = turn;
    return turn;
  }
  private async acquire(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.capacity, this.tokens + ((now - Math.max(this.refilledAt, this.pausedUntil)) * this.ratePerSecond) / 1000);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(((1 - this.tokens) * 1000) / this.ratePerSecond);
    }
  }
  /** No start before `ms` from now; nothing is saved up during the pause. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
    this.tokens = 0;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One run's stop signal: the first store refusal (StoreUnavailableError) halts the run. */
interface Halt {
  error?: StoreUnavailableError;
}

/**
 * Sends one message (in parts) to many recipients, paced per channel, with a journal entry per recipient
 * written before and after each send: after a crash, `run` on the same broadcast skips the finished,
 * continues the partial and repeats only what was in flight. 429 pauses the whole channel; blocked and
 * unknown chats are reported once and never retried; network errors and 5xx are retried with backoff.
 * The first store call refused for an outage (StoreUnavailableError) pauses the run: no new send starts,
 * sends in flight finish, what they could not record is kept here and written first when the broadcast
 * resumes, and `run` rejects with that error after one log line.
 */
export function createBroadcaster(given: BroadcasterOptions) {
  // Listeners can be attached after construction, so the services that handle deliveries can be built after it.
  const listeners: { [E in keyof BroadcasterEvents]: BroadcasterEvents[E][] } = { progress: [], gone: [], delivered: [], rateLimited: [] };
  const options: BroadcasterOptions = {
    ...given,
    onProgress: (report) => {
      for (const fn of [given.onProgress, ...listeners.progress]) fn?.(report);
    },
    onGone: async (recipient, reason) => {
      for (const fn of [given.onGone, ...listeners.gone]) await fn?.(recipient, reason);
    },
    onDelivered: async (broadcastId, recipient) => {
      for (const fn of [given.onDelivered, ...listeners.delivered]) await fn?.(broadcastId, recipient);
    },
    onRateLimited: (channel) => {
      for (const fn of [given.onRateLimited, ...listeners.rateLimited]) fn?.(channel);
    },
  };
  const { store, log } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const paces = new Map<ChannelId, ChannelPace>();
  const queues = new Map<ChannelId, PQueue>();
  const pacers = new Map<ChannelId, Pacer>();
  /** Writes after a send that the store refused, per broadcast, in order: made good before it resumes here. */
  const owed = new Map<string, (() => Promise<unknown>)[]>();

  /** The channel's queue: p-queue bounds the sends in flight, the pacer spaces their starts. */
  function queueFor(channel: ChannelId): PQueue {
    let q = queues.get(channel);
    if (!q) {
      const pace = { ...DEFAULT_PACE[channel], ...options.pace?.[channel] };
      paces.set(channel, pace);
      pacers.set(channel, new Pacer(pace.ratePerSecond));
      q = new PQueue({ concurrency: pace.concurrency });
      queues.set(channel, q);
    }
    return q;
  }

  /** Hold every start on a channel for retry_after (overlapping 429s: the longest wins). */
  function pauseChannel(channel: ChannelId, retryAfterMs: number): void {
    pacers.get(channel)!.pause(retryAfterMs);
    log.warn({ channel, retryAfterMs }, 'rate limited (429): channel paused');
  }

  /**
   * A write that records what was already sent: when the store refuses it, it is owed (written before the
   * broadcast resumes here, so nothing is sent twice) and the run halts.
   */
  async function record(broadcastId: string, halt: Halt, write: () => Promise<unknown>, later: () => Promise<unknown> = write): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      owed.set(broadcastId, [...(owed.get(broadcastId) ?? []), later]);
      halt.error ??= err;
    }
  }

  /** Send every remaining part of one recipient; resolves with its outcome, rejects when the run halts. */
  async function deliver(
    broadcastId: string,
    recipient: Recipient,
    entry: JournalEntry | undefined,
    build: MessageBuilder,
    report: BroadcastReport,
    halt: Halt,
  ): Promise<Outcome> {
    const channel = options.channels.get(recipient.channel);
    if (!channel) {
      await store.journal(broadcastId, recipient, { state: 'done', outcome: 'failed', error: `channel ${recipient.channel} is not configured` });
      return 'failed';
    }
    const parts = await build(recipient);
    if (parts.length === 0) {
      await store.journal(broadcastId, recipient, { state: 'done', outcome: 'skipped' });
      return 'skipped';
    }
    let part = entry?.state === 'partial' ? entry.next : entry?.state === 'sending' ? entry.part : 0;
    if (entry?.state === 'sending') report.maybeDuplicated++; // in flight when the last run stopped
    const queue = queueFor(recipient.channel);
    const gap = paces.get(recipient.channel)!.perChatGapMs;
    let attempt = 0;
    let retriedUnknown = false;
    /** Journal what became of the send of `sent`; written later only if no other instance went on meanwhile. */
    const settle = (sent: number, next: JournalEntry) =>
      record(
        broadcastId,
        halt,
        () => store.journal(broadcastId, recipient, next),
        async () => {
          const [now] = await store.journalMany(broadcastId, [recipient]);
          if (now?.state === 'sending' && now.part === sent) await store.journal(broadcastId, recipient, next);
        },
      );
    while (part < parts.length) {
      if (halt.error) throw halt.error;
      // Each part waits for its own paced slot; the recipient holds no slot while waiting between parts.
      const pacer = pacers.get(recipient.channel)!;
      const result = await queue.add(async (): Promise<SendResult> => {
        // Paced inside the send slot, right before the request: starts reach the platform as spaced.
        await pacer.take();
        if (halt.error) throw halt.error;
        // Refused by the store: nothing is sent, and the journal still says where this recipient stands.
        await store.journal(broadcastId, recipient, { state: 'sending', part });
        return channel.send(recipient.chatId, parts[part]!);
      });
      if (result === undefined) throw new Error('queue cleared');
      if (result.ok) {
        part++;
        attempt = 0;
        if (part < parts.length) {
          await settle(part - 1, { state: 'partial', next: part });
          if (gap > 0) await sleep(gap);
        }
        continue;
      }
      if (result.reason === 'rate_limited') {
        report.got429++;
        options.onRateLimited?.(recipient.channel);
        pauseChannel(recipient.channel, result.retryAfterMs);
        continue;
      }
      if (result.reason === 'blocked' || result.reason === 'chat_not_found') {
        const reason = result.reason;
        await settle(part, { state: 'done', outcome: reason });
        await record(broadcastId, halt, async () => options.onGone?.(recipient, reason)).catch((err: unknown) =>
          log.error({ err, recipient }, 'could not mark a recipient inactive'),
        );
        return reason;
      }
      if (result.reason !== 'failed') throw new Error(`unexpected send result ${result.reason}`);
      if (result.maybeDelivered) {
        // Unknown outcome: retry once and count it; a second unknown is recorded as failed.
        if (retriedUnknown) {
          await settle(part, { state: 'done', outcome: 'failed', error: result.error.message });
          return 'failed';
        }
        retriedUnknown = true;
        report.maybeDuplicated++;
        continue;
      }
      attempt++;
      if (attempt >= maxAttempts) {
        log.warn({ broadcastId, channel: recipient.channel, chatId: recipient.chatId, err: result.error.message }, 'send failed after retries');
        await settle(part, { state: 'done', outcome: 'failed', error: result.error.message });
        return 'failed';
      }
      await sleep(retryBaseMs * 2 ** (attempt - 1));
    }
    await settle(parts.length - 1, { state: 'done', outcome: 'sent' });
    await record(broadcastId, halt, async () => options.onDelivered?.(broadcastId, recipient)).catch((err: unknown) =>
      log.error({ err, recipient }, 'could not record a delivery'),
    );
    return 'sent';
  }

  /**
   * Run (or resume) a broadcast already created in the store, to the end. Recipients are read batch by
   * batch with their journal entries, so memory stays flat however many there are. Rejects with
   * StoreUnavailableError when a store outage paused it; running it again resumes it.
   */
  async function run(broadcastId: string, build: MessageBuilder): Promise<BroadcastReport> {
    const spec = await store.get(broadcastId);
    if (!spec) throw new Error(`no broadcast ${broadcastId}`);
    if (spec.status === 'done' && spec.report) return spec.report;
    // What an outage left unwritten here goes first, so the journal read below knows those sends were made.
    const debts = owed.get(broadcastId) ?? [];
    while (debts.length > 0) {
      await debts[0]!();
      debts.shift();
    }
    owed.delete(broadcastId);
    const startedMs = Date.now();
    const report: BroadcastReport = {
      id: broadcastId,
      total: spec.total,
      sent: 0,
      blocked: 0,
      failed: 0,
      skipped: 0,
      maybeDuplicated: 0,
      got429: 0,
      remaining: spec.total,
      startedAt: new Date(startedMs).toISOString(),
    };
    const count = (outcome: Outcome) => {
      report.remaining--;
      if (outcome === 'sent') report.sent++;
      else if (outcome === 'blocked' || outcome === 'chat_not_found') report.blocked++;
      else if (outcome === 'failed') report.failed++;
      else report.skipped++;
    };
    let doneThisRun = 0;
    const progress = () => {
      const elapsed = (Date.now() - startedMs) / 1000;
      report.etaSeconds = doneThisRun > 0 ? Math.round((report.remaining * elapsed) / doneThisRun) : undefined;
      log.info({ ...report }, 'broadcast progress');
      options.onProgress?.({ ...report });
    };
    const timer = setInterval(progress, options.progressEveryMs ?? 5000);
    timer.unref?.();
    const inFlight = new Set<Promise<void>>();
    const limit = Math.max(64, ...[...options.channels.keys()].map((c) => queueFor(c).concurrency * 8));
    const halt: Halt = {};
    try {
      for (let b = 0; b < spec.batches && !halt.error; b++) {
        let recipients: Recipient[];
        let entries: (JournalEntry | undefined)[];
        try {
          recipients = await store.recipients(broadcastId, b);
          entries = await store.journalMany(broadcastId, recipients);
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
          halt.error ??= err;
          break;
        }
        for (const [i, recipient] of recipients.entries()) {
          if (halt.error) break;
          const entry = entries[i];
          if (entry?.state === 'done') {
            count(entry.outcome);
            continue;
          }
          const task = deliver(broadcastId, recipient, entry, build, report, halt)
            .then((outcome) => {
              count(outcome);
              doneThisRun++;
            })
            .catch((err: unknown) => {
              if (err instanceof StoreUnavailableError) halt.error ??= err;
              else log.error({ err, broadcastId, recipient }, 'delivery crashed');
            })
            .finally(() => inFlight.delete(task));
          inFlight.add(task);
          // Keep a bounded number of recipients in progress (the queues do the real pacing).
          while (inFlight.size >= limit) await Promise.race(inFlight);
        }
      }
      await Promise.all(inFlight);
    } finally {
      clearInterval(timer);
    }
    if (halt.error) {
      // One line for the whole pause; the sweep resumes the broadcast from its journal once the store is back.
      log.warn({ broadcastId, sentThisRun: doneThisRun, remaining: report.remaining }, 'broadcast paused: store unavailable');
      throw halt.error;
    }
    report.finishedAt = new Date().toISOString();
    report.etaSeconds = undefined;
    await store.finish(broadcastId, report);
    log.info({ ...report }, 'broadcast finished');
    options.onProgress?.({ ...report });
    return report;
  }

  return {
    run,
    /** Call `listener` on `event` from now on; returns a function that detaches it. */
    on<E extends keyof BroadcasterEvents>(event: E, listener: BroadcasterEvents[E]): () => void {
      listeners[event].push(listener);
      return () => {
        const at = listeners[event].indexOf(listener);
        if (at >= 0) listeners[event].splice(at, 1);
      };
    },
    /** Wait for sends in flight, then stop taking new ones (shutdown). */
    async stop(): Promise<void> {
      for (const q of queues.values()) {
        q.pause();
        q.clear();
      }
      await Promise.all([...queues.values()].map((q) => q.onPendingZero()));
    },
  };
}

/** The broadcaster's public face. */
export type Broadcaster = ReturnType<typeof createBroadcaster>;
