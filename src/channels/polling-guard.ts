import type { Logger } from 'pino';
import type { Lease } from '../store/lock.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { Channel } from '../core/chat.js';

/** Settings of a polling guard. */
export interface PollingGuardOptions {
  /** The channel whose long polling is handed from instance to instance. */
  channel: Pick<Channel, 'id' | 'stop'>;
  /** Start the channel's polling (with its message handler); a rejection means it could not start. */
  startPolling(): Promise<void>;
  /** The store's leases, shared by every instance. */
  lease: Lease;
  /** This instance's name in the lease. */
  owner: string;
  /** How long the lease outlives an instance that stopped renewing it; checked every third of it. */
  ttlMs: number;
  log: Logger;
  /** Polling could not start when this instance took the lease over on a later check: the channel cannot go on. */
  onFatal(error: Error): void;
}

/** Where a guarded channel stands: not checked yet, polling here, or standing by while another instance polls. */
export type PollingState = 'unchecked' | 'polling' | 'standby';

/** Polling could not be started (bad token, another poller without the lease…); the cause says why. */
export class PollingStartError extends Error {
  override name = 'PollingStartError';
  constructor(
    readonly channel: string,
    options: { cause: unknown },
  ) {
    super(`${channel} polling could not start`, options);
  }
}

/** The guard of one channel's long polling. */
export interface PollingGuard {
  /** Check the lease now (polling starts here when this instance gets it) and then every third of the TTL. */
  start(): Promise<void>;
  /** Check the lease once: start polling when it is ours, stop when another instance has it. */
  check(): Promise<void>;
  /** Stop checking, stop polling here and give the lease up at once, so another instance takes over. */
  stop(): Promise<void>;
  readonly state: PollingState;
}

/**
 * Long polling on one instance at a time: a second getUpdates gets 409 from Telegram, and Zalo hands each
 * update to one caller. The instance holding `poll:<channel>` polls; the others stand by (they can still
 * send) and take over when the poller's lease runs out. A store that cannot be asked is not a lost lease:
 * polling goes on as before until the store answers again, and the lease is renewed then, unless another
 * instance took it meanwhile.
 */
export function createPollingGuard(options: PollingGuardOptions): PollingGuard {
  const { channel, lease, owner, ttlMs, log } = options;
  const name = `poll:${channel.id}`;
  let state: PollingState = 'unchecked';
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let stopped = false;

  async function checkOnce(): Promise<void> {
    let held: boolean;
    try {
      held = await lease.acquire(name, owner, ttlMs);
    } catch (err) {
      // The breaker already logs an unavailable store.
      if (!(err instanceof StoreUnavailableError)) log.warn({ channel: channel.id, reason: (err as Error)?.message }, 'polling lease not checked');
      return;
    }
    if (stopped) return;
    if (held && state !== 'polling') {
      try {
        await options.startPolling();
      } catch (err) {
        throw new PollingStartError(channel.id, { cause: err });
      }
      state = 'polling';
      log.info({ channel: channel.id }, 'this instance polls');
    } else if (!held && state === 'polling') {
      state = 'standby';
      await channel.stop();
      log.warn({ channel: channel.id }, 'another instance polls now: polling stopped here');
    } else if (!held) {
      state = 'standby';
    }
  }

  /** One check at a time: a slow start is not started twice by the next tick. */
  function check(): Promise<void> {
    checking ??= checkOnce().finally(() => (checking = undefined));
    return checking;
  }

  return {
    get state() {
      return state;
    },
    check,
    async start() {
      await check();
      if (stopped || timer) return;
      timer = setInterval(() => {
        void check().catch((err: unknown) => {
          if (err instanceof PollingStartError) options.onFatal(err);
          else log.error({ err, channel: channel.id }, 'polling lease check failed');
        });
      }, ttlMs / 3);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await checking?.catch(() => undefined);
      try {
        if (state === 'polling') await channel.stop();
      } finally {
        state = 'unchecked';
        // Handed over at once instead of after the lease runs out.
        await lease.release(name, owner).catch(() => undefined);
      }
    },
  };
}
