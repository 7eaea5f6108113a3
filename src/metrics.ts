import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChannelId } from './core/chat.js';

/** Kinds of broadcast, as stored (store/broadcasts.ts). */
export type BroadcastKind = 'digest' | 'announcement';

/** Counts of one broadcast as the progress gauges show them (a BroadcastReport fits). */
export interface BroadcastProgress {
  sent: number;
  blocked: number;
  failed: number;
  remaining: number;
}

/**
 * What the bot reports to Prometheus, as plain calls: modules record events without importing prom-client.
 * Every metric is prefixed `mattran_`; process and Node.js metrics (`process_*`, `nodejs_*`) come with them.
 */
export interface Metrics {
  /** One message received on `channel` (`mattran_messages_in_total`). */
  messageIn(channel: ChannelId): void;
  /** `count` messages sent on `channel` (`mattran_messages_out_total`). */
  messageOut(channel: ChannelId, count?: number): void;
  /** Confidence (0..1) of an answer given (`mattran_answer_confidence`). */
  answerConfidence(confidence: number): void;
  /** A question the bot could not answer (`mattran_unanswered_total`). */
  unanswered(channel: ChannelId): void;
  /** Seconds from receiving a message to its reply being sent (`mattran_reply_latency_seconds`). */
  replyLatency(channel: ChannelId, seconds: number): void;
  /** Start timing a reply; call the returned function when it has been sent. */
  startReply(channel: ChannelId): () => void;
  /** Current counts of the running (or last) broadcast of `kind` (`mattran_broadcast_recipients{state}`). */
  broadcastProgress(kind: BroadcastKind, progress: BroadcastProgress): void;
  /** A platform answered 429 Too Many Requests (`mattran_rate_limited_total`). */
  rateLimited(channel: ChannelId): void;
  /** A subscriber was found to have blocked the bot or left (`mattran_blocked_subscribers_total`). */
  subscriberBlocked(channel: ChannelId): void;
  /** Documents in the search index now (`mattran_index_documents`). */
  indexSize(documents: number): void;
  /** `count` imported items ended with `outcome`, e.g. added, updated, unchanged, rejected (`mattran_import_results_total`). */
  importResult(outcome: string, count?: number): void;
  /** Whether the state store answers: 1 up, 0 unavailable (`mattran_store_up`). */
  storeUp(up: boolean): void;
  /** `count` records for staff (question statistics, inbox) given up while the store was unavailable (`mattran_store_records_dropped_total`). */
  storeRecordsDropped(count?: number): void;
  /** The exposition text for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Options of createMetrics. */
export interface MetricsOptions {
  /** Also collect process and Node.js metrics (CPU, memory, event loop lag, GC). @default true */
  defaultMetrics?: boolean;
}

/** Create a registry of the bot's metrics (one per process; tests make their own). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const messagesIn = new Counter({ name: 'mattran_messages_in_total', help: 'Messages received, by channel', labelNames: ['channel'], registers });
  const messagesOut = new Counter({ name: 'mattran_messages_out_total', help: 'Messages sent, by channel', labelNames: ['channel'], registers });
  const confidence = new Histogram({
    name: 'mattran_answer_confidence',
    help: 'Confidence of the answers given (0..1)',
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    registers,
  });
  const unanswered = new Counter({
    name: 'mattran_unanswered_total',
    help: 'Questions answered with "no information", by channel',
    labelNames: ['channel'],
    registers,
  });
  const latency = new Histogram({
    name: 'mattran_reply_latency_seconds',
    help: 'Time from receiving a message to sending its reply, by channel',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const broadcast = new Gauge({
    name: 'mattran_broadcast_recipients',
    help: 'Recipients of the current or last broadcast, by kind and state (sent, blocked, failed, remaining)',
    labelNames: ['kind', 'state'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'mattran_rate_limited_total',
    help: '429 Too Many Requests answers from platforms, by channel',
    labelNames: ['channel'],
    registers,
  });
  const blocked = new Counter({
    name: 'mattran_blocked_subscribers_total',
    help: 'Subscribers found blocked or gone, by channel',
    labelNames: ['channel'],
    registers,
  });
  const indexDocuments = new Gauge({ name: 'mattran_index_documents', help: 'Documents in the search index', registers });
  const imports = new Counter({ name: 'mattran_import_results_total', help: 'Imported items, by outcome', labelNames: ['outcome'], registers });
  const storeUp = new Gauge({ name: 'mattran_store_up', help: 'Whether the state store answers (1) or is unavailable (0)', registers });
  const recordsDropped = new Counter({
    name: 'mattran_store_records_dropped_total',
    help: 'Records for staff given up while the store was unavailable',
    registers,
  });

  const latencySeconds = (channel: ChannelId, seconds: number) => latency.observe({ channel }, seconds);

  return {
    messageIn: (channel) => messagesIn.inc({ channel }),
    messageOut: (channel, count = 1) => messagesOut.inc({ channel }, count),
    answerConfidence: (value) => confidence.observe(Math.min(1, Math.max(0, value))),
    unanswered: (channel) => unanswered.inc({ channel }),
    replyLatency: latencySeconds,
    startReply(channel) {
      const started = process.hrtime.bigint();
      return () => latencySeconds(channel, Number(process.hrtime.bigint() - started) / 1e9);
    },
    broadcastProgress(kind, progress) {
      for (const state of ['sent', 'blocked', 'failed', 'remaining'] as const) broadcast.set({ kind, state }, progress[state]);
    },
    rateLimited: (channel) => rateLimited.inc({ channel }),
    subscriberBlocked: (channel) => blocked.inc({ channel }),
    indexSize: (documents) => indexDocuments.set(documents),
    importResult: (outcome, count = 1) => imports.inc({ outcome }, count),
    storeUp: (up) => storeUp.set(up ? 1 : 0),
    storeRecordsDropped: (count = 1) => recordsDropped.inc(count),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
