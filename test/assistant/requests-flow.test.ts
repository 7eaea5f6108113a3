import { join } from 'node:path';
import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation, type ConversationEvents, type ConversationFlow } from '../../src/assistant/conversation.js';
import { createSubscriptionFlow } from '../../src/assistant/subscribe.js';
import { digestText, messages } from '../../src/copy/messages.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import type { InboundMessage, OutboundMessage } from '../../src/core/chat.js';
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
const { items } = await loadContent([join(ROOT, 'data'), join(ROOT, 'test', 'fixtures', 'articles')]);
const index = ArticleIndex.create();
for (const item of items) index.upsert(toSearchDoc(item));
const engine = createAnswerEngine({ index, lexicon });
const clock = Date.parse('2026-11-27T09:00:00+07:00');

let subs: SubscriptionStore;
let questionAnswered: Mock<NonNullable<ConversationEvents['questionAnswered']>>;
let extraFlows: ConversationFlow[];
let conversation: Conversation;
const msg = (text: string, chatId = 'z1', callbackData?: string): InboundMessage => ({
  channel: 'zalo',
  chatId,
  userId: chatId,
  text,
  callbackData,
  receivedAt: new Date(clock),
});
const say = async (text: string, chatId = 'z1') => conversation.handle(msg(text, chatId));
const press = async (reply: OutboundMessage, label: string, chatId = 'z1') =>
  conversation.handle(msg('', chatId, reply.buttons!.flat().find((b) => b.label === label)!.data));

async function start(flows: ConversationFlow[] = []) {
  subs = await createSubscriptionStore({ log: silentLogger() });
  const broadcasts = await createBroadcastStore({ log: silentLogger() });
  const broadcaster = createBroadcaster({ store: broadcasts, channels: new Map(), log: silentLogger() });
  const digest = createDigestService({
    docs: () => index.all(),
    subscriptions: subs,
    broadcasts,
    broadcaster,
    hasChannel: (id) => id === 'zalo',
    maxTextLength: () => 2000,
    log: silentLogger(),
  });
  const subscriptionFlow = createSubscriptionFlow({ subscriptions: subs, digest, lexicon, pushChannels: new Set(['zalo']), log: silentLogger() });
  questionAnswered = vi.fn<NonNullable<ConversationEvents['questionAnswered']>>(async () => {});
  conversation = createConversation({
    engine,
    index,
    lexicon,
    stores: await createStores({ log: silentLogger() }),
    log: silentLogger(),
    now: () => new Date(clock),
    flows: [subscriptionFlow, ...flows],
    events: { questionAnswered },
  });
}

beforeEach(async () => {
  extraFlows = [];
  await start(extraFlows);
});

describe('requests about the bot, through the conversation', () => {
  it.each([
    ['tin mới nhất hôm nay có gì', '/moi'],
    ['bot làm được gì?', '/trogiup'],
    ['ad ơi có những lệnh gì vậy', '/trogiup'],
    ['cho mình xem các chương trình của Mặt trận', '/chuongtrinh'],
    ['xem cai dat ban tin', '/caidat'],
    ['Đổi giờ nhận tin', '/caidat'],
  ])('"%s" gets the same reply as %s', async (request, command) => {
    const asked = await say(request, 'a');
    const typed = await say(command, 'b');
    expect(asked).toEqual(typed);
    expect(asked[0]!.text.length).toBeGreaterThan(20);
  });

  it('"tôi muốn nhận bản tin hằng ngày" asks first, then subscribes with the reply of /dangky', async () => {
    const [ask] = await say('Tôi muốn nhận bản tin hằng ngày');
    expect(ask!.text).toBe(messages.confirmRequest.dangky!.question);
    expect(await subs.get('zalo', 'z1')).toBeUndefined();
    const confirmed = await press(ask!, messages.confirmRequest.dangky!.yes);
    expect(confirmed).toEqual(await say('/dangky', 'z2'));
    expect(confirmed[0]!.text).toContain(digestText.subscribed);
    expect((await subs.get('zalo', 'z1'))?.hour).toBe((await subs.get('zalo', 'z2'))?.hour);
  });

  it('"hủy nhận tin" asks rather than unsubscribing; "không" keeps the subscription, a typed "có" or "1" ends it as /huydangky does', async () => {
    await say('/dangky');
    const [ask] = await say('hủy nhận tin');
    expect(ask!.text).toBe(messages.confirmRequest.huydangky!.question);
    expect((await say('không'))[0]!.text).toBe(messages.requestKept);
    expect(await subs.get('zalo', 'z1')).toBeDefined();

    await say('mình không muốn nhận tin nữa');
    const [done] = await say('dạ có');
    expect(done!.text).toBe(digestText.unsubscribed);
    expect(await subs.get('zalo', 'z1')).toBeUndefined();

    await say('/dangky', 'z3');
    await say('ad oi huy nhan ban tin giup toi', 'z3');
    expect(await say('1', 'z3')).toEqual([{ text: digestText.unsubscribed }]);
    expect(await subs.get('zalo', 'z3')).toBeUndefined();
  });

  it('a "có" with no question pending is a question, and a stale confirmation button changes nothing it should not', async () => {
    const [reply] = await say('có');
    expect(reply!.text).not.toBe(digestText.unsubscribed);
    expect(await conversation.handle(msg('', 'z1', 'req:thongbao'))).toEqual([{ text: messages.expired }]);
  });

  it('a request typed while the bot waits for provinces is read as the request', async () => {
    const [settings] = await say('/dangky');
    await press(settings!, digestText.buttonProvinces);
    const [ask] = await say('huỷ nhận bản tin hằng ngày nhé');
    expect(ask!.text).toBe(messages.confirmRequest.huydangky!.question);
  });

  it('records "tôi muốn gặp cán bộ" for staff as an unanswered message and says so', async () => {
    const [reply] = await say('Tôi muốn gặp cán bộ ạ');
    expect(reply!.text).toBe(messages.staffRequested);
    expect(questionAnswered).toHaveBeenCalledWith(expect.objectContaining({ chatId: 'z1' }), 'Tôi muốn gặp cán bộ ạ', 'no_answer', 0, new Date(clock));
  });

  it('leaves a request for staff to a flow that takes it (a ticket desk)', async () => {
    const desk: ConversationFlow = {
      command: async () => undefined,
      press: async () => undefined,
      typed: async (_m, _s, text) => (/cán bộ/.test(text) ? [{ text: `#1 ${text}` }] : undefined),
    };
    extraFlows.push(desk);
    await start(extraFlows);
    expect(await say('cho mình hỏi cán bộ Mặt trận được không')).toEqual([{ text: '#1 cho mình hỏi cán bộ Mặt trận được không' }]);
    expect(questionAnswered).not.toHaveBeenCalled();
  });

  it('sends questions that share the words of a request to the articles', async () => {
    for (const question of ['Đăng ký thường trú ở đâu?', 'Mặt trận làm được gì cho người nghèo?', 'hủy hợp đồng lao động thế nào']) {
      const [reply] = await say(question);
      const data = (reply!.buttons ?? []).flat().map((b) => b.data);
      expect(
        data.some((d) => d.startsWith('req:')),
        question,
      ).toBe(false);
      expect([messages.staffRequested, messages.help], question).not.toContain(reply!.text);
      expect(questionAnswered, question).toHaveBeenLastCalledWith(
        expect.anything(),
        question,
        expect.stringMatching(/^(answer|no_answer)$/),
        expect.any(Number),
        new Date(clock),
      );
    }
  });
});
