import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import type { BroadcastStore } from './broadcasts.js';
import { withLease, type Lease } from './lock.js';
import type { StaffStore } from './staff.js';
import { openNamespace, type Stores } from './stores.js';
import type { SubscriptionStore } from './subscriptions.js';
import { askerKey, type TicketStore } from './tickets.js';

/** Whose data: the chat, and the pseudonymous id staff see for it. */
export interface Person {
  channel: string;
  chatId: string;
  /** `channel:xxxxxx` (see {@link Pseudonyms}). */
  pseudonym: string;
}

/** One kind of data kept about a person: how many records, and the oldest one's time. */
export interface PersonalDataItem {
  /** `subscription`, `chat`, `feedback`, `unanswered`, `inbox`, `delivery`, `ticket`… (labels in the copy module). */
  kind: string;
  count: number;
  /** ISO time of the oldest record, when known. */
  since?: string;
}

/**
 * A store that keeps data about people: what /dulieucuatoi lists, what /xoadulieu erases, what the retention
 * job expires. Every store holding chat ids or citizens' wording registers one.
 */
export interface PersonalDataSource {
  /** Short name, for logs. */
  readonly name: string;
  /** What is kept about `person` (kinds with a count of zero are left out). */
  describe(person: Person, now: Date): Promise<PersonalDataItem[]>;
  /** Erase everything about `person`; anonymous counts (statistics) stay. Resolves with what was erased. */
  erase(person: Person, now: Date): Promise<PersonalDataItem[]>;
  /** Erase records written before `before` (recorded questions, closed tickets); resolves with how many. */
  expire?(before: Date): Promise<number>;
}

/** The short stable id staff see instead of a chat id. */
export interface Pseudonyms {
  /** `channel:xxxxxx`: six base32 characters of an HMAC of `channel:chatId` with the installation's secret. */
  of(channel: string, chatId: string): Promise<string>;
  close(): Promise<void>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The first `length` characters of the RFC 4648 base32 form of `bytes` (lower case, no padding). */
function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let bit = 0; out.length < length && bit + 5 <= bytes.length * 8; bit += 5) {
    const byte = bit >> 3;
    const word = (bytes[byte]! << 8) | (bytes[byte + 1] ?? 0);
    out += BASE32[(word >> (11 - (bit & 7))) & 31];
  }
  return out;
}

/** The pseudonym of a chat under `secret` (pure: what {@link Pseudonyms.of} computes). */
export function pseudonymOf(secret: string, channel: string, chatId: string): string {
  return `${channel}:${base32(createHmac('sha256', secret).update(`${channel}:${chatId}`).digest(), 6)}`;
}

/**
 * Pseudonyms from a secret made once per installation and kept in the store (namespace `install`), so they
 * stay the same across restarts and instances; the first instance to need it creates it under a lease.
 */
export async function createPseudonyms(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<Pseudonyms> {
  const kv = await openNamespace<string>(options, 'install');
  let secret: Promise<string> | undefined;
  const load = () =>
    withLease(options.lease, 'install:secret', randomUUID(), async () => {
      const stored = await kv.get('secret');
      if (stored) return stored;
      const made = randomBytes(32).toString('base64url');
      await kv.set('secret', made);
      return made;
    });
  return {
    async of(channel, chatId) {
      // A failed read is tried again on the next call, not cached.
      secret ??= load().catch((err: unknown) => {
        secret = undefined;
        throw err;
      });
      return pseudonymOf(await secret, channel, chatId);
    },
    close: () => kv.disconnect(),
  };
}

/** Count records by kind, with the oldest time of each. */
function tally(records: { kind: string; at?: string }[]): PersonalDataItem[] {
  const items = new Map<string, PersonalDataItem>();
  for (const r of records) {
    const item = items.get(r.kind) ?? { kind: r.kind, count: 0, since: r.at };
    item.count++;
    if (r.at && (!item.since || r.at < item.since)) item.since = r.at;
    items.set(r.kind, item);
  }
  return [...items.values()];
}

/** The digest subscription (kept until cancelled: no expiry). */
export function subscriptionData(subscriptions: SubscriptionStore): PersonalDataSource {
  return {
    name: 'subscriptions',
    async describe(p) {
      const sub = await subscriptions.get(p.channel, p.chatId);
      return sub ? [{ kind: 'subscription', count: 1, since: sub.createdAt }] : [];
    },
    erase: async (p) => ((await subscriptions.remove(p.channel, p.chatId)) ? [{ kind: 'subscription', count: 1 }] : []),
  };
}

/** Chat state (7 days at most), 👍/👎 and unanswered questions (through their index by day and person). */
export function conversationData(stores: Stores): PersonalDataSource {
  const mine = (p: Person) => (ref: { person: string }) => ref.person === `${p.channel}:${p.chatId}`;
  const deleteRecords = async (refs: { kind: 'feedback' | 'unanswered'; key: string }[]) => {
    const feedback = refs.filter((r) => r.kind === 'feedback').map((r) => r.key);
    const unanswered = refs.filter((r) => r.kind === 'unanswered').map((r) => r.key);
    if (feedback.length) await stores.feedback.deleteMany(feedback);
    if (unanswered.length) await stores.unanswered.deleteMany(unanswered);
  };
  return {
    name: 'conversation',
    async describe(p, now) {
      const state = await stores.chats.get(`${p.channel}:${p.chatId}`);
      const chat = state && Object.keys(state).length > 0 ? [{ kind: 'chat', at: state.lastAt ? new Date(state.lastAt).toISOString() : undefined }] : [];
      return tally([...chat, ...(await stores.records.findWhere(mine(p), now))]);
    },
    async erase(p, now) {
      const refs = await stores.records.removeWhere(mine(p), now);
      await deleteRecords(refs);
      const hadChat = await stores.chats.delete(`${p.channel}:${p.chatId}`);
      return tally([...(hadChat ? [{ kind: 'chat' }] : []), ...refs.map((r) => ({ kind: r.kind }))]);
    },
    async expire(before) {
      const refs = await stores.records.expireBefore(before);
      await deleteRecords(refs);
      return refs.length;
    },
  };
}

/** Questions kept for staff in the inbox (/cauhoi), linked to a person by pseudonym. */
export function inboxData(staff: StaffStore): PersonalDataSource {
  const mine = (p: Person) => (e: { asker?: string }) => e.asker === p.pseudonym;
  return {
    name: 'inbox',
    describe: async (p, now) => tally((await staff.inbox.findWhere(mine(p), now)).map((e) => ({ kind: 'inbox', at: e.at }))),
    erase: async (p, now) => tally((await staff.inbox.removeWhere(mine(p), now)).map(() => ({ kind: 'inbox' }))),
    expire: async (before) => (await staff.inbox.expireBefore(before)).length,
  };
}

/** Deliveries still due in running broadcasts (finished ones keep no chat ids: their journals are deleted). */
export function broadcastData(broadcasts: BroadcastStore): PersonalDataSource {
  const item = (count: number): PersonalDataItem[] => (count > 0 ? [{ kind: 'delivery', count }] : []);
  return {
    name: 'broadcasts',
    describe: async (p) => item(await broadcasts.skipRecipient(p.channel, p.chatId, true)),
    erase: async (p) => item(await broadcasts.skipRecipient(p.channel, p.chatId)),
  };
}

/**
 * Tickets a chat asked (its wording and chat id in each); erasure through the ticket store's forgetAsker.
 * Expiry erases tickets answered or closed before the cutoff, with their askers' index entries (open ones stay).
 */
export function ticketData(tickets: TicketStore): PersonalDataSource {
  return {
    name: 'tickets',
    async describe(p) {
      const key = `${p.channel}:${p.chatId}`;
      const mine = await tickets.mine(p.channel, p.chatId);
      return tally(mine.map((t) => ({ kind: 'ticket', at: t.askers.find((a) => askerKey(a) === key)?.at })));
    },
    erase: async (p) => {
      const count = await tickets.forgetAsker(p.channel, p.chatId);
      return count > 0 ? [{ kind: 'ticket', count }] : [];
    },
    expire: (before) => tickets.expireClosed(before),
  };
}

/** Run every source's expiry for records written before `before`; resolves with the count per source. */
export async function expirePersonalData(sources: readonly PersonalDataSource[], before: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const source of sources) if (source.expire) counts[source.name] = await source.expire(before);
  return counts;
}
