import { join, resolve } from 'node:path';
import { createAnswerEngine } from './assistant/answer-engine.js';
import { createConversation } from './assistant/conversation.js';
import { createStores } from './store/stores.js';
import { ConfigError, loadConfig, type Config } from './config.js';
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
  const stores = createStores({ log: log.child({ module: 'store' }) });
  const conversation = createConversation({ engine, index, lexicon, stores, log: log.child({ module: 'conversation' }) });
  const server = createHttpServer({ conversation, log: log.child({ module: 'http' }) });
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ documents: index.size, url: `http://${config.HOST}:${port}/` }, `web chat ready: open http://${config.HOST}:${port}/`);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close(() => void stores.close().finally(() => process.exit(0)));
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
