/**
 * One engine of the search benchmark, in its own process so that its heap is measured alone.
 * Prints one JSON line: {buildMs, heapMB, snapshotMB, loadMs, p50Ms, p99Ms, ...}.
 */
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import MiniSearch from 'minisearch';
import FlexSearch from 'flexsearch';
import { createAnswerEngine, DEFAULT_TUNING } from '../src/answer/index.js';
import { loadContent } from '../src/content/load.js';
import { toSearchDoc, type SearchDoc } from '../src/content/types.js';
import { ArticleIndex } from '../src/search/article-index.js';
import { loadLexicon } from '../src/search/lexicon.js';
import { planQuery } from '../src/search/query.js';
import { percentile } from './common.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** V8 heap plus ArrayBuffer memory (typed-array postings live outside the V8 heap but are memory all the same). */
const heap = () => {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function dirSize(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await dirSize(join(path, name));
  return total;
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string' },
    corpus: { type: 'string', multiple: true },
    copies: { type: 'string', default: '1' },
    queries: { type: 'string' },
    lexicon: { type: 'string' },
  },
});
const copies = Number(values.copies);
const { items } = await loadContent(values.corpus ?? []);
const base = items.map(toSearchDoc);
const docs: SearchDoc[] = [];
for (let c = 0; c < copies; c++) for (const d of base) docs.push(c === 0 ? d : { ...d, id: `${d.id}#${c}` });
const queries = (await readFile(values.queries!, 'utf8')).split('\n').filter(Boolean);
const before = heap();
const dir = await mkdtemp(join(tmpdir(), 'bench-search-'));
const result: Record<string, number | null | string> = { engine: values.engine!, articles: docs.length, queries: queries.length };

/** Warm-up questions unlike the measured ones, so no engine measures a cache it filled itself. */
const WARMUP = ['Hà Nội', 'Huế', 'Đà Nẵng', 'Cần Thơ', 'Lào Cai', 'Gia Lai', 'Quảng Trị', 'An Giang', 'Cà Mau', 'Sơn La'].map((p) => `tin tức mới nhất ở ${p}`);

function timeQueries(run: (q: string) => unknown): void {
  for (const q of WARMUP) run(q);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    run(q);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  result.p50Ms = Number(percentile(times, 50).toFixed(2));
  result.p99Ms = Number(percentile(times, 99).toFixed(2));
  result.maxMs = Number(times[times.length - 1]!.toFixed(2));
}

try {
  if (values.engine === 'ours') {
    const lexicon = loadLexicon(values.lexicon!);
    let t = performance.now();
    let index = ArticleIndex.create();
    for (const d of docs) index.upsert(d);
    index.compact();
    result.buildMs = Math.round(performance.now() - t);
    result.heapMB = Math.round((heap() - before) / 1e6);
    result.terms = index.termCount;
    const snap = join(dir, 'ours');
    await index.saveSnapshot(snap, 'bench');
    result.snapshotMB = Math.round((await dirSize(snap)) / 1e6);
    index = undefined as unknown as ArticleIndex;
    heap();
    t = performance.now();
    index = await ArticleIndex.loadSnapshot(snap, 'bench');
    result.loadMs = Math.round(performance.now() - t);
    // The index alone: the question's plan and the BM25 lookup of the candidates the engine takes (wideDepth).
    timeQueries((q) => index.lookup({ weights: planQuery(q, index, lexicon).weights, limit: DEFAULT_TUNING.wideDepth }));
    result.lookupP50Ms = result.p50Ms!;
    result.lookupP99Ms = result.p99Ms!;
    // A fresh engine per pass: its sentence cache must not carry one pass's work into the next.
    const ranker = createAnswerEngine({ index, lexicon });
    timeQueries((q) => ranker.rank(q, 10));
    result.rankP50Ms = result.p50Ms!;
    result.rankP99Ms = result.p99Ms!;
    const engine = createAnswerEngine({ index, lexicon });
    timeQueries((q) => engine.answer(q));
  } else if (values.engine === 'minisearch') {
    const options = { fields: ['title', 'summary', 'body'] };
    let t = performance.now();
    let ms: MiniSearch<SearchDoc> | undefined = new MiniSearch<SearchDoc>(options);
    for (const d of docs) ms.add(d);
    result.buildMs = Math.round(performance.now() - t);
    result.heapMB = Math.round((heap() - before) / 1e6);
    result.terms = ms.termCount;
    try {
      const file = join(dir, 'minisearch.json');
      await writeFile(file, JSON.stringify(ms));
      result.snapshotMB = Math.round((await stat(file)).size / 1e6);
      ms = undefined;
      heap();
      t = performance.now();
      ms = MiniSearch.loadJSON<SearchDoc>(await readFile(file, 'utf8'), options);
      result.loadMs = Math.round(performance.now() - t);
    } catch (err) {
      result.snapshotMB = null;
      result.loadMs = null;
      result.snapshotError = (err as Error).message;
      ms ??= undefined;
    }
    if (!ms) throw new Error('MiniSearch index lost');
    const index = ms;
    timeQueries((q) => index.search(q));
  } else if (values.engine === 'flexsearch') {
    const t = performance.now();
    const index = new FlexSearch.Document({ document: { id: 'id', index: ['title', 'summary', 'body'] } } as never);
    for (const d of docs) index.add(d as never);
    result.buildMs = Math.round(performance.now() - t);
    result.heapMB = Math.round((heap() - before) / 1e6);
    result.snapshotMB = null;
    result.loadMs = null;
    timeQueries((q) => index.search(q, { limit: 10, suggest: true } as never));
  } else throw new Error(`unknown engine ${values.engine}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
