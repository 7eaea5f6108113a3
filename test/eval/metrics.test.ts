import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import type { SearchDoc } from '../../src/content/types.js';
import { answerRemovedSystem, asUnanswerable, containsWords, createAnswerDocFinder, foldForMatch, withoutDocuments } from '../../src/eval/answer-removed.js';
import { baselineSystem, collect, figuresOf, oursSystem, riskCoverage, score, type EvalQuery, type Outcome } from '../../src/eval/evaluate.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { createBaselineIndex } from '../../src/search/baseline.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));

function doc(id: string, title: string, body: string): SearchDoc {
  return { id, type: 'article', title, summary: '', body, source: 'test' };
}

/** A made-up corpus: two reports of one fund drive (one without diacritics), and two articles on other subjects. */
const docs: SearchDoc[] = [
  doc(
    'fund',
    'Xã Tân Hòa vận động Quỹ Vì người nghèo',
    'Năm 2018, Ủy ban MTTQ xã Tân Hòa vận động Quỹ Vì người nghèo được 120 triệu đồng. Số tiền được dùng để sửa nhà cho 6 hộ nghèo.',
  ),
  doc('fund-copy', 'Tan Hoa gop quy vi nguoi ngheo', 'Ca xa Tan Hoa gop duoc 120 TRIEU dong cho quy vi nguoi ngheo trong thang cao diem.'),
  doc('bridge', 'Khánh thành cầu dân sinh ở xã Tân Hòa', 'Cây cầu dài 45 mét, do người dân góp 20 triệu đồng và ngày công xây dựng.'),
  doc('rice', 'Giá lúa vụ đông xuân', 'Thương lái thu mua lúa tươi với giá 5.200 đồng một ký tại ruộng.'),
];

function tinyIndex(): ArticleIndex {
  const index = ArticleIndex.create();
  for (const d of docs) index.upsert(d);
  return index;
}

const fundQuestion: EvalQuery = {
  id: 'q-fund',
  query: 'Quỹ Vì người nghèo xã Tân Hòa năm 2018 vận động được bao nhiêu tiền?',
  relevant: ['fund'],
  answers: ['120 triệu đồng'],
};
const riceQuestion: EvalQuery = { id: 'q-rice', query: 'Thương lái mua lúa tươi giá bao nhiêu một ký?', relevant: ['rice'], answers: ['5.200 đồng'] };

/** A question (answerable when given answers: it then has a relevant document) and what it got. */
function outcome(answers: string[], reply: { noAnswer: boolean; confidence?: number }, hit: boolean): Outcome {
  const relevant = answers.length > 0 ? ['doc'] : [];
  return { query: { id: 'q', query: 'q', relevant, answers }, reply: { ranked: [], text: '', ...reply }, hit };
}

describe('figuresOf: wrongAnswer', () => {
  it('counts the answerable questions that got a reply without an expected answer, not those told "no information"', () => {
    const outcomes = [
      outcome(['a'], { noAnswer: false }, true),
      outcome(['a'], { noAnswer: false }, false),
      outcome(['a'], { noAnswer: true }, false),
      outcome(['a'], { noAnswer: false }, false),
      // Unanswerable: in noAnswer, never in wrongAnswer.
      outcome([], { noAnswer: false }, false),
    ];
    const f = figuresOf(outcomes);
    expect(f.answerHit).toBe(0.25);
    expect(f.wrongAnswer).toBe(0.5);
    expect(f.noAnswer).toBe(0);
  });

  it('tells the wrong replies that quote a relevant document (the right article, another sentence) from those quoting another', () => {
    const quoting = (quoted: string, hit: boolean): Outcome => ({
      ...outcome(['a'], { noAnswer: false }, hit),
      reply: { ranked: [], text: '', noAnswer: false, quoted },
    });
    const f = figuresOf([quoting('doc', true), quoting('doc', false), quoting('other', false), quoting('doc', false)]);
    expect(f.wrongAnswer).toBe(0.75);
    expect(f.wrongSentence).toBe(0.5);
    // A system that does not say what it quotes gets no such figure.
    expect(figuresOf([outcome(['a'], { noAnswer: false }, false)]).wrongSentence).toBeNull();
  });

  it('is null when no question has an expected answer', () => {
    expect(figuresOf([outcome([], { noAnswer: true }, false)])).toMatchObject({ wrongAnswer: null, wrongSentence: null, answerHit: null, noAnswer: 1 });
  });
});

describe('riskCoverage', () => {
  const outcomes = [
    outcome(['a'], { noAnswer: false, confidence: 0.9 }, true),
    outcome(['a'], { noAnswer: false, confidence: 0.5 }, true),
    outcome(['a'], { noAnswer: false, confidence: 0.3 }, false),
    outcome(['a'], { noAnswer: true, confidence: 0.95 }, false),
  ];

  it('gives 21 thresholds from 0 to 1 by 0.05, with the share answered and the share of those that were right', () => {
    const rows = riskCoverage(outcomes);
    expect(rows.map((r) => r.threshold)).toEqual(Array.from({ length: 21 }, (_, i) => Number((i / 20).toFixed(4))));
    expect(rows[0]).toEqual({ threshold: 0, answered: 0.75, right: 0.6667 });
    // 0.3 is answered at 0.3, not at 0.35; a "no information" reply never counts, whatever its confidence.
    expect(rows.find((r) => r.threshold === 0.3)).toEqual({ threshold: 0.3, answered: 0.75, right: 0.6667 });
    expect(rows.find((r) => r.threshold === 0.35)).toEqual({ threshold: 0.35, answered: 0.5, right: 1 });
    expect(rows.find((r) => r.threshold === 0.9)).toEqual({ threshold: 0.9, answered: 0.25, right: 1 });
    expect(rows.at(-1)).toEqual({ threshold: 1, answered: 0, right: null });
  });

  it('never answers more as the threshold rises', () => {
    const answered = riskCoverage(outcomes).map((r) => r.answered);
    expect(answered).toEqual([...answered].sort((a, b) => b - a));
  });
});

describe('answer-removed evaluation', () => {
  it('folds case, diacritics, đ and spacing, and matches whole words only', () => {
    expect(foldForMatch('  120 TRIỆU   Đồng ')).toBe('120 trieu dong');
    expect(containsWords('gop duoc 120 trieu dong.', '120 trieu dong')).toBe(true);
    expect(containsWords('gop duoc 120 trieu dong.', '20 trieu dong')).toBe(false);
    expect(containsWords('gop 20 trieu dong va 120 trieu dong', '20 trieu dong')).toBe(true);
    expect(containsWords('120 trieu dongg', '120 trieu dong')).toBe(false);
  });

  it('finds the relevant documents and every document that holds an answer, with or without diacritics', () => {
    const find = createAnswerDocFinder(docs);
    expect([...find(fundQuestion)].sort()).toEqual(['fund', 'fund-copy']);
    expect([...find(riceQuestion)]).toEqual(['rice']);
    expect([...find({ ...riceQuestion, relevant: [], answers: ['6 hộ nghèo'] })]).toEqual(['fund']);
  });

  it('takes documents out of the index for one call and puts them back', () => {
    const index = tinyIndex();
    const engine = createAnswerEngine({ index, lexicon });
    const before = engine.answer(fundQuestion.query);
    expect(before.kind).toBe('answer');
    expect(before.text).toContain('120 triệu đồng');

    const during = withoutDocuments(index, ['fund', 'fund-copy', 'missing-id'], () => ({
      size: index.size,
      answer: engine.answer(fundQuestion.query),
      ranked: engine.rank(fundQuestion.query, 10).map((r) => r.doc.id),
    }));
    expect(during.size).toBe(docs.length - 2);
    expect(during.ranked).not.toContain('fund');
    expect(during.ranked).not.toContain('fund-copy');
    expect(during.answer.text).not.toContain('120');

    expect(index.size).toBe(docs.length);
    expect(engine.answer(fundQuestion.query).text).toBe(before.text);
  });

  it('puts the documents back when the call throws', () => {
    const index = tinyIndex();
    expect(() =>
      withoutDocuments(index, ['rice'], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(index.get('rice')?.title).toBe('Giá lúa vụ đông xuân');
  });

  it('scores every question as expecting "no information" once its answer is gone', () => {
    const index = tinyIndex();
    const queries = [fundQuestion, riceQuestion];
    const find = createAnswerDocFinder(docs);
    const removed = new Map(queries.map((q) => [q.id, find(q)]));
    const removedFor = (q: EvalQuery) => removed.get(q.id)!;
    const ours = oursSystem(createAnswerEngine({ index, lexicon }));

    // With the whole corpus both are answered, with the answer.
    const whole = score(queries, ours, false);
    expect(whole).toMatchObject({ answerHit: 1, wrongAnswer: 0, 'recall@1': 1 });

    const terms = ['120', 'lúa', 'nghèo'];
    const frequencies = terms.map((t) => index.docFrequency(t));
    const scored = asUnanswerable(queries);
    expect(scored.every((q) => q.relevant.length === 0 && q.answers.length === 0)).toBe(true);
    const outcomes = collect(scored, answerRemovedSystem(ours, index, removedFor), false);
    for (const o of outcomes) {
      expect(
        o.reply.ranked.some((id) => removed.get(o.query.id)!.has(id)),
        o.query.id,
      ).toBe(false);
      expect(o.reply.text).not.toMatch(/120 triệu|5\.200/);
    }
    const f = figuresOf(outcomes);
    expect(f.answerHit).toBeNull();
    expect(f.wrongAnswer).toBeNull();
    expect(f.noAnswer).toBe(outcomes.filter((o) => o.reply.noAnswer).length / outcomes.length);
    expect(index.size).toBe(docs.length);
    // The documents put back leave no stale postings behind: term weights are the whole corpus's again.
    expect(terms.map((t) => index.docFrequency(t))).toEqual(frequencies);
  });

  it('keeps the removed documents out of the baseline too', () => {
    const find = createAnswerDocFinder(docs);
    const removed = find(fundQuestion);
    const baseline = baselineSystem(createBaselineIndex(docs), new Map(docs.map((d) => [d.id, d])), () => removed);
    const reply = baseline(fundQuestion.query, fundQuestion);
    expect(reply.ranked.length).toBeGreaterThan(0);
    expect(reply.ranked.filter((id) => removed.has(id))).toEqual([]);
    expect(reply.text).not.toContain('120');
  });
});

describe('our engine as a system reports its confidence', () => {
  it('gives each reply the confidence of the answer, so one run yields the whole risk–coverage table', () => {
    const index = tinyIndex();
    const everyReply = oursSystem(createAnswerEngine({ index, lexicon, tuning: { minConfidence: 0 } }));
    const offTopic: EvalQuery = { id: 'q-off', query: 'Cách nấu chè bưởi ngon tại nhà?', relevant: [], answers: [] };
    const outcomes = collect([fundQuestion, riceQuestion, offTopic], everyReply, false);
    for (const o of outcomes) expect(o.reply.confidence).toBeGreaterThanOrEqual(0);
    const rows = riskCoverage(outcomes);
    const answered = outcomes.filter((o) => !o.reply.noAnswer);
    expect(rows[0]!.answered).toBe(Number((answered.length / outcomes.length).toFixed(4)));
    // The two answerable questions are answered right at a threshold under both their confidences.
    const lowest = Math.min(outcomes[0]!.reply.confidence!, outcomes[1]!.reply.confidence!);
    const below = rows.filter((r) => r.threshold <= lowest).at(-1)!;
    expect(below.answered).toBeGreaterThanOrEqual(0.6666);
    expect(outcomes.slice(0, 2).every((o) => o.hit)).toBe(true);
  });
});
