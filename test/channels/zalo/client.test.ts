import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createZaloClient } from '../../../src/channels/zalo/client.js';
import { ZaloApiError, ZaloHttpError } from '../../../src/channels/zalo/errors.js';
import { startFakeApi, type FakeReply } from '../../helpers/fake-http.js';
import { expectNoSecret, startFakeZalo } from '../../helpers/fake-zalo.js';

const TOKEN = '8811223344:zalo-SECRET-token-do-not-log';
const expectNoToken = (err: unknown) => expectNoSecret(err, TOKEN);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('zalo client', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function api(reply: FakeReply | ((api: string) => FakeReply)) {
    const fake = await startFakeApi((call) => (typeof reply === 'function' ? reply(call.api) : reply));
    cleanups.push(fake.close);
    return { fake, client: createZaloClient({ token: TOKEN, apiBase: `${fake.baseUrl}/`, timeoutMs: 300 }) };
  }

  it('POSTs JSON to /bot<token>/<method> and returns the parsed result', async () => {
    const fake = await startFakeZalo({ token: TOKEN });
    cleanups.push(fake.close);
    const client = createZaloClient({ token: TOKEN, apiBase: fake.baseUrl });
    expect(await client.getMe()).toMatchObject({ id: '1459232241454765289', accountName: 'bot.mttq_test', canJoinGroups: false });
    const sent = await client.sendMessage({ chatId: 'abc', text: 'Xin chào' });
    expect(sent.messageId).toMatch(/^fake/);
    expect(sent.sentAt).toBeInstanceOf(Date);
    await client.sendChatAction({ chatId: 'abc', action: 'typing' });
    expect((await client.sendPhoto({ chatId: 'abc', photoUrl: 'https://mattran.org.vn/a.jpg', caption: 'Ảnh' })).messageId).toMatch(/^fake/);
    expect(fake.callsTo('sendPhoto')[0]!.body).toEqual({ chat_id: 'abc', photo: 'https://mattran.org.vn/a.jpg', caption: 'Ảnh' });
    expect(await client.setWebhook({ url: 'https://bot.example.vn/webhook/zalo', secretToken: 'secret-1234' })).toMatchObject({
      url: 'https://bot.example.vn/webhook/zalo',
    });
    expect((await client.getWebhookInfo()).url).toBe('https://bot.example.vn/webhook/zalo');
    expect((await client.deleteWebhook()).url).toBe('');
    expect(await client.getWebhookInfo()).toEqual({ url: '', updatedAt: expect.any(Date) });
    const call = fake.sent()[0]!;
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toContain('application/json');
    expect(call.body).toEqual({ chat_id: 'abc', text: 'Xin chào' });
  });

  it('sends the getUpdates timeout as a string and reads one update or an array', async () => {
    const update = { event_name: 'message.text.received', message: { message_id: 'm1' } };
    const { fake, client } = await api((method) => ({ body: { ok: true, result: method === 'getUpdates' ? update : [update, update] } }));
    expect(await client.getUpdates({ timeoutSec: 30 })).toEqual([update]);
    expect(fake.calls[0]!.body).toEqual({ timeout: '30' });
  });

  it('turns {ok:false} on HTTP 200 into ZaloApiError with method, code and description', async () => {
    const { client } = await api({ status: 200, body: { ok: false, error_code: 400, description: 'Text is too long' } });
    const err = await failure(client.sendMessage({ chatId: 'a', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ method: 'sendMessage', code: 400, description: 'Text is too long', status: 200 });
    expect((err as Error).message).toBe('Zalo sendMessage failed (400: Text is too long)');
    expectNoToken(err);
  });

  it('turns an HTTP 5xx into ZaloApiError with the status as code, with or without an envelope', async () => {
    const html = await api({ status: 502, raw: '<html>Bad Gateway</html>' });
    const err = await failure(html.client.sendMessage({ chatId: 'a', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ code: 502, status: 502 });
    expectNoToken(err);
    const json = await api({ status: 500, body: { ok: false, error_code: 500, description: 'Internal error' } });
    expect(await failure(json.client.getMe())).toMatchObject({ name: 'ZaloApiError', method: 'getMe', code: 500, description: 'Internal error' });
  });

  it('reads the wait of a 429 from Retry-After or parameters.retry_after', async () => {
    const body = await api({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 3 } } });
    expect(await failure(body.client.sendMessage({ chatId: 'a', text: 'x' }))).toMatchObject({ code: 429, retryAfterMs: 3000 });
    const server = createServer((_req, res) => res.writeHead(429, { 'retry-after': '7', 'content-type': 'text/plain' }).end('slow down'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const client = createZaloClient({ token: TOKEN, apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const err = await failure(client.sendMessage({ chatId: 'a', text: 'x' }));
    expect(err).toMatchObject({ name: 'ZaloApiError', code: 429, retryAfterMs: 7000 });
    expectNoToken(err);
  });

  it('turns a garbage body on HTTP 200 into ZaloHttpError', async () => {
    for (const raw of ['{"ok": tru', '"just a string"', '[1,2]']) {
      const { client } = await api({ status: 200, raw });
      const err = await failure(client.sendMessage({ chatId: 'a', text: 'x' }));
      expect(err).toBeInstanceOf(ZaloHttpError);
      expect(err).toMatchObject({ method: 'sendMessage', status: 200 });
      expectNoToken(err);
    }
  });

  it('turns a result of the wrong shape into ZaloHttpError', async () => {
    const { client } = await api({ body: { ok: true, result: { nothing: true } } });
    const err = await failure(client.sendMessage({ chatId: 'a', text: 'x' }));
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect((err as Error).message).toContain('message_id');
  });

  it('gives up after the per-call timeout with a ZaloHttpError marked as a timeout', async () => {
    const { client } = await api({ delayMs: 2000, body: { ok: true, result: {} } });
    const started = Date.now();
    const err = await failure(client.sendMessage({ chatId: 'a', text: 'x' }, { timeoutMs: 100 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ZaloHttpError);
    expect((err as ZaloHttpError).isTimeout).toBe(true);
    expectNoToken(err);
  });

  it('wraps a refused connection without keeping the axios error (its config holds the URL with the token)', async () => {
    const fake = await startFakeApi(() => ({}));
    await fake.close();
    const client = createZaloClient({ token: TOKEN, apiBase: fake.baseUrl });
    const err = await failure(client.getMe());
    expect(err).toBeInstanceOf(ZaloHttpError);
    const cause = (err as ZaloHttpError).cause;
    expect(cause.code).toBe('ECONNREFUSED');
    expect(cause.name).not.toBe('AxiosError');
    expect('config' in cause || 'request' in cause || 'response' in cause).toBe(false);
    expectNoToken(err);
  });

  it('scrubs the token even when the API echoes it in a description', async () => {
    const { client } = await api({ status: 200, body: { ok: false, error_code: 401, description: `Invalid token ${TOKEN}` } });
    const err = await failure(client.getMe());
    expect((err as ZaloApiError).isAuthFailure).toBe(true);
    expectNoToken(err);
  });

  it('aborts a long poll when its signal fires', async () => {
    const { client } = await api({ delayMs: 3000, body: { ok: false, error_code: 408 } });
    const controller = new AbortController();
    const pending = failure(client.getUpdates({ timeoutSec: 30 }, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ZaloHttpError);
    expectNoToken(err);
  });
});
