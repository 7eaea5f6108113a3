import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConversation } from '../../src/assistant/conversation.js';
import { createSubscriptionFlow } from '../../src/assistant/subscribe.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createDigestService, type DigestService } from '../../src/digest/digest.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { messages } from '../../src/copy/messages.js';
import type { InboundHandler, InboundMessage } from '../../src/core/chat.js';
import { createZaloChannel, ZALO_WEBHOOK_PATH, type ZaloChannel, type ZaloOptions } from '../../src/channels/zalo/channel.js';
import { DEFAULT_ZALO_ERROR_MAP } from '../../src/channels/zalo/errors.js';
import { zaloText } from '../../src/copy/messages.js';
import { createStores } from '../../src/store/stores.js';
import { waitFor } from '../helpers/fake-http.js';
import { expectNoSecret, startFakeZalo, zaloError, zaloEvent, zaloTextUpdate, type FakeZalo, type FakeZaloOptions } from '../helpers/fake-zalo.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { bundledBot } from '../helpers/bot.js';
import { expectListThenNumberedCards, expectSubscribedThenUnsubscribed, sharedStateDir, slowOn, subscribingInstance } from '../helpers/ordering.js';
import { channelContract } from './contract.js';

const TOKEN = '1459232241454765289:zalo-TEST-token-not-real';
const SECRET = 'zalo-webhook-secret-for-tests-42';
const QUESTION = 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?';

const { lexicon, index, engine, newConversation } = await bundledBot();

/**
 * A mapping file for the contract: Zalo has no confirmed "blocked" or "chat not found" code, so the test
 * maps made-up ones, which shows the mapping is data an operator can change without touching code.
 */
const mapDir = mkdtempSync(join(tmpdir(), 'zalo-contract-'));
const CONTRACT_MAP = join(mapDir, 'zalo-errors.json');
writeFileSync(
  CONTRACT_MAP,
  JSON.stringify({
    _comment: 'test mapping',
    rules: [
      { code: 9403, reason: 'blocked', certainty: 'C', _source: 'test: a code an operator has observed for a blocked bot' },
      { code: 400, descriptionIncludes: 'chat not found', reason: 'chat_not_found', certainty: 'C', _source: 'test: a description an operator has observed' },
      ...(DEFAULT_ZALO_ERROR_MAP.rules ?? []),
    ],
  }),
);

channelContract('zalo', {
  async create(onSend) {
    const fake = await startFakeZalo({ token: TOKEN, onSend });
    const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log: silentLogger(), sendTimeoutMs: 300, errorCodes: CONTRACT_MAP });
    return { channel, sent: fake.sent, close: fake.close };
  },
  replies: {
    rateLimited: zaloError(429, 'Too Many Requests', { status: 429, parameters: { retry_after: 3 } }),
    blocked: zaloError(9403, 'User has blocked the bot'),
    chatNotFound: zaloError(400, 'Bad Request: chat not found'),
    serverError: { status: 502, raw: '<html>Bad Gateway</html>' },
    garbage: { status: 200, raw: '{"ok": tru' },
    timeout: { delayMs: 2000, body: { ok: true, result: { message_id: 'late', date: 0 } } },
  },
  textOf: (call) => String(call.body.text),
});

describe('zalo channel', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A started channel polling a fake Zalo API; answers through `handler` (default: a fresh conversation core). */
  async function pollingBot(fakeOptions: FakeZaloOptions = {}, channelOptions: Partial<ZaloOptions> = {}, handler?: InboundHandler) {
    const fake = await startFakeZalo({ token: TOKEN, emptyPollMs: 50, ...fakeOptions });
    cleanups.push(fake.close);
    const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log: silentLogger(), pollTimeoutSec: 1, pollBackoffMs: 20, ...channelOptions });
    const conversation = handler ? undefined : await newConversation();
    await channel.start(handler ?? ((m) => conversation!.handle(m)));
    cleanups.push(() => channel.stop());
    return { fake, channel };
  }
  const texts = (fake: FakeZalo) => fake.sent().map((c) => String(c.body.text));

  describe('a conversation over Zalo with the real core', () => {
    it('answers a question with the quote and its source, and asks for a typed 👍/👎 instead of buttons', async () => {
      const { fake } = await pollingBot({ updates: [zaloTextUpdate('q1', QUESTION)] });
      await waitFor(() => fake.sent().length > 0);
      const [answer] = texts(fake);
      expect(fake.sent()[0]!.body.chat_id).toBe('e4ea2cd5189df1c3a88c');
      expect(answer).toContain('Phạm Thị Hân');
      expect(answer).toContain('Theo bài “Ủy ban MTTQ tỉnh Quảng Bình triển khai các chương trình phối hợp');
      expect(answer).toContain('(19/04/2022)');
      expect(answer).toContain(zaloText.feedbackHint);
      expect(answer).not.toMatch(/^\d\. 👍/m);
      expect(answer).not.toMatch(/<[a-z]/);
      expect(fake.callsTo('sendChatAction')[0]!.body).toEqual({ chat_id: 'e4ea2cd5189df1c3a88c', action: 'typing' });
    });

    it('shows /start examples as a numbered list and answers "1" with the first example', async () => {
      const { fake } = await pollingBot({ updates: [zaloTextUpdate('s1', '/start')] });
      await waitFor(() => fake.sent().length === 1);
      const welcome = texts(fake)[0]!;
      expect(welcome).toContain('Xin chào Lan!');
      expect(welcome).toContain(`1. ${QUESTION}`);
      expect(welcome).toMatch(/^2\. .+$/m);
      expect(welcome).toMatch(/^3\. .+$/m);
      expect(welcome).toContain(zaloText.chooseByNumber);
      fake.push(zaloTextUpdate('s2', '1'));
      await waitFor(() => fake.sent().length === 2);
      expect(texts(fake)[1]).toContain('Phạm Thị Hân');
    });

    it('subscribes with /dangky, changes settings by number, and receives the daily digest over Zalo', async () => {
      const subscriptions = await createSubscriptionStore({ log: silentLogger() });
      const broadcasts = await createBroadcastStore({ log: silentLogger() });
      const channels = new Map<ChannelId, Channel>();
      let digest: DigestService | undefined;
      const broadcaster = createBroadcaster({ store: broadcasts, channels, log: silentLogger(), onDelivered: (id, r) => digest!.delivered(id, r) });
      const fresh = {
        ...index.get('mattran-quang-binh-ctpp-2022')!,
        id: 'fresh-1',
        title: 'Ủy ban MTTQ tỉnh Quảng Trị trao quà Tết cho hộ nghèo',
        publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
      };
      digest = createDigestService({
        docs: () => [...index.all(), fresh],
        subscriptions,
        broadcasts,
        broadcaster,
        hasChannel: (id) => channels.has(id),
        maxTextLength: () => 2000,
        log: silentLogger(),
      });
      const subscriptionFlow = createSubscriptionFlow({ subscriptions, digest, lexicon, pushChannels: new Set(['zalo']), log: silentLogger() });
      const conversation = createConversation({
        engine,
        index,
        lexicon,
        stores: await createStores({ log: silentLogger() }),
        flows: [subscriptionFlow],
        log: silentLogger(),
      });
      const { fake, channel } = await pollingBot({ updates: [zaloTextUpdate('d1', '/dangky')] }, {}, (m) => conversation.handle(m));
      channels.set('zalo', channel);
      await waitFor(() => fake.sent().length === 1);
      expect(texts(fake)[0]).toContain('Bạn đã đăng ký');
      expect(texts(fake)[0]).toMatch(/^1\. Chọn chủ đề$/m);
      fake.push(zaloTextUpdate('d2', '3'));
      await waitFor(() => fake.sent().length === 2);
      fake.push(zaloTextUpdate('d3', '18h'));
      await waitFor(() => fake.sent().length === 3);
      expect(texts(fake)[2]).toContain('18:00');
      const sub = await subscriptions.get('zalo', 'e4ea2cd5189df1c3a88c');
      expect(sub?.hour).toBe(18);
      const report = await digest.runSlot('2099-01-01', 18, new Date());
      expect(report).toMatchObject({ sent: 1 });
      const sentDigest = texts(fake)[3]!;
      expect(sentDigest).toContain('Bản tin Mặt trận Tổ quốc');
      expect(sentDigest).toContain('Ủy ban MTTQ tỉnh Quảng Trị trao quà Tết cho hộ nghèo');
      expect(sentDigest.length).toBeLessThanOrEqual(2000);
    });

    it('takes a typed 👍 after an answer as feedback and thanks the user', async () => {
      const { fake } = await pollingBot({ updates: [zaloTextUpdate('f1', QUESTION), zaloTextUpdate('f2', '👍')] });
      await waitFor(() => fake.sent().length === 2);
      expect(texts(fake)[1]).toContain('Cảm ơn bạn đã góp ý');
    });

    it('sends a long reply as several messages, none over 2,000 characters, in order, losing nothing', async () => {
      const { fake, channel } = await pollingBot();
      const paragraph = 'Mặt trận Tổ quốc Việt Nam các cấp vận động nhân dân ủng hộ Quỹ Vì người nghèo, xây nhà Đại đoàn kết cho hộ nghèo. ';
      const long = `${paragraph.repeat(8).trim()}\n\n`.repeat(6).trim();
      expect(long.length).toBeGreaterThan(5000);
      const result = await channel.send('e4ea2cd5189df1c3a88c', {
        text: long,
        links: [{ title: 'Quỹ Vì người nghèo', url: 'https://mattran.org.vn/quy-vi-nguoi-nghe.html' }],
      });
      expect(result.ok).toBe(true);
      const sent = texts(fake);
      expect(sent.length).toBeGreaterThanOrEqual(3);
      for (const t of sent) expect(t.length).toBeLessThanOrEqual(2000);
      expect(sent.join('\n\n')).toBe(`${long}\n\n🔗 Quỹ Vì người nghèo\nhttps://mattran.org.vn/quy-vi-nguoi-nghe.html`);
      // /chuongtrinh is the longest command reply of the bundled data: one message under the limit.
      fake.push(zaloTextUpdate('c1', '/chuongtrinh'));
      await waitFor(() => fake.sent().length === sent.length + 1);
      const programs = texts(fake).at(-1)!;
      expect(programs).toContain('Quỹ “Vì người nghèo”');
      expect(programs.length).toBeLessThanOrEqual(2000);
    });

    it('answers images, stickers, voice and unsupported content politely with "text only"', async () => {
      const { fake } = await pollingBot({
        arrayResults: true,
        updates: [
          zaloEvent('message.image.received', 'i1', { photo_url: 'https://zalo.example/p.jpg' }),
          zaloEvent('message.sticker.received', 'i2', { sticker: 'abc' }),
          zaloEvent('message.voice.received', 'i3', { voice_url: 'https://zalo.example/v.aac' }),
          zaloEvent('message.unsupported.received', 'i4'),
        ],
      });
      await waitFor(() => fake.sent().length === 4);
      for (const t of texts(fake)) expect(t).toBe(messages.textOnly);
    });
  });

  describe('long polling', () => {
    it('sends the timeout as a string, treats 408 as "nothing new" without a warning, and answers what arrives later', async () => {
      const { log, lines } = capturingLogger();
      const { fake } = await pollingBot({}, { log });
      await waitFor(() => fake.callsTo('getUpdates').length >= 3);
      fake.push(zaloTextUpdate('late', 'xin chào'));
      await waitFor(() => fake.sent().length === 1);
      expect(fake.callsTo('getUpdates')[0]!.body).toEqual({ timeout: '1' });
      expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
    });

    it('treats an HTTP 408 as an empty poll too', async () => {
      let empty = 2;
      const { log, lines } = capturingLogger();
      const { fake } = await pollingBot(
        { updates: [zaloTextUpdate('a', 'xin chào')], onCall: (c) => (c.api === 'getUpdates' && empty-- > 0 ? { status: 408, raw: '' } : undefined) },
        { log },
      );
      await waitFor(() => fake.sent().length === 1);
      expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
    });

    it('backs off after errors, doubling the wait, and recovers', async () => {
      let failing = 3;
      const { log, lines } = capturingLogger();
      const { fake } = await pollingBot(
        {
          updates: [zaloTextUpdate('b', 'xin chào')],
          onCall: (c) => (c.api === 'getUpdates' && failing-- > 0 ? { status: 502, raw: '<html>Bad Gateway</html>' } : undefined),
        },
        { log },
      );
      await waitFor(() => fake.sent().length === 1);
      const warnings = lines.filter((l) => l.msg === 'zalo getUpdates failed');
      expect(warnings.map((l) => l.retryInMs)).toEqual([20, 40, 80]);
      expect(JSON.stringify(warnings)).toContain('502');
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    });

    it('deletes an existing webhook before polling', async () => {
      const { fake } = await pollingBot({ webhookUrl: 'https://old.example.vn/webhook/zalo', updates: [zaloTextUpdate('d', 'xin chào')] });
      await waitFor(() => fake.sent().length === 1);
      const order = fake.calls.map((c) => c.api).filter((a) => a !== 'sendChatAction' && a !== 'sendMessage');
      expect(order.slice(0, 4)).toEqual(['getMe', 'getWebhookInfo', 'deleteWebhook', 'getUpdates']);
      expect(fake.webhook().url).toBe('');
    });

    it('polls anyway when getWebhookInfo is not available (404)', async () => {
      const { fake } = await pollingBot({
        updates: [zaloTextUpdate('h', 'xin chào')],
        onCall: (c) => (c.api === 'getWebhookInfo' ? zaloError(404, 'Not Found', { status: 404 }) : undefined),
      });
      await waitFor(() => fake.sent().length === 1);
    });

    it('does not call deleteWebhook when no webhook is set', async () => {
      const { fake } = await pollingBot({ updates: [zaloTextUpdate('n', 'xin chào')] });
      await waitFor(() => fake.sent().length === 1);
      expect(fake.callsTo('deleteWebhook')).toEqual([]);
    });

    it('keeps polling past a malformed update, an unknown event and a handler that throws', async () => {
      const { log, lines } = capturingLogger();
      const handler = vi.fn(async (m: InboundMessage) => {
        if (m.text === 'boom') throw new TypeError('handler bug');
        return [{ text: `đã nhận: ${m.text}` }];
      });
      const { fake } = await pollingBot(
        {
          updates: [
            { event_name: 'message.text.received', message: { chat: { id: 'x' } } },
            zaloEvent('user.follow', 'u1'),
            zaloTextUpdate('t1', 'boom'),
            zaloTextUpdate('t2', 'tiếp tục'),
          ],
        },
        { log },
        handler,
      );
      await waitFor(() => fake.sent().length === 1);
      expect(texts(fake)).toEqual(['đã nhận: tiếp tục']);
      expect(handler).toHaveBeenCalledTimes(2);
      expect(lines.some((l) => l.msg === 'malformed zalo update skipped')).toBe(true);
      expect(lines.some((l) => l.msg === 'unknown zalo event ignored')).toBe(true);
      expect(lines.some((l) => l.msg === 'zalo update failed')).toBe(true);
    });

    it('hands the core a normalised message and processes a replayed message_id once', async () => {
      const handler = vi.fn(async () => [{ text: 'ok' }]);
      const replay = {
        event_name: 'message.text.received',
        message: { message_id: 77, date: 1750316131, chat: { id: 5, chat_type: 'PRIVATE' }, from: { id: 5, first_name: 'Hùng' }, text: 'Xin chào' },
      };
      const { fake } = await pollingBot({ updates: [replay, replay] }, {}, handler);
      await waitFor(() => fake.callsTo('getUpdates').length >= 4);
      expect(handler).toHaveBeenCalledTimes(1);
      expect(handler.mock.calls[0]).toEqual([
        { channel: 'zalo', chatId: '5', userId: '5', displayName: 'Hùng', text: 'Xin chào', receivedAt: new Date(1750316131000) },
      ]);
    });

    it('answers even when the typing action fails', async () => {
      const { fake } = await pollingBot({
        updates: [zaloTextUpdate('t', 'xin chào')],
        onCall: (c) => (c.api === 'sendChatAction' ? { status: 200, raw: 'garbage' } : undefined),
      });
      await waitFor(() => fake.sent().length === 1);
    });

    it('stops a waiting poll at once and finishes the reply in flight', async () => {
      let release!: () => void;
      const started = new Promise<void>((r) => (release = r));
      const handler = async () => {
        release();
        await new Promise((r) => setTimeout(r, 200));
        return [{ text: 'xong' }];
      };
      const fake = await startFakeZalo({ token: TOKEN, emptyPollMs: 10_000, updates: [zaloTextUpdate('s', 'xin chào')] });
      cleanups.push(fake.close);
      const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log: silentLogger(), pollTimeoutSec: 30 });
      await channel.start(handler);
      await started;
      const t0 = Date.now();
      await channel.stop();
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(texts(fake)).toEqual(['xong']);
      const polls = fake.callsTo('getUpdates').length;
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.callsTo('getUpdates').length).toBe(polls);
    });

    it('fails at start with a clear error when the token is rejected, never showing the token', async () => {
      const fake = await startFakeZalo({ token: 'another:token' });
      cleanups.push(fake.close);
      const { log, lines } = capturingLogger();
      const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log });
      const err = await channel
        .start(async () => [])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(String(err)).toMatch(/Zalo token rejected \(401: Unauthorized\)/);
      expectNoSecret(err, TOKEN);
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
      expect(fake.callsTo('getUpdates')).toEqual([]);
    });

    it('reports a token rejected while polling as fatal and stops polling', async () => {
      const onFatal = vi.fn();
      const { log, lines } = capturingLogger();
      const { fake } = await pollingBot(
        { onCall: (c) => (c.api === 'getUpdates' ? zaloError(401, 'Unauthorized', { status: 401 }) : undefined) },
        { log, onFatal },
      );
      await waitFor(() => onFatal.mock.calls.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.callsTo('getUpdates')).toHaveLength(1);
      expect(lines.find((l) => l.level === 60)?.msg).toContain('401');
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    });
  });

  describe('sending', () => {
    it('logs and counts failures per code, and never drops a subscriber on an undocumented code', async () => {
      const { log, lines } = capturingLogger();
      let reply = zaloError(-216, 'Some undocumented error');
      const fake = await startFakeZalo({ token: TOKEN, onSend: () => reply });
      cleanups.push(fake.close);
      const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log, sendTimeoutMs: 200 });
      const first = await channel.send('c', { text: 'a' });
      expect(first.ok === false && first.reason).toBe('failed');
      expect(first.ok === false && first.reason === 'failed' && first.error.message).toBe('Zalo sendMessage failed (-216: Some undocumented error)');
      await channel.send('c', { text: 'a' });
      reply = zaloError(403, 'Forbidden');
      expect(await channel.send('c', { text: 'a' })).toMatchObject({ ok: false, reason: 'failed' });
      reply = zaloError(429, 'Too Many Requests');
      expect(await channel.send('c', { text: 'a' })).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 5000 });
      reply = { delayMs: 1000, body: {} };
      expect(await channel.send('c', { text: 'a' })).toMatchObject({ ok: false, reason: 'failed' });
      expect(channel.failureCounts()).toEqual({ '-216': 2, '403': 1, '429': 1, timeout: 1 });
      const unmapped = lines.filter((l) => l.msg === 'zalo send failed with an unmapped error code');
      expect(unmapped).toHaveLength(2);
      expect(unmapped[0]).toMatchObject({ code: -216, description: 'Some undocumented error', mapped: false });
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    });

    it('keeps the token out of every log line and every send error', async () => {
      const { log, lines } = capturingLogger('trace');
      const replies = [
        { status: 502, raw: '<html>x</html>' },
        { status: 200, raw: '{"ok": tru' },
        { delayMs: 1000, body: {} },
        zaloError(401, `bad token ${TOKEN}`),
      ];
      let i = 0;
      const fake = await startFakeZalo({ token: TOKEN, onSend: () => replies[i++] });
      cleanups.push(fake.close);
      const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log, sendTimeoutMs: 200 });
      for (let n = 0; n < replies.length; n++) {
        const result = await channel.send('c', { text: 'x' });
        expect(result.ok).toBe(false);
        if (result.ok === false && result.reason === 'failed') expectNoSecret(result.error, TOKEN);
      }
      const refused = await startFakeZalo();
      await refused.close();
      const offline = createZaloChannel({ token: TOKEN, apiBase: refused.baseUrl, log });
      const result = await offline.send('c', { text: 'x' });
      if (result.ok === false && result.reason === 'failed') expectNoSecret(result.error, TOKEN);
      expect(lines.length).toBeGreaterThanOrEqual(5);
      for (const line of lines) expect(JSON.stringify(line)).not.toContain(TOKEN);
    });

    it('a broadcast whose Zalo send times out after reaching Zalo repeats it once at most, and counts it as maybe duplicated', async () => {
      const fake = await startFakeZalo({
        token: TOKEN,
        // Zalo gets the message and answers too late: the first try of one chat, every try of another.
        onSend: (call) => {
          const chat = String(call.body.chat_id);
          const tries = fake.sent().filter((c) => c.body.chat_id === chat).length;
          return chat === 'z-slow-always' || (chat === 'z-slow-once' && tries === 1)
            ? { delayMs: 600, body: { ok: true, result: { message_id: `late-${tries}`, date: Date.now() } } }
            : undefined;
        },
      });
      cleanups.push(fake.close);
      const channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, log: silentLogger(), sendTimeoutMs: 200 });
      const store = await createBroadcastStore({ log: silentLogger() });
      const chats = ['z-1', 'z-slow-once', 'z-2', 'z-slow-always', 'z-3'];
      await store.create(
        { id: 'zalo-timeouts', kind: 'announcement', createdAt: new Date().toISOString(), params: {} },
        chats.map((chatId) => ({ channel: 'zalo', chatId })),
      );
      const broadcaster = createBroadcaster({
        store,
        channels: new Map<ChannelId, Channel>([['zalo', channel]]),
        log: silentLogger(),
        pace: { zalo: { ratePerSecond: 50, concurrency: 4, perChatGapMs: 0 } },
        retryBaseMs: 10,
      });
      const report = await broadcaster.run('zalo-timeouts', () => [{ text: 'Thông báo của Mặt trận' }]);
      const reached = (chatId: string) => fake.sent().filter((c) => c.body.chat_id === chatId).length;
      expect(chats.map(reached)).toEqual([1, 2, 1, 2, 1]);
      expect(report).toMatchObject({ total: 5, sent: 4, failed: 1, maybeDuplicated: 2 });
      expect(channel.failureCounts()).toEqual({ timeout: 3 });
    });

    it('declares its limits (2,000 characters; configurable pace, 5 a second by default)', () => {
      expect(createZaloChannel({ token: TOKEN, log: silentLogger() }).limits).toEqual({ maxTextLength: 2000, sendsPerSecond: 5 });
      expect(createZaloChannel({ token: TOKEN, log: silentLogger(), sendsPerSecond: 2 }).limits.sendsPerSecond).toBe(2);
    });
  });

  describe('webhook', () => {
    let server: Server;
    let base: string;
    let channel: ZaloChannel;
    let fake: FakeZalo;

    async function setup(handler?: InboundHandler) {
      fake = await startFakeZalo({ token: TOKEN });
      channel = createZaloChannel({ token: TOKEN, apiBase: fake.baseUrl, publicUrl: 'https://bot.example.vn/', webhookSecret: SECRET, log: silentLogger() });
      const conversation = await newConversation();
      server = createServer(
        (req, res) => void channel.route(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => handled || res.writeHead(404).end()),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await channel.start(handler ?? ((m) => conversation.handle(m)));
      cleanups.push(
        fake.close,
        () => new Promise<void>((r) => server.close(() => r())),
        () => channel.stop(),
      );
    }
    const post = (body: unknown, secret?: string) =>
      fetch(`${base}${ZALO_WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-bot-api-secret-token': secret } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('registers the webhook with its secret and never polls', async () => {
      await setup();
      expect(fake.callsTo('setWebhook')[0]!.body).toEqual({ url: `https://bot.example.vn${ZALO_WEBHOOK_PATH}`, secret_token: SECRET });
      expect(fake.webhook()).toMatchObject({ url: `https://bot.example.vn${ZALO_WEBHOOK_PATH}`, secret: SECRET });
      await new Promise((r) => setTimeout(r, 50));
      expect(fake.callsTo('getUpdates')).toEqual([]);
    });

    it('processes flat and wrapped bodies, each message_id once', async () => {
      await setup();
      const flat = zaloTextUpdate('w1', QUESTION);
      expect((await post(flat, SECRET)).status).toBe(200);
      expect((await post({ ok: true, result: zaloTextUpdate('w2', '/trogiup') }, SECRET)).status).toBe(200);
      expect((await post(flat, SECRET)).status).toBe(200);
      expect((await post({ ok: true, result: flat }, SECRET)).status).toBe(200);
      await waitFor(() => fake.sent().length === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.sent()).toHaveLength(2);
      const sent = texts(fake);
      expect(sent.some((t) => t.includes('Phạm Thị Hân'))).toBe(true);
      expect(sent.some((t) => t.includes('Các lệnh:'))).toBe(true);
    });

    it('answers 401 to a missing or wrong secret and processes nothing', async () => {
      await setup();
      expect((await post(zaloTextUpdate('x1', 'xin chào'))).status).toBe(401);
      expect((await post(zaloTextUpdate('x2', 'xin chào'), 'wrong-secret-wrong-secret')).status).toBe(401);
      expect((await post(zaloTextUpdate('x3', 'xin chào'), `${SECRET}x`)).status).toBe(401);
      await new Promise((r) => setTimeout(r, 50));
      expect(fake.sent()).toHaveLength(0);
    });

    it('rejects malformed bodies with 400, oversized ones with 413, and keeps serving', async () => {
      await setup();
      expect((await post('{"event_name": ', SECRET)).status).toBe(400);
      expect((await post({ hello: 1 }, SECRET)).status).toBe(400);
      expect((await post({ event_name: 'message.text.received', message: { chat: { id: 'c' }, text: 'x' } }, SECRET)).status).toBe(400);
      expect(
        (await post({ ok: true, result: { event_name: 'message.text.received', message: { message_id: 'm', chat: {}, text: 'x' } } }, SECRET)).status,
      ).toBe(400);
      expect((await post({ ok: true, result: [] }, SECRET)).status).toBe(400);
      expect((await post(JSON.stringify(zaloTextUpdate('big', 'a'.repeat(1_100_000))), SECRET)).status).toBe(413);
      expect((await post(zaloTextUpdate('ok', 'xin chào'), SECRET)).status).toBe(200);
      await waitFor(() => fake.sent().length === 1);
    });

    it('answers a non-text event with the polite "text only" reply', async () => {
      await setup();
      expect((await post({ ok: true, result: zaloEvent('message.sticker.received', 'st1', { sticker: 'abc' }) }, SECRET)).status).toBe(200);
      await waitFor(() => fake.sent().length === 1);
      expect(texts(fake)).toEqual([messages.textOnly]);
    });

    it('leaves other paths to other routes, and refuses a webhook secret Zalo would reject', async () => {
      await setup();
      expect((await fetch(`${base}/webhook/telegram`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${base}${ZALO_WEBHOOK_PATH}`)).status).toBe(404);
      const short = createZaloChannel({
        token: TOKEN,
        apiBase: fake.baseUrl,
        publicUrl: 'https://bot.example.vn',
        webhookSecret: 'short',
        log: silentLogger(),
      });
      await expect(short.start(async () => [])).rejects.toThrow(/8-256/);
    });
  });
});

describe('zalo: one chat in order, chats in parallel', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const CHAT = 'e4ea2cd5189df1c3a88c';
  const textsTo = (fake: FakeZalo, chatId = CHAT) =>
    fake
      .sent()
      .filter((c) => c.body.chat_id === chatId)
      .map((c) => String(c.body.text));

  /** A started Zalo channel on a fake API, answering through `handler`; polling unless `webhookAt` names its public URL. */
  async function zaloBot(handler: InboundHandler, extra: Partial<ZaloOptions> = {}, fake?: FakeZalo) {
    const api = fake ?? (await startFakeZalo({ token: TOKEN, emptyPollMs: 50 }));
    if (!fake) cleanups.push(api.close);
    const channel = createZaloChannel({
      token: TOKEN,
      apiBase: api.baseUrl,
      log: silentLogger(),
      pollTimeoutSec: 1,
      pollBackoffMs: 20,
      webhookSecret: SECRET,
      ...extra,
    });
    let post: (body: unknown) => Promise<Response> = () => Promise.reject(new Error('not a webhook'));
    if (extra.publicUrl) {
      const server = createServer(
        (req, res) => void channel.route(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => handled || res.writeHead(404).end()),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${ZALO_WEBHOOK_PATH}`;
      post = (body) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': SECRET }, body: JSON.stringify(body) });
    }
    await channel.start(handler);
    cleanups.push(() => channel.stop());
    return { fake: api, channel, post };
  }

  it('polling: /dangky then /huydangky waiting together are handled in order, the user ends unsubscribed', async () => {
    const instance = await subscribingInstance();
    cleanups.push(instance.close);
    // The first answer is slow, so the second message is already waiting when it ends.
    const { fake } = await zaloBot(slowOn('/dangky', 300, (m) => instance.conversation.handle(m)));
    fake.push(zaloTextUpdate('p1', '/dangky'), zaloTextUpdate('p2', '/huydangky'));
    await waitFor(() => fake.sent().length === 2);
    expectSubscribedThenUnsubscribed(textsTo(fake));
    expect(await instance.subscriptions.get('zalo', CHAT)).toBeUndefined();
  });

  it('polling: "/tim …" then "1", "2", "3" are answered in order, each number opening its article', async () => {
    const instance = await subscribingInstance();
    cleanups.push(instance.close);
    const { fake } = await zaloBot(slowOn('/tim Mặt trận', 300, (m) => instance.conversation.handle(m)));
    fake.push(zaloTextUpdate('t1', '/tim Mặt trận'), zaloTextUpdate('t2', '1'), zaloTextUpdate('t3', '2'), zaloTextUpdate('t4', '3'));
    await waitFor(() => fake.sent().length === 4);
    expectListThenNumberedCards(textsTo(fake));
  });

  it('polling: a slow answer in one chat does not hold another chat back', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { fake } = await zaloBot(async (m) => {
      if (m.chatId === 'chat-a') await held;
      return [{ text: `trả lời ${m.chatId}` }];
    });
    fake.push(zaloTextUpdate('a1', 'xin chào', 'chat-a'), zaloTextUpdate('b1', 'xin chào', 'chat-b'));
    try {
      await waitFor(() => textsTo(fake, 'chat-b').length === 1, 2000);
      expect(textsTo(fake, 'chat-a')).toEqual([]);
    } finally {
      release();
    }
    await waitFor(() => textsTo(fake, 'chat-a').length === 1);
  });

  it('webhook: messages posted while the first is still being answered wait their turn', async () => {
    const instance = await subscribingInstance();
    cleanups.push(instance.close);
    const { fake, post } = await zaloBot(
      slowOn('/tim Mặt trận', 300, (m) => instance.conversation.handle(m)),
      { publicUrl: 'https://bot.example.vn' },
    );
    for (const [i, text] of ['/tim Mặt trận', '1', '2', '3'].entries()) expect((await post(zaloTextUpdate(`w${i}`, text))).status).toBe(200);
    await waitFor(() => fake.sent().length === 4);
    expectListThenNumberedCards(textsTo(fake));
  });

  it('webhooks on two instances sharing one store: a message waits while the other instance answers the same chat', async () => {
    const state = await sharedStateDir();
    cleanups.push(state.remove);
    const fake = await startFakeZalo({ token: TOKEN });
    cleanups.push(fake.close);
    const bots = [];
    for (const name of ['a', 'b']) {
      const instance = await subscribingInstance(state);
      cleanups.push(instance.close);
      // Each instance is slow to answer /dangky: without a shared per-chat lease, b answers /huydangky meanwhile.
      bots.push({
        instance,
        ...(await zaloBot(
          slowOn('/dangky', 400, (m) => instance.conversation.handle(m)),
          { publicUrl: `https://${name}.bot.example.vn`, lease: instance.lease },
          fake,
        )),
      });
    }
    expect((await bots[0]!.post(zaloTextUpdate('x1', '/dangky'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await bots[1]!.post(zaloTextUpdate('x2', '/huydangky'))).status).toBe(200);
    await waitFor(() => fake.sent().length === 2);
    expectSubscribedThenUnsubscribed(textsTo(fake));
    expect(await bots[1]!.instance.subscriptions.get('zalo', CHAT)).toBeUndefined();
  });
});
