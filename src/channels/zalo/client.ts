/**
 * A small Zalo Bot API client over axios (facts in docs/platforms.md §1).
 * The token is part of every URL path, so nothing axios produces (errors, configs, responses) leaves this file.
 */
import axios, { type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { ZaloApiError, ZaloHttpError } from './errors.js';
import { unwrapUpdates, zaloBotInfoSchema, zaloSentSchema, zaloWebhookInfoSchema } from './wire.js';

/** Production Bot API base. */
export const ZALO_API_BASE = 'https://bot-api.zaloplatforms.com';

/** Settings of the client. */
export interface ZaloClientOptions {
  /** Bot token `<bot_id>:<secret>`; it goes in the URL path and nowhere else. */
  token: string;
  /** API base without the `/bot<token>` part; tests point it at 127.0.0.1. @default ZALO_API_BASE */
  apiBase?: string;
  /** Timeout of calls that name none. @default 30000 */
  timeoutMs?: number;
}

/** Per-call settings. */
export interface ZaloCallOptions {
  /** Overrides the method's default timeout. */
  timeoutMs?: number;
  /** Aborts the call (the poller stops with it). */
  signal?: AbortSignal;
}

/** The bot's own account (`getMe`). */
export interface ZaloBotInfo {
  id: string;
  accountName?: string;
  accountType?: string;
  canJoinGroups?: boolean;
}

/** Webhook state (`getWebhookInfo`, `setWebhook`, `deleteWebhook`); `url` is "" when none is set. */
export interface ZaloWebhookInfo {
  url: string;
  updatedAt?: Date;
}

/** A message Zalo accepted. */
export interface ZaloSent {
  messageId: string;
  sentAt?: Date;
}

/** The Zalo Bot API methods the bot uses; failures throw {@link ZaloApiError} or {@link ZaloHttpError}. */
export interface ZaloClient {
  /** The bot's account; a bad token fails here with 401/403. */
  getMe(options?: ZaloCallOptions): Promise<ZaloBotInfo>;
  /** Long poll: waits up to `timeoutSec` and returns the raw update(s) that arrived (usually one). */
  getUpdates(params: { timeoutSec: number }, options?: ZaloCallOptions): Promise<unknown[]>;
  /** Deliver updates to `url` with `secretToken` in X-Bot-Api-Secret-Token (8–256 characters). */
  setWebhook(params: { url: string; secretToken: string }, options?: ZaloCallOptions): Promise<ZaloWebhookInfo>;
  /** Stop webhook delivery (required before polling). */
  deleteWebhook(options?: ZaloCallOptions): Promise<ZaloWebhookInfo>;
  /** Where updates are delivered now. */
  getWebhookInfo(options?: ZaloCallOptions): Promise<ZaloWebhookInfo>;
  /** Send 1–2000 characters of plain text. */
  sendMessage(params: { chatId: string; text: string }, options?: ZaloCallOptions): Promise<ZaloSent>;
  /** Send a photo by https URL (Zalo downloads it before answering). */
  sendPhoto(params: { chatId: string; photoUrl: string; caption?: string }, options?: ZaloCallOptions): Promise<ZaloSent>;
  /** Show "typing…" in the chat. */
  sendChatAction(params: { chatId: string; action: 'typing' | 'upload_photo' }, options?: ZaloCallOptions): Promise<void>;
}

/** Margin over the long-poll wait before the client gives up on getUpdates. */
const POLL_MARGIN_MS = 5_000;
/** Zalo fetches the photo before it answers (docs/platforms.md §1.4). */
const PHOTO_TIMEOUT_MS = 150_000;
const CHAT_ACTION_TIMEOUT_MS = 5_000;

/** Seconds (or an HTTP date) from Retry-After, or `parameters.retry_after` seconds, as milliseconds. */
function retryAfterMs(response: AxiosResponse, body: Record<string, unknown> | undefined): number | undefined {
  const header = response.headers['retry-after'];
  if (typeof header === 'string' && header.trim()) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const parameters = body?.parameters as { retry_after?: unknown } | undefined;
  const seconds = Number(parameters?.retry_after);
  return parameters?.retry_after !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

/** Create a client; no request is made until a method is called. */
export function createZaloClient(options: ZaloClientOptions): ZaloClient {
  const { token } = options;
  const base = (options.apiBase ?? ZALO_API_BASE).replace(/\/+$/, '');
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const scrub = (text: string) => (token ? text.split(token).join('[token]') : text);
  // No baseURL, no interceptors: the URL with the token exists only inside `call`.
  const http = axios.create({ maxRedirects: 0, validateStatus: () => true, headers: { 'content-type': 'application/json' } });

  async function call(method: string, body: object, callOptions: ZaloCallOptions | undefined, timeoutMs: number): Promise<unknown> {
    let response: AxiosResponse;
    try {
      response = await http.post(`${base}/bot${token}/${method}`, body, { timeout: callOptions?.timeoutMs ?? timeoutMs, signal: callOptions?.signal });
    } catch (err) {
      // Axios errors carry config.url (with the token) and the request: keep only a scrubbed message and code.
      const e = err as { message?: unknown; code?: unknown };
      const cause: Error & { code?: string } = new Error(scrub(typeof e.message === 'string' ? e.message : 'request failed'));
      cause.name = 'ZaloRequestError';
      if (typeof e.code === 'string') cause.code = e.code;
      throw new ZaloHttpError(method, cause);
    }
    const data: unknown = response.data;
    const envelope =
      data !== null && typeof data === 'object' && !Array.isArray(data) && typeof (data as { ok?: unknown }).ok === 'boolean'
        ? (data as Record<string, unknown>)
        : undefined;
    const is2xx = response.status >= 200 && response.status < 300;
    if (envelope?.ok === true && is2xx) return envelope.result;
    if (envelope || !is2xx) {
      const rawCode = Number(envelope?.error_code);
      const code = envelope?.error_code !== undefined && Number.isInteger(rawCode) ? rawCode : is2xx ? undefined : response.status;
      const description = typeof envelope?.description === 'string' ? envelope.description : String(response.statusText || `HTTP ${response.status}`);
      throw new ZaloApiError(method, code, scrub(description), response.status, retryAfterMs(response, envelope));
    }
    const cause: Error & { code?: string } = new Error(`HTTP ${response.status} with a body that is not a Zalo envelope`);
    cause.name = 'ZaloResponseError';
    cause.code = 'EBADRESPONSE';
    throw new ZaloHttpError(method, cause, response.status);
  }

  function parse<S extends z.ZodType>(method: string, schema: S, result: unknown): z.output<S> {
    const parsed = schema.safeParse(result);
    if (parsed.success) return parsed.data;
    const cause: Error & { code?: string } = new Error(
      `unexpected result: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
    );
    cause.name = 'ZaloResponseError';
    cause.code = 'EBADRESPONSE';
    throw new ZaloHttpError(method, cause);
  }

  const webhookInfo = (method: string, result: unknown): ZaloWebhookInfo => {
    const info = parse(method, zaloWebhookInfoSchema, result ?? {});
    return { url: info.url ?? '', updatedAt: info.updated_at !== undefined ? new Date(info.updated_at) : undefined };
  };
  const sent = (method: string, result: unknown): ZaloSent => {
    const info = parse(method, zaloSentSchema, result);
    return { messageId: info.message_id, sentAt: info.date !== undefined ? new Date(info.date) : undefined };
  };

  return {
    async getMe(o) {
      const me = parse('getMe', zaloBotInfoSchema, await call('getMe', {}, o, defaultTimeoutMs));
      return { id: me.id, accountName: me.account_name, accountType: me.account_type, canJoinGroups: me.can_join_groups };
    },
    async getUpdates({ timeoutSec }, o) {
      // `timeout` is a string of seconds on Zalo (docs/platforms.md §1.4).
      return unwrapUpdates({ ok: true, result: await call('getUpdates', { timeout: String(timeoutSec) }, o, timeoutSec * 1000 + POLL_MARGIN_MS) });
    },
    async setWebhook({ url, secretToken }, o) {
      return webhookInfo('setWebhook', await call('setWebhook', { url, secret_token: secretToken }, o, defaultTimeoutMs));
    },
    async deleteWebhook(o) {
      return webhookInfo('deleteWebhook', await call('deleteWebhook', {}, o, defaultTimeoutMs));
    },
    async getWebhookInfo(o) {
      return webhookInfo('getWebhookInfo', await call('getWebhookInfo', {}, o, defaultTimeoutMs));
    },
    async sendMessage({ chatId, text }, o) {
      return sent('sendMessage', await call('sendMessage', { chat_id: chatId, text }, o, defaultTimeoutMs));
    },
    async sendPhoto({ chatId, photoUrl, caption }, o) {
      return sent('sendPhoto', await call('sendPhoto', { chat_id: chatId, photo: photoUrl, ...(caption ? { caption } : {}) }, o, PHOTO_TIMEOUT_MS));
    },
    async sendChatAction({ chatId, action }, o) {
      // Answers `{ok: true}` without a result (docs/platforms.md §1.3).
      await call('sendChatAction', { chat_id: chatId, action }, o, CHAT_ACTION_TIMEOUT_MS);
    },
  };
}
