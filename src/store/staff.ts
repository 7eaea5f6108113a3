import type { KeyvStoreAdapter } from 'keyv';
import { AppendLog, vnDay } from './append-log.js';
import { openNamespace } from './stores.js';
import type { Logger } from 'pino';

/** One staff action, kept for /nhatky. */
export interface AuditEntry {
  at: string;
  /** `channel:userId` of who did it. */
  who: string;
  action: string;
  detail?: string;
  outcome: 'ok' | 'denied' | 'failed' | 'cancelled';
}

/** Something staff should look at: a question without an answer, a low-confidence answer, a 👎. */
export interface InboxEntry {
  at: string;
  channel: string;
  question: string;
  reason: 'unanswered' | 'low_confidence' | 'thumbs_down';
  confidence?: number;
  /** Who asked, as staff see it: channel and pseudonymous id (`telegram:ab12cd`), never the chat id. */
  asker?: string;
}

/** A staff announcement: published as a searchable item, sent now or at `sendAt`. */
export interface Announcement {
  id: string;
  text: string;
  /** `channel:userId` of the author and the chat that gets progress messages. */
  author: string;
  authorChat: { channel: string; chatId: string };
  audience: 'topic' | 'all';
  /** Topic ids it is for, chosen in the console (subscribers of any of them, or of every topic); absent: `audience` decides. */
  topics?: string[];
  /** Provinces it is for (subscribers of any of them, or of the whole country); absent or empty: everywhere. */
  provinces?: string[];
  createdAt: string;
  /** When it is due (ISO); equal to createdAt for "send now". */
  sendAt: string;
  status: 'scheduled' | 'sending' | 'sent' | 'cancelled';
}

/** Questions asked and answered on one Vietnam day (for /thongke). */
export interface DayCounts {
  asked: number;
  answered: number;
}

/** Roles, audit log, staff inbox, announcements, unpublished items and daily question counts. */
export interface StaffStore {
  /** `channel:userId` entries granted the staff role in chat (admins come from ADMIN_IDS). */
  isStaff(who: string): Promise<boolean>;
  grant(who: string, by: string, at: Date): Promise<void>;
  revoke(who: string): Promise<boolean>;
  audit: AppendLog<AuditEntry>;
  inbox: AppendLog<InboxEntry>;
  saveAnnouncement(a: Announcement): Promise<void>;
  getAnnouncement(id: string): Promise<Announcement | undefined>;
  /** Every announcement ever saved (a short list: staff write few). */
  announcements(): Promise<Announcement[]>;
  /** Ids taken out of the index by /xoabai; they stay out after a restart. */
  unpublished(): Promise<string[]>;
  unpublish(id: string): Promise<void>;
  /** Count a question (and whether it was answered) on its Vietnam day. */
  countQuestion(at: Date, answered: boolean): Promise<void>;
  counts(day: string): Promise<DayCounts>;
  close(): Promise<void>;
}

/** Create the staff store over keyv namespaces on `adapter()` (Maps without it). */
export async function createStaffStore(options: { adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter; log: Logger }): Promise<StaffStore> {
  const make = (namespace: string) => openNamespace<unknown>(options, namespace);
  const roles = await make('roles');
  const audit = await make('audit');
  const inbox = await make('inbox');
  const ann = await make('ann');
  const stats = await make('stats');
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.catch(() => undefined).then(fn);
    chain = next;
    return next;
  };

  return {
    isStaff: async (who) => (await roles.get(who)) !== undefined,
    grant: async (who, by, at) => {
      await roles.set(who, { by, at: at.toISOString() });
    },
    revoke: (who) => roles.delete(who),
    audit: new AppendLog<AuditEntry>(audit),
    inbox: new AppendLog<InboxEntry>(inbox),
    saveAnnouncement: (a) =>
      serial(async () => {
        await ann.set(`a:${a.id}`, a);
        const ids = ((await ann.get('ids')) as string[] | undefined) ?? [];
        if (!ids.includes(a.id)) await ann.set('ids', [...ids, a.id]);
      }),
    getAnnouncement: async (id) => (await ann.get(`a:${id}`)) as Announcement | undefined,
    async announcements() {
      const ids = ((await ann.get('ids')) as string[] | undefined) ?? [];
      const all = ids.length ? await ann.getMany(ids.map((id) => `a:${id}`)) : [];
      return all.filter((a): a is Announcement => a !== undefined);
    },
    unpublished: async () => ((await ann.get('unpublished')) as string[] | undefined) ?? [],
    unpublish: (id) =>
      serial(async () => {
        const ids = ((await ann.get('unpublished')) as string[] | undefined) ?? [];
        if (!ids.includes(id)) await ann.set('unpublished', [...ids, id]);
      }),
    countQuestion: (at, answered) =>
      serial(async () => {
        const key = `q:${vnDay(at.toISOString())}`;
        const c = ((await stats.get(key)) as DayCounts | undefined) ?? { asked: 0, answered: 0 };
        await stats.set(key, { asked: c.asked + 1, answered: c.answered + (answered ? 1 : 0) });
      }),
    counts: async (day) => ((await stats.get(`q:${day}`)) as DayCounts | undefined) ?? { asked: 0, answered: 0 },
    async close() {
      await chain.catch(() => undefined);
      await Promise.allSettled([roles, audit, inbox, ann, stats].map((kv) => kv.disconnect()));
    },
  };
}
