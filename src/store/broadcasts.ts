import { randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import { openNamespace } from './stores.js';
import type { Logger } from 'pino';
import type { ChannelId } from '../core/chat.js';
import { withLease, type Lease } from './lock.js';

/** What happened to one recipient. */
export type Outcome = 'sent' | 'blocked' | 'chat_not_found' | 'failed' | 'skipped';

/** Counts of a broadcast, for progress lines, metrics and the staff report. */
export interface BroadcastReport {
  id: string;
  total: number;
  sent: number;
  blocked: number;
  failed: number;
  skipped: number;
  /** Sends repeated because their first outcome was unknown (timeout, or in flight at a crash). */
  maybeDuplicated: number;
  got429: number;
  remaining: number;
  startedAt: string;
  finishedAt?: string;
  /** Seconds left at the current pace, while running. */
  etaSeconds?: number;
}

/** One recipient of a broadcast, with what the message builder needs, frozen when the broadcast is created. */
export interface Recipient {
  channel: ChannelId;
  chatId: string;
  /** Digest filters and window start, snapshotted so a resumed broadcast builds the same message. */
  topics?: string[];
  provinces?: string[];
  sinceMs?: number;
}

/** Journal state of one (broadcast, recipient): written before and after every send. */
export type JournalEntry = { state: 'sending'; part: number } | { state: 'partial'; next: number } | { state: 'done'; outcome: Outcome; error?: string };

/** A broadcast as stored: what it is, how many recipients in how many batches, and how it ended. */
export interface BroadcastSpec {
  id: string;
  kind: 'digest' | 'announcement' | 'ticket';
  createdAt: string;
  /** Kind-specific parameters (digest: day, hour, untilMs; announcement: its id; ticket: its number). */
  params: Record<string, string | number>;
  total: number;
  batches: number;
  status: 'running' | 'done';
  report?: BroadcastReport;
}

/** Recipients per stored batch. */
export const RECIPIENT_BATCH = 500;

/** Broadcasts, their recipient batches and their journals in keyv. */
export interface BroadcastStore {
  /** Store a new broadcast; false (and nothing written) when one with this id exists already. */
  create(spec: Omit<BroadcastSpec, 'total' | 'batches' | 'status'>, recipients: Recipient[]): Promise<boolean>;
  get(id: string): Promise<BroadcastSpec | undefined>;
  recipients(id: string, batch: number): Promise<Recipient[]>;
  journal(id: string, recipient: Recipient, entry: JournalEntry): Promise<void>;
  journalMany(id: string, recipients: Recipient[]): Promise<(JournalEntry | undefined)[]>;
  finish(id: string, report: BroadcastReport): Promise<void>;
  /** Ids of broadcasts not finished (to resume at start). */
  running(): Promise<string[]>;
  /**
   * Running broadcasts that still hold a recipient: each is journalled as skipped, so it is not sent to
   * (unless already in flight); its batch and journal go when the broadcast finishes. Resolves with how many.
   */
  skipRecipient(channel: string, chatId: string, dryRun?: boolean): Promise<number>;
  /** Small named values of the digest schedule (the last completed run). */
  getMark(name: string): Promise<string | undefined>;
  setMark(name: string, value: string): Promise<void>;
  /** The latest finished report of a kind (for /thongke). */
  lastReport(kind: BroadcastSpec['kind']): Promise<BroadcastReport | undefined>;
  close(): Promise<void>;
}

const journalKey = (id: string, r: Recipient) => `${id}|${r.channel}:${r.chatId}`;

/** Create the broadcast store over keyv namespaces on `adapter()` (Maps without it). */
export async function createBroadcastStore(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<BroadcastStore> {
  const make = <T>(namespace: string) => openNamespace<T>(options, namespace);
  const specs = await make<BroadcastSpec>('bcast');
  const batches = await make<Recipient[]>('bcastr');
  const journal = await make<JournalEntry>('bcastj');
  const meta = await make<unknown>('bcastm');
  let chain: Promise<unknown> = Promise.resolve();
  const owner = randomUUID();
  /** Updates of the small "running" list: serialised here, and under a lease across instances when given. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.catch(() => undefined).then(() => withLease(options.lease, 'bcast:running', owner, fn));
    chain = next;
    return next;
  };

  return {
    async create(spec, recipients) {
      if (await specs.get(spec.id)) return false;
      const count = Math.ceil(recipients.length / RECIPIENT_BATCH);
      // Batches first, the spec last: a spec that exists always has all its batches.
      for (let b = 0; b < count; b++) await batches.set(`${spec.id}|${b}`, recipients.slice(b * RECIPIENT_BATCH, (b + 1) * RECIPIENT_BATCH));
      await serial(async () => {
        const list = ((await meta.get('running')) as string[] | undefined) ?? [];
        await meta.set('running', [...list.filter((x) => x !== spec.id), spec.id]);
      });
      await specs.set(spec.id, { ...spec, total: recipients.length, batches: count, status: 'running' });
      return true;
    },
    get: (id) => specs.get(id),
    recipients: async (id, batch) => (await batches.get(`${id}|${batch}`)) ?? [],
    journal: async (id, recipient, entry) => {
      await journal.set(journalKey(id, recipient), entry);
    },
    journalMany: (id, recipients) => (recipients.length ? journal.getMany(recipients.map((r) => journalKey(id, r))) : Promise.resolve([])),
    async finish(id, report) {
      const spec = await specs.get(id);
      if (!spec) return;
      await specs.set(id, { ...spec, status: 'done', report });
      await meta.set(`last:${spec.kind}`, report);
      await serial(async () => {
        const list = ((await meta.get('running')) as string[] | undefined) ?? [];
        await meta.set(
          'running',
          list.filter((x) => x !== id),
        );
      });
      // The journal is only needed while a broadcast can still resume; the report stays.
      for (let b = 0; b < spec.batches; b++) {
        const recipients = (await batches.get(`${id}|${b}`)) ?? [];
        if (recipients.length) await journal.deleteMany(recipients.map((r) => journalKey(id, r)));
        await batches.delete(`${id}|${b}`);
      }
    },
    async running() {
      const list = ((await meta.get('running')) as string[] | undefined) ?? [];
      const found = await Promise.all(list.map((id) => specs.get(id)));
      return list.filter((_, i) => found[i]?.status === 'running');
    },
    async skipRecipient(channel, chatId, dryRun = false) {
      let held = 0;
      for (const id of ((await meta.get('running')) as string[] | undefined) ?? []) {
        const spec = await specs.get(id);
        if (spec?.status !== 'running') continue;
        for (let b = 0; b < spec.batches; b++) {
          const recipient = ((await batches.get(`${id}|${b}`)) ?? []).find((r) => r.channel === channel && r.chatId === chatId);
          if (!recipient) continue;
          held++;
          if (!dryRun) await journal.set(journalKey(id, recipient), { state: 'done', outcome: 'skipped' });
        }
      }
      return held;
    },
    getMark: async (name) => (await meta.get(`mark:${name}`)) as string | undefined,
    setMark: async (name, value) => {
      await meta.set(`mark:${name}`, value);
    },
    lastReport: async (kind) => (await meta.get(`last:${kind}`)) as BroadcastReport | undefined,
    async close() {
      await chain.catch(() => undefined);
      await Promise.allSettled([specs.disconnect(), batches.disconnect(), journal.disconnect(), meta.disconnect()]);
    },
  };
}
