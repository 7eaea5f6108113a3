import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation } from '../../src/assistant/conversation.js';
import { createTicketFlow, type TicketFlow } from '../../src/assistant/tickets.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import type { Channel, ChannelId, InboundMessage, OutboundMessage } from '../../src/core/chat.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createTicketDelivery } from '../../src/digest/ticket-answers.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createTicketStore } from '../../src/store/tickets.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const BLOCKED = '666';
const from =
  (channel: ChannelId, userId: string) =>
  (text: string, callbackData?: string): InboundMessage => ({ channel, chatId: userId, userId, text, callbackData, receivedAt: new Date() });
const admin = from('telegram', '1');
const lan = from('telegram', '555');
const hoa = from('telegram', BLOCKED);
const web = from('web', 'session-closed');
const text = (replies: OutboundMessage[]) => replies.map((r) => r.text).join('\n');

/** The bot's ticket side as app.ts composes it, over SQLite and a fake Telegram; the only staff member is telegram:1. */
async function instance(dir: string, telegramApi: string) {
  const adapter = () => createSqliteAdapter(dir);
  const log = silentLogger();
  const staff = await createStaffStore({ adapter, log });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const lease = await createSqliteLease(await adapter());
  const tickets = await createTicketStore({ adapter, log, lease });
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: '123456:TEST-token-not-real', apiRoot: telegramApi, log })]]);
  const fast = { ratePerSecond: 200, concurrency: 4, perChatGapMs: 0 };
  const broadcaster = createBroadcaster({ store: broadcasts, channels, log, pace: { telegram: fast }, maxAttempts: 2, retryBaseMs: 10 });
  const delivery = createTicketDelivery({ tickets, broadcasts, broadcaster, channels, lease, log });
  broadcaster.on('delivered', (id, r) => delivery.delivered(id, r));
  const flow: TicketFlow = createTicketFlow({
    tickets,
    delivery,
    staff,
    lexicon,
    roleOf: async (msg) => (msg.channel === 'telegram' && msg.userId === '1' ? 'admin' : 'citizen'),
    log,
  });
  const index = ArticleIndex.create();
  const conversation = createConversation({
    engine: createAnswerEngine({ index, lexicon }),
    index,
    lexicon,
    stores: await createStores({ log }),
    flows: [flow],
    tickets: flow,
    ticketWaitMs: 10_000,
    log,
  });
  return { tickets, flow, conversation, close: () => Promise.all([staff.close(), broadcasts.close(), tickets.close()]) };
}

describe('[Báo cho người hỏi]: askers the notice does not reach get it on their next message, and staff get a report', () => {
  let dir: string;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let bot: Awaited<ReturnType<typeof instance>>;
  let blocked = true;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-ticket-closed-waiting-'));
    blocked = true;
    telegram = await startFakeTelegram({
      onSend: (call) =>
        blocked && call.body.chat_id === BLOCKED
          ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
          : undefined,
    });
    bot = await instance(dir, telegram.baseUrl);
  });
  afterEach(async () => {
    await bot.close();
    await telegram.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a blocked Telegram asker and a web asker wait; the staff chat hears 1 told and 2 waiting; each gets the notice once with their next message', async () => {
    const { conversation, tickets, flow } = bot;
    const at = new Date();
    const n = await flow.open(lan('x'), 'Xin số điện thoại riêng của chủ tịch xã?', at);
    expect(await flow.open(hoa('x'), 'Cho tôi số điện thoại riêng của chủ tịch xã', at)).toBe(n);
    expect(await flow.open(web('x'), 'số điện thoại riêng chủ tịch xã', at)).toBe(n);
    expect((await tickets.get(n))?.askers).toHaveLength(3);

    const closed = await conversation.handle(admin(`/dongcauhoi ${n} thông tin cá nhân không được cung cấp`));
    const told = await conversation.handle(admin('', closed[0]!.buttons![0]![0]!.data));
    expect(text(told)).toContain(`câu hỏi #${n} đã đóng; báo cáo sẽ hiện ở đây`);

    const isReport = (c: { body: Record<string, unknown> }) => c.body.chat_id === '1' && String(c.body.text).includes('Đã báo cho người hỏi');
    await waitFor(() => telegram.sent().some(isReport), 10_000);
    const reports = telegram.sent().filter(isReport);
    expect(reports).toHaveLength(1);
    expect(String(reports[0]!.body.text)).toContain(`câu hỏi #${n} đã đóng: 1 người đã nhận, 2 người chưa nhận được`);
    const toLan = telegram.sent().filter((c) => c.body.chat_id === '555' && String(c.body.text).includes(`(mã #${n})`));
    expect(toLan).toHaveLength(1);
    expect(String(toLan[0]!.body.text)).toContain('lý do: thông tin cá nhân không được cung cấp');

    const stored = await tickets.get(n);
    expect(stored?.closed).toMatchObject({
      toldAt: expect.any(String),
      notice: { delivered: ['telegram:555'], waiting: [`telegram:${BLOCKED}`, 'web:session-closed'] },
    });
    // Staff see counts, never the askers' chat ids.
    const view = await flow.service.getTicket(n);
    expect(view?.closed?.notice).toEqual({ delivered: 1, waiting: 2, finished: true });
    expect(JSON.stringify(view)).not.toContain(BLOCKED);
    expect(JSON.stringify(view)).not.toContain('session-closed');

    // Unblocked: the next message brings the notice first, once.
    blocked = false;
    const next = await conversation.handle(hoa('xin chào'));
    expect(next[0]!.text).toContain(`Câu hỏi của bạn (mã #${n}): “Cho tôi số điện thoại riêng của chủ tịch xã”`);
    expect(next[0]!.text).toContain('lý do: thông tin cá nhân không được cung cấp');
    expect(text(await conversation.handle(hoa('xin chào')))).not.toContain(`(mã #${n})`);
    const webNext = await conversation.handle(web('còn câu hỏi của tôi thì sao'));
    expect(webNext[0]!.text).toContain(`“số điện thoại riêng chủ tịch xã”`);
    expect(text(await conversation.handle(web('cảm ơn')))).not.toContain(`(mã #${n})`);
    expect((await tickets.get(n))?.closed?.notice).toEqual({ delivered: ['telegram:555', `telegram:${BLOCKED}`, 'web:session-closed'], waiting: [] });
    // Nothing more was pushed, to anyone: a single report and one notice per pushed chat.
    expect(telegram.sent().filter(isReport)).toHaveLength(1);
    expect(telegram.sent().filter((c) => c.body.chat_id === BLOCKED && String(c.body.text).includes(`(mã #${n})`))).toHaveLength(1);

    // /cauhoicuatoi gives the reason staff told the askers.
    expect(text(await conversation.handle(lan('/cauhoicuatoi')))).toContain(`#${n} `);
    expect(text(await conversation.handle(lan('/cauhoicuatoi')))).toContain('đã đóng (lý do: thông tin cá nhân không được cung cấp)');
  });

  it('an asker who erases their data while the notice waits is dropped from it and gets nothing later', async () => {
    const { conversation, tickets, flow } = bot;
    const at = new Date();
    const n = await flow.open(lan('x'), 'Xin số điện thoại riêng của chủ tịch xã?', at);
    expect(await flow.open(web('x'), 'số điện thoại riêng chủ tịch xã', at)).toBe(n);
    const closed = await conversation.handle(admin(`/dongcauhoi ${n}`));
    await conversation.handle(admin('', closed[0]!.buttons![0]![0]!.data));
    await waitFor(() => telegram.sent().some((c) => c.body.chat_id === '1' && String(c.body.text).includes('Đã báo cho người hỏi')), 10_000);
    expect((await tickets.get(n))?.closed?.notice?.waiting).toEqual(['web:session-closed']);

    await tickets.forgetAsker('web', 'session-closed');
    expect((await tickets.get(n))?.closed?.notice).toEqual({ delivered: ['telegram:555'], waiting: [] });
    expect(JSON.stringify(await tickets.get(n))).not.toContain('session-closed');
    expect(text(await conversation.handle(web('xin chào')))).not.toContain(`(mã #${n})`);
  });
});
