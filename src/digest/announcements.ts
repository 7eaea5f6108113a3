import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { staffText } from '../copy/messages.js';
import type { Channel, ChannelId, OutboundMessage } from '../core/chat.js';
import type { SearchDoc } from '../content/types.js';
import type { ArticleIndex } from '../search/article-index.js';
import type { IndexPublisher } from '../search/sync.js';
import type { BroadcastStore, Recipient } from '../store/broadcasts.js';
import { createMemoryLease, type Lease } from '../store/lock.js';
import type { Announcement, StaffStore } from '../store/staff.js';
import type { SubscriptionStore } from '../store/subscriptions.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { BroadcastReport, Broadcaster } from './broadcaster.js';
import { vnDateLabel } from './time.js';

/** Settings of the announcement service. */
export interface AnnouncementOptions {
  staff: StaffStore;
  index: ArticleIndex;
  subscriptions: SubscriptionStore;
  broadcasts: BroadcastStore;
  broadcaster: Broadcaster;
  channels: Map<ChannelId, Channel>;
  log: Logger;
  lease?: Lease;
  instanceId?: string;
  /** Least time between two progress messages in the staff chat. */
  progressEveryMs?: number;
  /** How long a lease outlives an instance that died holding it. */
  leaseTtlMs?: number;
  /** Where published items go (other instances too); the local index when absent. */
  publisher?: IndexPublisher;
}

const DEFAULT_LEASE_TTL_MS = 60_000;
/** setTimeout's longest wait; later sends are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The searchable item of an announcement: first line as the title, the whole text as the body. */
function announcementDoc(a: Announcement): SearchDoc {
  const title = a.text.split('\n')[0]!.trim().slice(0, 160);
  return {
    id: a.id,
    type: 'article',
    kind: 'announcement',
    title,
    summary: '',
    body: a.text,
    publishedAt: a.sendAt,
    source: 'Cán bộ Mặt trận (thông báo qua bot)',
    topics: ['thong-bao'],
  };
}

/** The message subscribers get, exactly as the staff preview shows it. */
export function announcementMessage(a: Pick<Announcement, 'text' | 'sendAt'>): OutboundMessage {
  return { text: staffText.announcement(a.text, vnDateLabel(new Date(a.sendAt))) };
}

/**
 * Staff announcements: published as searchable items when sent, broadcast through the broadcaster to the
 * subscribers of "Thông báo" (or to everyone, or to the topics and provinces chosen in the console), with progress
 * and a final report in the author's chat.
 * Scheduled ones are stored and re-armed at start; a lease and the broadcast id `ann:<id>` make each
 * go out once, whichever instance fires first.
 */
export function createAnnouncementService(options: AnnouncementOptions) {
  const { staff, index, subscriptions, broadcasts, broadcaster, log } = options;
  const lease = options.lease ?? createMemoryLease();
  const instanceId = options.instanceId ?? randomUUID();
  const timers = new Map<string, NodeJS.Timeout>();
  const lastProgress = new Map<string, number>();
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const publisher = options.publisher ?? index;
  /** Announcements this process is sending now (the lease is ours again for a second caller here). */
  const sendingHere = new Set<string>();
  /** A store outage pauses the broadcast (logged once by the store and the broadcaster); the sweep sends it on. */
  const failed = (id: string) => (err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err, announcement: id }, 'announcement failed'));

  const tell = async (a: Announcement, text: string) => {
    const channel = options.channels.get(a.authorChat.channel as ChannelId);
    if (!channel) return; // staff on the web chat see the report with /thongke
    const result = await channel.send(a.authorChat.chatId, { text });
    if (!result.ok) log.warn({ reason: result.reason, announcement: a.id }, 'could not tell the author');
  };

  async function recipients(a: Announcement): Promise<Recipient[]> {
    const keys = await subscriptions.allKeys();
    const subs = await subscriptions.getMany([...new Set(keys)]);
    return subs
      .filter((s) => s && !s.inactive && !s.paused && options.channels.has(s.channel))
      .filter((s) => a.audience === 'all' || s!.topics.length === 0 || (a.topics ?? ['thong-bao']).some((t) => s!.topics.includes(t)))
      .filter((s) => !a.provinces?.length || s!.provinces.length === 0 || a.provinces.some((p) => s!.provinces.includes(p)))
      .map((s) => ({ channel: s!.channel, chatId: s!.chatId }));
  }

  /** Publish and broadcast now (or resume a broadcast a crash interrupted). Once per announcement. */
  async function send(id: string): Promise<BroadcastReport | undefined> {
    if (sendingHere.has(id)) return undefined;
    sendingHere.add(id);
    try {
      return await sendLeased(id);
    } finally {
      sendingHere.delete(id);
    }
  }

  async function sendLeased(id: string): Promise<BroadcastReport | undefined> {
    const name = `ann:${id}`;
    if (!(await lease.acquire(name, instanceId, leaseTtlMs))) return undefined;
    const renew = setInterval(() => void lease.acquire(name, instanceId, leaseTtlMs).catch(() => undefined), leaseTtlMs / 3);
    try {
      const a = await staff.getAnnouncement(id);
      if (!a || a.status === 'cancelled' || a.status === 'sent') return undefined;
      if (a.status !== 'sending') await staff.saveAnnouncement({ ...a, status: 'sending' });
      publisher.upsert(announcementDoc(a));
      if (!(await broadcasts.get(name))) {
        const list = await recipients(a);
        if (list.length === 0) {
          await staff.saveAnnouncement({ ...a, status: 'sent' });
          await tell(a, staffText.nobody);
          return undefined;
        }
        await broadcasts.create({ id: name, kind: 'announcement', createdAt: new Date().toISOString(), params: { announcement: id } }, list);
        await tell(a, staffText.sending(list.length));
      }
      const message = announcementMessage(a);
      const report = await broadcaster.run(name, () => [message]);
      await staff.saveAnnouncement({ ...a, status: 'sent' });
      const seconds = Math.round((Date.parse(report.finishedAt ?? report.startedAt) - Date.parse(report.startedAt)) / 1000);
      await tell(a, staffText.report({ sent: report.sent, blocked: report.blocked, failed: report.failed, seconds }));
      return report;
    } finally {
      clearInterval(renew);
      await lease.release(name, instanceId).catch(() => undefined);
    }
  }

  /** Fire `a` at its time (now if it is due). */
  function arm(a: Announcement): void {
    clearTimeout(timers.get(a.id));
    const wait = Date.parse(a.sendAt) - Date.now();
    const fire = () => {
      timers.delete(a.id);
      if (Date.parse(a.sendAt) - Date.now() > 0) return arm(a);
      void send(a.id).catch(failed(a.id));
    };
    timers.set(a.id, setTimeout(fire, Math.max(0, Math.min(wait, MAX_TIMER_MS))));
  }

  return {
    /** Store a new announcement; send it now or arm it for later. */
    async create(
      draft: Pick<Announcement, 'text' | 'author' | 'authorChat' | 'audience' | 'topics' | 'provinces'>,
      sendAt: Date | undefined,
      now: Date,
    ): Promise<Announcement> {
      const a: Announcement = {
        ...draft,
        id: `tb-${now.getTime().toString(36)}-${randomUUID().slice(0, 6)}`,
        createdAt: now.toISOString(),
        sendAt: (sendAt ?? now).toISOString(),
        status: 'scheduled',
      };
      await staff.saveAnnouncement(a);
      if (sendAt) arm(a);
      // Searchable at once; the broadcast follows.
      else publisher.upsert(announcementDoc(a));
      if (!sendAt) void send(a.id).catch(failed(a.id));
      return a;
    },

    send,

    /**
     * At start: put sent announcements back in the index, take unpublished items out, resume a broadcast a
     * crash interrupted and re-arm scheduled ones (those already due go out now, once).
     */
    async restore(): Promise<void> {
      for (const a of await staff.announcements()) {
        if (a.status === 'sent') index.upsert(announcementDoc(a));
        else if (a.status === 'sending' || a.status === 'scheduled') arm(a);
      }
      for (const id of await staff.unpublished()) index.remove(id);
    },

    /**
     * Send what is due and nobody is sending: an announcement whose instance died mid-broadcast (lease
     * expired) or whose timer was on an instance that is gone. Called every half lease.
     */
    async sweep(now = new Date()): Promise<void> {
      for (const a of await staff.announcements()) {
        if ((a.status === 'sending' || a.status === 'scheduled') && Date.parse(a.sendAt) <= now.getTime() && !sendingHere.has(a.id)) {
          await send(a.id).catch(failed(a.id));
        }
      }
    },

    /** Broadcaster progress of announcement broadcasts, relayed to the author's chat now and then. */
    progress(report: BroadcastReport): void {
      if (!report.id.startsWith('ann:') || report.finishedAt) return;
      const at = Date.now();
      if (at - (lastProgress.get(report.id) ?? 0) < (options.progressEveryMs ?? 15_000)) return;
      lastProgress.set(report.id, at);
      void staff.getAnnouncement(report.id.slice(4)).then((a) => a && tell(a, staffText.progress(report)));
    },

    /** Stop the timers (shutdown). */
    stop(): void {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

/** The announcement service's public face. */
export type AnnouncementService = ReturnType<typeof createAnnouncementService>;
