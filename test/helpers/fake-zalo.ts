import { inspect } from 'node:util';
import { expect } from 'vitest';
import { startFakeApi, type FakeReply, type RecordedCall } from './fake-http.js';

/** Settings of the fake Zalo Bot API. */
export interface FakeZaloOptions {
  /** Token the fake expects in `/bot<token>/<method>`; other paths get 401. */
  token?: string;
  /** Raw updates served by getUpdates, one per call (as Zalo does). */
  updates?: unknown[];
  /** Answer for sendMessage/sendPhoto instead of success (429, unknown codes, 5xx, garbage, delays). */
  onSend?: (call: RecordedCall) => FakeReply | undefined;
  /** Answer for any call before the defaults (getMe 401, getUpdates 502…). */
  onCall?: (call: RecordedCall) => FakeReply | undefined;
  /** Webhook URL already set when the fake starts. */
  webhookUrl?: string;
  /** How long an empty getUpdates waits before answering 408. @default 200 */
  emptyPollMs?: number;
  /** Serve `result` as a one-element array instead of an object (the defensive path). */
  arrayResults?: boolean;
}

/** A Zalo error answer: `{ok:false, error_code, description}`, HTTP 200 unless `status` says otherwise. */
export function zaloError(code: number, description: string, extra: { status?: number; parameters?: object } = {}): FakeReply {
  return { status: extra.status ?? 200, body: { ok: false, error_code: code, description, ...(extra.parameters ? { parameters: extra.parameters } : {}) } };
}

const ok = (result?: unknown): FakeReply => ({ body: result === undefined ? { ok: true } : { ok: true, result } });

/** A Zalo text-message update (flat form), as in the docs' samples. */
export function zaloTextUpdate(messageId: string | number, text: string, chatId = 'e4ea2cd5189df1c3a88c', name = 'Lan'): Record<string, unknown> {
  return zaloEvent('message.text.received', messageId, { text }, chatId, name);
}

/** Any Zalo update (flat form): `event_name` with a message carrying `extra` fields. */
export function zaloEvent(
  eventName: string,
  messageId: string | number,
  extra: Record<string, unknown> = {},
  chatId = 'e4ea2cd5189df1c3a88c',
  name = 'Lan',
): Record<string, unknown> {
  return {
    event_name: eventName,
    message: {
      message_id: String(messageId),
      date: Date.now(),
      chat: { id: chatId, chat_type: 'PRIVATE' },
      from: { id: chatId, display_name: name, is_bot: false },
      ...extra,
    },
  };
}

/**
 * A fake Zalo Bot API on 127.0.0.1 (port 0): the `{ok, result}` envelope, one update per getUpdates
 * with long-poll wake-up and 408 when nothing arrives, webhook state, recorded sends, scripted failures.
 */
export async function startFakeZalo(options: FakeZaloOptions = {}) {
  const pending = [...(options.updates ?? [])];
  const waiters: (() => void)[] = [];
  const webhook = { url: options.webhookUrl ?? '', secret: undefined as string | undefined, updatedAt: Date.now() };
  let sequence = 1;
  const fake = await startFakeApi(async (call) => {
    if (options.token !== undefined && call.path !== `/bot${options.token}/${call.api}`) return zaloError(401, 'Unauthorized', { status: 401 });
    const custom = options.onCall?.(call);
    if (custom) return custom;
    switch (call.api) {
      case 'getMe':
        return ok({ id: '1459232241454765289', account_name: 'bot.mttq_test', account_type: 'BASIC', can_join_groups: false });
      case 'getWebhookInfo':
        return ok({ url: webhook.url, updated_at: webhook.updatedAt });
      case 'setWebhook': {
        const { url, secret_token: secret } = call.body as { url?: unknown; secret_token?: unknown };
        if (typeof url !== 'string' || !url.startsWith('https://') || typeof secret !== 'string' || secret.length < 8 || secret.length > 256)
          return zaloError(400, 'Invalid url or secret_token');
        Object.assign(webhook, { url, secret, updatedAt: Date.now() });
        return ok({ url, updated_at: webhook.updatedAt });
      }
      case 'deleteWebhook':
        Object.assign(webhook, { url: '', secret: undefined, updatedAt: Date.now() });
        return ok({ url: '', updated_at: webhook.updatedAt });
      case 'getUpdates': {
        // The real API refuses polling while a webhook is set (platforms.md §1.6); the code here is a guess.
        if (webhook.url) return zaloError(400, 'Webhook is active; delete it before getUpdates');
        if (pending.length === 0) {
          const waitMs = Math.min(options.emptyPollMs ?? 200, Number(call.body.timeout ?? 30) * 1000);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, waitMs);
          });
        }
        const next = pending.shift();
        if (next === undefined) return zaloError(408, 'Request timeout');
        return ok(options.arrayResults ? [next] : next);
      }
      case 'sendMessage':
      case 'sendPhoto': {
        const custom = options.onSend?.(call);
        if (custom) return custom;
        const text = call.api === 'sendMessage' ? call.body.text : (call.body.caption ?? 'x');
        if (typeof text !== 'string' || text.length < 1 || text.length > 2000) return zaloError(400, 'Text must be 1-2000 characters');
        return ok({ message_id: `fake${(sequence++).toString(16).padStart(16, '0')}`, date: Date.now() });
      }
      case 'sendChatAction':
        return ok();
      default:
        return zaloError(404, 'Not Found', { status: 404 });
    }
  });
  const push = (...updates: unknown[]) => {
    pending.push(...updates);
    for (const wake of waiters.splice(0)) wake();
  };
  const callsTo = (api: string) => fake.calls.filter((c) => c.api === api);
  return { ...fake, push, callsTo, sent: () => callsTo('sendMessage'), webhook: () => ({ ...webhook }) };
}

/** The fake Zalo API's handle. */
export type FakeZalo = Awaited<ReturnType<typeof startFakeZalo>>;

/** Assert that `secret` appears nowhere an error could leak it: message, stack, causes, own fields, util.inspect. */
export function expectNoSecret(err: unknown, secret: string): void {
  const texts: string[] = [String(err), inspect(err, { depth: null, showHidden: true })];
  try {
    texts.push(JSON.stringify(err));
  } catch {
    // A circular structure cannot leak through JSON.
  }
  for (let e: unknown = err; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '', ...Object.values(e).map((v) => String(v)));
  for (const t of texts) expect(t).not.toContain(secret);
}
