import { join, resolve } from 'node:path';
import { createAnswerEngine } from './assistant/answer-engine.js';
import { createConversation } from './assistant/conversation.js';
import { createSqliteAdapter, sqliteFile } from './store/sqlite.js';
import { createStores } from './store/stores.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/channel.js';
import { createHttpServer } from './http/server.js';
import { createLogger } from './log.js';
import { loadIndex } from './search/build.js';
import { loadLexicon } from './search/lexicon.js';

async function start(config: Config): Promise<void> {
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY) });
  const contentDir = resolve(config.CONTENT_DIR);
  const lexicon = loadLexicon(join(contentDir, 'lexicon'));
  const { index, problems } = await loadIndex({
    paths: [contentDir, ...config.CORPUS.map((p) => resolve(p))],
    cacheDir: join(resolve(config.DATA_DIR), 'cache'),
    log: log.child({ module: 'index' }),
  });
  if (problems.length > 0) log.warn({ skipped: problems.length }, 'some content records were skipped');
  const engine = createAnswerEngine({ index, lexicon, tuning: { minConfidence: config.ANSWER_MIN_CONFIDENCE } });
  const dataDir = resolve(config.DATA_DIR);
  const stores = await createStores({ adapter: () => createSqliteAdapter(dataDir), log: log.child({ module: 'store' }) });
  log.info({ file: sqliteFile(dataDir) }, 'state store ready');
  const conversation = createConversation({ engine, index, lexicon, stores, log: log.child({ module: 'conversation' }) });
  const channels: TelegramChannel[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    channels.push(
      createTelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        publicUrl: config.PUBLIC_URL,
        webhookSecret: config.WEBHOOK_SECRET,
        log: log.child({ module: 'telegram' }),
        onFatal: () => process.exit(1),
      }),
    );
  }
  const server = createHttpServer({ conversation, log: log.child({ module: 'http' }), routes: channels.map((c) => c.route) });
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ documents: index.size, url: `http://${config.HOST}:${port}/` }, `web chat ready: open http://${config.HOST}:${port}/`);
  });
  for (const channel of channels) {
    try {
      await channel.start((msg) => conversation.handle(msg));
    } catch (err) {
      log.fatal({ channel: channel.id, err: err instanceof Error ? err.message : String(err) }, `${channel.id} channel could not start`);
      process.exit(1);
    }
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    void Promise.allSettled(channels.map((c) => c.stop())).then(() => server.close(() => void stores.close().finally(() => process.exit(0))));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

try {
  await start(loadConfig());
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
