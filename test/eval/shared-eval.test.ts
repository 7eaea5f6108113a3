import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { baselineSystem, normalizeForMatch, oursSystem, readQueries, score } from '../../src/eval/evaluate.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { createBaselineIndex } from '../../src/search/baseline.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { ROOT, sharedPath } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));

async function evaluate(set: string, split: string) {
  const { items } = await loadContent([sharedPath('eval', set, 'corpus.jsonl')!]);
  const docs = items.map(toSearchDoc);
  const index = ArticleIndex.create();
  for (const d of docs) index.upsert(d);
  const { queries } = await readQueries(sharedPath('eval', set, `queries.${split}.jsonl`)!);
  const ours = oursSystem(createAnswerEngine({ index, lexicon }));
  const baseline = baselineSystem(createBaselineIndex(docs), new Map(docs.map((d) => [d.id, d])));
  return {
    ours: score(queries, ours, false),
    oursUnaccented: score(queries, ours, true),
    baseline: score(queries, baseline, false),
  };
}

describe('normalizeForMatch', () => {
  it('normalises both sides alike: NFC, case, whitespace, tokenizer spacing around punctuation', () => {
    expect(normalizeForMatch('Hơn  5000 người ( đi bộ ) , vì   người nghèo .')).toBe('hơn 5000 người (đi bộ), vì người nghèo.');
    // An answer copied from a tokenised corpus matches the tidied reply that quotes it.
    expect(normalizeForMatch('Ông Rê được 18 phiếu (19%).')).toContain(normalizeForMatch('18 phiếu ( 19 % )'));
    expect(normalizeForMatch('Mặt Trận'.normalize('NFD'))).toBe('mặt trận');
  });
});

// Regression guards on the third-party sets (figures in the README come from `npm run cli -- eval`).
describe.skipIf(!sharedPath('eval', 'xquad-vi', 'corpus.jsonl'))('evaluation on ../shared/eval', () => {
  it('xquad-vi: beats default MiniSearch, keeps unaccented recall close, quotes the answer span', async () => {
    const f = await evaluate('xquad-vi', 'test');
    expect(f.ours['recall@1']).toBeGreaterThan(f.baseline['recall@1']);
    expect(f.ours['recall@1'] - f.oursUnaccented['recall@1']).toBeLessThanOrEqual(0.03);
    expect(f.ours.answerHit!).toBeGreaterThanOrEqual(0.8);
  });

  it('alqac-law (dev): well above default MiniSearch, accented or not', async () => {
    const f = await evaluate('alqac-law', 'dev');
    expect(f.ours['recall@1']).toBeGreaterThanOrEqual(f.baseline['recall@1'] + 0.1);
    expect(Math.abs(f.ours['recall@1'] - f.oursUnaccented['recall@1'])).toBeLessThanOrEqual(0.03);
  });
});
