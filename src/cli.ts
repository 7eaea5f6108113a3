import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';
import { createBotImporter } from './app/importer.js';
import { corpusPaths, createBotEngine, loadBotLexicon } from './app/search.js';
import { loadConfig, type Config } from './config.js';
import { answerRemovedSystem, asUnanswerable, createAnswerDocFinder } from './eval/answer-removed.js';
import { createDecisionProbe, featureRows } from './eval/features.js';
import {
  baselineSystem,
  collect,
  oursSystem,
  readQueries,
  riskCoverage,
  score,
  type AskSystem,
  type CurveRow,
  type EvalQuery,
  type EvalReport,
  type Figures,
} from './eval/evaluate.js';
import { createAnswerEngine } from './answer/index.js';
import { toSearchDoc, type SearchDoc } from './content/types.js';
import type { ImportSummary } from './ingest/importer.js';
import { createLogger } from './log.js';
import { createBaselineIndex } from './search/baseline.js';
import { loadIndex } from './search/build.js';
import type { Lexicon } from './search/lexicon.js';
import { createFaqService } from './assistant/faq.js';
import { exportFaqRows, faqFileFormat, importFaqRows, readFaqFile, writeFaqFile } from './assistant/faq-file.js';
import { ArticleIndex } from './search/article-index.js';
import { createArticleStore } from './store/articles.js';
import { createChangeLog, type ChangeLog } from './store/changes.js';
import { createFaqStore } from './store/faq.js';
import { createRedisLease, createSqliteLease, type Lease } from './store/lock.js';
import { createRedisAdapter } from './store/redis.js';
import { createSqliteAdapter, sqliteFile } from './store/sqlite.js';
import { createStaffStore } from './store/staff.js';

const USAGE = `Usage: mattran-bot <command> [options]   (or: npm run cli -- <command> ...)

Commands:
  ask "<question>" [--corpus FILE ...] [--json]
      Answer one question. --json prints {text, sources, confidence, kind}.
  eval --queries FILE [--corpus FILE ...] [--json] [--no-baseline] [--curve] [--answer-removed] [--features OUT]
      Retrieval and answer figures for our engine and for default MiniSearch, with and without diacritics
      (wrongAnswer: answerable questions given a reply without an expected answer; wrongSentence: those of them
      whose reply quotes a relevant document, a sentence of the right article without the answer).
      --curve also prints our engine's risk-coverage table: every reply kept, then answered when its
      confidence reaches each threshold 0, 0.05, ..., 1 (share answered, share of answered that were right).
      --answer-removed asks each answerable question over the corpus without its relevant documents and every
      document containing one of its answers (folded, whole words): the right reply is then "no information".
      --features OUT.jsonl writes, instead of the figures, the decision model's training rows: per question (as
      written and folded) the decision features, today's confidence and the label (1 = the reply, every reply
      kept, contains an expected answer); with --answer-removed every label is 0. Train: npm run train:decision.
  import <feed-url | page-url | sitemap-url | file.jsonl[.gz] | file.json> [--json]
      Import articles into the state in DATA_DIR (new / updated / skipped / failed with reasons);
      --json prints one JSON line. "ask" and the service see imported articles afterwards.
  faq import FILE | faq export [FILE]
      Curated answers (hỏi đáp) in the state (REDIS_URL, else DATA_DIR): JSON Lines, or CSV when FILE ends in
      .csv (fields question, alternates, answer, updatedAt, author; alternates an array in JSON Lines, joined by
      " | " in CSV). Import reports bad rows by line and goes on; a question already curated is updated, not
      repeated; running instances answer from the imported entries within seconds. Export (to stdout without
      FILE) leaves out withdrawn entries and citizens' own wordings.

--data-dir DIR overrides DATA_DIR (state and index snapshots; default ./var).

--corpus (repeatable) replaces the bundled data/ for this run; several add up. A directory loads every
.json/.jsonl/.jsonl.gz inside it (so "--corpus data" brings the bundled data back).
Index snapshots are cached under DATA_DIR/cache (--no-cache to skip).`;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function formatFigures(name: string, f: Figures): string {
  const num = (x: number | null) => (x === null ? '   –  ' : x.toFixed(4));
  return `${name.padEnd(22)} ${num(f['recall@1'])}  ${num(f['recall@5'])}  ${num(f['mrr@10'])}  ${num(f.answerHit)}  ${num(f.noAnswer)}  ${num(f.wrongAnswer)}   ${num(f.wrongSentence)}`;
}

function formatCurve(rows: CurveRow[]): string {
  const lines = rows.map((r) => `${r.threshold.toFixed(2).padStart(9)}  ${r.answered.toFixed(4)}    ${r.right === null ? '   –  ' : r.right.toFixed(4)}`);
  return ['risk-coverage (ours, as written; answered when confidence >= threshold)', 'threshold  answered  right of answered', ...lines].join('\n');
}

/** Per question, the documents the "answer removed" evaluation takes out of the corpus. */
function removedDocuments(queries: EvalQuery[], docs: Iterable<SearchDoc>): Map<string, Set<string>> {
  const find = createAnswerDocFinder(docs);
  return new Map(queries.map((q) => [q.id, find(q)]));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      corpus: { type: 'string', multiple: true },
      queries: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      curve: { type: 'boolean', default: false },
      'answer-removed': { type: 'boolean', default: false },
      features: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  const log: Logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pretty: process.stderr.isTTY }, 2);
  const paths = values.corpus && values.corpus.length > 0 ? values.corpus.map((p) => resolve(p)) : corpusPaths(config);
  const lexicon = loadBotLexicon(config);
  const dataDir = resolve(values['data-dir'] ?? config.DATA_DIR);
  const cacheDir = values['no-cache'] ? undefined : join(dataDir, 'cache');

  if (command === 'ask') {
    const question = rest.join(' ');
    if (!question.trim()) {
      out(`ask: missing question\n\n${USAGE}`);
      return 2;
    }
    const extra = await importedArticles(dataDir, log);
    const { index } = await loadIndex({ paths, cacheDir, log, extra }).finally(() => extra?.close());
    const engine = createBotEngine(config, index, lexicon);
    const answer = engine.answer(question);
    if (values.json) out(JSON.stringify({ text: answer.text, sources: answer.sources, confidence: answer.confidence, kind: answer.kind }));
    else out(answer.text);
    return 0;
  }

  if (command === 'eval') {
    if (!values.queries) {
      out(`eval: --queries FILE is required\n\n${USAGE}`);
      return 2;
    }
    const { queries, problems } = await readQueries(values.queries);
    for (const p of problems) log.warn(p);
    if (queries.length === 0) {
      out(`eval: no valid query in ${values.queries}`);
      return 1;
    }
    const { index } = await loadIndex({ paths, cacheDir, log });
    const engine = createBotEngine(config, index, lexicon);
    const docs = new Map([...index.all()].map((d) => [d.id, d]));
    // --answer-removed: each question loses its answer's documents; what is left should say "no information".
    // Only a question with an answer has one to remove; the set's unanswerable questions are left out.
    const answerable = queries.filter((q) => q.answers.length > 0 || q.relevant.length > 0);
    const removed = values['answer-removed'] ? removedDocuments(answerable, docs.values()) : undefined;
    const removedFor = (q: EvalQuery) => removed?.get(q.id) ?? new Set<string>();
    const scored = removed ? asUnanswerable(answerable) : queries;
    const withRemoval = (ask: AskSystem) => (removed ? answerRemovedSystem(ask, index, removedFor) : ask);
    if (values.features) {
      // Every reply kept (threshold 0): the label says whether it would have been right to give it.
      const probe = createDecisionProbe();
      const everyReply = createAnswerEngine({ index, lexicon, tuning: { minConfidence: 0 }, onDecision: probe.onDecision });
      const ask: AskSystem = (text) => {
        const answer = everyReply.answer(text);
        return { ranked: [], text: answer.text, noAnswer: answer.kind === 'no_answer', confidence: answer.confidence };
      };
      const rows = featureRows(basename(values.queries, '.jsonl'), scored, withRemoval(ask), probe, removed !== undefined, (id) => docs.has(id));
      await writeFile(values.features, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      out(`${rows.length} feature rows (${scored.length} queries, as written and folded) over ${index.size} documents -> ${values.features}`);
      return 0;
    }
    const ours = withRemoval(oursSystem(engine));
    const report: EvalReport & { corpus: number } = {
      queries: scored.length,
      ours: score(scored, ours, false),
      oursUnaccented: score(scored, ours, true),
      baseline: null as unknown as Figures,
      baselineUnaccented: null as unknown as Figures,
      corpus: index.size,
    };
    if (!values['no-baseline']) {
      const baseline = baselineSystem(createBaselineIndex(docs.values()), docs, removed ? removedFor : undefined);
      report.baseline = score(scored, baseline, false);
      report.baselineUnaccented = score(scored, baseline, true);
    }
    if (values.curve) {
      // One more run that keeps every reply the engine can give; each threshold is then a filter on its confidences.
      const everyReply = withRemoval(oursSystem(createBotEngine(config, index, lexicon, 0)));
      report.curve = riskCoverage(collect(scored, everyReply, false));
    }
    if (removed) {
      const sizes = [...removed.values()].map((ids) => ids.size);
      report.answerRemoved = { meanDocs: Number((sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(1)), maxDocs: Math.max(...sizes) };
    }
    {
      const mode = removed
        ? `, each without the documents holding its answer (${report.answerRemoved!.meanDocs} on average, at most ${report.answerRemoved!.maxDocs})`
        : '';
      out(`${scored.length} queries over ${index.size} documents (${values.queries})${mode}`);
      out(`${'system'.padEnd(22)} recall@1 recall@5 mrr@10  answerHit noAnswer wrongAnswer wrongSentence`);
      out(formatFigures('ours', report.ours));
      out(formatFigures('ours, no diacritics', report.oursUnaccented));
      if (report.baseline) {
        out(formatFigures('baseline', report.baseline));
        out(formatFigures('baseline, no diacr.', report.baselineUnaccented));
      }
      if (report.curve) out(formatCurve(report.curve));
    }
    if (values.json) out(JSON.stringify(report));
    return 0;
  }

  if (command === 'import') {
    const target = rest[0];
    if (!target || rest.length > 1) {
      out(`import: give one feed, sitemap or page URL, or one .jsonl/.jsonl.gz/.json file\n\n${USAGE}`);
      return 2;
    }
    return runImport(target, { config, dataDir, lexicon, log, json: values.json ?? false });
  }

  if (command === 'faq') {
    const [action, file] = rest;
    if (!(action === 'import' && file && rest.length === 2) && !(action === 'export' && rest.length <= 2)) {
      out(`faq: "faq import FILE" or "faq export [FILE]"\n\n${USAGE}`);
      return 2;
    }
    return runFaq(action, file, { config, dataDir, lexicon, log });
  }

  out(`unknown command: ${command}\n\n${USAGE}`);
  return 2;
}

/** `faq import` / `faq export`: curated entries through the same service as /hoidap, on the bot's state. */
async function runFaq(
  action: 'import' | 'export',
  file: string | undefined,
  o: { config: Config; dataDir: string; lexicon: Lexicon; log: Logger },
): Promise<number> {
  const redisUrl = o.config.REDIS_URL;
  const adapter = redisUrl ? () => createRedisAdapter(redisUrl) : () => createSqliteAdapter(o.dataDir);
  const redisLease = redisUrl ? createRedisLease(redisUrl) : undefined;
  const sqliteLease = redisLease ? undefined : await createSqliteAdapter(o.dataDir);
  const lease: Lease = redisLease ?? (await createSqliteLease(sqliteLease!));
  const faq = await createFaqStore({ adapter, log: o.log, lease });
  const staff = await createStaffStore({ adapter, log: o.log });
  const changes = await createChangeLog({ adapter, log: o.log, lease });
  // The entries reach the running instances' indexes through the change log; nothing is answered here.
  const published: Promise<unknown>[] = [];
  const publish = (change: Parameters<ChangeLog['publish']>[0]) => void published.push(changes.publish(change));
  const service = createFaqService({
    faq,
    staff,
    publisher: { upsert: (doc) => publish({ op: 'upsert', doc }), remove: (id) => publish({ op: 'remove', id }) },
    engine: createAnswerEngine({ index: ArticleIndex.create(), lexicon: o.lexicon }),
    log: o.log,
  });
  try {
    if (action === 'export') {
      const entries = (await service.list({ status: 'active' })).sort((a, b) => a.id - b.id);
      const { rows, skipped } = exportFaqRows(entries);
      const text = writeFaqFile(rows, faqFileFormat(file ?? 'stdout.jsonl'));
      if (file) await writeFile(resolve(file), text);
      else await new Promise<void>((done) => process.stdout.write(text, () => done()));
      process.stderr.write(`${rows.length} entries exported${file ? ` to ${file}` : ''}`);
      process.stderr.write(skipped.length ? `; left out (only citizens' wordings, give them a question): ${skipped.map((n) => `#${n}`).join(' ')}\n` : '\n');
      return 0;
    }
    const read = readFaqFile(await readFile(resolve(file!), 'utf8'), faqFileFormat(file!));
    const summary = await importFaqRows(service, read.rows, `cli:${userInfo().username}`);
    await Promise.all(published);
    const errors = [...read.errors, ...summary.errors].sort((a, b) => a.line - b.line);
    out(`${file}: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ${errors.length} bad rows`);
    for (const e of errors) out(`  line ${e.line}: ${e.error}`);
    return errors.length > 0 ? 1 : 0;
  } finally {
    await Promise.allSettled(published);
    await Promise.allSettled([faq.close(), staff.close(), changes.close(), redisLease?.close(), sqliteLease?.disconnect()]);
  }
}

/**
 * The articles imported into DATA_DIR, for loadIndex to add next to the bundled data (with their own snapshot
 * when there are many); undefined when there is no state file.
 */
async function importedArticles(
  dataDir: string,
  log: Logger,
): Promise<{ key: string; load: () => Promise<SearchDoc[]>; close: () => Promise<void> } | undefined> {
  if (!existsSync(sqliteFile(dataDir))) return undefined;
  const store = await createArticleStore({ adapter: () => createSqliteAdapter(dataDir), log });
  return {
    key: await store.version(),
    load: async () => (await store.all()).map((rec) => toSearchDoc({ type: 'article', ...rec.article })),
    close: () => store.close(),
  };
}

/** `import`: a URL or a file into the state in DATA_DIR, with a progress bar on a terminal. */
async function runImport(target: string, o: { config: Config; dataDir: string; lexicon: Lexicon; log: Logger; json: boolean }): Promise<number> {
  const store = await createArticleStore({ adapter: () => createSqliteAdapter(o.dataDir), log: o.log });
  const importer = createBotImporter(o.config, { store, lexicon: o.lexicon, log: o.log });
  const bar =
    process.stderr.isTTY && !o.json
      ? new SingleBar({ stream: process.stderr, format: 'importing [{bar}] {value}/{total} articles', hideCursor: true, clearOnComplete: true })
      : undefined;
  let started = false;
  const onProgress = ({ done, total }: { done: number; total: number }) => {
    if (!bar) return;
    if (!started) {
      bar.start(total, done);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(done);
    }
  };
  let summary: ImportSummary;
  try {
    summary = /^https?:\/\//i.test(target) ? await importer.importUrl(target, { onProgress }) : await importer.importFile(resolve(target), { onProgress });
  } finally {
    if (started) bar?.stop();
    await store.close();
  }
  if (o.json) {
    // Wait for the write: a large summary into a pipe is still in flight when main() calls process.exit.
    const line = JSON.stringify({
      source: summary.source,
      new: summary.new,
      updated: summary.updated,
      skipped: summary.skipped,
      failed: summary.failed,
      items: summary.items,
    });
    await new Promise<void>((done) => process.stdout.write(`${line}\n`, () => done()));
  } else {
    const note = summary.source.notModified ? ' (not modified since the last import)' : '';
    out(
      `${summary.source.url} (${summary.source.kind})${note}: ${summary.new} new, ${summary.updated} updated, ${summary.skipped} skipped, ${summary.failed.length} failed`,
    );
    for (const item of summary.items) out(`  ${item.change === 'new' ? '+' : '~'} ${item.id}  ${item.title}`);
    if (summary.failed.length > 0) out('failed:');
    for (const f of summary.failed) out(`  ${f.url}: ${f.reason}`);
    await new Promise<void>((done) => process.stdout.write(`state: ${sqliteFile(o.dataDir)}\n`, () => done()));
  }
  return summary.source.error ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
