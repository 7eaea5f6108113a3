import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, TELEGRAM_WEBHOOK_PATH, type TelegramChannel } from '../../src/channels/telegram/channel.js';
import { createZaloChannel, ZALO_WEBHOOK_PATH, type ZaloChannel } from '../../src/channels/zalo/channel.js';
import { NON_TEXT_EVENTS, TEXT_EVENT } from '../../src/channels/zalo/wire.js';
import { createHttpServer, MAX_BODY_BYTES } from '../../src/http/server.js';
import { startFakeTelegram, waitFor, type RecordedCall } from '../helpers/fake-http.js';
import { startFakeZalo, type FakeZalo } from '../helpers/fake-zalo.js';
import { silentLogger } from '../helpers/logger.js';
import { subscribingInstance } from '../helpers/ordering.js';

/**
 * Property checks of every inbound path, through the one HTTP server as main.ts assembles it (Telegram and Zalo
 * webhooks, the web chat API) with fake platform APIs on 127.0.0.1: whatever arrives, the answer is a 2xx or a
 * 4xx, a reply is well-formed or there is none, and no promise is left rejected.
 */

const TELEGRAM_TOKEN = '123456:TEST-property';
const ZALO_TOKEN = '1459232241454765289:property-secret';
const SECRET = 'webhook-secret-for-property-tests';
const RUNS = 120;

/** Text that has broken text handling somewhere: controls, invisible separators, bidi, lone surrogates, decomposed marks, emoji sequences, markup. */
const tricky = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00ad',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2066',
  '\ud800',
  '\udfff',
  'e\u0302\u0323',
  'Việt',
  'Quảng Bình',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '<b>',
  '</a>',
  '&amp;',
  '"',
  '“',
  '”',
  '«',
  '👩‍💻',
  '🏳️‍🌈',
  '😀',
  '/',
  '1',
  '12',
  'thêm',
  '👍',
  '👎',
  'ex:0',
  'opt:9',
);
const commands = [
  '/tim ',
  '/start',
  '/moi',
  '/chuongtrinh ',
  '/trogiup',
  '/dangky',
  '/caidat',
  '/huydangky',
  '/xyz ',
  '/tim',
  'còn Gia Lai thì sao? ',
  'Chủ tịch MTTQ tỉnh ',
];

/** Any message text: random code points, tricky pieces, commands with arguments, and lengths around and far past the limit. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 4, arbitrary: fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 60 }).map((parts) => parts.join('')) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...commands), fc.array(tricky, { maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 40 }))
      .map(([c, t, s]) => c + t.join('') + s),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1990, max: 20_000 }), fc.constantFrom('a', 'ệ', 'e\u0302\u0323', '\u200b', '😀', '\ud800', 'Mặt trận '))
      .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
  },
);

/** A sender's name: the bot greets by it, so it is inbound text too. */
const anyName = fc.option(
  fc.oneof(
    anyText,
    fc.array(tricky, { maxLength: 10 }).map((parts) => parts.join('')),
  ),
  { nil: undefined },
);
/** Message text, with a bare /start (which greets by name) often enough. */
const anyMessage = fc.oneof({ weight: 5, arbitrary: anyText }, { weight: 1, arbitrary: fc.constant('/start') });

/** A JSON value of the wrong kind for any field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Delete (undefined) or replace fields of a well-formed payload, by path. */
function mutate(value: Record<string, unknown>, edits: [string, unknown][]): unknown {
  const copy = structuredClone(value);
  for (const [path, replacement] of edits) {
    const keys = path.split('.');
    let at: unknown = copy;
    for (const key of keys.slice(0, -1)) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at === null || typeof at !== 'object') continue;
    const last = keys[keys.length - 1]!;
    if (replacement === undefined) delete (at as Record<string, unknown>)[last];
    // A copy: generated values (fc.constant) are shared between runs and must not be edited in place.
    else (at as Record<string, unknown>)[last] = structuredClone(replacement);
  }
  return copy;
}

const edits = (paths: string[]) => fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(wrongValue, { nil: undefined })), { minLength: 1, maxLength: 3 });

/** Unique ids, so that no update is taken for a replay and no chat trips the flood limit. */
let sequence = 0;
const nextId = () => ++sequence;

/** Code points a reply must never carry: lone surrogates, and controls other than tab and line feed. */
const MALFORMED = /[\p{Cs}\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

/** A reply text as a platform would accept it: a non-empty, well-formed string within the platform's limit. */
function expectWellFormed(text: unknown, maxLength: number): void {
  expect(typeof text).toBe('string');
  const s = text as string;
  expect(s.trim().length).toBeGreaterThan(0);
  expect(s.length).toBeLessThanOrEqual(maxLength);
  expect(s).not.toMatch(MALFORMED);
}

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);

let server: Server;
let base: string;
let telegramApi: Awaited<ReturnType<typeof startFakeTelegram>>;
let zaloApi: FakeZalo;
let telegram: TelegramChannel;
let zalo: ZaloChannel;
let closeInstance: () => Promise<void>;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  const instance = await subscribingInstance();
  closeInstance = instance.close;
  telegramApi = await startFakeTelegram();
  zaloApi = await startFakeZalo({ token: ZALO_TOKEN });
  const log = silentLogger();
  telegram = createTelegramChannel({ token: TELEGRAM_TOKEN, apiRoot: telegramApi.baseUrl, publicUrl: 'https://bot.example.vn', webhookSecret: SECRET, log });
  zalo = createZaloChannel({ token: ZALO_TOKEN, apiBase: zaloApi.baseUrl, publicUrl: 'https://bot.example.vn', webhookSecret: SECRET, log, typing: false });
  server = createHttpServer({ conversation: instance.conversation, log, routes: [telegram.route, zalo.route] });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handle = (m: Parameters<typeof instance.conversation.handle>[0]) => instance.conversation.handle(m);
  await telegram.start(handle);
  await zalo.start(handle);
});

afterAll(async () => {
  await telegram?.stop();
  await zalo?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await telegramApi?.close();
  await zaloApi?.close();
  await closeInstance?.();
  process.off('unhandledRejection', onRejection);
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const sentTo = (calls: RecordedCall[], chatId: string) => calls.filter((c) => String(c.body.chat_id) === chatId);

/** Let the event loop run, so that a rejection nobody handled is reported before it is checked. */
const settle = () => new Promise((r) => setTimeout(r, 20));

function expectStatus(status: number): void {
  expect((status >= 200 && status < 300) || (status >= 400 && status < 500), `status ${status}`).toBe(true);
}

describe('inbound paths (property)', () => {
  it('web chat API: any body gets a 2xx with well-formed replies, or a 4xx with an error', async () => {
    const sessionId = fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 70 }), wrongValue) },
    );
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          {
            sessionId,
            text: fc.oneof({ weight: 5, arbitrary: anyText }, { weight: 1, arbitrary: wrongValue }),
            data: fc.option(fc.oneof(fc.string({ maxLength: 70 }), wrongValue), { nil: undefined }),
          },
          { requiredKeys: ['sessionId'] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 100 }),
          fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
          fc.constant('x'.repeat(MAX_BODY_BYTES + 1)),
        ),
      },
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        // An empty session id stands for a fresh valid one: most bodies should reach the conversation.
        const payload =
          typeof raw === 'object' && raw !== null && (raw as { sessionId?: unknown }).sessionId === '' ? { ...raw, sessionId: `s${nextId()}` } : raw;
        const res = await post('/api/chat', payload);
        expectStatus(res.status);
        const json = (await res.json()) as { replies?: { text: unknown; links: unknown; buttons: { label: unknown; data: unknown }[] }[]; error?: unknown };
        if (res.status === 200) {
          expect(Array.isArray(json.replies)).toBe(true);
          for (const reply of json.replies!) {
            expectWellFormed(reply.text, 20_000);
            expect(Array.isArray(reply.links)).toBe(true);
            for (const b of reply.buttons) expect(Buffer.byteLength(String(b.data))).toBeLessThanOrEqual(64);
          }
        } else expect(typeof json.error).toBe('string');
        await settle();
        expect(rejections).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('Telegram webhook: any update gets a 2xx or 4xx, a text message a reply, and every reply is well-formed', async () => {
    const message = fc.record({
      text: anyMessage,
      name: anyName,
      edit: fc.option(
        edits([
          'update_id',
          'message',
          'message.chat',
          'message.chat.id',
          'message.from',
          'message.from.first_name',
          'message.text',
          'message.date',
          'message.message_id',
        ]),
        { nil: undefined, freq: 2 },
      ),
    });
    const press = fc.record({
      data: fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom('ex:0', 'ex:99', 'opt:0', 'more', 'fb:up', 'fb:down')),
      edit: fc.option(
        edits(['callback_query', 'callback_query.message', 'callback_query.message.chat', 'callback_query.from', 'callback_query.data', 'callback_query.id']),
        { nil: undefined, freq: 2 },
      ),
    });
    const garbage = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    );
    const update = fc.oneof(
      { weight: 5, arbitrary: message.map((m) => ({ kind: 'message' as const, ...m })) },
      { weight: 2, arbitrary: press.map((p) => ({ kind: 'press' as const, ...p })) },
      { weight: 1, arbitrary: garbage.map((body) => ({ kind: 'garbage' as const, body })) },
    );

    await fc.assert(
      fc.asyncProperty(update, async (u) => {
        const id = nextId();
        const chatId = 500_000 + id;
        const before = telegramApi.sent().length;
        let body: unknown;
        let wellFormed = false;
        if (u.kind === 'message') {
          const clean = {
            update_id: id,
            message: {
              message_id: id,
              date: Math.floor(Date.now() / 1000),
              chat: { id: chatId, type: 'private' },
              from: { id: chatId, is_bot: false, first_name: u.name ?? 'Lan' },
              text: u.text,
            },
          };
          body = u.edit ? mutate(clean, u.edit) : clean;
          wellFormed = !u.edit;
        } else if (u.kind === 'press') {
          const clean = {
            update_id: id,
            callback_query: {
              id: `cb${id}`,
              chat_instance: '1',
              from: { id: chatId, is_bot: false, first_name: 'Lan' },
              data: u.data,
              message: { message_id: 1, date: 1, chat: { id: chatId, type: 'private' }, text: 'x' },
            },
          };
          body = u.edit ? mutate(clean, u.edit) : clean;
        } else body = u.body;
        const res = await post(TELEGRAM_WEBHOOK_PATH, body, { 'x-telegram-bot-api-secret-token': SECRET });
        expectStatus(res.status);
        await res.arrayBuffer();
        // The webhook answers after the update is handled: its replies are already sent.
        if (wellFormed) {
          expect(res.status).toBe(200);
          expect(sentTo(telegramApi.sent(), String(chatId)).length).toBeGreaterThan(0);
        }
        for (const call of telegramApi.sent().slice(before)) expectWellFormed(call.body.text, 4096);
        await settle();
        expect(rejections).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('Zalo webhook: any body gets a 2xx or 4xx, a text message a reply, and every reply is well-formed', async () => {
    const event = fc.oneof(
      { weight: 6, arbitrary: fc.constant(TEXT_EVENT) },
      { weight: 1, arbitrary: fc.constantFrom('message.sticker.received', 'message.image.received', 'message.unsupported.received', 'user.follow', '') },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    );
    const update = fc.record({
      text: anyMessage,
      event,
      name: anyName,
      date: fc.oneof(
        fc.constant(Date.now()),
        fc.constant(Math.floor(Date.now() / 1000)),
        fc.double(),
        fc.integer({ min: -1e15, max: 1e15 }),
        fc.constant(8.64e15 + 1),
      ),
      wrap: fc.constantFrom('flat', 'wrapped', 'array'),
      edit: fc.option(
        edits([
          'event_name',
          'message',
          'message.message_id',
          'message.chat',
          'message.chat.id',
          'message.from',
          'message.from.display_name',
          'message.text',
          'message.date',
          'ok',
          'result',
        ]),
        { nil: undefined, freq: 2 },
      ),
    });
    const garbage = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    );
    const input = fc.oneof(
      { weight: 7, arbitrary: update.map((u) => ({ kind: 'update' as const, ...u })) },
      { weight: 1, arbitrary: garbage.map((body) => ({ kind: 'garbage' as const, body })) },
    );

    await fc.assert(
      fc.asyncProperty(input, async (u) => {
        const id = nextId();
        const chatId = `zchat${id}`;
        let body: unknown = u.kind === 'garbage' ? u.body : undefined;
        let expectsReply = false;
        if (u.kind === 'update') {
          const flat = {
            event_name: u.event,
            message: {
              message_id: `m${id}`,
              date: u.date,
              chat: { id: chatId, chat_type: 'PRIVATE' },
              from: { id: chatId, display_name: u.name, is_bot: false },
              text: u.text,
            },
          };
          const wrapped = u.wrap === 'flat' ? flat : { ok: true, result: u.wrap === 'array' ? [flat] : flat };
          body = u.edit ? mutate(wrapped, u.edit) : wrapped;
          // JSON has no NaN or Infinity: such a date arrives as null, which is malformed.
          expectsReply = !u.edit && Number.isFinite(u.date) && (u.event === TEXT_EVENT || NON_TEXT_EVENTS.has(u.event));
        }
        const res = await post(ZALO_WEBHOOK_PATH, body, { 'x-bot-api-secret-token': SECRET });
        expectStatus(res.status);
        await res.arrayBuffer();
        // Zalo's webhook answers first and handles the update after.
        if (expectsReply) {
          expect(res.status).toBe(200);
          await waitFor(() => sentTo(zaloApi.sent(), chatId).length > 0, 10_000);
        }
        await settle();
        expect(rejections).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    await zalo.stop();
    expect(zaloApi.sent().length).toBeGreaterThan(0);
    for (const call of zaloApi.sent()) expectWellFormed(call.body.text, 2000);
    expect(rejections).toEqual([]);
  });
});
