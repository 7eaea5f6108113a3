import type { Logger } from 'pino';
import { z } from 'zod';
import { MAX_ANNOUNCEMENT_CHARS } from '../../assistant/staff.js';
import { formatWhen } from '../../assistant/when.js';
import { renderTelegram } from '../../channels/telegram/render.js';
import { renderZalo } from '../../channels/zalo/render.js';
import { consoleContentText as t, staffText, topicLabels } from '../../copy/messages.js';
import type { OutboundMessage } from '../../core/chat.js';
import { announcementMessage, type AnnouncementService } from '../../digest/announcements.js';
import type { Broadcaster, BroadcastReport } from '../../digest/broadcaster.js';
import { TOPIC_IDS } from '../../digest/topics.js';
import type { BroadcastSpec, BroadcastStore } from '../../store/broadcasts.js';
import type { Announcement, StaffStore } from '../../store/staff.js';
import { countChars, normalizeMessage } from '../../text/normalize.js';
import { ApiError, type ApiContext, type ApiResult, type ApiRoute } from './route.js';

/** What the announcements API uses: the same service, stores and broadcaster as /thongbao. */
export interface AnnouncementApiDeps {
  announcements: Pick<AnnouncementService, 'create'>;
  /** Announcements as stored, and the audit log the action is written to (as /thongbao writes it). */
  staff: Pick<StaffStore, 'announcements' | 'audit'>;
  broadcasts: Pick<BroadcastStore, 'get' | 'recipients' | 'journalMany'>;
  /** Progress of broadcasts running on this instance (others are read from the store). */
  broadcaster?: Pick<Broadcaster, 'on'>;
  /** The 34 province names an audience may name (the lexicon's catalogue). */
  provinces: readonly string[];
  log: Logger;
}

/** Longest title; it becomes the first line of the announcement. */
const MAX_TITLE_CHARS = 160;
/** Longest a scheduled announcement may wait. */
const MAX_SCHEDULE_MS = 366 * 86_400_000;
/** Recipient batches of a running broadcast counted from the journal (larger ones show progress where they run). */
const JOURNAL_BATCHES_READ = 20;
/** Announcements listed, newest first. */
const LISTED = 100;

const clean = (s: string) => normalizeMessage(s);
const titleSchema = z
  .string()
  .transform((s) => clean(s).replace(/\s+/g, ' '))
  .refine((s) => countChars(s) <= MAX_TITLE_CHARS, { error: t.titleTooLong(MAX_TITLE_CHARS) });
const textSchema = z
  .string({ error: t.textRequired })
  .transform(clean)
  .refine((s) => s.length > 0, { error: t.textRequired });

/** The announcement's text as stored and sent: the title (when given) as its first line, then the text. */
function compose(body: { title?: string; text: string }): string {
  const text = body.title ? `${body.title}\n\n${body.text}` : body.text;
  if (countChars(text) > MAX_ANNOUNCEMENT_CHARS) throw new ApiError(400, staffText.announceTooLong(MAX_ANNOUNCEMENT_CHARS));
  return text;
}

/** A date and time with its offset (`Z` or `+07:00`), with or without seconds. */
const sendAtSchema = z.union([z.iso.datetime({ offset: true }), z.iso.datetime({ offset: true, precision: -1 })], { error: t.sendAtInvalid });

const previewSchema = z.object({
  title: titleSchema.optional(),
  text: textSchema,
  sendAt: sendAtSchema.optional(),
});

/** The body of `POST announcements`; provinces are checked against the catalogue when the routes are made. */
function createSchema(provinces: ReadonlySet<string>) {
  return z.object({
    title: titleSchema.optional(),
    text: textSchema,
    topics: z
      .array(z.enum(TOPIC_IDS, { error: t.unknownTopic }), { error: t.unknownTopic })
      .max(TOPIC_IDS.length)
      .optional(),
    provinces: z
      .array(
        z
          .string()
          .max(80)
          .transform((p) => clean(p))
          .refine((p) => provinces.has(p), { error: (issue) => t.unknownProvince(String(issue.input).slice(0, 40)) }),
      )
      .max(provinces.size)
      .optional(),
    sendAt: sendAtSchema.optional(),
  });
}

/** What Telegram shows of its HTML: the text with links as their titles. */
function asTelegramShows(html: string): string {
  return html
    .replace(/<a href="[^"]*">([^<]*)<\/a>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** A message as each platform's renderer turns it into what is sent, parts separated by a blank line. */
export function previewMessage(message: OutboundMessage): { telegram: string; zalo: string } {
  return { telegram: renderTelegram(message).map(asTelegramShows).join('\n\n'), zalo: renderZalo(message).join('\n\n') };
}

/** An announcement as the console lists it. */
interface AnnouncementView {
  id: string;
  title: string;
  text: string;
  topics: string[];
  provinces: string[];
  status: Announcement['status'];
  createdAt: string;
  scheduledAt?: string;
  broadcast?: { status: 'running' | 'done'; sent: number; total: number; failed: number; blocked: number };
}

/**
 * `GET announcements` (with the topic and province catalogue), `POST announcements/preview` and `POST announcements`
 * (send now, or at `sendAt`: stored and armed by the announcement service, sent once across instances and restarts).
 */
export function createAnnouncementApi(deps: AnnouncementApiDeps): ApiRoute[] {
  const provinces = new Set(deps.provinces.map((p) => p.normalize('NFC')));
  const live = new Map<string, BroadcastReport>();
  deps.broadcaster?.on('progress', (report) => {
    if (!report.id.startsWith('ann:')) return;
    if (report.finishedAt) live.delete(report.id);
    else live.set(report.id, report);
  });

  /** Counts of a broadcast another instance is sending, from its journal in the store (small broadcasts only). */
  async function fromJournal(spec: BroadcastSpec): Promise<Pick<BroadcastReport, 'sent' | 'failed' | 'blocked'> | undefined> {
    if (spec.batches > JOURNAL_BATCHES_READ) return undefined;
    const counts = { sent: 0, failed: 0, blocked: 0 };
    for (let b = 0; b < spec.batches; b++) {
      for (const entry of await deps.broadcasts.journalMany(spec.id, await deps.broadcasts.recipients(spec.id, b))) {
        if (entry?.state !== 'done') continue;
        if (entry.outcome === 'sent') counts.sent++;
        else if (entry.outcome === 'blocked' || entry.outcome === 'chat_not_found') counts.blocked++;
        else if (entry.outcome === 'failed') counts.failed++;
      }
    }
    return counts;
  }

  async function view(a: Announcement): Promise<AnnouncementView> {
    const spec = a.status === 'scheduled' ? undefined : await deps.broadcasts.get(`ann:${a.id}`);
    const report = spec?.report ?? live.get(`ann:${a.id}`) ?? (spec ? await fromJournal(spec) : undefined);
    const scheduled = Date.parse(a.sendAt) > Date.parse(a.createdAt);
    return {
      id: a.id,
      title: a.text.split('\n')[0]!.trim().slice(0, MAX_TITLE_CHARS),
      text: a.text,
      topics: a.audience === 'all' ? [...TOPIC_IDS] : (a.topics ?? ['thong-bao']),
      provinces: a.provinces ?? [],
      status: a.status,
      createdAt: a.createdAt,
      ...(scheduled ? { scheduledAt: a.sendAt } : {}),
      ...(spec
        ? {
            broadcast: {
              status: spec.status,
              total: spec.total,
              sent: report?.sent ?? 0,
              failed: report?.failed ?? 0,
              blocked: report?.blocked ?? 0,
            },
          }
        : {}),
    };
  }

  const created = createSchema(provinces);
  return [
    {
      method: 'GET',
      path: '/announcements',
      async handle(): Promise<ApiResult> {
        const all = (await deps.staff.announcements()).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, LISTED);
        return {
          json: {
            announcements: await Promise.all(all.map(view)),
            catalogue: { topics: TOPIC_IDS.map((id) => ({ id, label: topicLabels[id] ?? id })), provinces: [...provinces] },
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/announcements/preview',
      body: previewSchema,
      async handle(ctx: ApiContext<z.infer<typeof previewSchema>>): Promise<ApiResult> {
        const sendAt = ctx.body.sendAt ? new Date(ctx.body.sendAt) : ctx.now;
        return { json: previewMessage(announcementMessage({ text: compose(ctx.body), sendAt: sendAt.toISOString() })) };
      },
    } satisfies ApiRoute<z.infer<typeof previewSchema>> as ApiRoute,
    {
      method: 'POST',
      path: '/announcements',
      body: created,
      async handle(ctx: ApiContext<z.infer<typeof created>>): Promise<ApiResult> {
        const { body, user, now } = ctx;
        const text = compose(body);
        const sendAt = body.sendAt ? new Date(body.sendAt) : undefined;
        if (sendAt && sendAt.getTime() <= now.getTime()) throw new ApiError(400, t.sendAtPast);
        if (sendAt && sendAt.getTime() - now.getTime() > MAX_SCHEDULE_MS) throw new ApiError(400, t.sendAtTooFar);
        const [channel, userId] = [user.id.slice(0, user.id.indexOf(':')), user.id.slice(user.id.indexOf(':') + 1)];
        const topics = body.topics?.length ? [...new Set(body.topics)] : undefined;
        const chosen = body.provinces?.length ? [...new Set(body.provinces)] : undefined;
        const a = await deps.announcements.create(
          {
            text,
            audience: topics && topics.length === TOPIC_IDS.length ? 'all' : 'topic',
            ...(topics ? { topics } : {}),
            ...(chosen ? { provinces: chosen } : {}),
            author: user.id,
            // Progress and the final report also go to the staff member's private chat, as for /thongbao.
            authorChat: { channel, chatId: userId },
          },
          sendAt,
          now,
        );
        deps.log.info({ announcement: a.id, by: user.id, scheduled: Boolean(sendAt) }, 'announcement from the console');
        const audience = t.audience(a.audience === 'all' ? [...TOPIC_IDS] : (a.topics ?? []), a.provinces ?? []);
        await deps.staff.audit
          .append({
            at: now.toISOString(),
            who: user.id,
            action: '/thongbao',
            outcome: 'ok',
            detail: (sendAt ? t.auditScheduled(formatWhen(sendAt), a.id, audience) : t.auditSentNow(a.id, audience)).slice(0, 200),
          })
          .catch((err: unknown) => deps.log.error({ err }, 'could not write the audit log'));
        return { status: 201, json: { announcement: await view(a) } };
      },
    } satisfies ApiRoute<z.infer<typeof created>> as ApiRoute,
  ];
}
