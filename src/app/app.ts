import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { buildAssistant, buildStaffServices } from './assistant.js';
import { buildChannels, type Channels } from './channels.js';
import { buildConsole } from './console.js';
import { buildHttp, type Http } from './http.js';
import { buildJobs, type Jobs } from './jobs.js';
import { buildSearch, type Search } from './search.js';
import { buildStorage, type Storage } from './storage.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Root logger; by default one made from LOG_LEVEL and LOG_FORMAT, writing to stdout. */
  log?: Logger;
  /**
   * A channel cannot go on after the app started (token rejected while polling, another poller, a polling
   * take-over that failed). By default the app stops. Before `start` resolves, such a failure rejects it.
   */
  onFatal?: (error: Error) => void;
}

/** The whole bot in one process: stores, index, channels, jobs and the HTTP server. */
export interface App {
  /** Build and start everything; resolves with the web chat's URL. Called again, it returns the same promise. */
  start(): Promise<{ url: string }>;
  /** Stop everything and close every store and connection; idempotent, and waits for a start in progress. */
  stop(): Promise<void>;
  /** The root logger. */
  readonly log: Logger;
  readonly metrics: Metrics;
}

/** The logger the configuration asks for: pretty lines on a terminal (or LOG_FORMAT=pretty), JSON otherwise. */
function createAppLogger(config: Config): Logger {
  return createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY) });
}

/**
 * Compose the bot from its builders: storage, then search over it, the channels (created, not started), the
 * jobs that send through them, the conversation, and the HTTP server. `start` opens them in that order and
 * starts receiving; `stop` undoes it in reverse. Nothing here exits the process.
 */
export function createApp(config: Config, options: AppOptions = {}): App {
  const log = options.log ?? createAppLogger(config);
  const metrics = createMetrics();
  // Stable across restarts, so a restarted instance takes its own leases back at once.
  const instanceId = config.INSTANCE_ID ?? `${hostname()}:${config.PORT}`;
  const parts: { storage?: Storage; search?: Search; channels?: Channels; jobs?: Jobs; http?: Http } = {};
  let phase: 'idle' | 'starting' | 'started' | 'stopping' = 'idle';
  let starting: Promise<{ url: string }> | undefined;
  let stopping: Promise<void> | undefined;
  let fatalWhileStarting: Error | undefined;

  function fatal(error: Error): void {
    if (phase === 'starting') fatalWhileStarting ??= error;
    if (phase !== 'started') return;
    if (options.onFatal) {
      options.onFatal(error);
      return;
    }
    log.error({ err: error.message }, 'a channel cannot go on: stopping');
    void stop();
  }

  /** Fail the start as soon as a stop is asked for or a channel failed. */
  function checkStarting(): void {
    if (phase !== 'starting') throw new Error('the app was stopped while starting');
    if (fatalWhileStarting) throw fatalWhileStarting;
  }

  async function open(): Promise<{ url: string }> {
    const storage = await buildStorage(config, { log, metrics });
    parts.storage = storage;
    checkStarting();
    const search = await buildSearch(config, { articles: storage.articles, changes: storage.changes, faq: storage.faq, log, metrics });
    parts.search = search;
    checkStarting();
    const channels = buildChannels(config, { lease: storage.lease, instanceId, log, onFatal: fatal });
    parts.channels = channels;
    const jobs = await buildJobs(config, { storage, search, channels: channels.byId, instanceId, log, metrics });
    parts.jobs = jobs;
    checkStarting();
    // Sign-in links name PUBLIC_URL, else the address the server listens on (known once it listens).
    let consoleUrl = config.PUBLIC_URL?.replace(/\/+$/, '');
    const services = buildStaffServices({ storage, search, jobs, log });
    const handle = buildAssistant(config, {
      storage,
      search,
      jobs,
      pushChannels: channels.byId.keys(),
      log,
      metrics,
      services,
      consoleUrl: () => consoleUrl ?? `http://${config.HOST}:${config.PORT}`,
    });
    const admin = buildConsole(config, { storage, search, jobs, services, log });
    const readiness = { index: () => (search.index.size > 0 ? true : 'index is empty'), store: storage.probe, ...channels.readiness };
    const http = buildHttp(config, { handle, routes: [...channels.routes, admin], readiness, metrics, lease: storage.lease, log });
    parts.http = http;
    const url = await http.listen();
    consoleUrl ??= url.replace(/\/$/, '');
    log.info({ documents: search.index.size, url }, `web chat ready: open ${url}`);
    await channels.start(handle);
    checkStarting();
    jobs.start();
    search.start();
    return { url };
  }

  let closing: Promise<void> | undefined;
  /** Stop and close whatever was built, in reverse order, once; never throws. */
  function close(): Promise<void> {
    closing ??= closeParts();
    return closing;
  }

  async function closeParts(): Promise<void> {
    const { storage, search, channels, jobs, http } = parts;
    search?.stop();
    // Jobs wait for their sends and imports; channels stop receiving and hand polling over.
    await Promise.allSettled([jobs?.stop(), channels?.stop()]);
    await http?.close();
    await storage?.close().catch((err: unknown) => log.error({ err }, 'closing the stores failed'));
  }

  function start(): Promise<{ url: string }> {
    if (stopping) return Promise.reject(new Error('the app was stopped; create a new one to start again'));
    starting ??= (async () => {
      phase = 'starting';
      try {
        const started = await open();
        phase = 'started';
        return started;
      } catch (err) {
        if (phase === 'starting') phase = 'stopping';
        await close();
        throw err;
      }
    })();
    return starting;
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      const wasStarting = phase === 'starting';
      phase = 'stopping';
      // A start in progress fails at its next step and closes what it built.
      if (wasStarting) await starting?.catch(() => undefined);
      else if (starting) await close();
    })();
    return stopping;
  }

  return { start, stop, log, metrics };
}
