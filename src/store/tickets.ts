import { randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import type { ChannelId } from '../core/chat.js';
import { withLease, type Lease } from './lock.js';
import { openNamespace } from './stores.js';

/** One person who asked a ticket's question, with their own wording. */
export interface Asker {
  channel: ChannelId;
  chatId: string;
  at: string;
  wording: string;
}

/** A citizen's question handed to staff: open until staff answer it (answered) or close it without an answer (closed). */
export interface Ticket {
  number: number;
  status: 'open' | 'answered' | 'closed';
  createdAt: string;
  updatedAt: string;
  /** The first wording, kept for staff lists even when that asker's data is erased. */
  askers: Asker[];
  /** Askers whose data was erased: counted, nothing else kept. */
  forgottenAskers?: number;
  answer?: {
    text: string;
    by: string;
    at: string;
    /** The staff chat that gets the delivery report. */
    reportTo?: { channel: ChannelId; chatId: string };
    /** Staff asked for it to become a curated entry. */
    saveAsFaq?: boolean;
  };
  closed?: {
    by: string;
    at: string;
    reason?: string;
    /** Staff asked for the askers to be told it was closed. */
    told?: boolean;
    /** When every asker had been told (or could not be): the notice is not resumed any more. */
    toldAt?: string;
    /** The staff chat that gets the report of the notice. */
    reportTo?: { channel: ChannelId; chatId: string };
    /** Where the notice went: `channel:chatId` keys told, and waiting for the asker's next message (as `delivery`). */
    notice?: { delivered: string[]; waiting: string[] };
  };
  /** Where the answer went: `channel:chatId` keys delivered, and waiting for the asker's next message. */
  delivery?: { startedAt: string; finishedAt?: string; delivered: string[]; waiting: string[]; forgottenDelivered?: number };
}

/** `channel:chatId` of an asker. */
export const askerKey = (a: { channel: string; chatId: string }) => `${a.channel}:${a.chatId}`;

/** Tickets in keyv, with short sequential numbers shared by every instance. */
export interface TicketStore {
  /**
   * Add `asker` to the open ticket `pick` chooses among the open ones (none: a new ticket). The same chat is
   * never added twice to one ticket. `joined` is false for a new ticket, `repeated` when the chat was there already.
   */
  open(asker: Asker, pick: (open: Ticket[]) => number | undefined): Promise<{ ticket: Ticket; joined: boolean; repeated: boolean }>;
  get(number: number): Promise<Ticket | undefined>;
  /** Open tickets, in number order. */
  openTickets(): Promise<Ticket[]>;
  /** Every ticket, in number order (a short list: staff answer by hand). */
  all(): Promise<Ticket[]>;
  /** Change a ticket under the store's lock; `change` returns the new ticket (or undefined to leave it). */
  update(number: number, change: (t: Ticket) => Ticket | undefined): Promise<Ticket | undefined>;
  /** Tickets a chat asked, newest first. */
  mine(channel: string, chatId: string): Promise<Ticket[]>;
  /** Note that the answer of `number`, or its closing notice when it was closed, waits for this chat's next message. */
  addWaiting(channel: string, chatId: string, number: number): Promise<void>;
  /** The tickets whose answers or closing notices wait for this chat, removed from the waiting list (each is handed out once). */
  takeWaiting(channel: string, chatId: string): Promise<number[]>;
  /** Erase a chat from every ticket (wording, chat id, waiting answers and notices); only counts remain. Returns the tickets touched. */
  forgetAsker(channel: string, chatId: string): Promise<number>;
  /**
   * Erase answered and closed tickets last changed before `before` (the retention job), with the `mine:` and
   * `wait:` entries of their askers that point to them; open tickets stay. Resolves with how many were erased.
   */
  expireClosed(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** Create the ticket store over the `ticket` keyv namespace; `lease` serialises writes across instances. */
export async function createTicketStore(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<TicketStore> {
  const kv = await openNamespace<unknown>(options, 'ticket');
  const owner = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  /** Every write: serialised here, and under one lease across instances (tickets change a few times a minute). */
  const locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.catch(() => undefined).then(() => withLease(options.lease, 'tickets', owner, fn));
    chain = next;
    return next;
  };
  const list = async (key: string) => ((await kv.get(key)) as number[] | undefined) ?? [];
  const read = async (numbers: number[]) =>
    (numbers.length ? ((await kv.getMany(numbers.map((n) => `t:${n}`))) as (Ticket | undefined)[]) : []).filter((t): t is Ticket => t !== undefined);
  const write = async (t: Ticket) => {
    await kv.set(`t:${t.number}`, t);
    const open = await list('open');
    const isOpen = open.includes(t.number);
    if (t.status === 'open' && !isOpen) await kv.set('open', [...open, t.number]);
    if (t.status !== 'open' && isOpen)
      await kv.set(
        'open',
        open.filter((n) => n !== t.number),
      );
  };
  const remember = async (a: { channel: string; chatId: string }, n: number) => {
    const key = `mine:${askerKey(a)}`;
    const mine = await list(key);
    if (!mine.includes(n)) await kv.set(key, [...mine, n]);
  };

  return {
    open: (asker, pick) =>
      locked(async () => {
        const open = await read(await list('open'));
        const chosen = pick(open);
        const found = chosen === undefined ? undefined : open.find((t) => t.number === chosen);
        if (found) {
          const repeated = found.askers.some((a) => askerKey(a) === askerKey(asker));
          const ticket = repeated ? found : { ...found, askers: [...found.askers, asker], updatedAt: asker.at };
          if (!repeated) await write(ticket);
          await remember(asker, ticket.number);
          return { ticket, joined: true, repeated };
        }
        const number = (((await kv.get('seq')) as number | undefined) ?? 0) + 1;
        await kv.set('seq', number);
        const ticket: Ticket = { number, status: 'open', createdAt: asker.at, updatedAt: asker.at, askers: [asker] };
        await write(ticket);
        await remember(asker, number);
        return { ticket, joined: false, repeated: false };
      }),
    get: async (n) => (await kv.get(`t:${n}`)) as Ticket | undefined,
    openTickets: async () => read(await list('open')),
    async all() {
      const seq = ((await kv.get('seq')) as number | undefined) ?? 0;
      return read(Array.from({ length: seq }, (_, i) => i + 1));
    },
    update: (n, change) =>
      locked(async () => {
        const t = (await kv.get(`t:${n}`)) as Ticket | undefined;
        const next = t && change(structuredClone(t));
        if (next) await write(next);
        return next;
      }),
    mine: async (channel, chatId) => (await read(await list(`mine:${channel}:${chatId}`))).reverse(),
    addWaiting: (channel, chatId, n) =>
      locked(async () => {
        const key = `wait:${channel}:${chatId}`;
        const waiting = await list(key);
        if (!waiting.includes(n)) await kv.set(key, [...waiting, n]);
      }),
    // Read once without the lock: nearly every message has nothing waiting.
    takeWaiting: async (channel, chatId) =>
      (await list(`wait:${channel}:${chatId}`)).length === 0
        ? []
        : locked(async () => {
            const key = `wait:${channel}:${chatId}`;
            const waiting = await list(key);
            if (waiting.length) await kv.delete(key);
            return waiting;
          }),
    forgetAsker: (channel, chatId) =>
      locked(async () => {
        const key = askerKey({ channel, chatId });
        const numbers = await list(`mine:${key}`);
        let touched = 0;
        for (const t of await read(numbers)) {
          const kept = t.askers.filter((a) => askerKey(a) !== key);
          const d = t.delivery;
          const wasDelivered = d?.delivered.includes(key) ?? false;
          const next: Ticket = { ...t, askers: kept, forgottenAskers: (t.forgottenAskers ?? 0) + (t.askers.length - kept.length) };
          if (d)
            next.delivery = {
              ...d,
              delivered: d.delivered.filter((k) => k !== key),
              waiting: d.waiting.filter((k) => k !== key),
              forgottenDelivered: (d.forgottenDelivered ?? 0) + (wasDelivered ? 1 : 0),
            };
          const notice = t.closed?.notice;
          if (notice)
            next.closed = { ...t.closed!, notice: { delivered: notice.delivered.filter((k) => k !== key), waiting: notice.waiting.filter((k) => k !== key) } };
          await write(next);
          touched++;
        }
        await kv.delete(`mine:${key}`);
        await kv.delete(`wait:${key}`);
        return touched;
      }),
    expireClosed: (before) =>
      locked(async () => {
        const cutoff = before.toISOString();
        const seq = ((await kv.get('seq')) as number | undefined) ?? 0;
        const expired = (await read(Array.from({ length: seq }, (_, i) => i + 1))).filter((t) => t.status !== 'open' && t.updatedAt < cutoff);
        if (expired.length === 0) return 0;
        const gone = new Set(expired.map((t) => t.number));
        // Every chat that can point to an erased ticket is one of its askers (erased askers' entries went with them).
        const chats = new Set(expired.flatMap((t) => t.askers.map(askerKey)));
        for (const chat of chats)
          for (const key of [`mine:${chat}`, `wait:${chat}`]) {
            const numbers = await list(key);
            const kept = numbers.filter((n) => !gone.has(n));
            if (kept.length === numbers.length) continue;
            if (kept.length) await kv.set(key, kept);
            else await kv.delete(key);
          }
        await kv.deleteMany(expired.map((t) => `t:${t.number}`));
        return expired.length;
      }),
    async close() {
      await chain.catch(() => undefined);
      await kv.disconnect();
    },
  };
}
