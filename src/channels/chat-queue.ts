import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { acquireWithin, type Lease } from '../store/lock.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { ChannelId } from '../core/chat.js';

/** A chat lease lives this long without renewal; it is renewed three times as often while a message is handled. */
const CHAT_LEASE_TTL_MS = 10_000;

/** Settings of a {@link ChatQueue}. */
export interface ChatQueueOptions {
  /**
   * Leases shared by the instances (the store's): with them one chat's messages are handled one at a time
   * across instances too. Without them, only within this process.
   */
  lease?: Lease;
  /** This holder's name in leases. @default a random id */
  owner?: string;
  /** How long a chat's lease outlives a holder that died. @default CHAT_LEASE_TTL_MS */
  leaseTtlMs?: number;
  /** Longest wait for a lease another instance holds, after which the message is handled anyway. @default 2 × leaseTtlMs */
  leaseWaitMs?: number;
  log: Logger;
}

/** Runs one chat's messages strictly one after another, in the order they were handed in; different chats run in parallel. */
export interface ChatQueue {
  /** Run `task` once every earlier task of `key` has settled (holding the chat's lease, when there are leases). */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Chats with a task queued or running (idle chats take no memory). */
  readonly size: number;
  /** Resolves when no task is queued or running. */
  onIdle(): Promise<void>;
}

/** The key of one chat: `${channel}:${chatId}`, as in the store. */
export const chatKey = (channel: ChannelId, chatId: string): string => `${channel}:${chatId}`;

/**
 * Create a chat queue: one p-queue of concurrency 1 per chat, dropped when it goes idle.
 *
 * @remarks
 * Across instances (two behind one webhook URL, or the web chat behind a load balancer) a task also holds the
 * store lease `chat:<key>` while it runs, renewed while it runs. A lease rather than a refusal by update id:
 * Telegram's ids are global to the bot (a gap says nothing about a chat) and Zalo sends none, and refusing an
 * older update would leave a citizen without a reply. Telegram itself hands a chat's next webhook update over
 * only once the previous one is answered, so with the lease held until the reply is sent the order holds;
 * for Zalo, whose delivery rules are unknown, two messages of one chat reaching two instances in the same
 * instant are handled one at a time, in the order they take the lease. The wait is bounded: a dead holder's
 * lease expires after its TTL, and after `leaseWaitMs` a message is handled anyway (logged), never dropped.
 * While the store is unavailable (its calls refused with StoreUnavailableError) a message is handled at once,
 * without the lease and without a log line of its own: the queue still keeps the order within this process.
 */
export function createChatQueue(options: ChatQueueOptions): ChatQueue {
  const { lease, log } = options;
  const owner = options.owner ?? randomUUID();
  const ttlMs = options.leaseTtlMs ?? CHAT_LEASE_TTL_MS;
  const waitMs = options.leaseWaitMs ?? 2 * ttlMs;
  const queues = new Map<string, PQueue>();

  async function leased<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (!lease) return task();
    const name = `chat:${key}`;
    const held = await acquireWithin(lease, name, owner, ttlMs, waitMs).then(
      (taken) => (taken ? 'held' : 'busy'),
      (err: unknown) => {
        // The store's breaker logs an outage once; a call it refused is no news per message.
        if (!(err instanceof StoreUnavailableError)) log.warn({ err, key }, 'chat lease unavailable: handling without it');
        return 'unavailable';
      },
    );
    if (held === 'unavailable') return task();
    if (held === 'busy') {
      log.warn({ key, waitMs }, 'chat lease still held elsewhere: handling anyway');
      return task();
    }
    const warn = (what: string) => (err: unknown) => void (err instanceof StoreUnavailableError || log.warn({ err, key }, what));
    const renew = setInterval(() => {
      void lease
        .acquire(name, owner, ttlMs)
        .then((kept) => kept || log.warn({ key }, 'lost the lease of a chat being answered'), warn('could not renew a chat lease'));
    }, ttlMs / 3);
    try {
      return await task();
    } finally {
      clearInterval(renew);
      await lease.release(name, owner).catch(warn('could not release a chat lease'));
    }
  }

  return {
    run(key, task) {
      let queue = queues.get(key);
      if (!queue) {
        const created = new PQueue({ concurrency: 1 });
        created.on('idle', () => {
          if (queues.get(key) === created && created.size === 0 && created.pending === 0) queues.delete(key);
        });
        queues.set(key, created);
        queue = created;
      }
      return queue.add(() => leased(key, task));
    },
    get size() {
      return queues.size;
    },
    async onIdle() {
      while (queues.size > 0) await Promise.all([...queues.values()].map((q) => q.onIdle()));
    },
  };
}
