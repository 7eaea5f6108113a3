import { randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { withLease, type Lease } from './lock.js';
import type { PersonalDataItem, PersonalDataSource } from './personal.js';
import { openNamespace } from './stores.js';

/** One wording of a curated entry's question. */
export interface FaqWording {
  text: string;
  /** `channel:chatId` when the wording is a citizen's own (kept from a ticket): it goes with that citizen's data. */
  from?: string;
  addedAt: string;
}

/** A curated question–answer entry ("hỏi đáp"), written by staff. */
export interface FaqEntry {
  /** Short sequential number shared by every instance. */
  id: number;
  /** The main wording; '' when it was a citizen's and was erased with their data (the entry needs a question). */
  question: string;
  /** `channel:chatId` when the main wording is a citizen's own. */
  questionFrom?: string;
  /** Other wordings of the same question. */
  alternates: FaqWording[];
  /** The answer, as staff wrote it. */
  answer: string;
  createdAt: string;
  updatedAt: string;
  /** Who wrote it: `channel:userId` of a staff member, or the console/CLI user. */
  author: string;
  status: 'active' | 'withdrawn';
  /** The ticket it was made from. */
  fromTicket?: number;
}

/** Curated entries in keyv (namespace `faq`), numbered 1, 2, 3… across instances; every write under one lease. */
export interface FaqStore {
  /** Every entry (withdrawn ones too), in number order. */
  list(): Promise<FaqEntry[]>;
  get(id: number): Promise<FaqEntry | undefined>;
  /** Store a new entry under the next number. */
  add(entry: Omit<FaqEntry, 'id'>): Promise<FaqEntry>;
  /** Change an entry under the lease; `change` returns the new entry (or undefined to leave it). */
  update(id: number, change: (e: FaqEntry) => FaqEntry | undefined): Promise<FaqEntry | undefined>;
  /** Mark an entry withdrawn (it stops answering; kept for the audit trail). */
  withdraw(id: number, at: string): Promise<FaqEntry | undefined>;
  /** Add another wording to an entry (the same text twice is kept once). */
  addAlternate(id: number, wording: FaqWording): Promise<FaqEntry | undefined>;
  /**
   * Remove every wording `from` this chat (`channel:chatId`). A main wording removed is replaced by the first
   * alternate left, or left '' (the entry then needs a question). Resolves with the entries changed.
   */
  forget(from: string, at: string): Promise<FaqEntry[]>;
  close(): Promise<void>;
}

/** How many wordings of an entry are `from` this chat. */
function wordingsFrom(entry: FaqEntry, from: string): number {
  return (entry.questionFrom === from ? 1 : 0) + entry.alternates.filter((w) => w.from === from).length;
}

/** Create the curated entry store over the `faq` keyv namespace; `lease` serialises writes across instances. */
export async function createFaqStore(options: { adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter; log: Logger; lease?: Lease }): Promise<FaqStore> {
  const kv = await openNamespace<unknown>(options, 'faq');
  const owner = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  const locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.catch(() => undefined).then(() => withLease(options.lease, 'faq', owner, fn));
    chain = next;
    return next;
  };
  const seq = async () => ((await kv.get('seq')) as number | undefined) ?? 0;
  const read = async (ids: number[]) =>
    (ids.length ? ((await kv.getMany(ids.map((n) => `e:${n}`))) as (FaqEntry | undefined)[]) : []).filter((e): e is FaqEntry => e !== undefined);
  const all = async () => read(Array.from({ length: await seq() }, (_, i) => i + 1));
  const update = (id: number, change: (e: FaqEntry) => FaqEntry | undefined) =>
    locked(async () => {
      const e = (await kv.get(`e:${id}`)) as FaqEntry | undefined;
      const next = e && change(structuredClone(e));
      if (next) await kv.set(`e:${id}`, next);
      return next;
    });

  return {
    list: all,
    get: async (id) => (Number.isSafeInteger(id) && id > 0 ? ((await kv.get(`e:${id}`)) as FaqEntry | undefined) : undefined),
    add: (entry) =>
      locked(async () => {
        const id = (await seq()) + 1;
        await kv.set('seq', id);
        const made: FaqEntry = { ...entry, id };
        await kv.set(`e:${id}`, made);
        return made;
      }),
    update,
    withdraw: (id, at) => update(id, (e) => (e.status === 'withdrawn' ? undefined : { ...e, status: 'withdrawn', updatedAt: at })),
    addAlternate: (id, wording) =>
      update(id, (e) => {
        if (e.question === wording.text || e.alternates.some((w) => w.text === wording.text)) return e;
        return { ...e, alternates: [...e.alternates, wording], updatedAt: wording.addedAt };
      }),
    forget: (from, at) =>
      locked(async () => {
        const changed: FaqEntry[] = [];
        for (const e of await all()) {
          if (wordingsFrom(e, from) === 0) continue;
          const alternates = e.alternates.filter((w) => w.from !== from);
          const next: FaqEntry = { ...e, alternates, updatedAt: at };
          if (e.questionFrom === from) {
            const promoted = alternates.shift();
            next.question = promoted?.text ?? '';
            if (promoted?.from) next.questionFrom = promoted.from;
            else delete next.questionFrom;
          }
          await kv.set(`e:${e.id}`, next);
          changed.push(next);
        }
        return changed;
      }),
    async close() {
      await chain.catch(() => undefined);
      await kv.disconnect();
    },
  };
}

/**
 * Citizens' own wordings kept in curated entries (made from their tickets). Erasure removes them. An entry left
 * with no wording at all (only older entries, whose question was a citizen's) stays but answers nothing until
 * staff give it a question; they see it needs one. No expiry: staff approved the entry, and the wording goes
 * only with its author's data.
 */
export function faqData(faq: FaqStore, onChange?: (entries: FaqEntry[]) => void): PersonalDataSource {
  const count = (n: number): PersonalDataItem[] => (n > 0 ? [{ kind: 'faq', count: n }] : []);
  return {
    name: 'faq',
    async describe(p) {
      const from = `${p.channel}:${p.chatId}`;
      return count((await faq.list()).reduce((s, e) => s + wordingsFrom(e, from), 0));
    },
    async erase(p, now) {
      const from = `${p.channel}:${p.chatId}`;
      const before = (await faq.list()).reduce((s, e) => s + wordingsFrom(e, from), 0);
      if (before === 0) return [];
      const changed = await faq.forget(from, now.toISOString());
      onChange?.(changed);
      return count(before);
    },
  };
}
