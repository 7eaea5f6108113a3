import { createApp } from './app/app.js';
import { ChannelStartError } from './app/channels.js';
import { ConfigError, loadConfig, type Config } from './config.js';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}

const app = createApp(config, { onFatal: () => shutdown('fatal', 1) });
let stopping = false;

/** Stop the app and exit with `code`, at the latest when the deadline passes. */
function shutdown(reason: string, code: number): void {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal: reason }, 'shutting down');
  setTimeout(() => process.exit(code), SHUTDOWN_DEADLINE_MS).unref();
  app.stop().then(
    () => process.exit(code),
    (err: unknown) => {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}

// A second signal while stopping exits at once.
const onSignal = (signal: NodeJS.Signals) => (stopping ? process.exit(1) : shutdown(signal, 0));
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  await app.start();
} catch (err) {
  // A start cut short by a signal ends with the shutdown's own exit.
  if (!stopping) {
    // A channel that could not start has already been logged as fatal.
    if (!(err instanceof ChannelStartError)) process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}
