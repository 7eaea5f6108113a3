import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { staffText } from '../../src/copy/messages.js';
import { ADMIN_COMMANDS, createStaffFlow, STAFF_COMMANDS } from '../../src/assistant/staff.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import type { Channel, ChannelId, InboundMessage, OutboundMessage } from '../../src/core/chat.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createAnnouncementService, type AnnouncementService } from '../../src/digest/announcements.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createBroadcastStore, type BroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore, type StaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore, type Subscriber, type SubscriptionStore } from '../../src/store/subscriptions.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { createImporter } from '../../src/ingest/importer.js';
import { createArticleStore } from '../../src/store/articles.js';
import { createAnswerEngine as engineFor } from '../../src/answer/index.js';
import { startSite } from '../ingest/site-server.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const TOKEN = '123456:TEST-token-not-real';
const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const { items } = await loadContent([join(ROOT, 'data')]);

/** One bot instance over a state directory: the staff flow wired as in main.ts. */
async function instance(dir: string, apiRoot: string, name: string) {
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  const adapter = () => createSqliteAdapter(dir);
  const log = silentLogger();
  const staff = await createStaffStore({ adapter, log });
  const subscriptions = await createSubscriptionStore({ adapter, log });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const lease = await createSqliteLease(await adapter());
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: TOKEN, apiRoot, log })]]);
  let announcements: AnnouncementService | undefined;
  const broadcaster = createBroadcaster({
    store: broadcasts,
    channels,
    log,
    pace: { telegram: { ratePerSecond: 200, concurrency: 4, perChatGapMs: 0 } },
    onProgress: (r) => announcements?.progress(r),
  });
  announcements = createAnnouncementService({
    staff,
    index,
    subscriptions,
    broadcasts,
    broadcaster,
    channels,
    lease,
    instanceId: name,
    log,
    progressEveryMs: 0,
  });
  const staffFlow = createStaffFlow({ staff, admins: new Set(['telegram:1', 'zalo:admin-z']), announcements, subscriptions, broadcasts, index, lexicon, log });
  const conversation = createConversation({
    engine: createAnswerEngine({ index, lexicon }),
    index,
    lexicon,
    stores: await createStores({ log }),
    flows: [staffFlow],
    events: staffFlow,
    log,
  });
  return {
    index,
    staff,
    subscriptions,
    broadcasts,
    announcements,
    conversation,
    close: () => Promise.all([staff.close(), subscriptions.close(), broadcasts.close()]),
  };
}

let dir: string;
let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
let bot: Awaited<ReturnType<typeof instance>>;
let conversation: Conversation;
let staff: StaffStore;
let subscriptions: SubscriptionStore;
let broadcasts: BroadcastStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-staff-'));
  fake = await startFakeTelegram();
  bot = await instance(dir, fake.baseUrl, 'a');
  ({ conversation, staff, subscriptions, broadcasts } = bot);
});
afterEach(async () => {
  bot.announcements.stop();
  await bot.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const from =
  (channel: ChannelId, userId: string) =>
  (text: string, callbackData?: string): InboundMessage => ({ channel, chatId: userId, userId, text, callbackData, receivedAt: new Date() });
const admin = from('telegram', '1');
const citizen = from('telegram', '555');
const sub = (chatId: string, topics: string[] = []): Subscriber => ({
  channel: 'telegram',
  chatId,
  topics,
  provinces: [],
  hour: 7,
  paused: false,
  createdAt: 'c',
  updatedAt: 'u',
});
const press = (send: (text: string, data?: string) => InboundMessage, reply: OutboundMessage, label: string) =>
  conversation.handle(send('', reply.buttons!.flat().find((b) => b.label.startsWith(label))!.data));

describe('staff tools', () => {
  it('authorization matrix: citizens are refused every staff command, staff the admin ones, admins none; refusals are audited', async () => {
    await staff.grant('telegram:20', 'telegram:1', new Date());
    await staff.grant('zalo:staff-z', 'zalo:admin-z', new Date());
    const people = {
      telegram: { citizen: from('telegram', '555'), staff: from('telegram', '20'), admin: from('telegram', '1') },
      zalo: { citizen: from('zalo', 'citizen-z'), staff: from('zalo', 'staff-z'), admin: from('zalo', 'admin-z') },
    };
    for (const channel of ['telegram', 'zalo'] as const) {
      for (const role of ['citizen', 'staff', 'admin'] as const) {
        for (const command of STAFF_COMMANDS) {
          const [reply] = await conversation.handle(people[channel][role](`/${command}`));
          const adminOnly = (ADMIN_COMMANDS as readonly string[]).includes(command);
          const expected = role === 'citizen' ? staffText.denied : role === 'staff' && adminOnly ? staffText.adminOnly : undefined;
          if (expected) expect(reply!.text, `${channel} ${role} /${command}`).toBe(expected);
          else expect(reply!.text, `${channel} ${role} /${command}`).not.toMatch(/chỉ dành cho/);
        }
      }
    }
    const denied = (await staff.audit.latest(100, new Date())).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(2 * STAFF_COMMANDS.length + 2 * ADMIN_COMMANDS.length);
    expect(denied.some((e) => e.who === 'zalo:citizen-z' && e.action === '/thongbao')).toBe(true);
  });

  it('nobody is staff on the web chat, whose session id the browser chooses', async () => {
    await staff.grant('web:1', 'telegram:1', new Date());
    expect((await conversation.handle(from('web', '1')('/thongke')))[0]!.text).toBe(staffText.denied);
    expect((await conversation.handle(admin('/capquyen web:abc')))[0]!.text).toBe(staffText.grantUsage);
  });

  it('/trogiup lists the staff commands to staff and admins only', async () => {
    await staff.grant('telegram:20', 'telegram:1', new Date());
    const [forCitizen] = await conversation.handle(citizen('/trogiup'));
    expect(forCitizen!.text).not.toContain('/thongbao');
    const [forStaff] = await conversation.handle(from('telegram', '20')('/trogiup'));
    expect(forStaff!.text).toContain('/thongbao');
    expect(forStaff!.text).not.toContain('/capquyen');
    expect((await conversation.handle(admin('/trogiup')))[0]!.text).toContain('/capquyen');
  });

  it('admins grant and revoke the staff role in chat', async () => {
    const worker = from('zalo', 'w1');
    expect((await conversation.handle(worker('/thongke')))[0]!.text).toBe(staffText.denied);
    expect((await conversation.handle(admin('/capquyen zalo:w1')))[0]!.text).toContain('Đã cấp quyền');
    expect((await conversation.handle(worker('/thongke')))[0]!.text).toContain('Thống kê');
    expect((await conversation.handle(admin('/capquyen nobody')))[0]!.text).toContain('Cách dùng');
    expect((await conversation.handle(admin('/thuhoiquyen zalo:w1')))[0]!.text).toContain('Đã thu hồi');
    expect((await conversation.handle(worker('/thongke')))[0]!.text).toBe(staffText.denied);
  });

  it('/thongbao previews exactly what subscribers get, then sends to the "Thông báo" subscribers with progress and a report, and makes it searchable', async () => {
    await subscriptions.put(sub('101'));
    await subscriptions.put(sub('102', ['thong-bao', 'an-sinh']));
    await subscriptions.put(sub('103', ['an-sinh']));
    await subscriptions.put({ ...sub('104'), paused: true });
    const text = 'Lịch tiếp công dân tháng 12\nỦy ban MTTQ tỉnh tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở.';
    const [head, preview, choices] = await conversation.handle(admin(`/thongbao ${text}`));
    expect(head!.text).toBe(staffText.previewHead);
    expect(preview!.text).toContain('📢 THÔNG BÁO CỦA MẶT TRẬN TỔ QUỐC VIỆT NAM');
    expect(preview!.text).toContain(text);
    expect(fake.sent()).toHaveLength(0);
    const [confirmed] = await press(admin, choices!, staffText.buttonSendNow);
    expect(confirmed!.text).toBe(staffText.confirmedNow);
    expect(bot.index.all().next().value).toBeDefined();
    expect([...bot.index.all()].some((d) => d.kind === 'announcement' && d.title === 'Lịch tiếp công dân tháng 12')).toBe(true);
    await waitFor(() => fake.sent().some((c) => String(c.body.text).startsWith('Đã gửi xong')));
    const bySubscriber = fake.sent().filter((c) => c.body.chat_id !== '1');
    expect(bySubscriber.map((c) => c.body.chat_id).sort()).toEqual(['101', '102']);
    expect(bySubscriber[0]!.body.text).toBe(preview!.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const toStaff = fake
      .sent()
      .filter((c) => c.body.chat_id === '1')
      .map((c) => String(c.body.text));
    expect(toStaff[0]).toContain('Đang gửi thông báo tới 2');
    expect(toStaff.at(-1)).toMatch(/gửi được 2, bị chặn hoặc không còn 0, lỗi 0/);
    expect((await broadcasts.lastReport('announcement'))?.sent).toBe(2);
    const log = await staff.audit.latest(10, new Date());
    expect(log.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.stringMatching(/^gửi ngay tb-/), 'xem trước']));
  });

  it('sends to every subscriber when staff choose "all", and cancel sends nothing', async () => {
    await subscriptions.put(sub('201', ['an-sinh']));
    const [, , choices] = await conversation.handle(admin('/thongbao Thông báo khẩn'));
    const [toggled] = await press(admin, choices!, 'Đổi');
    expect(toggled!.text).toContain('tất cả người đăng ký');
    const [cancelled] = await press(admin, toggled!, staffText.buttonCancel);
    expect(cancelled!.text).toBe(staffText.cancelled);
    expect((await conversation.handle(admin('', 'ann:now')))[0]!.text).toBe(staffText.noDraft);
    expect((await staff.audit.latest(5, new Date()))[0]!.outcome).toBe('cancelled');
    const [, , again] = await conversation.handle(admin('/thongbao Thông báo khẩn'));
    const [all] = await press(admin, again!, 'Đổi');
    await press(admin, all!, staffText.buttonSendNow);
    await waitFor(() => fake.sent().some((c) => c.body.chat_id === '201'));
  });

  it('a scheduled announcement survives a restart and is sent exactly once, even with two instances armed', async () => {
    await subscriptions.put(sub('301'));
    const [, , choices] = await conversation.handle(admin('/thongbao Họp mặt kỷ niệm ngày thành lập Mặt trận'));
    const [ask] = await press(admin, choices!, staffText.buttonSchedule);
    expect(ask!.text).toBe(staffText.askWhen);
    expect((await conversation.handle(admin('lúc nào cũng được')))[0]!.text).toBe(staffText.whenUnknown);
    const [scheduled] = await conversation.handle(admin('mai 7h'));
    expect(scheduled!.text).toMatch(/^Đã hẹn gửi thông báo lúc 07:00 ngày/);
    const [stored] = await staff.announcements();
    expect(stored!.status).toBe('scheduled');
    // Make it due in a moment, then "restart": the first instance stops before firing.
    bot.announcements.stop();
    await staff.saveAnnouncement({ ...stored!, sendAt: new Date(Date.now() + 300).toISOString() });
    const b = await instance(dir, fake.baseUrl, 'b');
    const c = await instance(dir, fake.baseUrl, 'c');
    try {
      await Promise.all([b.announcements.restore(), c.announcements.restore()]);
      await waitFor(() => fake.sent().some((x) => String(x.body.text).startsWith('Đã gửi xong')), 5000);
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.sent().filter((x) => x.body.chat_id === '301')).toHaveLength(1);
      expect((await b.staff.getAnnouncement(stored!.id))?.status).toBe('sent');
      // A third start finds it sent and leaves it alone (but searchable).
      const d = await instance(dir, fake.baseUrl, 'd');
      await d.announcements.restore();
      expect(d.index.get(stored!.id)?.title).toBe('Họp mặt kỷ niệm ngày thành lập Mặt trận');
      d.announcements.stop();
      await d.close();
    } finally {
      b.announcements.stop();
      c.announcements.stop();
      await Promise.all([b.close(), c.close()]);
    }
    expect(fake.sent().filter((x) => x.body.chat_id === '301')).toHaveLength(1);
  });

  it('/cauhoi groups alike unanswered, low-confidence and 👎 questions; /thongke counts; /nhatky lists', async () => {
    for (const q of ['Cách làm bánh chưng ngon?', 'cach lam banh chung ngon', 'Giá vàng hôm nay bao nhiêu?']) await conversation.handle(citizen(q));
    const [answer] = await conversation.handle(citizen('Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?'));
    await conversation.handle(citizen('', answer!.buttons![0]!.find((b) => b.data.startsWith('fb:down'))!.data));
    const [inbox] = await conversation.handle(admin('/cauhoi'));
    expect(inbox!.text).toMatch(/\(2 lần\) cach lam banh chung ngon/);
    expect(inbox!.text).toContain('Giá vàng hôm nay bao nhiêu?');
    expect(inbox!.text).toContain('bị đánh giá 👎');
    await subscriptions.put(sub('401', ['an-sinh']));
    await subscriptions.put({ ...sub('402'), provinces: ['Gia Lai'], inactive: { reason: 'blocked', at: 'x' } });
    const [stats] = await conversation.handle(admin('/thongke'));
    expect(stats!.text).toContain('telegram 1');
    expect(stats!.text).toContain('telegram (ngừng nhận) 1');
    expect(stats!.text).toContain('An sinh xã hội – Vì người nghèo 1');
    expect(stats!.text).toMatch(/Câu hỏi hôm nay: 4 \(trả lời được 25%\)/);
    const [log] = await conversation.handle(admin('/nhatky 3'));
    expect(log!.text).toContain('telegram:1: /cauhoi');
  });

  /** A conversation whose staff flow imports through `importer` (for /nhapbai). */
  async function talkImporting(importer: { importUrl(url: string): ReturnType<ReturnType<typeof createImporter>['importUrl']> }) {
    const flow = createStaffFlow({
      staff,
      admins: new Set(['telegram:1']),
      announcements: bot.announcements,
      subscriptions,
      broadcasts,
      index: bot.index,
      lexicon,
      log: silentLogger(),
      importUrl: (url) => importer.importUrl(url),
    });
    return createConversation({
      engine: engineFor({ index: bot.index, lexicon }),
      index: bot.index,
      lexicon,
      stores: await createStores({ log: silentLogger() }),
      flows: [flow],
      log: silentLogger(),
    });
  }

  it('/nhapbai imports an article page: new, then unchanged; the article is answerable at once; bad input is explained', async () => {
    const site = await startSite();
    try {
      const articles = await createArticleStore({ log: silentLogger() });
      const importer = createImporter({ store: articles, index: bot.index, lexicon, log: silentLogger(), fetch: { addressPolicy: site.access } });
      const talk = await talkImporting(importer);
      const url = `${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`;
      const [first] = await talk.handle(admin(`/nhapbai ${url}`));
      expect(first!.text).toMatch(/^Nhập bài: mới 1, cập nhật 0/);
      expect(first!.text).toContain('Điện Biên: Trao 215 con bò giống cho hộ nghèo vùng cao');
      const [answer] = await talk.handle(citizen('Điện Biên trao bao nhiêu con bò giống cho hộ nghèo?'));
      expect(answer!.text).toContain('215');
      const [again] = await talk.handle(admin(`/nhapbai ${url}`));
      expect(again!.text).toMatch(/mới 0, cập nhật 0, bỏ qua \(đã có, không đổi\) 1/);
      expect((await talk.handle(admin('/nhapbai khong-phai-url')))[0]!.text).toBe(staffText.importUsage);
      expect((await talk.handle(citizen(`/nhapbai ${url}`)))[0]!.text).toBe(staffText.denied);
      await articles.close();
    } finally {
      await site.close();
    }
  });

  it('/nhapbai of an internal address answers "Địa chỉ nội bộ không được phép", audits the refusal and fetches nothing', async () => {
    const site = await startSite();
    try {
      const articles = await createArticleStore({ log: silentLogger() });
      // The production default: no address policy given, as main.ts without INGEST_ALLOW_PRIVATE.
      const importer = createImporter({ store: articles, index: bot.index, lexicon, log: silentLogger() });
      const talk = await talkImporting(importer);
      const [redis] = await talk.handle(admin('/nhapbai http://127.0.0.1:6379/'));
      expect(redis!.text).toBe(staffText.importForbiddenAddress);
      expect(redis!.text).toContain('Địa chỉ nội bộ không được phép');
      expect((await staff.audit.latest(1, new Date()))[0]).toMatchObject({
        who: 'telegram:1',
        action: '/nhapbai',
        outcome: 'denied',
        detail: 'http://127.0.0.1:6379/ (địa chỉ nội bộ)',
      });
      const page = `${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`;
      expect((await talk.handle(admin(`/nhapbai ${page}`)))[0]!.text).toBe(staffText.importForbiddenAddress);
      expect(site.requests).toEqual([]);
      const [log] = await talk.handle(admin('/nhatky 2'));
      expect(log!.text).toContain(`/nhapbai ${page} (địa chỉ nội bộ) → bị từ chối`);
      await articles.close();
    } finally {
      await site.close();
    }
  });

  it('/xoabai takes an item out of search and digests, and it stays out after a restart', async () => {
    const [missing] = await conversation.handle(admin('/xoabai khong-co'));
    expect(missing!.text).toContain('Không có bài nào');
    const [removed] = await conversation.handle(admin('/xoabai mattran-quang-binh-ctpp-2022'));
    expect(removed!.text).toContain('Đã gỡ bài');
    expect(bot.index.get('mattran-quang-binh-ctpp-2022')).toBeUndefined();
    const again = await instance(dir, fake.baseUrl, 'again');
    await again.announcements.restore();
    expect(again.index.get('mattran-quang-binh-ctpp-2022')).toBeUndefined();
    await again.close();
    expect((await staff.audit.latest(1, new Date()))[0]).toMatchObject({ action: '/xoabai', outcome: 'ok' });
  });
});
