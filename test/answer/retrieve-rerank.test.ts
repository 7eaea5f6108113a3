import { describe, expect, it } from 'vitest';
import { analyseDoc, createProvinceFinder } from '../../src/answer/analysis.js';
import { rerank } from '../../src/answer/rerank.js';
import { retrieve } from '../../src/answer/retrieve.js';
import { resolveTuning } from '../../src/answer/tuning.js';
import { planQuestion } from '../../src/answer/understand.js';
import type { SearchDoc } from '../../src/content/types.js';
import { article, indexOf, lexicon, tuning } from './fixtures.js';

const provinces = createProvinceFinder(lexicon);
const analyse = (doc: SearchDoc) => analyseDoc(doc, provinces.namesAnyProvince);
const docs = [
  article(
    'gieng-a',
    'Xã Phú Mỹ khoan giếng nước sạch',
    ['Xã Phú Mỹ vừa khoan 14 giếng nước sạch cho bà con vùng cao.', 'Mỗi giếng phục vụ khoảng 30 hộ dân.'],
    { publishedAt: '2024-05-02' },
  ),
  article(
    'gieng-b',
    'Giếng nước sạch cho vùng cao',
    ['Phong trào khoan giếng nước sạch được nhiều địa phương hưởng ứng.', 'Nước sạch giúp bà con vùng cao yên tâm sản xuất.'],
    { publishedAt: '2023-03-10' },
  ),
  article('cho-phien', 'Chợ phiên vùng cao', ['Chợ phiên họp vào sáng Chủ nhật hằng tuần.']),
];
const index = indexOf(docs);
const ctx = { index, lexicon, tuning };

describe('retrieve', () => {
  it('takes the candidates that have the question’s terms, best first, and how many are re-ranked', () => {
    const plan = planQuestion('Xã Phú Mỹ khoan bao nhiêu giếng nước sạch?', ctx);
    const found = retrieve(plan, index, tuning, 5)!;
    expect(found.candidates[0]!.doc.id).toBe('gieng-a');
    expect(found.candidates.map((c) => c.doc.id)).toContain('gieng-b');
    expect(found.top).toBe(found.candidates[0]!.score);
    expect(found.rerankDepth).toBe(tuning.rerankDepth);
  });

  it('finds nothing for words no document has', () => {
    expect(retrieve(planQuestion('xyzzy qwerty', ctx), index, tuning, 5)).toBeUndefined();
  });

  it('boosts an item published in the year the question names', () => {
    const plan = planQuestion('giếng nước sạch vùng cao năm 2023', ctx);
    const plain = retrieve(plan, index, resolveTuning({ yearBoost: 1 }), 5)!;
    const boosted = retrieve(plan, index, tuning, 5)!;
    const score = (r: typeof plain, id: string) => r.candidates.find((c) => c.doc.id === id)!.score;
    expect(score(boosted, 'gieng-b')).toBeCloseTo(score(plain, 'gieng-b') * tuning.yearBoost, 10);
    expect(score(boosted, 'gieng-a')).toBeCloseTo(score(plain, 'gieng-a'), 10);
  });
});

describe('rerank', () => {
  it('scores each candidate from its parts and says which parts they are', () => {
    const plan = planQuestion('Xã Phú Mỹ khoan bao nhiêu giếng nước sạch?', ctx);
    const ranked = rerank(plan, [], retrieve(plan, index, tuning, 5)!, { analyse, provinces, tuning }, 5);
    const [best, second] = ranked;
    expect(best!.doc.id).toBe('gieng-a');
    const f = best!.features;
    // The re-ranked score is the weighted sum of its features, held back by nothing here.
    const sum = tuning.bm25Weight * f.bm25 + tuning.sentenceWeight * f.rankedSentence + tuning.coverageWeight * f.coverage + f.distinct;
    expect(best!.score).toBeCloseTo(sum * (1 - tuning.exactWeight * (1 - f.exactness)), 10);
    // "14 giếng": a new number next to what is counted is found, and counts in the rank only.
    expect(f.countFound).toBe(true);
    expect(f.rankedSentence).toBeCloseTo(f.sentence + tuning.rankShape, 10);
    expect(f.placed && f.dated && f.named && f.reranked).toBe(true);
    expect(second!.score).toBeLessThan(best!.score);
  });

  it('holds back a candidate that lacks the name the question writes with capitals', () => {
    const plan = planQuestion('Giếng nước sạch vùng cao ở Phú Mỹ', ctx);
    const retrieved = retrieve(plan, index, tuning, 5)!;
    const withName = rerank(plan, ['phu_my'], retrieved, { analyse, provinces, tuning }, 5);
    const withoutName = rerank(plan, [], retrieved, { analyse, provinces, tuning }, 5);
    const b = (r: typeof withName) => r.find((x) => x.doc.id === 'gieng-b')!;
    expect(b(withName).features.named).toBe(false);
    expect(b(withName).score).toBeCloseTo(b(withoutName).score * (1 - tuning.nameMissing), 10);
    expect(withName.find((x) => x.doc.id === 'gieng-a')!.features.named).toBe(true);
  });
});
