import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import type { SearchDoc } from '../../src/content/types.js';
import { ArticleIndex, idf } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const doc = (id: string, title: string, body: string): SearchDoc => ({ id, type: 'article', title, summary: '', body, source: 'test' });

describe('article index lookup', () => {
  it('tells for each candidate which share of the looked-up terms it has', () => {
    const index = ArticleIndex.create();
    index.upsert(doc('both', 'Quỹ Vì người nghèo', 'Ủng hộ quỹ tại xã An Phú.'));
    index.upsert(doc('one', 'Ủng hộ đồng bào', 'Ủng hộ đồng bào vùng lũ.'));
    for (let i = 0; i < 5; i++) index.upsert(doc(`other-${i}`, 'Tin khác', 'Thời tiết hôm nay.'));
    const found = index.lookup({
      weights: new Map([
        ['quy', 1],
        ['ung', 1],
      ]),
      limit: 5,
    });
    const byId = new Map(found.map((c) => [c.doc.id, c]));
    expect(byId.get('both')!.matched).toBeCloseTo(1);
    expect(byId.get('one')!.matched).toBeGreaterThan(0);
    expect(byId.get('one')!.matched).toBeLessThan(1);
    // The same after compaction (postings in one typed array) and with documents added since.
    index.compact();
    index.upsert(doc('later', 'Quỹ khuyến học', 'Trao học bổng.'));
    const again = new Map(
      index
        .lookup({
          weights: new Map([
            ['quy', 1],
            ['ung', 1],
          ]),
          limit: 5,
        })
        .map((c) => [c.doc.id, c.matched]),
    );
    expect(again.get('both')).toBeCloseTo(1);
    expect(again.get('one')).toBeGreaterThan(0);
    expect(again.get('one')).toBeLessThan(1);
    expect(again.get('later')).toBeGreaterThan(0);
    expect(again.get('later')).toBeLessThan(1);
  });
});

describe('coordination: the share of the question a document has', () => {
  it('counts a term once however many fields have it', () => {
    const index = ArticleIndex.create();
    // "ung" in the title and the body of both, "quy" nowhere in "one": its share is ung's weight alone.
    index.upsert(doc('both', 'Ủng hộ quỹ', 'Ủng hộ quỹ tại xã An Phú.'));
    index.upsert(doc('one', 'Ủng hộ đồng bào', 'Ủng hộ đồng bào vùng lũ.'));
    for (let i = 0; i < 5; i++) index.upsert(doc(`other-${i}`, 'Tin khác', 'Thời tiết hôm nay.'));
    const weights = new Map([
      ['quy', 1],
      ['ung', 2],
    ]);
    const found = new Map(index.lookup({ weights, limit: 5 }).map((c) => [c.doc.id, c.matched]));
    const w = (term: string) => weights.get(term)! * idf(index.docFrequency(term), index.size);
    expect(found.get('both')).toBeCloseTo(1);
    expect(found.get('one')).toBeCloseTo(w('ung') / (w('ung') + w('quy')));
  });

  it('keeps counting right across lookups, documents added (the per-document arrays grow) and removed', () => {
    const index = ArticleIndex.create();
    const weights = new Map([
      ['quy', 1],
      ['ung', 2],
    ]);
    index.upsert(doc('one', 'Ủng hộ đồng bào', 'Ủng hộ đồng bào vùng lũ.'));
    index.upsert(doc('both', 'Ủng hộ quỹ', 'Ủng hộ quỹ.'));
    const first = new Map(index.lookup({ weights, limit: 5 }).map((c) => [c.doc.id, c.matched]));
    for (let i = 0; i < 200; i++) index.upsert(doc(`other-${i}`, 'Tin khác', i % 2 ? 'Thời tiết hôm nay.' : 'Quỹ khuyến học.'));
    index.remove('both');
    const again = new Map(index.lookup({ weights, limit: 300 }).map((c) => [c.doc.id, c.matched]));
    const w = (term: string) => weights.get(term)! * idf(index.docFrequency(term), index.size);
    expect(first.get('both')).toBeCloseTo(1);
    expect(again.has('both')).toBe(false);
    expect(again.get('one')).toBeCloseTo(w('ung') / (w('ung') + w('quy')));
    expect(again.get('other-0')).toBeCloseTo(w('quy') / (w('ung') + w('quy')));
  });

  // Long articles: one states the whole question once among filler; the others repeat part of it.
  const filler = 'Hội nghị diễn ra trong không khí dân chủ, đoàn kết với sự tham dự của đông đảo đại biểu các ban ngành. '.repeat(12);
  const longIndex = ArticleIndex.create();
  longIndex.upsert(doc('all', 'Hội nghị tổng kết', `${filler}Ủy ban MTTQ xã Tân Lập trao 40 con bò giống cho hộ nghèo.`));
  for (let i = 0; i < 6; i++)
    longIndex.upsert(doc(`part-${i}`, 'MTTQ trao bò giống', `${filler.slice(0, 200)}MTTQ trao bò giống cho hộ nghèo. Bò giống tốt giúp hộ nghèo.`));
  for (let i = 0; i < 30; i++) longIndex.upsert(doc(`other-${i}`, `Tin số ${i}`, filler));
  const weights = new Map([
    ['tan_lap', 1],
    ['bo_giong', 1],
    ['ho_ngheo', 1],
    ['mttq', 1],
  ]);

  it('puts the long article that has every term before those that repeat some, in an index of long documents', () => {
    const plain = longIndex.lookup({ weights, limit: 1, scoring: { coordination: 0 } });
    expect(plain[0]!.doc.id).not.toBe('all');
    const coordinated = longIndex.lookup({ weights, limit: 1, scoring: { coordination: 2, coordinationLength: 100 } });
    expect(coordinated[0]!.doc.id).toBe('all');
    expect(coordinated[0]!.matched).toBeCloseTo(1);
  });

  it('leaves an index of short documents (paragraphs) to plain BM25', () => {
    const short = longIndex.lookup({ weights, limit: 1, scoring: { coordination: 2, coordinationLength: 100_000 } });
    expect(short[0]!.doc.id).toBe(longIndex.lookup({ weights, limit: 1, scoring: { coordination: 0 } })[0]!.doc.id);
  });
});

describe('two-stage re-ranking', () => {
  // Twenty short articles have the common part of the question; the long one that answers has all of it once
  // and comes after them by BM25.
  const index = ArticleIndex.create();
  for (let i = 0; i < 20; i++) index.upsert(doc(`noise-${i}`, `Đua ghe ngo ${i}`, 'MTTQ hỗ trợ đội ghe ngo tập luyện.'));
  const filler = 'Năm nay lễ hội diễn ra trong ba ngày với nhiều hoạt động văn hoá, thể thao và ẩm thực của đồng bào Khmer. '.repeat(6);
  index.upsert(doc('answer', 'Lễ hội Ok Om Bok', `${filler}Ủy ban MTTQ huyện trao 50 triệu đồng hỗ trợ đội ghe ngo của xã Vĩnh Hải tập luyện.`));
  for (let i = 0; i < 30; i++) index.upsert(doc(`filler-${i}`, 'Tin địa phương', `Huyện tổ chức hội nghị số ${i}.`));
  const question = 'MTTQ hỗ trợ đội ghe ngo xã Vĩnh Hải bao nhiêu tiền';

  // Pairs at full weight, so that BM25 alone puts the answer past the 12th place (the mechanism is under test).
  const plan = { pairRedundancy: 0, gluePair: 1 };

  it('analyses the candidates that have most of the question, not only the first by BM25', () => {
    const narrow = createAnswerEngine({ index, lexicon, tuning: { plan, rerankDepth: 12, wideDepth: 12, longRerankDepth: 12, longWideDepth: 12 } });
    const wide = createAnswerEngine({ index, lexicon, tuning: { plan, rerankDepth: 12, wideDepth: 48, longRerankDepth: 12, longWideDepth: 48 } });
    const byBm25 = createAnswerEngine({ index, lexicon, tuning: { plan, rerankDepth: 0, wideDepth: 0, longRerankDepth: 0, longWideDepth: 0 } }).rank(
      question,
      50,
    );
    expect(byBm25.findIndex((r) => r.doc.id === 'answer')).toBeGreaterThanOrEqual(12);
    expect(wide.rank(question, 1)[0]!.doc.id).toBe('answer');
    expect(wide.answer(question).quote!.join(' ')).toContain('50 triệu đồng');
    expect(narrow.rank(question, 3).map((r) => r.doc.id)).not.toContain('answer');
  });

  it('looks deeper for a long question (at least distinctMinTerms content syllables) than for a short one', () => {
    // Narrow for short questions, the defaults for long ones: this question is long.
    const engine = createAnswerEngine({ index, lexicon, tuning: { plan, rerankDepth: 12, wideDepth: 12 } });
    expect(engine.rank(question, 1)[0]!.doc.id).toBe('answer');
    const short = createAnswerEngine({ index, lexicon, tuning: { plan, rerankDepth: 12, wideDepth: 12, distinctMinTerms: 100 } });
    expect(short.rank(question, 3).map((r) => r.doc.id)).not.toContain('answer');
  });
});

describe('article index lookup weights', () => {
  it('ignores a term of zero weight and lists every document once', () => {
    const index = ArticleIndex.create();
    for (let i = 0; i < 6; i++) index.upsert(doc(`d-${i}`, 'Quỹ Vì người nghèo', `Ủng hộ quỹ lần ${i}.`));
    const found = index.lookup({
      weights: new Map([
        ['quy', 0],
        ['ung', 1],
        ['nguoi', 0],
      ]),
      limit: 10,
    });
    expect(found).toHaveLength(6);
    expect(new Set(found.map((c) => c.doc.id)).size).toBe(6);
    expect(index.lookup({ weights: new Map([['quy', 0]]), limit: 10 })).toEqual([]);
  });
});
