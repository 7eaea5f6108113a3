import { createHash, randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import { openNamespace } from './stores.js';
import type { Logger } from 'pino';
import type { ChannelId } from '../core/chat.js';
import { withLease, type Lease } from './lock.js';

/** One subscriber of the daily digest. Kept (marked inactive) when the platform says the chat is gone. */
export interface Subscriber {
  channel: ChannelId;
  chatId: string;
  /** Topic ids (see digest/topics.ts); empty means every topic. */
  topics: string[];
  /** Province names (the 34 after 2025); empty means the whole country. */
  provinces: string[];
  /** Delivery hour, Vietnam time (0–23). */
  hour: number;
  /** Paused by the subscriber (/caidat → Tạm dừng). */
  paused: boolean;
  /** Set when the platform said the bot was blocked or the chat no longer exists; never retried. */
  inactive?: { reason: 'blocked' | 'chat_not_found'; at: string };
  createdAt: string;
  updatedAt: string;
}

/**
 * The last digest a subscriber got, kept apart from the record so that a delivery costs one write and
 * never races with the subscriber changing their settings.
 */
export interface DeliveryMark {
  /** Vietnam date (YYYY-MM-DD) of the last scheduled digest delivered: never two on one day. */
  day: string;
  /** End of the window that digest covered: the next one starts there. */
  untilMs: number;
}

/** Identity of a subscriber in the store. */
export const subscriberKey = (channel: string, chatId: string): string => `${channel}:${chatId}`;

/** Default delivery hour (07:00 Vietnam time). */
export const DEFAULT_DIGEST_HOUR = 7;

/** Shards per delivery hour: at a million subscribers each index list holds ~650 keys. */
const SHARDS = 64;
/** Records read per getMany when listing. */
const READ_BATCH = 500;

/**
 * Subscribers in keyv without scanning the store: each record under its own key, plus small index lists
 * (one per delivery hour and shard) naming the records. Listing one hour reads 64 lists and then the
 * records in batches, so it stays fast at a million subscribers without keyv's iterator() (which
 * overflows the stack on @keyv/sqlite past ~31k keys) and without one huge JSON value.
 * Index updates are serialised per list in this process, and across processes by a lease per list when
 * one is given (several instances on one Redis or one SQLite file).
 */
export interface SubscriptionStore {
  get(channel: string, chatId: string): Promise<Subscriber | undefined>;
  /** Create or replace a subscriber (moves it between index lists when its hour changes). */
  put(sub: Subscriber): Promise<void>;
  /** Remove a subscriber for good (/huydangky). */
  remove(channel: string, chatId: string): Promise<boolean>;
  /** Keys listed at delivery hour `hour` (active or not; callers check the record's own hour). */
  keysAt(hour: number): Promise<string[]>;
  /** Keys of every subscriber. */
  allKeys(): Promise<string[]>;
  /** Remember the last digest delivered to `key` (one write). */
  markDelivered(key: string, mark: DeliveryMark): Promise<void>;
  /** Delivery marks for keys, in order. */
  lastDelivered(keys: string[]): Promise<(DeliveryMark | undefined)[]>;
  /** Records for keys, in order (undefined where one vanished). */
  getMany(keys: string[]): Promise<(Subscriber | undefined)[]>;
  close(): Promise<void>;
}

function shardOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt16BE(0) % SHARDS;
}
const listKey = (hour: number, shard: number) => `h${String(hour).padStart(2, '0')}:s${String(shard).padStart(2, '0')}`;

/** Create the subscription store over two keyv namespaces (records and index lists). */
export async function createSubscriptionStore(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<SubscriptionStore> {
  const make = <T>(namespace: string) => openNamespace<T>(options, namespace);
  const records = await make<Subscriber>('sub');
  const lists = await make<string[]>('subidx');
  const marks = await make<DeliveryMark>('subdlv');
  const locks = new Map<string, Promise<unknown>>();

  const owner = randomUUID();
  /** Hold the list's lease (other instances) around `fn`. */
  const leased = <T>(list: string, fn: () => Promise<T>) => withLease(options.lease, `subidx:${list}`, owner, fn);

  /** Run `fn` after every earlier update of the same list (read-modify-write without lost updates). */
  function serial<T>(list: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(list) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => leased(list, fn));
    locks.set(list, next);
    void next.finally(() => locks.get(list) === next && locks.delete(list)).catch(() => undefined);
    return next;
  }
  const addTo = (list: string, key: string) =>
    serial(list, async () => {
      const keys = (await lists.get(list)) ?? [];
      if (!keys.includes(key)) await lists.set(list, [...keys, key]);
    });
  const removeFrom = (list: string, key: string) =>
    serial(list, async () => {
      const keys = (await lists.get(list)) ?? [];
      if (keys.includes(key))
        await lists.set(
          list,
          keys.filter((k) => k !== key),
        );
    });

  async function readLists(names: string[]): Promise<string[]> {
    const values = await lists.getMany(names);
    return values.flatMap((v) => v ?? []);
  }

  return {
    get: (channel, chatId) => records.get(subscriberKey(channel, chatId)),

    async put(sub) {
      const key = subscriberKey(sub.channel, sub.chatId);
      const before = await records.get(key);
      // List first, then the record, then the old list: a crash in between leaves a key in a list with no
      // record yet (skipped when read) or in two hour lists (readers check the record's hour), never a
      // subscriber that no list names.
      const shard = shardOf(key);
      // A stored record means its list entry was written before it: only new keys and hour changes touch lists.
      if (!before || before.hour !== sub.hour) await addTo(listKey(sub.hour, shard), key);
      await records.set(key, sub);
      if (before && before.hour !== sub.hour) await removeFrom(listKey(before.hour, shard), key);
    },

    async remove(channel, chatId) {
      const key = subscriberKey(channel, chatId);
      const before = await records.get(key);
      if (!before) return false;
      await removeFrom(listKey(before.hour, shardOf(key)), key);
      await records.delete(key);
      await marks.delete(key);
      return true;
    },

    keysAt: (hour) => readLists(Array.from({ length: SHARDS }, (_, s) => listKey(hour, s))),

    allKeys: () => readLists(Array.from({ length: 24 * SHARDS }, (_, i) => listKey(Math.floor(i / SHARDS), i % SHARDS))),

    async getMany(keys) {
      const out: (Subscriber | undefined)[] = [];
      for (let i = 0; i < keys.length; i += READ_BATCH) out.push(...(await records.getMany(keys.slice(i, i + READ_BATCH))));
      return out;
    },

    markDelivered: async (key, mark) => {
      await marks.set(key, mark);
    },

    async lastDelivered(keys) {
      const out: (DeliveryMark | undefined)[] = [];
      for (let i = 0; i < keys.length; i += READ_BATCH) out.push(...(await marks.getMany(keys.slice(i, i + READ_BATCH))));
      return out;
    },

    async close() {
      await Promise.allSettled([...locks.values()]);
      await Promise.allSettled([records.disconnect(), lists.disconnect(), marks.disconnect()]);
    },
  };
}
