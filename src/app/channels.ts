import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createPollingGuard, type PollingGuard } from '../channels/polling-guard.js';
import { createTelegramChannel, type TelegramChannel } from '../channels/telegram/channel.js';
import type { Channel, ChannelId, InboundHandler } from '../core/chat.js';
import { createZaloChannel, type ZaloChannel } from '../channels/zalo/channel.js';
import type { Config } from '../config.js';
import type { ReadinessCheck, Route } from '../http/server.js';
import type { Lease } from '../store/lock.js';

/** A channel could not start (bad token, unreachable API…); `cause` says why. */
export class ChannelStartError extends Error {
  override name = 'ChannelStartError';
  constructor(
    readonly channel: ChannelId,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${channel} channel could not start: ${reason}`, options);
  }
}

/** The platforms the bot is on (a channel per configured token), before and after they start. */
export interface Channels {
  /** Each channel by id, for sends (the broadcaster, staff notices); ready to send before `start`. */
  byId: Map<ChannelId, Channel>;
  /** Webhook routes for the HTTP server. */
  routes: Route[];
  /** One readiness check per channel: started, or standing by while another instance polls. */
  readiness: Record<string, ReadinessCheck>;
  /** Start receiving: webhooks at once; long polling on the instance that holds the channel's lease. */
  start(handle: InboundHandler): Promise<void>;
  /** Stop receiving, hand polling over to another instance, finish replies in flight. */
  stop(): Promise<void>;
}

/**
 * Create the Telegram and Zalo channels the configuration enables. `onFatal` hears about a channel that
 * cannot go on after it started (token rejected while polling, another poller, a take-over that failed).
 */
export function buildChannels(config: Config, deps: { lease: Lease; instanceId: string; log: Logger; onFatal: (error: Error) => void }): Channels {
  const { lease, log, onFatal } = deps;
  const channels: (TelegramChannel | ZaloChannel)[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    channels.push(
      createTelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.WEBHOOK_SECRET,
        lease,
        log: log.child({ module: 'telegram' }),
        onFatal,
      }),
    );
  }
  if (config.ZALO_BOT_TOKEN) {
    channels.push(
      createZaloChannel({
        token: config.ZALO_BOT_TOKEN,
        apiBase: config.ZALO_API_BASE,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.WEBHOOK_SECRET,
        sendsPerSecond: config.ZALO_SEND_RATE,
        errorCodes: config.ZALO_ERROR_CODES_FILE ? resolve(config.ZALO_ERROR_CODES_FILE) : undefined,
        lease,
        log: log.child({ module: 'zalo' }),
        onFatal,
      }),
    );
  }
  const started = new Set<ChannelId>();
  const guards = new Map<ChannelId, PollingGuard>();

  async function startChannel(channel: TelegramChannel | ZaloChannel, handle: InboundHandler): Promise<void> {
    try {
      await channel.start(handle);
    } catch (err) {
      log.fatal({ channel: channel.id, err: err instanceof Error ? err.message : String(err) }, `${channel.id} channel could not start`);
      throw new ChannelStartError(channel.id, { cause: err });
    }
  }

  const isReady = (id: ChannelId): boolean => started.has(id) || (guards.get(id)?.state ?? 'unchecked') !== 'unchecked';

  return {
    byId: new Map<ChannelId, Channel>(channels.map((c) => [c.id, c])),
    routes: channels.map((c) => c.route),
    readiness: Object.fromEntries(channels.map((c) => [c.id, () => (isReady(c.id) ? true : 'not started')])),

    async start(handle) {
      for (const channel of channels) {
        if (config.PUBLIC_URL) {
          await startChannel(channel, handle);
          started.add(channel.id);
          continue;
        }
        const guard = createPollingGuard({
          channel,
          startPolling: () => startChannel(channel, handle),
          lease,
          owner: deps.instanceId,
          ttlMs: config.LEASE_TTL_SECONDS * 1000,
          log,
          onFatal: (err) => onFatal(err.cause instanceof Error ? err.cause : err),
        });
        guards.set(channel.id, guard);
        try {
          await guard.start();
        } catch (err) {
          throw (err as Error).cause instanceof ChannelStartError ? (err as Error).cause : err;
        }
      }
    },

    async stop() {
      started.clear();
      // The guards stop polling here first, then give their leases up.
      await Promise.allSettled([...guards.values()].map((g) => g.stop()));
      guards.clear();
      await Promise.allSettled(channels.map((c) => c.stop()));
    },
  };
}
