import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { createStaffFlow } from '../../src/assistant/staff.js';
import { createTicketFlow, readStaffRequest, type TicketFlow } from '../../src/assistant/tickets.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import { createZaloChannel } from '../../src/channels/zalo/channel.js';
import { ticketText } from '../../src/copy/messages.js';
import type { Channel, ChannelId, InboundMessage, OutboundMessage } from '../../src/core/chat.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createAnnouncementService } from '../../src/digest/announcements.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createTicketDelivery } from '../../src/digest/ticket-answers.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { createTicketStore, type TicketStore } from '../../src/store/tickets.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { startFakeZalo } from '../helpers/fake-zalo.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const { items } = await loadContent([join(ROOT, 'data')]);
const BLOCKED = '666';

/** The bot as app.ts composes it (staff, ticket and conversation flows, broadcaster, ticket delivery) over SQLite and the fake platforms. */
async function instance(dir: string, telegramApi: string, zaloApi: string) {
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  const adapter = () => createSqliteAdapter(dir);
  const log = silentLogger();
  const staff = await createStaffStore({ adapter, log });
  const subscriptions = await createSubscriptionStore({ adapter, log });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const lease = await createSqliteLease(await adapter());
  const tickets = await createTicketStore({ adapter, log, lease });
  const channels = new Map<ChannelId, Channel>([
    ['telegram', createTelegramChannel({ token: '123456:TEST-token-not-real', apiRoot: telegramApi, log })],
    ['zalo', createZaloChannel({ token: '1459232241454765289:zalo-test-secret', apiBase: zaloApi, log, typing: false })],
  ]);
  const fast = { ratePerSecond: 200, concurrency: 4, perChatGapMs: 0 };
  const broadcaster = createBroadcaster({ store: broadcasts, channels, log, pace: { telegram: fast, zalo: fast }, maxAttempts: 2, retryBaseMs: 10 });
  const announcements = createAnnouncementService({ staff, index, subscriptions, broadcasts, broadcaster, channels, lease, log });
  const delivery = createTicketDelivery({ tickets, broadcasts, broadcaster, channels, lease, log });
  broadcaster.on('delivered', (id, r) => delivery.delivered(id, r));
  const staffFlow = createStaffFlow({
    staff,
    admins: new Set(['telegram:1']),
    announcements,
    subscriptions,
    broadcasts,
    index,
    lexicon,
    log,
    ticketStats: () => ticketFlow.stats(),
  });
  const ticketFlow: TicketFlow = createTicketFlow({ tickets, delivery, staff, lexicon, roleOf: (msg) => staffFlow.roleOf(msg), log });
  // A loaded test machine may take over the default 1.5 s to open a ticket; the reply then says it could not.
  const conversation = createConversation({
    engine: createAnswerEngine({ index, lexicon }),
    index,
    lexicon,
    stores: await createStores({ log }),
    flows: [ticketFlow, staffFlow],
    tickets: ticketFlow,
    ticketWaitMs: 10_000,
    events: staffFlow,
    log,
  });
  return { tickets, staff, conversation, delivery, close: () => Promise.all([staff.close(), subscriptions.close(), broadcasts.close(), tickets.close()]) };
}

const from =
  (channel: ChannelId, userId: string) =>
  (text: string, callbackData?: string): InboundMessage => ({ channel, chatId: userId, userId, text, callbackData, receivedAt: new Date() });
const admin = from('telegram', '1');
const lan = from('telegram', '555');
const minh = from('zalo', 'z-minh');
const hoa = from('telegram', BLOCKED);
const text = (replies: OutboundMessage[]) => replies.map((r) => r.text).join('\n');
const ticketNumber = (replies: OutboundMessage[]) => Number(/\(mã #(\d+)\)/.exec(text(replies))?.[1]);

// Questions the bundled articles cannot answer, the same asked three ways.
const Q_LAN = 'Giá vé máy bay từ Hà Nội đi Côn Đảo tháng 12 là bao nhiêu?';
const Q_MINH = 'vé máy bay Hà Nội Côn Đảo tháng 12 giá bao nhiêu';
const Q_HOA = 'Tháng 12 vé máy bay Hà Nội đi Côn Đảo giá bao nhiêu vậy?';

describe('tickets: a question without an answer reaches staff, and their answer reaches every asker', () => {
  let dir: string;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let zalo: Awaited<ReturnType<typeof startFakeZalo>>;
  let bot: Awaited<ReturnType<typeof instance>>;
  let conversation: Conversation;
  let tickets: TicketStore;
  let blocked = true;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-tickets-'));
    blocked = true;
    telegram = await startFakeTelegram({
      onSend: (call) =>
        blocked && call.body.chat_id === BLOCKED
          ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
          : undefined,
    });
    zalo = await startFakeZalo();
    bot = await instance(dir, telegram.baseUrl, zalo.baseUrl);
    ({ conversation, tickets } = bot);
  });
  afterEach(async () => {
    await bot.close();
    await telegram.close();
    await zalo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('Telegram and Zalo citizens get one ticket number; /traloi previews, Gửi delivers once to each, the blocked one gets it on their next message', async () => {
    const first = await conversation.handle(lan(Q_LAN));
    expect(text(first)).toContain('Câu hỏi đã được chuyển tới cán bộ Mặt trận (mã #');
    const n = ticketNumber(first);
    expect(ticketNumber(await conversation.handle(minh(Q_MINH)))).toBe(n);
    expect(ticketNumber(await conversation.handle(hoa(Q_HOA)))).toBe(n);
    // The same person asking again is still one asker.
    expect(ticketNumber(await conversation.handle(lan(Q_LAN)))).toBe(n);
    expect((await tickets.get(n))?.askers.map((a) => `${a.channel}:${a.chatId}`)).toEqual(['telegram:555', 'zalo:z-minh', `telegram:${BLOCKED}`]);
    expect(text(await conversation.handle(lan('/cauhoicuatoi')))).toContain(`#${n}`);

    const list = text(await conversation.handle(admin('/cauhoi')));
    expect(list).toContain(`#${n} — 3 người hỏi — ${Q_LAN}`);
    // Citizens may not answer.
    expect(text(await conversation.handle(lan(`/traloi ${n} không`)))).toContain('chỉ dành cho cán bộ');

    const answerText = 'Bot không có thông tin giá vé.\nBạn xem trên trang của các hãng bay nhé.';
    const preview = await conversation.handle(admin(`/traloi ${n} ${answerText}`));
    expect(preview[1]!.text).toContain(`Câu hỏi của bạn (mã #${n}): “${Q_LAN}”`);
    expect(preview[1]!.text).toContain(answerText);
    expect(preview[1]!.text).toContain('— Mặt trận Tổ quốc Việt Nam trả lời, ngày ');
    const send = preview[2]!.buttons!.flat().find((b) => b.label === 'Gửi')!;
    expect(text(await conversation.handle(admin('', send.data)))).toContain(`Đang gửi câu trả lời #${n} tới 3 người hỏi`);

    await waitFor(() => telegram.sent().some((c) => c.body.chat_id === '1' && String(c.body.text).includes('Đã gửi câu trả lời')), 10_000);
    const toLan = telegram.sent().filter((c) => c.body.chat_id === '555' && String(c.body.text).includes(`(mã #${n})`));
    const toMinh = zalo.sent().filter((c) => c.body.chat_id === 'z-minh' && String(c.body.text).includes(`(mã #${n})`));
    expect(toLan).toHaveLength(1);
    expect(toMinh).toHaveLength(1);
    expect(String(toMinh[0]!.body.text)).toContain(`“${Q_MINH}”`);
    expect(String(toMinh[0]!.body.text)).toContain('Bạn xem trên trang của các hãng bay nhé.');
    const report = telegram.sent().find((c) => c.body.chat_id === '1' && String(c.body.text).includes('Đã gửi câu trả lời'))!;
    expect(String(report.body.text)).toContain('2 người đã nhận, 1 người chưa nhận được');
    const ticket = await tickets.get(n);
    expect(ticket).toMatchObject({ status: 'answered', delivery: { delivered: ['telegram:555', 'zalo:z-minh'], waiting: [`telegram:${BLOCKED}`] } });
    expect(await tickets.openTickets()).toEqual([]);

    // Unblocked: the next message brings the answer first, once.
    blocked = false;
    const next = await conversation.handle(hoa('xin chào'));
    // Opened by a line true on every channel: staff answered, with the ticket's number.
    expect(next[0]!.text.startsWith(`${ticketText.waitedLine(n)}\n\n`)).toBe(true);
    expect(next[0]!.text).toContain(`“${Q_HOA}”`);
    expect(text(await conversation.handle(hoa('xin chào')))).not.toContain(`(mã #${n})`);
    expect((await tickets.get(n))?.delivery?.delivered).toContain(`telegram:${BLOCKED}`);
    const stats = text(await conversation.handle(admin('/thongke')));
    expect(stats).toContain('người hỏi đã nhận câu trả lời: 3/3 (100%)');
    // Answered within the minute: said so, not "0 phút".
    expect(stats).toContain('thời gian trả lời (trung vị): dưới 1 phút');
    expect(text(await conversation.handle(lan('/cauhoicuatoi')))).toContain('đã trả lời');
    const audit = await bot.staff.audit.latest(10, new Date());
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual(expect.arrayContaining(['/traloi ok', '/traloi denied']));
    expect(audit.map((e) => e.detail)).toEqual(expect.arrayContaining([ticketText.audit.previewed(n), ticketText.audit.answered(n, false)]));
  });

  it('"gặp cán bộ" hands over the previous question; /dongcauhoi closes, and askers hear of it only when staff press the button', async () => {
    const n = ticketNumber(await conversation.handle(lan(Q_LAN)));
    expect(ticketNumber(await conversation.handle(lan('Tôi muốn gặp cán bộ')))).toBe(n);
    // Any wording the request reader takes for "talk to staff" hands the question over, not only the ticket flow's own.
    expect(ticketNumber(await conversation.handle(lan('chuyển cho cán bộ giúp em với ạ')))).toBe(n);
    const m = ticketNumber(await conversation.handle(minh('/hoicanbo Xã tôi muốn mời cán bộ Mặt trận tỉnh về nói chuyện chuyên đề thì liên hệ ai?')));
    expect(m).not.toBe(n);
    const closed = await conversation.handle(admin(`/dongcauhoi ${m} trùng câu hỏi khác`));
    expect(closed[0]!.text).toContain(`Đã đóng câu hỏi #${m}`);
    expect(zalo.sent()).toHaveLength(0);
    await conversation.handle(admin('', closed[0]!.buttons![0]![0]!.data));
    await waitFor(() => zalo.sent().length === 1);
    expect(String(zalo.sent()[0]!.body.text)).toContain('trùng câu hỏi khác');
    expect(text(await conversation.handle(admin('/cauhoi')))).not.toContain(`#${m} `);
  });

  it('a web chat session holds a ticket and gets the answer with its next message', async () => {
    const web = from('web', 'session-abc');
    const n = ticketNumber(await conversation.handle(web(Q_LAN)));
    const preview = await conversation.handle(admin(`/traloi ${n} Giá vé do các hãng bay công bố.`));
    await conversation.handle(admin('', preview[2]!.buttons![0]![0]!.data));
    await waitFor(() => telegram.sent().some((c) => c.body.chat_id === '1' && String(c.body.text).includes('1 người chưa nhận được')), 10_000);
    const next = await conversation.handle(web('còn gì nữa không'));
    expect(next[0]!.text).toContain('Giá vé do các hãng bay công bố.');
    expect(text(await conversation.handle(web('cảm ơn')))).not.toContain('Giá vé do các hãng bay công bố.');
  });

  it('reads requests to talk to staff, and leaves questions about staff to the articles', () => {
    expect(readStaffRequest('gặp cán bộ')).toBe('');
    expect(readStaffRequest('Tôi muốn hỏi cán bộ về chế độ hộ cận nghèo')).toBe('chế độ hộ cận nghèo');
    expect(readStaffRequest('cho minh hoi can bo mat tran a')).toBe('');
    expect(readStaffRequest('Cán bộ Mặt trận cấp xã có bao nhiêu người?')).toBeUndefined();
  });
});
