import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { AppendLog } from './append-log.js';
import { StoreUnavailableError } from './unavailable.js';

/** Per-chat conversation state (short-lived context, pending choices). */
export interface ChatState {
  /** The last question answered, for follow-ups ("còn Gia Lai thì sao?"). */
  lastQuestion?: string;
  /** When the context was set (ms since epoch). */
  lastAt?: number;
  /** Callback data of the buttons last shown, in order: numbered replies ("1", "2") pick from it. */
  lastButtons?: string[];
  /** Questions answered recently, by short id, for feedback buttons. */
  answers?: Record<string, { question: string; sourceIds: string[] }>;
  /** Document ids offered as "Có phải bạn muốn hỏi…" choices, and the question they answer. */
  options?: string[];
  optionsFor?: string;
  /** A typed answer a flow waits for (subscription provinces or hour, an announcement's send time). */
  awaiting?: 'provinces' | 'hour' | 'annTime';
  /** An announcement being prepared by staff (/thongbao), until it is sent, scheduled or cancelled. */
  draft?: { text: string; audience: 'topic' | 'all' };
  /** Documents of the list just shown, numbered from `start`: a typed number opens one. */
  listed?: { start: number; ids: string[] };
  /** A staff answer to a ticket shown as a preview (/traloi), until it is sent or cancelled. */
  ticketDraft?: { number: number; text: string };
  /** The running /tim search. */
  search?: { query: string; offset: number };
  /** Set when the person erased their data (/xoadulieu): the state is deleted rather than saved back. */
  forget?: boolean;
}

/** A 👍/👎 on an answer, kept with the question for staff. */
export interface FeedbackRecord {
  channel: string;
  chatId: string;
  question: string;
  sourceIds: string[];
  vote: 'up' | 'down';
  at: string;
}

/** A question the bot could not answer, kept for staff. */
export interface UnansweredRecord {
  channel: string;
  chatId: string;
  question: string;
  confidence: number;
  closest: string[];
  at: string;
}

/** Where a store keeps its namespaces: an adapter factory (one adapter per namespace), Maps without it. */
export interface StoreOptions {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
}

/**
 * One keyv namespace on a fresh adapter (keyv sets the namespace on its adapter, so they are not shared).
 * Errors are logged and thrown (`throwOnErrors`), so a store that is down is seen rather than read as empty.
 */
export async function openNamespace<T>(options: StoreOptions, namespace: string): Promise<Keyv<T>> {
  const kv = new Keyv<T>({ store: options.adapter ? await options.adapter() : new Map(), namespace, throwOnErrors: true });
  kv.on('error', (err: unknown) => {
    // An outage is logged once by the store's circuit breaker, not on every refused call.
    if (!(err instanceof StoreUnavailableError)) options.log.error({ err, namespace }, 'store error');
  });
  return kv;
}

/** Where a feedback or unanswered record is, by day of writing and by whose it is (namespace `recidx`). */
export interface RecordRef {
  at: string;
  kind: 'feedback' | 'unanswered';
  key: string;
  /** `channel:chatId` of the person the record is about. */
  person: string;
}

/** The keyv namespaces the bot uses. */
export interface Stores {
  chats: Keyv<ChatState>;
  feedback: Keyv<FeedbackRecord>;
  unanswered: Keyv<UnansweredRecord>;
  /** Index of the feedback and unanswered records by day: what erasure and the retention job walk. */
  records: AppendLog<RecordRef>;
  /** Keep a 👍/👎 (indexed first, so no record is left that erasure cannot find). */
  recordFeedback(record: FeedbackRecord, at: Date): Promise<void>;
  /** Keep a question the bot could not answer (indexed first, as feedback). */
  recordUnanswered(record: UnansweredRecord, at: Date): Promise<void>;
  /** Close every connection. */
  close(): Promise<void>;
}

/**
 * Create the stores, one keyv namespace each, over adapters from `adapter()` (one adapter per namespace:
 * keyv sets the namespace on its adapter). Without it, plain Maps (tests). Errors are logged and thrown
 * (`throwOnErrors`), so a store that is down is seen rather than silently read as empty.
 */
export async function createStores(options: StoreOptions): Promise<Stores> {
  const make = <T>(namespace: string) => openNamespace<T>(options, namespace);
  const chats = await make<ChatState>('chat');
  const feedback = await make<FeedbackRecord>('feedback');
  const unanswered = await make<UnansweredRecord>('unanswered');
  const recidx = await make<unknown>('recidx');
  const records = new AppendLog<RecordRef>(recidx);
  const person = (r: { channel: string; chatId: string }) => `${r.channel}:${r.chatId}`;
  return {
    chats,
    feedback,
    unanswered,
    records,
    async recordFeedback(record, at) {
      const key = timeKey(record.channel, at);
      await records.append({ at: at.toISOString(), kind: 'feedback', key, person: person(record) });
      await feedback.set(key, record);
    },
    async recordUnanswered(record, at) {
      const key = timeKey(record.channel, at);
      await records.append({ at: at.toISOString(), kind: 'unanswered', key, person: person(record) });
      await unanswered.set(key, record);
    },
    close: async () => {
      await Promise.allSettled([chats.disconnect(), feedback.disconnect(), unanswered.disconnect(), recidx.disconnect()]);
    },
  };
}

/** A store key that sorts by time and is unique enough for append-only logs. */
function timeKey(prefix: string, now: Date): string {
  return `${prefix}:${now.getTime().toString(36).padStart(9, '0')}:${Math.random().toString(36).slice(2, 8)}`;
}
