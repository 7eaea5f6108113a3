import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readQueries } from '../../src/eval/evaluate.js';
import { foldDiacritics, hasDiacritics } from '../../src/search/analyzer.js';
import { ROOT, sharedPath } from '../helpers/shared.js';

const dir = join(ROOT, 'test', 'fixtures', 'domain');
const KINDS = ['future-event', 'local-contact', 'price-today', 'new-procedure', 'personal-case', 'off-topic', 'about-bot-not-covered', 'other'];
/** `unanswerable.more.jsonl` adds advice ("có nên …") and near misses (a fact of a covered topic the articles do not state). */
const MORE_KINDS = ['future-event', 'local-contact', 'price-today', 'new-procedure', 'personal-case', 'off-topic', 'advice', 'near-miss', 'other'];
const SETS: Record<string, { least: number; kinds: string[] }> = {
  'unanswerable.dev.jsonl': { least: 140, kinds: KINDS },
  'unanswerable.more.jsonl': { least: 200, kinds: MORE_KINDS },
  'unanswerable.test.jsonl': { least: 90, kinds: KINDS },
};

interface Line {
  id: string;
  query: string;
  relevant: unknown[];
  answers: unknown[];
  style: string;
  kind: string;
}

async function lines(file: string): Promise<Line[]> {
  return (await readFile(join(dir, file), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
}

const folded = (q: string) =>
  foldDiacritics(q.normalize('NFC').toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

describe('unanswerable question sets (test/fixtures/domain/unanswerable.*.jsonl)', () => {
  it('parse as evaluation queries, with no relevant document, no answer, a style and a known kind', async () => {
    for (const [file, { least, kinds }] of Object.entries(SETS)) {
      const { queries, problems } = await readQueries(join(dir, file));
      expect(problems, file).toEqual([]);
      expect(queries.length, file).toBeGreaterThanOrEqual(least);
      for (const line of await lines(file)) {
        expect(line.relevant, line.id).toEqual([]);
        expect(line.answers, line.id).toEqual([]);
        expect(line.style, line.id).toMatch(/^[a-z]+$/);
        expect(kinds, line.id).toContain(line.kind);
        expect(line.query, line.id).toBe(line.query.normalize('NFC'));
      }
      expect(new Set((await lines(file)).map((l) => l.kind)), file).toEqual(new Set(kinds));
    }
  });

  it('have ids unique among all the domain sets, and no question in both a dev and the test set', async () => {
    const files = ['questions.jsonl', 'questions.holdout.jsonl', 'questions.more.jsonl', 'questions.blind.jsonl', 'questions.news.jsonl', ...Object.keys(SETS)];
    const ids = (await Promise.all(files.map(lines))).flat().map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    const dev = (await lines('unanswerable.dev.jsonl')).map((l) => folded(l.query));
    const more = (await lines('unanswerable.more.jsonl')).map((l) => folded(l.query));
    const seen = new Set([...dev, ...more]);
    expect(seen.size).toBe(dev.length + more.length);
    expect((await lines('unanswerable.test.jsonl')).filter((l) => seen.has(folded(l.query))).map((l) => l.id)).toEqual([]);
  });

  it('are written as citizens write: many without diacritics, some with chat shorthand, short and long', async () => {
    for (const file of Object.keys(SETS)) {
      const queries = (await lines(file)).map((l) => l.query);
      expect(queries.filter((q) => !hasDiacritics(q)).length / queries.length, file).toBeGreaterThanOrEqual(0.2);
      expect(queries.filter((q) => /(?:^|\s)(?:ko|dc|đc|bn|j|ad|e|sđt|sdt)(?=\s|$|[,?])/iu.test(q)).length, file).toBeGreaterThanOrEqual(5);
      expect(
        queries.some((q) => q.split(/\s+/).length <= 4),
        file,
      ).toBe(true);
      expect(
        queries.some((q) => q.split(/\s+/).length >= 20),
        file,
      ).toBe(true);
    }
  });

  const sharedEval = sharedPath('eval');
  it.skipIf(!sharedEval)('copy no question of the third-party sets in ../shared/eval', async () => {
    const theirs = new Set<string>();
    for (const set of ['alqac-law', 'uit-regulations-wiki', 'vicov19-faq', 'xquad-vi']) {
      for (const split of ['dev', 'test']) {
        const file = sharedPath('eval', set, `queries.${split}.jsonl`);
        if (!file) continue;
        for (const q of (await readQueries(file)).queries) theirs.add(folded(q.query));
      }
    }
    expect(theirs.size).toBeGreaterThan(1000);
    for (const file of Object.keys(SETS)) {
      expect(
        (await lines(file)).filter((l) => theirs.has(folded(l.query))).map((l) => l.id),
        file,
      ).toEqual([]);
    }
  });
});
