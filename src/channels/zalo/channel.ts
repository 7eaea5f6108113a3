import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { messages } from '../../copy/messages.js';
import type { Lease } from '../../store/lock.js';
import { chatKey, createChatQueue } from '../chat-queue.js';
import { readWebhookBody, RecentKeys } from '../webhook.js';
import type { Channel, InboundHandler, InboundMessage, OutboundMessage, SendResult } from '../../core/chat.js';
import { createZaloClient, ZALO_API_BASE, type ZaloBotInfo, type ZaloClient } from './client.js';
import { classifyZaloError, loadZaloErrorMap, ZaloApiError, ZaloHttpError, type ZaloErrorMapInput } from './errors.js';
import { renderZalo, ZALO_MAX_TEXT } from './render.js';
import { dedupeKey, NON_TEXT_EVENTS, normaliseDate, parseUpdate, senderName, TEXT_EVENT, unwrapUpdates, type ZaloUpdate } from './wire.js';

/** Settings of the Zalo channel. */
export interface ZaloOptions {
  /** Bot token (`<bot_id>:<secret>`); never logged. */
  token: string;
  /** Bot API base; tests point it at 127.0.0.1. @default "https://bot-api.zaloplatforms.com" */
  apiBase?: string;
  /** When set, updates arrive by webhook at `${publicUrl}${ZALO_WEBHOOK_PATH}` instead of long polling. */
  publicUrl?: string;
  /** Secret Zalo sends in X-Bot-Api-Secret-Token with every webhook call; 8–256 characters, required with `publicUrl`. */
  webhookSecret?: string;
  log: Logger;
  /** A send that gets no answer within this time is abandoned and reported as failed and maybe delivered. @default 15000 */
  sendTimeoutMs?: number;
  /** Seconds one getUpdates call waits for a message. @default 30 */
  pollTimeoutSec?: number;
  /** First wait after a failed poll; doubles up to `pollBackoffMaxMs`, reset by a good poll. @default 1000 */
  pollBackoffMs?: number;
  /** @default 30000 */
  pollBackoffMaxMs?: number;
  /** Overall pace the broadcaster keeps (Zalo documents no limit; docs/platforms.md §1.7). @default 5 */
  sendsPerSecond?: number;
  /** Error-code mapping: a JSON file path or an object (see errors.ts); default: DEFAULT_ZALO_ERROR_MAP. */
  errorCodes?: string | ZaloErrorMapInput;
  /** Wait for `rate_limited` when Zalo names none; overrides the mapping's `defaultRetryAfterMs`. */
  defaultRetryAfterMs?: number;
  /** Show "typing…" while an answer is prepared (best effort). @default true */
  typing?: boolean;
  /** Called when the channel cannot go on (token rejected while polling): the process should exit. */
  onFatal?: (error: Error) => void;
  /** Clock for messages without a date. */
  now?: () => Date;
  /** The store's leases: one chat's messages are then handled one at a time across instances too (webhooks). */
  lease?: Lease;
}

/** Path of the webhook on our HTTP server. */
export const ZALO_WEBHOOK_PATH = '/webhook/zalo';

/** The Zalo channel, with its webhook route and failure counts. */
export interface ZaloChannel extends Channel {
  /** Route for our HTTP server (webhook mode); answers false for other paths. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Failed sends since start, per error code (`"timeout"` for a timed-out send, `"http"` for another failure without an answer): undocumented codes show up here for review. */
  failureCounts(): Record<string, number>;
}

/** An error as a log field: our error classes never carry the token; anything else is reduced to its message. */
function errField(err: unknown): Record<string, unknown> {
  if (err instanceof ZaloApiError) return { name: err.name, method: err.method, code: err.code, description: err.description };
  if (err instanceof ZaloHttpError) return { name: err.name, method: err.method, cause: err.cause.message, code: err.cause.code };
  return { name: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.message : String(err) };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Create the Zalo channel over our axios client: long polling, or a verified webhook when `publicUrl` is set. */
export function createZaloChannel(options: ZaloOptions): ZaloChannel {
  const { log } = options;
  const client: ZaloClient = createZaloClient({ token: options.token, apiBase: options.apiBase ?? ZALO_API_BASE });
  // Loaded now: a broken mapping file stops the start with a clear message.
  const errorMap = loadZaloErrorMap(options.errorCodes);
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? errorMap.defaultRetryAfterMs;
  const sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
  const pollTimeoutSec = options.pollTimeoutSec ?? 30;
  const backoffStartMs = options.pollBackoffMs ?? 1_000;
  const backoffMaxMs = options.pollBackoffMaxMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const seen = new RecentKeys();
  const failures = new Map<string, number>();
  const chats = createChatQueue({ lease: options.lease, log });
  let handler: InboundHandler | undefined;
  let polling: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let webhook = false;

  function toSendResult(err: unknown, chatId: string): SendResult {
    if (err instanceof ZaloApiError) {
      const { reason, mapped } = classifyZaloError(errorMap, err);
      const key = String(err.code ?? 'none');
      failures.set(key, (failures.get(key) ?? 0) + 1);
      if (reason === 'rate_limited') return { ok: false, reason, retryAfterMs: err.retryAfterMs ?? defaultRetryAfterMs };
      if (reason === 'blocked' || reason === 'chat_not_found') return { ok: false, reason };
      log.warn({ chatId, code: err.code, description: err.description, mapped }, mapped ? 'zalo send failed' : 'zalo send failed with an unmapped error code');
      return { ok: false, reason: 'failed', error: err };
    }
    const error = err instanceof Error ? err : new Error(String(err));
    if (err instanceof ZaloHttpError && err.isTimeout) {
      // The request may have reached Zalo, which has no idempotent send: the broadcaster repeats it once at most.
      failures.set('timeout', (failures.get('timeout') ?? 0) + 1);
      log.warn({ chatId, err: errField(err) }, 'zalo send timed out: it may have been delivered');
      return { ok: false, reason: 'failed', error, maybeDelivered: true };
    }
    failures.set('http', (failures.get('http') ?? 0) + 1);
    log.warn({ chatId, err: errField(err) }, 'zalo send got no answer');
    return { ok: false, reason: 'failed', error };
  }

  async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    const chunks = renderZalo(message);
    if (chunks.length === 0) return { ok: false, reason: 'failed', error: new Error('Zalo sendMessage: nothing to send (empty text)') };
    let last: SendResult | undefined;
    for (const text of chunks) {
      try {
        const sent = await client.sendMessage({ chatId, text }, { timeoutMs: sendTimeoutMs });
        last = { ok: true, messageId: sent.messageId };
      } catch (err) {
        return toSendResult(err, chatId);
      }
    }
    return last!;
  }

  async function reply(chatId: string, replies: OutboundMessage[]): Promise<void> {
    for (const r of replies) {
      const result = await send(chatId, r);
      if (!result.ok) log.warn({ chatId, reason: result.reason }, 'reply not delivered');
    }
  }

  async function handleUpdate(update: ZaloUpdate): Promise<void> {
    const chatId = update.message.chat.id;
    if (!handler) return;
    if (NON_TEXT_EVENTS.has(update.event_name)) {
      await reply(chatId, [{ text: messages.textOnly }]);
      return;
    }
    const msg: InboundMessage = {
      channel: 'zalo',
      chatId,
      userId: update.message.from?.id ?? chatId,
      displayName: senderName(update),
      text: update.message.text ?? '',
      receivedAt: normaliseDate(update.message.date, now),
    };
    // Best effort: a failed or slow typing action never holds the answer back.
    const typing =
      options.typing === false
        ? undefined
        : client.sendChatAction({ chatId, action: 'typing' }).catch((err: unknown) => log.debug({ err: errField(err) }, 'typing action failed'));
    await reply(chatId, await handler(msg));
    await typing;
  }

  /** Queue an update: replays are dropped, one chat's messages run in order, different chats in parallel. */
  function accept(update: ZaloUpdate): void {
    if (!seen.add(dedupeKey(update))) {
      log.debug({ messageId: update.message.message_id }, 'duplicate update ignored');
      return;
    }
    if (update.event_name !== TEXT_EVENT && !NON_TEXT_EVENTS.has(update.event_name)) {
      log.debug({ event: update.event_name }, 'unknown zalo event ignored');
      return;
    }
    chats
      .run(chatKey('zalo', update.message.chat.id), () => handleUpdate(update))
      .catch((err: unknown) => log.error({ err: errField(err), messageId: update.message.message_id }, 'zalo update failed'));
  }

  function acceptRaw(raw: unknown): void {
    const parsed = parseUpdate(raw);
    if (parsed.ok) accept(parsed.update);
    else log.warn({ problem: parsed.error }, 'malformed zalo update skipped');
  }

  async function poll(signal: AbortSignal): Promise<void> {
    let backoffMs = backoffStartMs;
    while (!signal.aborted) {
      try {
        const updates = await client.getUpdates({ timeoutSec: pollTimeoutSec }, { signal });
        backoffMs = backoffStartMs;
        for (const raw of updates) acceptRaw(raw);
      } catch (err) {
        if (signal.aborted) break;
        // "Nothing arrived" is error_code 408 (docs/platforms.md §1.6): poll again at once.
        if (err instanceof ZaloApiError && err.isPollingTimeout) {
          backoffMs = backoffStartMs;
          continue;
        }
        if (err instanceof ZaloApiError && err.isAuthFailure) {
          log.fatal({ code: err.code, description: err.description }, `zalo token rejected while polling (${err.code})`);
          options.onFatal?.(err);
          break;
        }
        log.warn({ err: errField(err), retryInMs: backoffMs }, 'zalo getUpdates failed');
        await sleep(backoffMs, signal);
        backoffMs = Math.min(backoffMs * 2, backoffMaxMs);
      }
    }
  }

  return {
    id: 'zalo',
    limits: { maxTextLength: ZALO_MAX_TEXT, sendsPerSecond: options.sendsPerSecond ?? 5 },

    async start(onMessage) {
      if (options.publicUrl && (!options.webhookSecret || options.webhookSecret.length < 8 || options.webhookSecret.length > 256)) {
        throw new Error('Zalo webhook needs a secret of 8-256 characters (WEBHOOK_SECRET)');
      }
      // getMe first: a bad token is fatal at start, with one clear line and no token.
      let me: ZaloBotInfo;
      try {
        me = await client.getMe();
      } catch (err) {
        if (err instanceof ZaloApiError && err.isAuthFailure) throw new Error(`Zalo token rejected (${err.code}: ${err.description})`, { cause: err });
        throw err;
      }
      handler = onMessage;
      if (options.publicUrl) {
        webhook = true;
        await client.setWebhook({ url: `${options.publicUrl.replace(/\/+$/, '')}${ZALO_WEBHOOK_PATH}`, secretToken: options.webhookSecret! });
        log.info({ account: me.accountName }, 'zalo webhook set');
        return;
      }
      // getUpdates does not work while a webhook is set (docs/platforms.md §1.6).
      try {
        const info = await client.getWebhookInfo();
        if (info.url) {
          await client.deleteWebhook();
          log.info('zalo webhook deleted before polling');
        }
      } catch (err) {
        // Poll anyway when getWebhookInfo is not available (404): no webhook can be set then.
        if (!(err instanceof ZaloApiError && err.code === 404)) throw err;
        log.warn({ err: errField(err) }, 'zalo getWebhookInfo unavailable; polling anyway');
      }
      abort = new AbortController();
      polling = poll(abort.signal);
      log.info({ account: me.accountName }, 'zalo polling started');
    },

    async stop() {
      webhook = false;
      abort?.abort();
      await polling;
      polling = undefined;
      abort = undefined;
      await chats.onIdle();
      handler = undefined;
    },

    send,

    failureCounts: () => Object.fromEntries(failures),

    async route(req, res, url) {
      if (url.pathname !== ZALO_WEBHOOK_PATH) return false;
      if (!options.publicUrl || req.method !== 'POST') {
        res.writeHead(404).end();
        return true;
      }
      // Not started yet, or stopping: Zalo may deliver again later.
      if (!webhook || !handler) {
        res.writeHead(503).end();
        return true;
      }
      const body = await readWebhookBody(req, res, { header: 'x-bot-api-secret-token', secret: options.webhookSecret, channel: 'zalo', log });
      if (body === undefined) return true;
      const updates: ZaloUpdate[] = [];
      try {
        // Flat or wrapped in {ok, result}: both are seen in the wild (docs/platforms.md §1.6).
        const raws = unwrapUpdates(JSON.parse(body));
        for (const raw of raws) {
          const parsed = parseUpdate(raw);
          if (!parsed.ok) throw new Error(parsed.error);
          updates.push(parsed.update);
        }
        if (updates.length === 0) throw new Error('no update in the body');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'malformed zalo webhook body');
        res.writeHead(400).end();
        return true;
      }
      // Answer at once, then process: Zalo's retry policy is unknown, replays are de-duplicated.
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      for (const update of updates) accept(update);
      return true;
    },
  };
}
