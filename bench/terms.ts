/**
 * `npm run bench -- terms [--corpus FILE ...] [--sample N] [--json]`
 * What each kind of index term costs (build time, heap per article) and buys (recall@1, answer-hit on the
 * dev splits of ../shared/eval, with and without diacritics): folded syllables only, + pairs, + accented
 * syllables, both.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAnswerEngine } from '../src/answer/index.js';
import { loadContent } from '../src/content/load.js';
import { toSearchDoc, type SearchDoc } from '../src/content/types.js';
import { oursSystem, readQueries, score } from '../src/eval/evaluate.js';
import { ALL_TERM_KINDS, type TermKinds } from '../src/search/analyzer.js';
import { ArticleIndex } from '../src/search/article-index.js';
import { loadLexicon } from '../src/search/lexicon.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '..', 'shared');
const CONFIGS: [string, TermKinds][] = [
  ['syllables', { exact: false, pairs: false }],
  ['+ accented', { exact: true, pairs: false }],
  ['+ pairs', { exact: false, pairs: true }],
  ['+ both (ours)', { exact: true, pairs: true }],
];

/**
 * Build time and memory of one index, in its own function so that the index is unreachable once it returns
 * (a local of the long-running `main` would stay alive in its frame and skew the next measurement).
 */
function measureCost(sample: SearchDoc[], kinds: TermKinds, gc: () => void): Record<string, number> {
  // V8 heap plus ArrayBuffers: compacted postings are typed arrays outside the V8 heap.
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const t = performance.now();
  const index = ArticleIndex.create(kinds);
  for (const d of sample) index.upsert(d);
  index.compact();
  const buildMs = Math.round(performance.now() - t);
  const heapKBPerArticle = Number(((used() - before) / sample.length / 1024).toFixed(1));
  return { buildMs, heapKBPerArticle, distinctTerms: index.termCount };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { corpus: { type: 'string', multiple: true }, sample: { type: 'string', default: '20000' }, json: { type: 'boolean', default: false } },
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const sets = ['uit-regulations-wiki', 'alqac-law', 'vicov19-faq'].filter((s) => existsSync(join(SHARED, 'eval', s)));
  const evalData: { set: string; docs: SearchDoc[]; queries: Awaited<ReturnType<typeof readQueries>>['queries'] }[] = [];
  for (const set of sets) {
    const { items } = await loadContent([join(SHARED, 'eval', set, 'corpus.jsonl')]);
    const { queries } = await readQueries(join(SHARED, 'eval', set, 'queries.dev.jsonl'));
    evalData.push({ set, docs: items.map(toSearchDoc), queries: queries.slice(0, 600) });
  }
  const corpus = values.corpus?.length ? values.corpus : [join(SHARED, 'corpus', 'vietnews-test.jsonl.gz')].filter(existsSync);
  const sample = corpus.length ? (await loadContent(corpus)).items.slice(0, Number(values.sample)).map(toSearchDoc) : [];
  // Warm the analyzer's per-syllable caches once, so that no configuration is charged for filling them.
  if (sample.length) measureCost(sample, ALL_TERM_KINDS, gc);
  const rows: Record<string, unknown>[] = [];
  for (const [name, kinds] of CONFIGS) {
    const row: Record<string, unknown> = { terms: name };
    if (sample.length) Object.assign(row, measureCost(sample, kinds, gc));
    for (const { set, docs, queries } of evalData) {
      const index = ArticleIndex.create(kinds);
      for (const d of docs) index.upsert(d);
      const system = oursSystem(createAnswerEngine({ index, lexicon }));
      const f = score(queries, system, false);
      const u = score(queries, system, true);
      row[`${set} r@1`] = f['recall@1'];
      row[`${set} r@1 unacc.`] = u['recall@1'];
      if (f.answerHit !== null) row[`${set} answerHit`] = f.answerHit;
    }
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  const keys = Object.keys(rows[rows.length - 1]!);
  process.stdout.write(`\n| ${keys.join(' | ')} |\n|${keys.map(() => ' --- ').join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${keys.map((k) => String(r[k] ?? '–')).join(' | ')} |\n`);
  process.stdout.write(`(${sample.length} articles for cost; first 600 dev queries of each set for quality)\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  return 0;
}
