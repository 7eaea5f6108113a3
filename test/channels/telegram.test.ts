import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramChannel, TELEGRAM_WEBHOOK_PATH, type TelegramChannel } from '../../src/channels/telegram/channel.js';
import { renderTelegram } from '../../src/channels/telegram/render.js';
import { splitText } from '../../src/text/split.js';
import { startFakeApi, startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { bundledBot } from '../helpers/bot.js';
import { expectListThenNumberedCards, expectSubscribedThenUnsubscribed, sharedStateDir, slowOn, subscribingInstance } from '../helpers/ordering.js';
import type { InboundHandler } from '../../src/core/chat.js';
import type { SubscriptionStore } from '../../src/store/subscriptions.js';
import { channelContract } from './contract.js';

const TOKEN = '123456:TEST-token-not-real';
const SECRET = 'webhook-secret-for-tests-0123';

const { newConversation } = await bundledBot();

const tgError = (status: number, description: string, parameters?: object) => ({ status, body: { ok: false, error_code: status, description, parameters } });

channelContract('telegram', {
  async create(onSend) {
    const fake = await startFakeTelegram({ onSend });
    const channel = createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, log: silentLogger(), sendTimeoutMs: 300 });
    return { channel, sent: fake.sent, close: fake.close };
  },
  replies: {
    rateLimited: tgError(429, 'Too Many Requests: retry after 3', { retry_after: 3 }),
    blocked: tgError(403, 'Forbidden: bot was blocked by the user'),
    chatNotFound: tgError(400, 'Bad Request: chat not found'),
    serverError: { status: 502, raw: '<html>Bad Gateway</html>' },
    garbage: { status: 200, raw: '{"ok": tru' },
    timeout: { delayMs: 2000, body: { ok: true, result: {} } },
  },
  textOf: (call) => String(call.body.text),
});

describe('telegram rendering', () => {
  it('escapes article text for HTML parse mode and puts links on their own lines', () => {
    const [html] = renderTelegram({ text: 'A < B & "C" <script>', links: [{ title: 'Bài <1>', url: 'https://x.vn/a?b=1&c="2"' }] });
    expect(html).toBe('A &lt; B &amp; "C" &lt;script&gt;\n\n🔗 <a href="https://x.vn/a?b=1&amp;c=&quot;2&quot;">Bài &lt;1&gt;</a>');
  });

  it('splits at boundaries, never inside a word, and keeps escaped chunks under 4,096', () => {
    const parts = splitText('một hai ba. bốn năm sáu', 12);
    expect(parts).toEqual(['một hai ba.', 'bốn năm sáu']);
    const chunks = renderTelegram({ text: '&'.repeat(5000) });
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(chunks.join('')).toBe('&amp;'.repeat(5000));
  });

  it('drops links that are not http(s)', () => {
    expect(renderTelegram({ text: 'x', links: [{ title: 't', url: 'javascript:alert(1)' }] })).toEqual(['x']);
  });
});

describe('telegram channel', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A bot polling a fake Bot API that serves `updates`, answering through a fresh conversation. */
  async function pollingBot(updates: unknown[]) {
    const fake = await startFakeTelegram({ updates });
    cleanups.push(fake.close);
    const channel = createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, log: silentLogger() });
    const conversation = await newConversation();
    await channel.start((m) => conversation.handle(m));
    cleanups.push(() => channel.stop());
    return fake;
  }

  it('answers a question received by long polling, with the source and feedback buttons, and sets the command menu', async () => {
    const fake = await pollingBot([textUpdate(1, 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?')]);
    await waitFor(() => fake.sent().length > 0);
    const sent = fake.sent()[0]!;
    expect(sent.body).toMatchObject({ chat_id: '1001', parse_mode: 'HTML' });
    expect(String(sent.body.text)).toContain('Phạm Thị Hân');
    expect(JSON.stringify(sent.body.reply_markup)).toContain('fb:up:');
    const commands = fake.calls.find((c) => c.api === 'setMyCommands')!;
    expect(JSON.stringify(commands.body)).toContain('Tin mới nhất');
  });

  it('answers button presses (callback queries) at once and handles them', async () => {
    const fake = await pollingBot([textUpdate(1, '/start')]);
    await waitFor(() => fake.sent().length === 1);
    const keyboard = fake.sent()[0]!.body.reply_markup as { inline_keyboard: { callback_data: string }[][] };
    fake.push({
      update_id: 2,
      callback_query: {
        id: 'cq1',
        chat_instance: 'x',
        from: { id: 1001, is_bot: false, first_name: 'Lan' },
        message: { message_id: 1, date: 0, chat: { id: 1001, type: 'private' }, text: 'x' },
        data: keyboard.inline_keyboard[0]![0]!.callback_data,
      },
    });
    await waitFor(() => fake.sent().length === 2);
    expect(fake.calls.some((c) => c.api === 'answerCallbackQuery')).toBe(true);
    expect(String(fake.sent()[1]!.body.text)).toContain('Phạm Thị Hân');
  });

  it('replies politely to non-text messages', async () => {
    const fake = await pollingBot([
      {
        update_id: 5,
        message: {
          message_id: 5,
          date: 0,
          chat: { id: 1001, type: 'private' },
          from: { id: 1001, is_bot: false, first_name: 'Lan' },
          sticker: { file_id: 'x' },
        },
      },
    ]);
    await waitFor(() => fake.sent().length === 1);
    expect(String(fake.sent()[0]!.body.text)).toContain('tin nhắn chữ');
  });

  it('fails at start with a clear error when the token is rejected (401), never logging the token', async () => {
    const failing = await startFakeApi(() => ({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }));
    cleanups.push(failing.close);
    const { log, lines } = capturingLogger();
    const channel = createTelegramChannel({ token: TOKEN, apiRoot: failing.baseUrl, log });
    await expect(channel.start(async () => [])).rejects.toThrow(/401/);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  describe('webhook', () => {
    let server: Server;
    let base: string;
    let channel: TelegramChannel;
    let fake: Awaited<ReturnType<typeof startFakeTelegram>>;

    async function setup() {
      fake = await startFakeTelegram();
      channel = createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, publicUrl: 'https://bot.example.vn', webhookSecret: SECRET, log: silentLogger() });
      const conversation = await newConversation();
      server = createServer(
        (req, res) => void channel.route(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => handled || res.writeHead(404).end()),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await channel.start((m) => conversation.handle(m));
      cleanups.push(fake.close, () => new Promise<void>((r) => server.close(() => r())));
    }
    const post = (body: unknown, secret?: string) =>
      fetch(`${base}${TELEGRAM_WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('registers the webhook with the secret, processes a verified update once and ignores a replay', async () => {
      await setup();
      const set = fake.calls.find((c) => c.api === 'setWebhook')!;
      expect(set.body).toMatchObject({ url: `https://bot.example.vn${TELEGRAM_WEBHOOK_PATH}`, secret_token: SECRET });
      const update = textUpdate(77, 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?');
      expect((await post(update, SECRET)).status).toBe(200);
      expect((await post(update, SECRET)).status).toBe(200);
      expect(fake.sent()).toHaveLength(1);
      expect(String(fake.sent()[0]!.body.text)).toContain('Phạm Thị Hân');
    });

    it('answers 401 to a missing or wrong secret and processes nothing', async () => {
      await setup();
      expect((await post(textUpdate(1, 'xin chào'))).status).toBe(401);
      expect((await post(textUpdate(2, 'xin chào'), 'wrong-secret-wrong-secret')).status).toBe(401);
      expect(fake.sent()).toHaveLength(0);
    });

    it('rejects malformed updates with 400 and keeps serving', async () => {
      await setup();
      expect((await post('{"update_id": ', SECRET)).status).toBe(400);
      expect((await post({ hello: 1 }, SECRET)).status).toBe(400);
      expect((await post(textUpdate(3, 'xin chào'), SECRET)).status).toBe(200);
      expect(fake.sent()).toHaveLength(1);
    });
  });
});

describe('telegram: one chat in order, chats in parallel', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const textsTo = (fake: Awaited<ReturnType<typeof startFakeTelegram>>, chatId = '1001') =>
    fake
      .sent()
      .filter((c) => c.body.chat_id === chatId)
      .map((c) => String(c.body.text));

  /** A bot polling a fake Bot API whose first getUpdates returns `updates` in one batch. */
  async function pollingBatch(updates: unknown[], handler?: InboundHandler) {
    const fake = await startFakeTelegram({ updates });
    cleanups.push(fake.close);
    const instance = await subscribingInstance();
    cleanups.push(instance.close);
    const channel = createTelegramChannel({ token: TOKEN, apiRoot: fake.baseUrl, log: silentLogger() });
    await channel.start(handler ?? ((m) => instance.conversation.handle(m)));
    cleanups.push(() => channel.stop());
    return { fake, instance };
  }

  it('handles /dangky then /huydangky from one getUpdates batch in order: the user ends unsubscribed, the replies in order', async () => {
    const { fake, instance } = await pollingBatch([textUpdate(1, '/dangky'), textUpdate(2, '/huydangky')]);
    await waitFor(() => fake.sent().length === 2);
    expectSubscribedThenUnsubscribed(textsTo(fake));
    expect(await instance.subscriptions.get('telegram', '1001')).toBeUndefined();
  });

  it('answers "/tim …" then "1", "2", "3" from one batch in order, each number opening its article', async () => {
    const { fake } = await pollingBatch([textUpdate(1, '/tim Mặt trận'), textUpdate(2, '1'), textUpdate(3, '2'), textUpdate(4, '3')]);
    await waitFor(() => fake.sent().length === 4);
    expectListThenNumberedCards(textsTo(fake));
  });

  it('does not hold another chat back behind a slow answer', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { fake } = await pollingBatch([textUpdate(1, '/trogiup', 1001), textUpdate(2, '/trogiup', 2002)], async (m) => {
      if (m.chatId === '1001') await held;
      return [{ text: `trả lời ${m.chatId}` }];
    });
    try {
      await waitFor(() => textsTo(fake, '2002').length === 1, 2000);
      expect(textsTo(fake, '1001')).toEqual([]);
    } finally {
      release();
    }
    await waitFor(() => textsTo(fake, '1001').length === 1);
  });

  it('webhooks on two instances sharing one store: an update waits while the other instance answers the same chat', async () => {
    const state = await sharedStateDir();
    cleanups.push(state.remove);
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const posts: ((body: unknown) => Promise<Response>)[] = [];
    let subscriptions: SubscriptionStore | undefined;
    for (const name of ['a', 'b']) {
      const instance = await subscribingInstance(state);
      cleanups.push(instance.close);
      subscriptions ??= instance.subscriptions;
      const channel = createTelegramChannel({
        token: TOKEN,
        apiRoot: fake.baseUrl,
        publicUrl: `https://${name}.bot.example.vn`,
        webhookSecret: SECRET,
        log: silentLogger(),
        lease: instance.lease,
      });
      const server = createServer(
        (req, res) => void channel.route(req, res, new URL(req.url ?? '/', 'http://x')).then((handled) => handled || res.writeHead(404).end()),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
      // Instance a is slow to answer /dangky: without a shared per-chat lease, b answers /huydangky meanwhile.
      await channel.start(slowOn('/dangky', 400, (m) => instance.conversation.handle(m)));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`;
      posts.push((body) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(body) }),
      );
    }
    const first = posts[0]!(textUpdate(10, '/dangky'));
    await new Promise((r) => setTimeout(r, 100));
    const second = posts[1]!(textUpdate(11, '/huydangky'));
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([200, 200]);
    expectSubscribedThenUnsubscribed(textsTo(fake));
    expect(await subscriptions!.get('telegram', '1001')).toBeUndefined();
  });
});
