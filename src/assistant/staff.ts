import type { Logger } from 'pino';
import type { SearchDoc } from '../content/types.js';
import type { InboundMessage, OutboundMessage } from '../core/chat.js';
import { announcementMessage, type AnnouncementService } from '../digest/announcements.js';
import type { BroadcastReport } from '../digest/broadcaster.js';
import { TOPIC_IDS } from '../digest/topics.js';
import { foldTokens } from '../search/analyzer.js';
import type { ArticleIndex } from '../search/article-index.js';
import type { IndexPublisher } from '../search/sync.js';
import type { Lexicon } from '../search/lexicon.js';
import type { BroadcastStore } from '../store/broadcasts.js';
import type { Pseudonyms } from '../store/personal.js';
import type { AuditEntry, InboxEntry, StaffStore } from '../store/staff.js';
import type { ChatState } from '../store/stores.js';
import type { SubscriptionStore } from '../store/subscriptions.js';
import { quoteTitle, staffText as t, topicLabels } from '../copy/messages.js';
import { formatWhen, parseWhen } from './when.js';

/** Commands only staff may use; the first two only admins. */
export const ADMIN_COMMANDS = ['capquyen', 'thuhoiquyen'] as const;
export const STAFF_COMMANDS = ['thongbao', 'cauhoi', 'thongke', 'nhatky', 'xoabai', 'nhapbai', ...ADMIN_COMMANDS] as const;

/** Longest announcement: one Zalo message with the header. */
export const MAX_ANNOUNCEMENT_CHARS = 1800;

/** Dependencies of the staff commands. */
export interface StaffFlowOptions {
  staff: StaffStore;
  /** `channel:userId` of the admins (ADMIN_IDS). */
  admins: ReadonlySet<string>;
  announcements: AnnouncementService;
  subscriptions: SubscriptionStore;
  broadcasts: BroadcastStore;
  index: ArticleIndex;
  lexicon: Lexicon;
  log: Logger;
  /** Where removals go (other instances too); the local index when absent. */
  publisher?: IndexPublisher;
  /** How staff see citizens (inbox, audit log): channel and a pseudonymous id instead of the chat id. */
  pseudonyms?: Pseudonyms;
  /** Imports one URL (/nhapbai); absent when the importer is not enabled. `source.forbidden`: refused by the address policy. */
  /** The tickets line of /thongke (open tickets, median time to answer, answers received), when tickets exist. */
  ticketStats?: () => Promise<string>;
  importUrl?: (url: string) => Promise<{
    new: number;
    updated: number;
    skipped: number;
    failed: { url: string; reason: string }[];
    items: { title: string }[];
    source: { forbidden?: 'address' | 'port' };
  }>;
}

const who = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;

/** Content words of a question, for grouping alike ones. */
export function contentWords(question: string, lexicon: Lexicon): Set<string> {
  return new Set(foldTokens(question).filter((w) => w.length > 1 && !lexicon.stopwords.has(w)));
}

/** Two questions are alike when most of their content words are shared (Jaccard ≥ 0.6). */
export function similar(a: Set<string>, b: Set<string>): boolean {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union > 0 && shared / union >= 0.6;
}

/**
 * Take an item out of search and the digest for good (/xoabai and the staff console): removed from every
 * instance's index and remembered as unpublished. The item, or undefined when no item has that id.
 */
export async function unpublishItem(
  deps: { index: ArticleIndex; publisher?: IndexPublisher; staff: Pick<StaffStore, 'unpublish'> },
  id: string,
): Promise<SearchDoc | undefined> {
  const doc = deps.index.get(id);
  if (!doc) return undefined;
  (deps.publisher ?? deps.index).remove(id);
  await deps.staff.unpublish(id);
  return doc;
}

const vnTime = (iso: string) => formatWhen(new Date(iso)).replace(' ngày ', ' ');

/**
 * The staff commands: roles (/capquyen, /thuhoiquyen), announcements with preview, confirmation and
 * schedule (/thongbao), the question inbox (/cauhoi), statistics (/thongke), the audit log (/nhatky) and
 * unpublishing (/xoabai). Every command checks the role first; a refusal is logged and audited.
 */
export function createStaffFlow(options: StaffFlowOptions) {
  const { staff, log } = options;

  async function roleOf(msg: InboundMessage): Promise<'admin' | 'staff' | 'citizen'> {
    // The web chat's session id is whatever the browser sends: nobody is staff there.
    if (msg.channel === 'web') return 'citizen';
    if (options.admins.has(who(msg))) return 'admin';
    return (await staff.isStaff(who(msg))) ? 'staff' : 'citizen';
  }

  /** A citizen as staff see them: `channel:xxxxxx`, never the chat id (undefined without pseudonyms: the audit then names `channel:userId`). */
  const asker = async (msg: InboundMessage) => options.pseudonyms?.of(msg.channel, msg.chatId);

  async function audit(msg: InboundMessage, at: Date, action: string, outcome: AuditEntry['outcome'], detail?: string, by = who(msg)): Promise<void> {
    await staff.audit
      .append({ at: at.toISOString(), who: by, action, detail: detail?.slice(0, 200), outcome })
      .catch((err: unknown) => log.error({ err, action }, 'could not write the audit log'));
  }

  function choices(state: ChatState): OutboundMessage {
    const audience = state.draft?.audience ?? 'topic';
    return {
      text: t.choose(audience),
      buttons: [
        [{ label: t.buttonSendNow, data: 'ann:now' }],
        [{ label: t.buttonSchedule, data: 'ann:later' }],
        [{ label: t.buttonAudience(audience), data: 'ann:aud' }],
        [{ label: t.buttonCancel, data: 'ann:cancel' }],
      ],
    };
  }

  async function inbox(n: number, at: Date): Promise<OutboundMessage> {
    const entries = await staff.inbox.latest(Math.max(50, n * 5), at);
    if (entries.length === 0) return { text: t.inboxEmpty };
    const groups: { words: Set<string>; entries: InboxEntry[] }[] = [];
    for (const e of entries) {
      const words = contentWords(e.question, options.lexicon);
      const group = groups.find((g) => similar(g.words, words));
      if (group) group.entries.push(e);
      else groups.push({ words, entries: [e] });
    }
    const shown = groups.slice(0, n);
    const lines = shown.map((g) =>
      t.inboxLine(
        g.entries.length,
        g.entries[0]!.question,
        vnTime(g.entries[0]!.at),
        [...new Set(g.entries.map((e) => t.reasonLabel[e.reason] ?? e.reason))],
        [...new Set(g.entries.flatMap((e) => (e.asker ? [e.asker] : [])))],
      ),
    );
    return { text: [t.inboxTitle(shown.length), ...lines].join('\n') };
  }

  async function stats(at: Date): Promise<OutboundMessage> {
    const keys = [...new Set(await options.subscriptions.allKeys())];
    const subs = (await options.subscriptions.getMany(keys)).filter((s) => s !== undefined);
    const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    const byChannel = new Map<string, number>();
    const byTopic = new Map<string, number>();
    const byProvince = new Map<string, number>();
    for (const s of subs) {
      count(byChannel, s!.inactive ? `${s!.channel} (${t.inactive})` : s!.paused ? `${s!.channel} (${t.paused})` : s!.channel);
      if (s!.inactive) continue;
      for (const topic of s!.topics.length ? s!.topics : [t.allTopics]) count(byTopic, topicLabels[topic] ?? topic);
      for (const p of s!.provinces.length ? s!.provinces : [t.wholeCountry]) count(byProvince, p);
    }
    const fmt = (m: Map<string, number>, limit = 10) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ');
    const day = (d: number) => new Date(at.getTime() + 7 * 3_600_000 - d * 86_400_000).toISOString().slice(0, 10);
    const week = { asked: 0, answered: 0 };
    for (let d = 0; d < 7; d++) {
      const c = await staff.counts(day(d));
      week.asked += c.asked;
      week.answered += c.answered;
    }
    const report = (r: BroadcastReport | undefined) => (r ? t.reportLine(r, vnTime(r.finishedAt ?? r.startedAt)) : undefined);
    const tickets = await options.ticketStats?.();
    return {
      text: [
        t.stats({
          byChannel: fmt(byChannel),
          byTopic: fmt(byTopic, TOPIC_IDS.length + 1),
          byProvince: fmt(byProvince),
          today: await staff.counts(day(0)),
          week,
          lastDigest: report(await options.broadcasts.lastReport('digest')),
          lastAnnouncement: report(await options.broadcasts.lastReport('announcement')),
        }),
        ...(tickets ? [tickets] : []),
      ].join('\n'),
    };
  }

  async function command(msg: InboundMessage, state: ChatState, name: string, args: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!(STAFF_COMMANDS as readonly string[]).includes(name)) return undefined;
    const role = await roleOf(msg);
    const adminOnly = (ADMIN_COMMANDS as readonly string[]).includes(name);
    if (role === 'citizen' || (adminOnly && role !== 'admin')) {
      log.warn({ who: who(msg), command: name }, 'staff command refused');
      await audit(msg, at, `/${name}`, 'denied', undefined, role === 'citizen' ? await asker(msg) : undefined);
      return [{ text: role === 'citizen' ? t.denied : t.adminOnly }];
    }
    state.awaiting = undefined;
    switch (name) {
      case 'capquyen':
      case 'thuhoiquyen': {
        const target = args.trim();
        if (!/^(telegram|zalo):[\w-]{1,64}$/.test(target)) return [{ text: name === 'capquyen' ? t.grantUsage : t.revokeUsage }];
        if (name === 'capquyen') {
          await staff.grant(target, who(msg), at);
          await audit(msg, at, '/capquyen', 'ok', target);
          return [{ text: t.granted(target) }];
        }
        const had = await staff.revoke(target);
        await audit(msg, at, '/thuhoiquyen', had ? 'ok' : 'failed', target);
        return [{ text: had ? t.revoked(target) : t.notStaff(target) }];
      }
      case 'thongbao': {
        const text = args.replace(/\r\n?/g, '\n').trim();
        if (!text) return [{ text: t.announceUsage }];
        if (text.length > MAX_ANNOUNCEMENT_CHARS) return [{ text: t.announceTooLong(MAX_ANNOUNCEMENT_CHARS) }];
        state.draft = { text, audience: 'topic' };
        await audit(msg, at, '/thongbao', 'ok', 'xem trước');
        return [{ text: t.previewHead }, announcementMessage({ text, sendAt: at.toISOString() }), choices(state)];
      }
      case 'cauhoi':
        await audit(msg, at, '/cauhoi', 'ok', args);
        return [await inbox(Math.min(Math.max(Number(args) || 10, 1), 30), at)];
      case 'thongke':
        await audit(msg, at, '/thongke', 'ok');
        return [await stats(at)];
      case 'nhatky': {
        const entries = await staff.audit.latest(Math.min(Math.max(Number(args) || 10, 1), 50), at);
        if (entries.length === 0) return [{ text: t.auditEmpty }];
        return [{ text: [t.auditTitle(entries.length), ...entries.map((e) => t.auditLine(vnTime(e.at), e.who, e.action, e.detail, e.outcome))].join('\n') }];
      }
      case 'nhapbai': {
        const url = args.trim();
        if (!/^https?:\/\/\S+$/i.test(url)) return [{ text: t.importUsage }];
        if (!options.importUrl) return [{ text: t.importUnavailable }];
        const summary = await options.importUrl(url);
        const refused = summary.source.forbidden;
        if (refused) {
          log.warn({ who: who(msg), url, rule: refused }, 'import refused by the address policy');
          await audit(msg, at, '/nhapbai', 'denied', t.importRefusedDetail(url, refused));
          return [{ text: refused === 'address' ? t.importForbiddenAddress : t.importForbiddenPort }];
        }
        const outcome = summary.failed.length > 0 && summary.new + summary.updated === 0 ? 'failed' : 'ok';
        await audit(msg, at, '/nhapbai', outcome, `${url} (mới ${summary.new}, cập nhật ${summary.updated}, lỗi ${summary.failed.length})`);
        if (summary.new + summary.updated + summary.skipped === 0 && summary.failed.length > 0) return [{ text: t.importFailed(summary.failed[0]!.reason) }];
        return [
          {
            text: t.importDone(
              { new: summary.new, updated: summary.updated, skipped: summary.skipped, failed: summary.failed.length },
              summary.items.map((i) => i.title),
            ),
          },
        ];
      }
      default: {
        // xoabai
        const id = args.trim();
        if (!id) return [{ text: t.removeUsage }];
        const doc = await unpublishItem(options, id);
        if (!doc) {
          await audit(msg, at, '/xoabai', 'failed', id);
          return [{ text: t.removeMissing(id) }];
        }
        await audit(msg, at, '/xoabai', 'ok', `${id} ${quoteTitle(doc.title.slice(0, 80))}`);
        return [{ text: t.removed(id, doc.title) }];
      }
    }
  }

  async function press(msg: InboundMessage, state: ChatState, data: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (!data.startsWith('ann:')) return undefined;
    const role = await roleOf(msg);
    if (role === 'citizen') {
      await audit(msg, at, data, 'denied', undefined, await asker(msg));
      return [{ text: t.denied }];
    }
    const draft = state.draft;
    if (!draft) return [{ text: t.noDraft }];
    switch (data) {
      case 'ann:aud':
        draft.audience = draft.audience === 'all' ? 'topic' : 'all';
        return [choices(state)];
      case 'ann:cancel':
        state.draft = undefined;
        state.awaiting = undefined;
        await audit(msg, at, '/thongbao', 'cancelled');
        return [{ text: t.cancelled }];
      case 'ann:later':
        state.awaiting = 'annTime';
        return [{ text: t.askWhen }];
      case 'ann:now': {
        state.draft = undefined;
        const a = await options.announcements.create(
          { text: draft.text, audience: draft.audience, author: who(msg), authorChat: { channel: msg.channel, chatId: msg.chatId } },
          undefined,
          at,
        );
        await audit(msg, at, '/thongbao', 'ok', `gửi ngay ${a.id} (${draft.audience === 'all' ? 'tất cả' : 'chủ đề Thông báo'})`);
        return [{ text: t.confirmedNow }];
      }
      default:
        return [{ text: t.noDraft }];
    }
  }

  async function typed(msg: InboundMessage, state: ChatState, text: string, at: Date): Promise<OutboundMessage[] | undefined> {
    if (state.awaiting !== 'annTime') return undefined;
    const draft = state.draft;
    if (!draft || (await roleOf(msg)) === 'citizen') {
      state.awaiting = undefined;
      return undefined;
    }
    const when = parseWhen(text, at);
    if (!when) return [{ text: t.whenUnknown }];
    state.awaiting = undefined;
    state.draft = undefined;
    const a = await options.announcements.create(
      { text: draft.text, audience: draft.audience, author: who(msg), authorChat: { channel: msg.channel, chatId: msg.chatId } },
      when,
      at,
    );
    await audit(msg, at, '/thongbao', 'ok', `hẹn ${formatWhen(when)} ${a.id}`);
    return [{ text: t.scheduled(formatWhen(when)) }];
  }

  /** Conversation events: what staff see in /cauhoi and /thongke. */
  async function questionAnswered(msg: InboundMessage, question: string, kind: 'answer' | 'no_answer', confidence: number, at: Date): Promise<void> {
    await staff.countQuestion(at, kind === 'answer');
    if (kind === 'no_answer')
      await staff.inbox.append({ at: at.toISOString(), channel: msg.channel, question, reason: 'unanswered', confidence, asker: await asker(msg) });
    else if (confidence < 0.55)
      await staff.inbox.append({ at: at.toISOString(), channel: msg.channel, question, reason: 'low_confidence', confidence, asker: await asker(msg) });
  }

  async function thumbsDown(msg: InboundMessage, question: string, at: Date): Promise<void> {
    await staff.inbox.append({ at: at.toISOString(), channel: msg.channel, question, reason: 'thumbs_down', asker: await asker(msg) });
  }

  /** The staff commands, for staff and admins asking /trogiup. */
  async function help(msg: InboundMessage): Promise<string | undefined> {
    const role = await roleOf(msg);
    if (role === 'citizen') return undefined;
    return role === 'admin' ? `${t.staffHelp}\n${t.adminHelp}` : t.staffHelp;
  }

  return { command, press, typed, help, questionAnswered, thumbsDown, roleOf };
}
