/**
 * `npm run bench -- tune [--domain [--queries FILE]…] [--untitled] [--unaccented] '<json list of tuning overrides>'`
 * Answer-engine figures on the dev splits only (uit-regulations-wiki, alqac-law, the first 800 vicov19-faq dev
 * queries; with --domain also test/fixtures/domain/questions.jsonl, questions.more.jsonl and questions.blind.jsonl over the 58k corpus),
 * one line per tuning override, e.g. `'[{}, {"rerankDepth": 16}, {"plan": {"pair": 1.6}}]'`. The test splits are never read here.
 * `--queries FILE` (with --domain, repeatable) adds a set of domain questions over the same corpus.
 * `--untitled` adds `uit-untitled`: the uit dev queries over the same paragraphs with their titles removed, because
 * 24 of the 27 paragraphs the uit test questions are about have no title while every dev paragraph has one.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAnswerEngine, type TuningOverrides } from '../src/answer/index.js';
import { oursSystem, readQueries, score, type EvalQuery } from '../src/eval/evaluate.js';
import { loadContent } from '../src/content/load.js';
import { toSearchDoc } from '../src/content/types.js';
import { ArticleIndex } from '../src/search/article-index.js';
import { loadIndex } from '../src/search/build.js';
import { loadLexicon } from '../src/search/lexicon.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '..', 'shared');

interface DevSet {
  name: string;
  paths: string[];
  queries: string;
  cacheDir?: string;
  max?: number;
  /** Index the documents without their titles. */
  untitled?: boolean;
}

/** An index of the documents in the given files with their titles removed. */
async function untitledIndex(paths: string[]): Promise<ArticleIndex> {
  const index = ArticleIndex.create();
  for (const item of (await loadContent(paths)).items) index.upsert({ ...toSearchDoc(item), title: '' });
  index.compact();
  return index;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      domain: { type: 'boolean', default: false },
      unaccented: { type: 'boolean', default: false },
      untitled: { type: 'boolean', default: false },
      queries: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.queries.length > 0 && !values.domain) {
    process.stdout.write('bench tune: --queries adds a set over the domain corpus and needs --domain\n');
    return 2;
  }
  const evalDir = join(SHARED, 'eval');
  if (!existsSync(evalDir)) {
    process.stdout.write(`bench tune: ${evalDir} is missing (the dev splits live in ../shared/eval)\n`);
    return 2;
  }
  let overrides: TuningOverrides[];
  try {
    overrides = JSON.parse(positionals[0] ?? '[{}]') as TuningOverrides[];
    if (!Array.isArray(overrides)) throw new Error('not a list');
  } catch (err) {
    process.stdout.write(`bench tune: the argument must be a JSON list of tuning overrides (${(err as Error).message})\n`);
    return 2;
  }
  const sets: DevSet[] = [
    { name: 'uit', paths: [join(evalDir, 'uit-regulations-wiki', 'corpus.jsonl')], queries: join(evalDir, 'uit-regulations-wiki', 'queries.dev.jsonl') },
    { name: 'alqac', paths: [join(evalDir, 'alqac-law', 'corpus.jsonl')], queries: join(evalDir, 'alqac-law', 'queries.dev.jsonl') },
    { name: 'vicov', paths: [join(evalDir, 'vicov19-faq', 'corpus.jsonl')], queries: join(evalDir, 'vicov19-faq', 'queries.dev.jsonl'), max: 800 },
  ];
  if (values.untitled) sets.splice(1, 0, { ...sets[0]!, name: 'uit-untitled', untitled: true });
  if (values.domain) {
    const corpus = ['baomoi-2017.jsonl.gz', 'vietnews-test.jsonl.gz', 'mttq-domain.jsonl'].map((f) => join(SHARED, 'corpus', f));
    const domain = { paths: [join(ROOT, 'data'), ...corpus], cacheDir: join(ROOT, 'var', 'cache') };
    sets.push({ name: 'domain', ...domain, queries: join(ROOT, 'test', 'fixtures', 'domain', 'questions.jsonl') });
    sets.push({ name: 'domain-more', ...domain, queries: join(ROOT, 'test', 'fixtures', 'domain', 'questions.more.jsonl') });
    sets.push({ name: 'domain-blind', ...domain, queries: join(ROOT, 'test', 'fixtures', 'domain', 'questions.blind.jsonl') });
    for (const file of values.queries) sets.push({ name: basename(file, '.jsonl'), ...domain, queries: resolve(file) });
  }
  const log = pino({ level: 'warn' }, pino.destination(2));
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const loaded: { name: string; index: ArticleIndex; queries: EvalQuery[] }[] = [];
  const indexes = new Map<string, ArticleIndex>();
  for (const set of sets) {
    const key = `${set.untitled ? 'untitled\n' : ''}${set.paths.join('\n')}`;
    const index =
      indexes.get(key) ?? (set.untitled ? await untitledIndex(set.paths) : (await loadIndex({ paths: set.paths, cacheDir: set.cacheDir, log })).index);
    indexes.set(key, index);
    const { queries } = await readQueries(set.queries);
    loaded.push({ name: set.name, index, queries: queries.slice(0, set.max ?? queries.length) });
  }
  for (const tuning of overrides) {
    const row: string[] = [];
    for (const set of loaded) {
      const ask = oursSystem(createAnswerEngine({ index: set.index, lexicon, tuning }));
      const f = score(set.queries, ask, false);
      const u = values.unaccented ? score(set.queries, ask, true) : undefined;
      const parts = [`r@1 ${f['recall@1'].toFixed(3)}${u ? `/${u['recall@1'].toFixed(3)}` : ''}`, `r@5 ${f['recall@5'].toFixed(3)}`];
      if (f.answerHit !== null) parts.push(`answer-hit ${f.answerHit.toFixed(3)}`);
      if (f.noAnswer !== null) parts.push(`no-answer ${f.noAnswer.toFixed(2)}`);
      row.push(`${set.name} ${parts.join(' ')}`);
    }
    process.stdout.write(`${JSON.stringify(tuning)} | ${row.join(' | ')}\n`);
  }
  return 0;
}
