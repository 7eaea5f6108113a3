import KeyvRedis, { createClient, RedisErrorMessages } from '@keyv/redis';
import type { Logger } from 'pino';
import { StoreBreaker } from './breaker.js';

/** How long a store operation may wait for Redis before it fails, in ms. */
const REDIS_COMMAND_TIMEOUT_MS = 3000;
/** How long opening a connection may take before the operation that needed it fails, in ms. */
const REDIS_CONNECT_TIMEOUT_MS = 3000;
/** Longest pause between two reconnection attempts, in ms. */
const RECONNECT_MAX_DELAY_MS = 2000;

/** Tuning of a Redis adapter (tests shorten the timeouts). */
export interface RedisAdapterOptions {
  /** Fail a command that got no answer after this long. @default REDIS_COMMAND_TIMEOUT_MS */
  commandTimeoutMs?: number;
  /** Fail an operation whose connection could not be opened after this long. @default REDIS_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** The circuit breaker of the server: every operation goes through it, and dropped connections open it. */
  breaker?: StoreBreaker;
}

/**
 * A keyv store adapter on Redis, with its own connection (keyv sets the namespace on its adapter, so every
 * namespace needs one: `createStores({ adapter: () => createRedisAdapter(url) })`). Keys are
 * `namespace::namespace:key` (the adapter's prefix, then keyv's own), so namespaces never collide.
 *
 * @remarks
 * The connection opens on first use. Every failure is thrown, never read as "absent": @keyv/redis swallows
 * errors unless its own `throwOnErrors` is set (keyv's option does not reach it), and a swallowed read of an
 * index list would be written back empty. While Redis is unreachable, operations fail within
 * `connectTimeoutMs` (never connected) or `commandTimeoutMs` (connection lost, reconnecting in the background);
 * commands issued during a short outage wait in the client's queue and run when the connection is back.
 * With `breaker` (see {@link createRedisBackend}), the first such failure opens it and later operations fail
 * at once with StoreUnavailableError until its probe reaches the server again.
 */
export function createRedisAdapter(url: string, options: RedisAdapterOptions = {}): RedisAdapter {
  const client = createClient({
    url,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? REDIS_CONNECT_TIMEOUT_MS,
      // Reconnect forever in the background; commands meanwhile fail by their own timeout.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, RECONNECT_MAX_DELAY_MS),
    },
    commandOptions: { timeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS },
  });
  return new RedisAdapter(client as ConstructorParameters<typeof KeyvRedis>[0], {
    throwOnErrors: true,
    throwOnConnectError: true,
    // Without it, connecting to a server that refuses retries forever and the first operation never returns.
    connectionTimeout: options.connectTimeoutMs ?? REDIS_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? REDIS_CONNECT_TIMEOUT_MS,
    breaker: options.breaker,
  });
}

/** True when Redis itself answered with an error (a bad command or script): the server is there. */
function isErrorReply(err: unknown): boolean {
  for (let proto = err === null || typeof err !== 'object' ? null : Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true;
  }
  return false;
}

/** True when an operation failed for want of the server (not connected, timed out, connection lost), not by its answer. */
function isRedisOutage(err: unknown): boolean {
  return !isErrorReply(err instanceof RedisStoreError ? err.cause : err);
}

/** One Redis server as the bot uses it: adapters (one connection each) behind one circuit breaker. */
export interface RedisBackend {
  /** A new adapter on the server (one per keyv namespace), behind the breaker. */
  adapter(): RedisAdapter;
  /** True when the server answers PING; fails at once with StoreUnavailableError while the breaker is open. */
  ping(): Promise<boolean>;
  readonly breaker: StoreBreaker;
  /** Stop the breaker and close every connection opened here. */
  close(): Promise<void>;
}

/**
 * Open a Redis backend: the adapters it hands out share one {@link StoreBreaker}, so an outage is seen and
 * logged once for the whole server, and the breaker's probe has a connection of its own that bypasses it.
 */
export function createRedisBackend(
  url: string,
  options: RedisAdapterOptions & { log: Logger; onChange?: (up: boolean) => void; probeIntervalMs?: number; reportIntervalMs?: number },
): RedisBackend {
  const timeouts = { commandTimeoutMs: options.commandTimeoutMs, connectTimeoutMs: options.connectTimeoutMs };
  const probe = createRedisAdapter(url, timeouts);
  const breaker = new StoreBreaker({
    probe: () => probe.ping(),
    log: options.log,
    onChange: options.onChange,
    probeIntervalMs: options.probeIntervalMs,
    reportIntervalMs: options.reportIntervalMs,
  });
  const opened: RedisAdapter[] = [probe];
  return {
    adapter() {
      const adapter = createRedisAdapter(url, { ...timeouts, breaker });
      opened.push(adapter);
      return adapter;
    },
    ping: () => breaker.run(() => probe.ping(), isRedisOutage),
    breaker,
    async close() {
      breaker.stop();
      await Promise.allSettled(opened.map((a) => a.disconnect()));
    },
  };
}

/** A store operation on Redis that failed or got no answer in time. */
class RedisStoreError extends Error {
  override name = 'RedisStoreError';
  constructor(
    /** The adapter method that failed (get, getMany, set, …). */
    readonly operation: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The @keyv/redis adapter with errors that say what failed, closing without waiting on a server that is gone.
 * Given a breaker, its operations go through it, and connection errors go to it instead of the 'error' event
 * (a reconnecting client reports one per attempt).
 */
export class RedisAdapter extends KeyvRedis<unknown> {
  constructor(
    client: ConstructorParameters<typeof KeyvRedis>[0],
    options: ConstructorParameters<typeof KeyvRedis>[1] & { commandTimeoutMs: number; connectTimeoutMs: number; breaker?: StoreBreaker },
  ) {
    super(client, options);
    this.timeouts = { command: options.commandTimeoutMs, connect: options.connectTimeoutMs };
    this.breaker = options.breaker;
  }

  private readonly timeouts: { command: number; connect: number };
  private readonly breaker: StoreBreaker | undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && this.breaker && args[0] instanceof Error && isRedisOutage(args[0])) {
      this.breaker.fail(args[0]);
      return true;
    }
    return super.emit(event, ...args);
  }

  /** Run one operation, through the breaker when there is one. */
  private attempt<R>(operation: string, run: () => Promise<R>): Promise<R> {
    return this.breaker ? this.breaker.run(() => this.call(operation, run), isRedisOutage) : this.call(operation, run);
  }

  /** Run one operation; rethrow its failure as a RedisStoreError naming it (node-redis timeouts have no message). */
  private async call<R>(operation: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RedisStoreError) throw err;
      const e = err as Error;
      const reason =
        e?.constructor?.name === 'TimeoutError'
          ? `no answer within ${this.timeouts.command} ms`
          : e?.message === RedisErrorMessages.RedisClientNotConnectedThrown
            ? `could not connect within ${this.timeouts.connect} ms`
            : e?.message || e?.name || String(err);
      throw new RedisStoreError(operation, `Redis ${operation} failed: ${reason}`, { cause: err });
    }
  }

  override get<U = unknown>(key: string): Promise<U | undefined> {
    return this.attempt('get', () => super.get<U>(key));
  }
  override getMany<U = unknown>(keys: string[]): Promise<Array<U | undefined>> {
    return this.attempt('getMany', () => super.getMany<U>(keys));
  }
  override set(key: string, value: string, ttl?: number): Promise<void> {
    return this.attempt('set', () => super.set(key, value, ttl));
  }
  override setMany(entries: Parameters<KeyvRedis<unknown>['setMany']>[0]): Promise<void> {
    return this.attempt('setMany', () => super.setMany(entries));
  }
  override has(key: string): Promise<boolean> {
    return this.attempt('has', () => super.has(key));
  }
  override hasMany(keys: string[]): Promise<boolean[]> {
    return this.attempt('hasMany', () => super.hasMany(keys));
  }
  override delete(key: string): Promise<boolean> {
    return this.attempt('delete', () => super.delete(key));
  }
  override deleteMany(keys: string[]): Promise<boolean> {
    return this.attempt('deleteMany', () => super.deleteMany(keys));
  }

  /** Close the connection: gracefully when Redis answers, at once otherwise. */
  override async disconnect(force?: boolean): Promise<void> {
    const client = this.client as { isOpen: boolean; isReady: boolean; destroy(): void };
    if (!client.isOpen) return;
    if (force || !client.isReady) {
      client.destroy();
      return;
    }
    await super.disconnect(false);
  }

  /** Round-trip a PING; true when Redis answered (for readiness checks). */
  ping(): Promise<boolean> {
    return this.attempt('ping', async () => {
      const client = (await this.getClient()) as { ping(): Promise<string> };
      return (await client.ping()) === 'PONG';
    });
  }

  /** Run a Lua script on the connection (leases); keys and arguments as strings. */
  evalScript(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.attempt('eval', async () => {
      const client = (await this.getClient()) as { eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> };
      return client.eval(script, { keys, arguments: args });
    });
  }
}
