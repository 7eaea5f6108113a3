import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { createSubscriptionFlow, parseHour } from '../../src/assistant/subscribe.js';
import type { InboundMessage, OutboundMessage } from '../../src/core/chat.js';
import type { SearchDoc } from '../../src/content/types.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createDigestService } from '../../src/digest/digest.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore, type SubscriptionStore } from '../../src/store/subscriptions.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const clock = Date.parse('2026-11-27T09:00:00+07:00');
const fresh: SearchDoc = {
  id: 'n1',
  type: 'article',
  title: 'Ủy ban MTTQ tỉnh Quảng Trị trao quà cho hộ nghèo',
  summary: 'Trao 200 suất quà.',
  body: 'Trao 200 suất quà cho hộ nghèo.',
  url: 'https://mattran.org.vn/n1-1.html',
  publishedAt: '2026-11-27T08:00:00',
  province: 'Quảng Trị',
  source: 't',
};
const index = ArticleIndex.create();
index.upsert(fresh);
const engine = createAnswerEngine({ index, lexicon });

let conversation: Conversation;
let subs: SubscriptionStore;
const msg = (text: string, callbackData?: string): InboundMessage => ({
  channel: 'zalo',
  chatId: 'z1',
  userId: 'z1',
  text,
  callbackData,
  receivedAt: new Date(clock),
});
const press = async (reply: OutboundMessage, label: RegExp) => conversation.handle(msg('', reply.buttons!.flat().find((b) => label.test(b.label))!.data));

beforeEach(async () => {
  subs = await createSubscriptionStore({ log: silentLogger() });
  const broadcasts = await createBroadcastStore({ log: silentLogger() });
  const broadcaster = createBroadcaster({ store: broadcasts, channels: new Map(), log: silentLogger() });
  const digest = createDigestService({
    docs: () => index.all(),
    subscriptions: subs,
    broadcasts,
    broadcaster,
    hasChannel: (id) => id === 'telegram',
    maxTextLength: () => 2000,
    log: silentLogger(),
  });
  const subscriptionFlow = createSubscriptionFlow({ subscriptions: subs, digest, lexicon, pushChannels: new Set(['zalo']), log: silentLogger() });
  conversation = createConversation({
    engine,
    index,
    lexicon,
    stores: await createStores({ log: silentLogger() }),
    log: silentLogger(),
    now: () => new Date(clock),
    flows: [subscriptionFlow],
  });
});

describe('subscription commands', () => {
  it('reads typed hours', () => {
    expect(parseHour('7h')).toBe(7);
    expect(parseHour('19:00')).toBe(19);
    expect(parseHour('7 giờ tối')).toBe(19);
    expect(parseHour('6 gio sang')).toBe(6);
    expect(parseHour('25h')).toBeUndefined();
    expect(parseHour('bảy giờ')).toBeUndefined();
  });

  it('/dangky subscribes with defaults, then topics, provinces (old names), hour and pause change the settings', async () => {
    const [welcome] = await conversation.handle(msg('/dangky'));
    expect(welcome!.text).toContain('Bạn đã đăng ký');
    expect(welcome!.text).toContain('07:00');
    expect((await subs.get('zalo', 'z1'))?.hour).toBe(7);

    const [topics] = await press(welcome!, /Chọn chủ đề/);
    const [toggled] = await press(topics!, /An sinh/);
    expect(toggled!.buttons!.flat().find((b) => /An sinh/.test(b.label))!.label).toMatch(/^✅/);
    expect((await subs.get('zalo', 'z1'))?.topics).toEqual(['an-sinh']);

    // Numbered replies work the same way as buttons (Zalo): the settings menu is 1–4.
    const [menu] = await conversation.handle(msg('/caidat'));
    expect(menu!.text).toContain('An sinh xã hội – Vì người nghèo');
    const [askProvince] = await conversation.handle(msg('2'));
    expect(askProvince!.text).toContain('tỉnh');
    const [provinces] = await conversation.handle(msg('quang binh, Gia Lai'));
    expect(provinces!.text).toContain('Quảng Trị, Gia Lai');
    expect(provinces!.text).toMatch(/quang binh nay thuộc Quảng Trị/i);
    expect((await subs.get('zalo', 'z1'))?.provinces).toEqual(['Quảng Trị', 'Gia Lai']);

    await conversation.handle(msg('3'));
    const [hour] = await conversation.handle(msg('19h'));
    expect(hour!.text).toContain('19:00');
    expect((await subs.get('zalo', 'z1'))?.hour).toBe(19);

    const [paused] = await conversation.handle(msg('4'));
    expect(paused!.text).toContain('tạm dừng');
    expect((await subs.get('zalo', 'z1'))?.paused).toBe(true);
  });

  it('understands the commands typed as words, without diacritics', async () => {
    expect((await conversation.handle(msg('dang ky ban tin')))[0]!.text).toContain('Bạn đã đăng ký');
    expect((await conversation.handle(msg('Cài đặt')))[0]!.text).toContain('Cài đặt bản tin của bạn');
    expect((await conversation.handle(msg('huy dang ky')))[0]!.text).toContain('hủy đăng ký');
    expect(await subs.get('zalo', 'z1')).toBeUndefined();
  });

  it('a question while the bot waits for provinces is answered as a question', async () => {
    const [welcome] = await conversation.handle(msg('/dangky'));
    await press(welcome!, /Chọn tỉnh/);
    const [answer] = await conversation.handle(msg('Ủy ban MTTQ tỉnh Quảng Trị trao bao nhiêu suất quà?'));
    expect(answer!.text).not.toContain('Đã chọn');
    expect((await subs.get('zalo', 'z1'))?.provinces).toEqual([]);
    // The bot no longer waits: a province typed now is a question too.
    expect((await conversation.handle(msg('Quảng Trị')))[0]!.text).not.toContain('Đã chọn');
  });

  it('/bantin sends today’s digest on demand and not again; /huydangky unsubscribes', async () => {
    expect((await conversation.handle(msg('/caidat')))[0]!.text).toContain('/dangky');
    const [digest] = await conversation.handle(msg('/bantin'));
    expect(digest!.text).toContain('Ủy ban MTTQ tỉnh Quảng Trị trao quà cho hộ nghèo');
    await conversation.handle(msg('/dangky'));
    expect((await conversation.handle(msg('/bantin')))[0]!.text).toContain('trao quà');
    expect((await conversation.handle(msg('/bantin')))[0]!.text).toContain('chưa có tin mới');
    expect((await conversation.handle(msg('/huydangky')))[0]!.text).toContain('hủy đăng ký');
    expect(await subs.get('zalo', 'z1')).toBeUndefined();
  });
});
