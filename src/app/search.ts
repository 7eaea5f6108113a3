import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createAnswerEngine, loadDecisionModel, type AnswerEngine, type DecisionModel } from '../answer/index.js';
import { indexFaq } from '../assistant/faq.js';
import type { Config } from '../config.js';
import { toSearchDoc } from '../content/types.js';
import type { Metrics } from '../metrics.js';
import type { ArticleIndex } from '../search/article-index.js';
import { loadIndex } from '../search/build.js';
import { loadLexicon, type Lexicon } from '../search/lexicon.js';
import { createIndexSync, type IndexPublisher } from '../search/sync.js';
import type { ArticleStore } from '../store/articles.js';
import type { ChangeLog } from '../store/changes.js';
import type { FaqStore } from '../store/faq.js';

/** The bundled content and the extra corpus files of the configuration, as absolute paths. */
export function corpusPaths(config: Config): string[] {
  return [resolve(config.CONTENT_DIR), ...config.CORPUS.map((p) => resolve(p))];
}

/** The lexicon bundled with the content (CONTENT_DIR/lexicon). */
export function loadBotLexicon(config: Config): Lexicon {
  return loadLexicon(join(resolve(config.CONTENT_DIR), 'lexicon'));
}

/** The decision model bundled with the content (CONTENT_DIR/models/decision.json); undefined when there is none. */
function loadBotDecisionModel(config: Config): DecisionModel | undefined {
  const file = join(resolve(config.CONTENT_DIR), 'models', 'decision.json');
  return existsSync(file) ? loadDecisionModel(file) : undefined;
}

/**
 * The answer engine over `index`, with the bundled decision model, answering from the model's threshold unless
 * ANSWER_MIN_CONFIDENCE or `minConfidence` says otherwise.
 */
export function createBotEngine(config: Config, index: ArticleIndex, lexicon: Lexicon, minConfidence = config.ANSWER_MIN_CONFIDENCE): AnswerEngine {
  const model = loadBotDecisionModel(config);
  return createAnswerEngine({ index, lexicon, ...(model ? { model } : {}), tuning: minConfidence === undefined ? {} : { minConfidence } });
}

/** What answers questions: lexicon, index (kept in step with other instances) and engine. */
export interface Search {
  lexicon: Lexicon;
  index: ArticleIndex;
  engine: AnswerEngine;
  /** Where content changes go: the local index at once, the other instances through the change log. */
  publisher: IndexPublisher;
  /** Pull the other instances' changes and report the index size, periodically. */
  start(): void;
  stop(): void;
}

/**
 * Load the index: the content files and the imported articles, kept in the same snapshot under DATA_DIR/cache
 * (keyed on the article store's version), so a restart does not index them again. The active curated entries
 * of `faq` are added after it (never into the snapshot).
 */
export async function buildSearch(
  config: Config,
  deps: { articles: ArticleStore; changes: ChangeLog; log: Logger; metrics: Metrics; faq?: FaqStore },
): Promise<Search> {
  const { articles, metrics } = deps;
  const log = deps.log.child({ module: 'index' });
  const lexicon = loadBotLexicon(config);
  const { index, problems } = await loadIndex({
    paths: corpusPaths(config),
    cacheDir: join(resolve(config.DATA_DIR), 'cache'),
    log,
    extra: { key: await articles.version(), load: async () => (await articles.all()).map((r) => toSearchDoc({ type: 'article', ...r.article })) },
  });
  if (problems.length > 0) deps.log.warn({ skipped: problems.length }, 'some content records were skipped');
  const engine = createBotEngine(config, index, lexicon);
  metrics.indexSize(index.size);
  const sync = await createIndexSync({ index, changes: deps.changes, log });
  // Curated entries are read after the change log's head: a change made meanwhile is applied again, not lost.
  if (deps.faq) log.info({ entries: indexFaq(await deps.faq.list(), index) }, 'curated answers indexed');
  let gauge: NodeJS.Timeout | undefined;
  return {
    lexicon,
    index,
    engine,
    publisher: sync.publisher,
    start() {
      sync.start();
      gauge ??= setInterval(() => metrics.indexSize(index.size), 15_000);
      gauge.unref();
    },
    stop() {
      sync.stop();
      clearInterval(gauge);
      gauge = undefined;
    },
  };
}
