import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderZalo } from '../../src/channels/zalo/render.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import { consoleContentText, staffText } from '../../src/copy/messages.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import { announcementMessage, createAnnouncementService } from '../../src/digest/announcements.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createAnnouncementApi } from '../../src/http/admin/api-announcements.js';
import { createArticleApi } from '../../src/http/admin/api-articles.js';
import { ApiError, type ApiResult, type ApiRoute, type StaffUser } from '../../src/http/admin/route.js';
import { createImporter } from '../../src/ingest/importer.js';
import { createFeedPoller } from '../../src/ingest/poller.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createArticleStore } from '../../src/store/articles.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createSubscriptionStore, type Subscriber } from '../../src/store/subscriptions.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDirEachTest } from '../helpers/app.js';
import { ROOT } from '../helpers/shared.js';
import { startSite, type Site } from '../ingest/site-server.js';

const TOKEN = '123456:TEST-console-content';
const USER: StaffUser = { id: 'telegram:1', name: 'telegram:ab12cd', role: 'staff' };
const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const PROVINCES = lexicon.provinces.map((p) => p.name);

const scratch = tempDirEachTest('mattran-console-content-');
const { cleanups } = scratch;

function routeOf(routes: ApiRoute[], method: ApiRoute['method'], path: string): ApiRoute {
  return routes.find((r) => r.method === method && r.path === path)!;
}

/** Call a route as the router does: the body validated by its schema (a refusal as the router would send it). */
async function call(
  routes: ApiRoute[],
  method: ApiRoute['method'],
  path: string,
  body?: unknown,
  extra: { params?: Record<string, string>; query?: string; now?: Date } = {},
) {
  const route = routeOf(routes, method, path);
  let parsed: unknown = body;
  if (route.body) {
    const result = route.body.safeParse(body);
    if (!result.success) return { status: 400, json: { error: result.error.issues[0]!.message } };
    parsed = result.data;
  }
  try {
    const result = (await route.handle({
      user: USER,
      params: extra.params ?? {},
      query: new URLSearchParams(extra.query ?? ''),
      body: parsed,
      now: extra.now ?? new Date(),
    })) as ApiResult & { json: Record<string, unknown> };
    return { status: result.status ?? 200, json: result.json };
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, json: { error: err.message } };
    throw err;
  }
}

const subscriber = (chatId: string, topics: string[], provinces: string[], extra: Partial<Subscriber> = {}): Subscriber => ({
  channel: 'telegram',
  chatId,
  topics,
  provinces,
  hour: 7,
  paused: false,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...extra,
});

/** One instance over the test's state directory: the announcement service as the app builds it, and the console's routes. */
async function instance(apiRoot: string, name: string) {
  const { log, lines } = capturingLogger('info');
  const adapter = () => createSqliteAdapter(scratch.dir);
  const staff = await createStaffStore({ adapter, log });
  const subscriptions = await createSubscriptionStore({ adapter, log });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const leaseAdapter = await adapter();
  const lease = await createSqliteLease(leaseAdapter);
  const index = ArticleIndex.create();
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: TOKEN, apiRoot, log })]]);
  const broadcaster = createBroadcaster({ store: broadcasts, channels, log, pace: { telegram: { ratePerSecond: 200, concurrency: 4, perChatGapMs: 0 } } });
  const announcements = createAnnouncementService({
    staff,
    index,
    subscriptions,
    broadcasts,
    broadcaster,
    channels,
    lease,
    instanceId: name,
    log,
    leaseTtlMs: 2000,
  });
  await announcements.restore();
  const routes = createAnnouncementApi({ announcements, staff, broadcasts, broadcaster, provinces: PROVINCES, log });
  const close = async () => {
    announcements.stop();
    await broadcaster.stop();
    await Promise.allSettled([staff.close(), subscriptions.close(), broadcasts.close(), leaseAdapter.disconnect()]);
  };
  cleanups.push(close);
  return { routes, staff, subscriptions, broadcasts, index, announcements, lines, close };
}

describe('announcements API', () => {
  it('previews both platforms exactly as sent, then sends to the chosen topics and provinces only; the list shows the report', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const bot = await instance(fake.baseUrl, 'a');
    await bot.subscriptions.put(subscriber('2001', [], [])); // everything, whole country: gets it
    await bot.subscriptions.put(subscriber('2002', ['an-sinh'], ['Quảng Trị'])); // topic and province match
    await bot.subscriptions.put(subscriber('2003', ['mat-tran'], [])); // another topic
    await bot.subscriptions.put(subscriber('2004', ['an-sinh'], ['Huế'])); // another province
    await bot.subscriptions.put(subscriber('2005', [], [], { inactive: { reason: 'blocked', at: '2026-01-02T00:00:00Z' } }));

    // Typed with decomposed accents, a control character and markup: read as text, never as HTML.
    const typed = { title: 'Hỗ trợ bà con vùng lũ'.normalize('NFD'), text: 'Mời bà con đến nhận <b>gạo</b> & nước\u0007 sạch.' };
    const preview = await call(bot.routes, 'POST', '/announcements/preview', typed);
    expect(preview.status).toBe(200);
    const { telegram, zalo } = preview.json as { telegram: string; zalo: string };
    expect(telegram).toContain('📢 THÔNG BÁO CỦA MẶT TRẬN TỔ QUỐC VIỆT NAM');
    expect(telegram).toContain('Hỗ trợ bà con vùng lũ\n\nMời bà con đến nhận <b>gạo</b> & nước sạch.');
    expect(zalo).toBe(
      renderZalo(announcementMessage({ text: 'Hỗ trợ bà con vùng lũ\n\nMời bà con đến nhận <b>gạo</b> & nước sạch.', sendAt: new Date().toISOString() })).join(
        '\n\n',
      ),
    );

    const sent = await call(bot.routes, 'POST', '/announcements', { ...typed, topics: ['an-sinh'], provinces: ['Quảng Trị'] });
    expect(sent.status).toBe(201);
    const announcement = sent.json.announcement as { id: string; title: string; topics: string[]; provinces: string[]; scheduledAt?: string };
    expect(announcement).toMatchObject({ title: 'Hỗ trợ bà con vùng lũ', topics: ['an-sinh'], provinces: ['Quảng Trị'] });
    expect(announcement.scheduledAt).toBeUndefined();

    const received = () => fake.sent().filter((c) => c.path.endsWith('/sendMessage') && String(c.body.text).includes('THÔNG BÁO'));
    await waitFor(() => received().length >= 2, 10_000);
    expect(
      received()
        .map((c) => String(c.body.chat_id))
        .sort(),
    ).toEqual(['2001', '2002']);
    // Exactly the preview: Telegram gets it as HTML-escaped text, which shows as the preview reads.
    const html = String(received()[0]!.body.text);
    expect(html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(telegram);

    let listed: { broadcast?: { status: string; sent: number; total: number } }[] = [];
    for (let i = 0; i < 100; i++) {
      listed = (await call(bot.routes, 'GET', '/announcements')).json.announcements as typeof listed;
      if (listed[0]?.broadcast?.status === 'done') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed[0]!.broadcast).toEqual({ status: 'done', sent: 2, total: 2, failed: 0, blocked: 0 });
    // The author's chat got the report, as after /thongbao.
    await waitFor(() => fake.sent().some((c) => String(c.body.chat_id) === '1' && String(c.body.text).startsWith('Đã gửi xong thông báo')), 5000);
    // Searchable at once, like a chat announcement.
    expect(bot.index.get(announcement.id)?.title).toBe('Hỗ trợ bà con vùng lũ');
    // Audited as /thongbao is, under the staff member's id.
    expect(await bot.staff.audit.latest(5, new Date())).toEqual([
      expect.objectContaining({
        who: 'telegram:1',
        action: '/thongbao',
        outcome: 'ok',
        detail: consoleContentText.auditSentNow(announcement.id, consoleContentText.audience(['an-sinh'], ['Quảng Trị'])),
      }),
    ]);
  });

  it('refuses unknown topics and provinces, an empty or too long text, a time in the past, in Vietnamese', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const bot = await instance(fake.baseUrl, 'a');
    const now = new Date('2026-03-10T03:00:00Z');
    const refused = async (body: unknown) => {
      const r = await call(bot.routes, 'POST', '/announcements', body, { now });
      expect(r.status, JSON.stringify(body)).toBe(400);
      return r.json.error as string;
    };
    expect(await refused({ text: 'Tin', topics: ['bong-da'] })).toBe(consoleContentText.unknownTopic);
    expect(await refused({ text: 'Tin', provinces: ['Quảng Bình'] })).toBe(consoleContentText.unknownProvince('Quảng Bình'));
    expect(await refused({ text: '  \u200b\u0007 ' })).toBe(consoleContentText.textRequired);
    expect(await refused({ text: 'x'.repeat(1801) })).toBe(staffText.announceTooLong(1800));
    expect(await refused({ text: 'Tin', sendAt: '2026-03-10T02:00:00Z' })).toBe(consoleContentText.sendAtPast);
    expect(await refused({ text: 'Tin', sendAt: 'mai 7h' })).toBe(consoleContentText.sendAtInvalid);
    expect(await refused({ text: 'Tin', sendAt: '2026-03-10 15:00' })).toBe(consoleContentText.sendAtInvalid);
    // Minutes without seconds are a time too (here one in the past).
    expect(await refused({ text: 'Tin', sendAt: '2026-03-10T09:59+07:00' })).toBe(consoleContentText.sendAtPast);
    expect(await refused({ text: 'Tin', sendAt: '2028-03-10T02:00:00Z' })).toBe(consoleContentText.sendAtTooFar);
    // Nothing was stored or sent.
    expect((await call(bot.routes, 'GET', '/announcements')).json.announcements).toEqual([]);
    // The catalogue the page offers: the six topics and the 34 provinces.
    const { catalogue } = (await call(bot.routes, 'GET', '/announcements')).json as { catalogue: { topics: { id: string }[]; provinces: string[] } };
    expect(catalogue.topics.map((t) => t.id)).toContain('thong-bao');
    expect(catalogue.provinces).toHaveLength(34);
  });

  it('shows the progress of a broadcast another instance is sending, from its journal in the store', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const bot = await instance(fake.baseUrl, 'a');
    const now = new Date();
    await bot.staff.saveAnnouncement({
      id: 'tb-elsewhere',
      text: 'Đang gửi ở máy khác',
      author: 'telegram:2',
      authorChat: { channel: 'telegram', chatId: '2' },
      audience: 'topic',
      createdAt: now.toISOString(),
      sendAt: now.toISOString(),
      status: 'sending',
    });
    const recipients = ['11', '12', '13', '14'].map((chatId) => ({ channel: 'telegram' as const, chatId }));
    await bot.broadcasts.create(
      { id: 'ann:tb-elsewhere', kind: 'announcement', createdAt: now.toISOString(), params: { announcement: 'tb-elsewhere' } },
      recipients,
    );
    await bot.broadcasts.journal('ann:tb-elsewhere', recipients[0]!, { state: 'done', outcome: 'sent' });
    await bot.broadcasts.journal('ann:tb-elsewhere', recipients[1]!, { state: 'done', outcome: 'blocked' });
    await bot.broadcasts.journal('ann:tb-elsewhere', recipients[2]!, { state: 'sending', part: 0 });
    const listed = (await call(bot.routes, 'GET', '/announcements')).json.announcements as { status: string; broadcast?: unknown }[];
    expect(listed).toEqual([expect.objectContaining({ status: 'sending', broadcast: { status: 'running', total: 4, sent: 1, blocked: 1, failed: 0 } })]);
  });

  it('a scheduled announcement is stored, survives a restart and goes out once, at its time, from one of two instances', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const first = await instance(fake.baseUrl, 'a');
    await first.subscriptions.put(subscriber('3001', [], []));
    const sendAt = new Date(Date.now() + 1500);
    const made = await call(first.routes, 'POST', '/announcements', { text: 'Họp tổ dân phố tối nay', sendAt: sendAt.toISOString() });
    expect(made.status).toBe(201);
    expect((made.json.announcement as { scheduledAt: string }).scheduledAt).toBe(sendAt.toISOString());
    // The instance that took it stops before the time; two others start on the same state.
    await first.close();
    const b = await instance(fake.baseUrl, 'b');
    const c = await instance(fake.baseUrl, 'c');
    const listed = (await call(b.routes, 'GET', '/announcements')).json.announcements as { status: string; scheduledAt?: string }[];
    expect(listed).toMatchObject([{ status: 'scheduled', scheduledAt: sendAt.toISOString() }]);
    const got = () => fake.sent().filter((x) => String(x.body.chat_id) === '3001' && String(x.body.text).includes('Họp tổ dân phố'));
    await waitFor(() => got().length === 1, 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(sendAt.getTime());
    await new Promise((r) => setTimeout(r, 500));
    expect(got()).toHaveLength(1);
    await Promise.all([b.close(), c.close()]);
  });
});

describe('articles API', () => {
  let site: Site;
  beforeEach(async () => {
    site = await startSite();
    cleanups.push(() => site.close());
  });

  async function articles(addressPolicy?: Site['access']) {
    const { log, lines } = capturingLogger('info');
    const adapter = () => createSqliteAdapter(scratch.dir);
    const store = await createArticleStore({ adapter, log });
    const staff = await createStaffStore({ adapter, log });
    const index = ArticleIndex.create();
    const importer = createImporter({ store, index, lexicon, log, fetch: { timeoutMs: 2000, ...(addressPolicy ? { addressPolicy } : {}) } });
    const poller = createFeedPoller({ importer, sources: [`${site.base}/feed.rss`, `${site.base}/fail/feed.xml`], log, maxFailures: 5 });
    cleanups.push(async () => {
      await importer.idle();
      await Promise.allSettled([store.close(), staff.close()]);
    });
    const routes = createArticleApi({ articles: store, staff, index, sources: () => poller.status(), importUrl: (url) => importer.importUrl(url), log });
    return { routes, store, staff, index, poller, lines };
  }

  it('imports a URL, lists the latest articles with the sources and their state, and unpublishes one as /xoabai does', async () => {
    const bot = await articles(site.access);
    await bot.poller.poll();
    const imported = await call(bot.routes, 'POST', '/articles/import', { url: `${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html` });
    // Already brought in by the feed: named, not imported twice.
    expect(imported).toMatchObject({ status: 200, json: { ok: true, id: 'mattran-46001', new: 0 } });

    // One more, not in the feed: the latest imported, listed first.
    const other = await call(bot.routes, 'POST', '/articles/import', { url: `${site.base}/bao/nghe-an-trao-qua-cong-nhan-2024112001.html` });
    expect(other).toMatchObject({ status: 200, json: { ok: true, new: 1 } });
    const listed = await call(bot.routes, 'GET', '/articles', undefined, { query: 'limit=2' });
    const body = listed.json as { articles: { id: string; kind: string; source: string }[]; sources: { url: string; state: string; lastError?: string }[] };
    expect(body.articles).toHaveLength(2);
    expect(body.articles[0]).toMatchObject({ id: (other.json as { id: string }).id, kind: 'article' });
    expect(body.sources).toEqual([
      expect.objectContaining({ url: `${site.base}/feed.rss`, state: 'polling', lastPolledAt: expect.any(String) }),
      expect.objectContaining({ url: `${site.base}/fail/feed.xml`, state: 'failing', lastError: expect.any(String) }),
    ]);

    const removed = await call(bot.routes, 'DELETE', '/articles/:id', undefined, { params: { id: 'mattran-46001' } });
    expect(removed).toMatchObject({ status: 200, json: { ok: true, id: 'mattran-46001' } });
    expect(bot.index.get('mattran-46001')).toBeUndefined();
    expect(await bot.staff.unpublished()).toEqual(['mattran-46001']);
    const after = (await call(bot.routes, 'GET', '/articles')).json as { articles: { id: string }[] };
    expect(after.articles.map((a) => a.id)).not.toContain('mattran-46001');
    expect(after.articles.length).toBeGreaterThan(0);

    const missing = await call(bot.routes, 'DELETE', '/articles/:id', undefined, { params: { id: 'mattran-46001' } });
    expect(missing).toEqual({ status: 404, json: { error: consoleContentText.articleMissing('mattran-46001') } });
    const audited = await bot.staff.audit.latest(10, new Date());
    expect(audited.map((e) => [e.action, e.outcome])).toEqual([
      ['/xoabai', 'failed'],
      ['/xoabai', 'ok'],
      ['/nhapbai', 'ok'],
      ['/nhapbai', 'ok'],
    ]);
    expect(audited[1]!.detail).toContain('mattran-46001');
    for (const limit of ['0', '201', 'x']) expect((await call(bot.routes, 'GET', '/articles', undefined, { query: `limit=${limit}` })).status).toBe(400);
  });

  it('refuses an internal address with the Vietnamese message, fetching nothing; a malformed URL is refused before any fetch', async () => {
    const bot = await articles();
    const before = site.requests.length;
    const refused = await call(bot.routes, 'POST', '/articles/import', { url: `${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html` });
    expect(refused).toEqual({ status: 400, json: { ok: false, error: staffText.importForbiddenAddress } });
    expect(site.requests.length).toBe(before);
    expect(bot.lines.filter((l) => l.msg === 'import refused by the address policy')).toHaveLength(1);
    expect(await bot.staff.audit.latest(5, new Date())).toEqual([
      expect.objectContaining({ who: 'telegram:1', action: '/nhapbai', outcome: 'denied', detail: expect.stringContaining('địa chỉ nội bộ') }),
    ]);
    for (const url of ['javascript:alert(1)', 'http://a b', '', 'ftp://x.vn/']) {
      expect((await call(bot.routes, 'POST', '/articles/import', { url })).json.error).toBe(consoleContentText.urlInvalid);
    }
  });
});
