/**
 * `npm run bench -- search --corpus FILE ... [--copies K] [--queries FILE] [--json]`
 * Our index, default MiniSearch and a FlexSearch document index over the same articles and questions, each in
 * its own process: build time, heap after build (after GC), snapshot size and load time, query p50/p99.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { DEFAULT_TUNING } from '../src/answer/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '..', 'shared');
const run = promisify(execFile);

/** Real questions: dev splits of ../shared/eval and our Front-domain questions, sampled evenly. */
async function defaultQueries(): Promise<string[]> {
  const files = ['uit-regulations-wiki', 'alqac-law', 'vicov19-faq'].map((s) => join(SHARED, 'eval', s, 'queries.dev.jsonl')).filter(existsSync);
  files.push(join(ROOT, 'test', 'fixtures', 'domain', 'questions.jsonl'));
  const out: string[] = [];
  for (const f of files) {
    const lines = (await readFile(f, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { query: string }).query);
    const step = Math.max(1, Math.floor(lines.length / 120));
    for (let i = 0; i < lines.length && out.length < 400; i += step) out.push(lines[i]!);
  }
  return out;
}

type Figures = Record<string, number | null | string>;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', multiple: true },
      copies: { type: 'string', default: '1' },
      queries: { type: 'string' },
      engines: { type: 'string', default: 'ours,minisearch,flexsearch' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.corpus?.length) {
    process.stdout.write('bench search: --corpus FILE is required (e.g. ../shared/corpus/*.jsonl.gz)\n');
    return 2;
  }
  const tmp = await mkdtemp(join(tmpdir(), 'bench-q-'));
  const queriesFile = join(tmp, 'queries.txt');
  const queries = values.queries
    ? (await readFile(values.queries, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { query: string }).query : l))
    : await defaultQueries();
  await writeFile(queriesFile, queries.map((q) => q.replace(/\n/g, ' ')).join('\n'));
  const results: Record<string, Figures> = {};
  for (const engine of values.engines!.split(',')) {
    const args = [
      '--expose-gc',
      '--max-old-space-size=16000',
      '--import',
      'tsx',
      join(ROOT, 'bench', 'search-engine.ts'),
      '--engine',
      engine,
      '--copies',
      values.copies!,
      '--queries',
      queriesFile,
      '--lexicon',
      join(ROOT, 'data', 'lexicon'),
    ];
    for (const c of values.corpus) args.push('--corpus', resolve(c));
    process.stderr.write(`bench search: ${engine}…\n`);
    try {
      const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 24 });
      results[engine] = JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
    } catch (err) {
      process.stderr.write(`bench search: ${engine} failed: ${(err as Error).message.slice(0, 500)}\n`);
      results[engine] = { error: (err as Error).message.slice(0, 200) };
    }
  }
  const keys = ['buildMs', 'heapMB', 'snapshotMB', 'loadMs', 'p50Ms', 'p99Ms'] as const;
  const pick = (f: Figures | undefined) => (f ? Object.fromEntries(keys.map((k) => [k, (f[k] as number | null | undefined) ?? null])) : null);
  const ours = results.ours;
  const articles = (ours?.articles ?? results.minisearch?.articles ?? 0) as number;
  process.stdout.write(`${articles} articles, ${queries.length} questions\n`);
  process.stdout.write(`${'engine'.padEnd(12)}${keys.map((k) => k.padStart(11)).join('')}\n`);
  for (const [name, f] of Object.entries(results)) process.stdout.write(`${name.padEnd(12)}${keys.map((k) => String(f[k] ?? '–').padStart(11)).join('')}\n`);
  if (ours?.rankP99Ms !== undefined) {
    process.stdout.write(`ours, index lookup (plan + BM25 top ${DEFAULT_TUNING.wideDepth}): p50 ${ours.lookupP50Ms} ms, p99 ${ours.lookupP99Ms} ms\n`);
    process.stdout.write(`ours, lookup + sentence re-ranking: p50 ${ours.rankP50Ms} ms, p99 ${ours.rankP99Ms} ms (the table row is the whole answer)\n`);
  }
  for (const peer of ['minisearch', 'flexsearch']) {
    const p = results[peer];
    if (!ours || !p || p.error) continue;
    const ratio = (k: string) =>
      typeof ours[k] === 'number' && typeof p[k] === 'number' && (p[k] as number) > 0 ? ((ours[k] as number) / (p[k] as number)).toFixed(3) : '–';
    process.stdout.write(`ours ÷ ${peer}: ${keys.map((k) => `${k} ${ratio(k)}`).join(', ')}\n`);
  }
  if (typeof ours?.loadMs === 'number' && typeof ours.buildMs === 'number')
    process.stdout.write(`ours: snapshot load ÷ build = ${(ours.loadMs / ours.buildMs).toFixed(3)}\n`);
  if (values.json) {
    const oursExtra = ours
      ? { lookupP50Ms: ours.lookupP50Ms ?? null, lookupP99Ms: ours.lookupP99Ms ?? null, rankP50Ms: ours.rankP50Ms ?? null, rankP99Ms: ours.rankP99Ms ?? null }
      : {};
    process.stdout.write(
      `${JSON.stringify({ articles, queries: queries.length, ours: { ...pick(results.ours), ...oursExtra }, minisearch: pick(results.minisearch), flexsearch: pick(results.flexsearch) })}\n`,
    );
  }
  return 0;
}
