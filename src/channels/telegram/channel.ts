import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Telegraf, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import { commandMenu, messages } from '../../copy/messages.js';
import type { Lease } from '../../store/lock.js';
import { StoreUnavailableError } from '../../store/unavailable.js';
import { chatKey, createChatQueue } from '../chat-queue.js';
import { readWebhookBody, RecentKeys } from '../webhook.js';
import type { Channel, InboundHandler, InboundMessage, OutboundMessage, SendResult } from '../../core/chat.js';
import { inlineKeyboard, renderTelegram } from './render.js';

/** Settings of the Telegram channel. */
export interface TelegramOptions {
  token: string;
  /** Bot API root; tests point it at 127.0.0.1. */
  apiRoot: string;
  /** When set, updates arrive by webhook at `${publicUrl}${WEBHOOK_PATH}` instead of long polling. */
  publicUrl?: string;
  /** Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token with every webhook call. */
  webhookSecret?: string;
  log: Logger;
  /** A send that gets no answer within this time is abandoned and reported as failed. */
  sendTimeoutMs?: number;
  /** Called when the channel cannot go on (bad token, another poller): the process should exit. */
  onFatal?: (error: Error) => void;
  /** The store's leases: one chat's updates are then handled one at a time across instances too (webhooks). */
  lease?: Lease;
}

type CallApiSignal = NonNullable<NonNullable<Parameters<Telegraf['telegram']['callApi']>[2]>['signal']>;

/** Path of the webhook on our HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/webhook/telegram';
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Commands shown in Telegram's "/" menu (their Vietnamese descriptions live with every other text). */
const TELEGRAM_COMMANDS = commandMenu;

/** Map a Telegram failure to a send result (docs/platforms.md §2.5). */
function toSendResult(err: unknown): SendResult {
  if (err instanceof TelegramError) {
    const description = err.description.toLowerCase();
    if (err.code === 429) return { ok: false, reason: 'rate_limited', retryAfterMs: (err.parameters?.retry_after ?? 1) * 1000 };
    if (err.code === 403) return { ok: false, reason: 'blocked' };
    if (err.code === 400 && description.includes('chat not found')) return { ok: false, reason: 'chat_not_found' };
    return { ok: false, reason: 'failed', error: new Error(`Telegram sendMessage failed (${err.code}: ${err.description})`, { cause: err }) };
  }
  const message = err instanceof Error ? err.message : String(err);
  // Our AbortSignal.timeout fired: the request may have reached Telegram.
  const maybeDelivered = err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
  return { ok: false, reason: 'failed', error: new Error(`Telegram sendMessage failed (${message})`), ...(maybeDelivered ? { maybeDelivered } : {}) };
}

/** The Telegram channel, with the webhook route it serves when `publicUrl` is set. */
export interface TelegramChannel extends Channel {
  /** Route for our HTTP server (webhook mode); answers false for other paths. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** Create the Telegram channel over telegraf. */
export function createTelegramChannel(options: TelegramOptions): TelegramChannel {
  const { log } = options;
  const bot = new Telegraf(options.token, { handlerTimeout: 30_000, telegram: { apiRoot: options.apiRoot, webhookReply: false } });
  const seen = new RecentKeys<number>();
  const chats = createChatQueue({ lease: options.lease, log });
  let handler: InboundHandler | undefined;
  let polling: Promise<void> | undefined;
  let webhook = false;
  const closedListeners: ((chatId: string) => Promise<void> | void)[] = [];

  async function reply(chatId: string, replies: OutboundMessage[]): Promise<void> {
    for (const r of replies) {
      const result = await send(chatId, r);
      if (!result.ok) log.warn({ chatId, reason: result.reason }, 'reply not delivered');
    }
  }

  bot.use(async (ctx, next) => {
    if (!seen.add(ctx.update.update_id)) {
      log.debug({ updateId: ctx.update.update_id }, 'duplicate update ignored');
      return;
    }
    await next();
  });

  bot.on('callback_query', async (ctx, next) => {
    // Answer at once, before waiting for the chat's turn: the client shows a spinner until it is answered,
    // and late answers fail.
    await ctx.answerCbQuery().catch((err: unknown) => log.debug({ err }, 'answerCbQuery failed'));
    await next();
  });

  // telegraf runs the updates of one getUpdates batch (and concurrent webhook calls) all at once: one chat's
  // updates wait for each other here, in the order they came; other chats go on in parallel.
  bot.use((ctx, next) => {
    const chatId = ctx.chat?.id ?? ctx.from?.id;
    return chatId === undefined ? next() : chats.run(chatKey('telegram', String(chatId)), next);
  });

  bot.on('callback_query', async (ctx) => {
    const query = ctx.callbackQuery;
    if (!handler || !('data' in query) || !query.message) return;
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId: String(query.message.chat.id),
      userId: String(query.from.id),
      displayName: query.from.first_name,
      text: '',
      callbackData: query.data,
      receivedAt: new Date(),
    };
    await reply(msg.chatId, await handler(msg));
  });

  // The user blocked the bot (docs/platforms.md §2.5): `kicked` in a private chat, as a 403 would say on the next send.
  bot.on('my_chat_member', async (ctx) => {
    const update = ctx.myChatMember;
    if (update.chat.type !== 'private' || update.new_chat_member.status !== 'kicked') return;
    const chatId = String(update.chat.id);
    log.info({ chatId }, 'user blocked the bot');
    for (const listener of closedListeners) {
      // In a store outage the next send's 403 says it again; the store has logged the outage.
      await Promise.resolve()
        .then(() => listener(chatId))
        .catch((err: unknown) => void (err instanceof StoreUnavailableError || log.error({ err, chatId }, 'could not mark a closed chat')));
    }
  });

  bot.on('message', async (ctx) => {
    if (!handler) return;
    const message = ctx.message;
    const chatId = String(message.chat.id);
    if (!('text' in message)) {
      await reply(chatId, [{ text: messages.textOnly }]);
      return;
    }
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId,
      userId: String(message.from?.id ?? message.chat.id),
      displayName: message.from?.first_name,
      text: message.text,
      receivedAt: new Date(message.date * 1000),
    };
    await reply(chatId, await handler(msg));
  });

  bot.catch((err, ctx) => {
    log.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err), updateId: ctx.update.update_id }, 'update failed');
  });

  async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    const chunks = renderTelegram(message);
    let last: SendResult = { ok: false, reason: 'failed', error: new Error('nothing sent') };
    for (const [i, html] of chunks.entries()) {
      try {
        const sent = await bot.telegram.callApi(
          'sendMessage',
          {
            chat_id: chatId,
            text: html,
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            reply_markup: i === chunks.length - 1 ? inlineKeyboard(message.buttons) : undefined,
          },
          // telegraf sets no timeout of its own: a hung connection would hang the reply forever.
          // telegraf types its signal with the abort-controller polyfill; node-fetch accepts Node's own.
          { signal: AbortSignal.timeout(options.sendTimeoutMs ?? 15_000) as unknown as CallApiSignal },
        );
        last = { ok: true, messageId: String(sent.message_id) };
      } catch (err) {
        return toSendResult(err);
      }
    }
    return last;
  }

  return {
    id: 'telegram',
    limits: { maxTextLength: 4096, sendsPerSecond: 25 },

    async start(onMessage) {
      handler = onMessage;
      // getMe first: a bad token is fatal at start, with one clear line.
      bot.botInfo = await bot.telegram.getMe();
      await bot.telegram.setMyCommands(TELEGRAM_COMMANDS).catch((err: unknown) => log.warn({ err: String(err) }, 'setMyCommands failed'));
      if (options.publicUrl) {
        webhook = true;
        await bot.telegram.setWebhook(`${options.publicUrl.replace(/\/$/, '')}${TELEGRAM_WEBHOOK_PATH}`, {
          secret_token: options.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
        log.info({ username: bot.botInfo.username }, 'telegram webhook set');
        return;
      }
      await new Promise<void>((ready, fail) => {
        polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, ready).catch((err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          if (error instanceof TelegramError && (error.code === 401 || error.code === 409)) {
            log.fatal(
              { code: error.code, description: error.description },
              error.code === 409 ? 'another instance is polling this bot (409)' : 'telegram token rejected (401)',
            );
            options.onFatal?.(error);
          } else log.error({ err: error.message }, 'telegram polling stopped');
          fail(error);
        });
      });
      log.info({ username: bot.botInfo.username }, 'telegram polling started');
    },

    async stop() {
      if (polling) {
        try {
          bot.stop('shutdown');
        } catch {
          // "Bot is not running!" when polling never started.
        }
        await polling.catch(() => undefined);
        polling = undefined;
      }
      // An update telegraf gave up on (handlerTimeout) may still be waiting for its chat's turn.
      await chats.onIdle();
      handler = undefined;
    },

    send,

    onChatClosed(listener) {
      closedListeners.push(listener);
    },

    async route(req, res, url) {
      if (url.pathname !== TELEGRAM_WEBHOOK_PATH) return false;
      if (!webhook || req.method !== 'POST') {
        res.writeHead(404).end();
        return true;
      }
      const body = await readWebhookBody(req, res, { header: 'x-telegram-bot-api-secret-token', secret: options.webhookSecret, channel: 'telegram', log });
      if (body === undefined) return true;
      let update: Update;
      try {
        update = JSON.parse(body) as Update;
        if (typeof update?.update_id !== 'number') throw new Error('no update_id');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'malformed telegram update');
        res.writeHead(400).end();
        return true;
      }
      await bot.handleUpdate(update);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return true;
    },
  };
}
