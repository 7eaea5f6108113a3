import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, type DecisionFeatures } from '../../src/answer/decide.js';
import { featureVector, loadDecisionModel, parseDecisionModel, predict, type DecisionModel } from '../../src/answer/decision-model.js';
import { createAnswerEngine } from '../../src/answer/index.js';
import { resolveTuning } from '../../src/answer/tuning.js';
import { messages } from '../../src/copy/messages.js';
import { ROOT } from '../helpers/shared.js';
import { article, features as anyFeatures, indexOf, lexicon, tuning } from './fixtures.js';

/** Decision features of a quantity question (`bao nhiêu`), with `over` changed. */
const features = (over: Partial<DecisionFeatures>): DecisionFeatures => anyFeatures({ kinds: ['quantity'], ...over });

/** A made-up model: the log-odds are 4 × (coverage − 0.5) + 2 × (placeAgrees − 0.5) … spelled as means and scales. */
const model: DecisionModel = parseDecisionModel({
  kind: 'logistic',
  features: ['coverage', 'placeAgrees', 'kind:quantity'],
  means: [0.5, 0.5, 0],
  scales: [0.25, 0.5, 1],
  weights: [1, 1, -1],
  bias: 1,
  threshold: 0.6,
  l2: 1,
  trainedOn: ['made-up.jsonl'],
  trainedAt: '2026-12-07',
});

describe('decision model', () => {
  it('is a logistic regression over standardised inputs', () => {
    // z = 1 + (0.6 − 0.5)/0.25 + (1 − 0.5)/0.5 − 1 = 1.4
    expect(predict(model, features({}))).toBeCloseTo(1 / (1 + Math.exp(-1.4)), 12);
    // Off the question's province: z = 1 + 0.4 − 1 − 1 = −0.6
    expect(predict(model, features({ placeAgrees: false }))).toBeCloseTo(1 / (1 + Math.exp(0.6)), 12);
  });

  it('as boosted trees, adds one leaf per tree to the bias', () => {
    // Tree 1: coverage < 0.5 → −1, else placeAgrees < 0.5 → −0.5, else +2. Tree 2: kind:quantity < 0.5 → 0, else +0.25.
    const trees = parseDecisionModel({
      kind: 'boosted',
      features: ['coverage', 'placeAgrees', 'kind:quantity'],
      bias: -0.5,
      trees: [
        [{ input: 0, value: 0.5, below: 1, above: 2 }, { leaf: -1 }, { input: 1, value: 0.5, below: 3, above: 4 }, { leaf: -0.5 }, { leaf: 2 }],
        [{ input: 2, value: 0.5, below: 1, above: 2 }, { leaf: 0 }, { leaf: 0.25 }],
      ],
      growth: { depth: 2, trees: 2, learningRate: 0.1, l2: 1, minLeaf: 1 },
      threshold: 0.5,
      trainedOn: ['made-up.jsonl'],
      trainedAt: '2026-12-07',
    });
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expect(predict(trees, features({ coverage: 0.6 }))).toBeCloseTo(sigmoid(-0.5 + 2 + 0.25), 12);
    expect(predict(trees, features({ coverage: 0.6, placeAgrees: false }))).toBeCloseTo(sigmoid(-0.5 - 0.5 + 0.25), 12);
    expect(predict(trees, features({ coverage: 0.2, kinds: [] }))).toBeCloseTo(sigmoid(-0.5 - 1), 12);
    // A split that points back (a loop) or past the tree's end is refused when the model is read.
    const loop = { ...trees, trees: [[{ input: 0, value: 0.5, below: 1, above: 2 }, { input: 1, value: 0.5, below: 1, above: 2 }, { leaf: 1 }]] };
    expect(() => parseDecisionModel(loop)).toThrow(/tree 0, node 1/);
    expect(() => parseDecisionModel({ ...trees, trees: [[{ input: 7, value: 0.5, below: 1, above: 2 }, { leaf: 1 }, { leaf: 2 }]] })).toThrow(/outside/);
    expect(() => parseDecisionModel({ ...trees, kind: 'forest' })).toThrow();
  });

  it('decides with the model’s probability as the confidence, against the threshold the engine uses', () => {
    const sure = decide(features({}), resolveTuning({ minConfidence: model.threshold }), model);
    expect(sure).toEqual({ answer: true, confidence: predict(model, features({})), reason: 'confident' });
    const unsure = decide(features({ placeAgrees: false }), resolveTuning({ minConfidence: model.threshold }), model);
    expect(unsure.answer).toBe(false);
    expect(unsure.reason).toBe('low_confidence');
    expect(decide(features({ found: false }), tuning, model)).toEqual({ answer: false, confidence: 0, reason: 'nothing_found' });
    // An operator's threshold wins over the model's.
    expect(decide(features({ placeAgrees: false }), resolveTuning({ minConfidence: 0.2 }), model).answer).toBe(true);
  });

  it('turns every feature into a number and the question kinds one-hot', () => {
    const v = featureVector(features({ kinds: ['person', 'time'], shapeFound: false, yearGap: 40 }));
    expect(Object.values(v).every(Number.isFinite)).toBe(true);
    expect([v['kind:person'], v['kind:time'], v['kind:quantity'], v['kind:none']]).toEqual([1, 1, 0, 0]);
    expect(v.shapeFound).toBe(0);
    expect(v.yearGap).toBe(10);
  });

  it('refuses a model with unknown inputs or lengths that differ', () => {
    expect(() => parseDecisionModel({ ...model, features: ['coverage', 'placeAgrees', 'moonPhase'] })).toThrow(/moonPhase/);
    expect(() => parseDecisionModel({ ...model, weights: [1, 1] })).toThrow(/length/);
    expect(() => parseDecisionModel({ ...model, threshold: 2 })).toThrow();
  });

  const bundled = join(ROOT, 'data', 'models', 'decision.json');
  it.skipIf(!existsSync(bundled))('the bundled model loads, names its training files, and answers in well under a millisecond', () => {
    const m = loadDecisionModel(bundled);
    expect(m.trainedOn.length).toBeGreaterThan(0);
    expect(m.threshold).toBeGreaterThan(0);
    expect(m.threshold).toBeLessThan(1);
    const f = features({});
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) predict(m, f);
    expect((performance.now() - start) / 10_000).toBeLessThan(0.05);
    // More of the question found in the article is never less likely to answer it.
    expect(predict(m, features({ coverage: 0.9, quoteCoverage: 0.9 }))).toBeGreaterThan(predict(m, features({ coverage: 0.2, quoteCoverage: 0.2 })));
  });
});

describe('a question about a time', () => {
  const now = () => new Date('2026-12-07T03:00:00Z');
  const old = article('den-2017', 'Thắp sáng đường quê', ['Năm 2017, Đoàn thanh niên xã Hưng Lợi lắp 60 bóng đèn năng lượng mặt trời trên đường quê.'], {
    publishedAt: '2017-03-02',
  });
  const recent = article(
    'den-2026',
    'Đường quê Hưng Lợi thêm sáng',
    ['Năm 2026, Đoàn thanh niên xã Hưng Lợi lắp 85 bóng đèn năng lượng mặt trời trên đường quê.'],
    { publishedAt: '2026-06-01' },
  );

  it('is answered from an article of that year when there is one', () => {
    const engine = createAnswerEngine({ index: indexOf([old, recent]), lexicon, now });
    const answer = engine.answer('Năm 2026 Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?');
    expect(answer.kind).toBe('answer');
    expect(answer.text).toContain('85 bóng đèn');
  });

  it('says there is no information for a year no article is of, naming the closest with its date', () => {
    const engine = createAnswerEngine({ index: indexOf([old]), lexicon, now });
    const answer = engine.answer('Năm 2026 Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?');
    expect(answer.kind).toBe('no_answer');
    expect(answer.text).toBe(messages.noInfoForYear(2026, ['Thắp sáng đường quê (02/03/2017)']));
    // The same question about the article's own year is answered from it.
    expect(engine.answer('Năm 2017 Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?').text).toContain('60 bóng đèn');
  });

  it('does not rule out an undated article for the year asked: its time is unknown, not another year', () => {
    const undated = article('den-undated', 'Thắp sáng đường quê Hưng Lợi', ['Đoàn thanh niên xã Hưng Lợi lắp 72 bóng đèn năng lượng mặt trời trên đường quê.']);
    const answer = createAnswerEngine({ index: indexOf([old, undated]), lexicon, now }).answer(
      'Tháng 5/2019 Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?',
    );
    expect(answer.kind).toBe('answer');
    expect(answer.text).toContain('72 bóng đèn');
    expect(answer.text).not.toContain('60 bóng đèn');
  });

  it('answers a year still to come only from an article that names it, dated or not', () => {
    const undated = article('den-undated', 'Thắp sáng đường quê Hưng Lợi', ['Đoàn thanh niên xã Hưng Lợi lắp 72 bóng đèn năng lượng mặt trời trên đường quê.']);
    const plan = article('den-plan', 'Kế hoạch thắp sáng đường quê Hưng Lợi', [
      'Đến năm 2028, Đoàn thanh niên xã Hưng Lợi sẽ lắp 150 bóng đèn năng lượng mặt trời trên đường quê.',
    ]);
    const noPlan = createAnswerEngine({ index: indexOf([old, undated]), lexicon, now }).answer('Năm 2028 Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?');
    expect(noPlan.kind).toBe('no_answer');
    expect(noPlan.text).not.toContain('72 bóng đèn');
    const planned = createAnswerEngine({ index: indexOf([old, undated, plan]), lexicon, now }).answer(
      'nam 2028 doan thanh nien xa hung loi lap bao nhieu bong den',
    );
    expect(planned.kind).toBe('answer');
    expect(planned.text).toContain('150 bóng đèn');
  });

  it('does not answer a year the question names from an article written more than a year before it that does not name it', () => {
    const rules = article(
      'so-do-2017',
      'Cấp sổ đỏ lần đầu cần giấy tờ gì',
      ['Người dân xin cấp sổ đỏ lần đầu cần đơn đề nghị và giấy tờ về quyền sử dụng đất.'],
      {
        publishedAt: '2017-05-10',
      },
    );
    const question = 'Xin cấp sổ đỏ lần đầu theo Luật Đất đai 2024 cần giấy tờ gì?';
    const stale = createAnswerEngine({ index: indexOf([rules]), lexicon, now }).answer(question);
    expect(stale.kind).toBe('no_answer');
    expect(stale.text).toBe(messages.noRecentNews(['Cấp sổ đỏ lần đầu cần giấy tờ gì (10/05/2017)']));
    const newer = article(
      'so-do-2024',
      'Cấp sổ đỏ theo luật mới',
      ['Theo Luật Đất đai 2024, người xin cấp sổ đỏ lần đầu cần đơn đề nghị và bản sao căn cước.'],
      {
        publishedAt: '2024-08-01',
      },
    );
    expect(createAnswerEngine({ index: indexOf([rules, newer]), lexicon, now }).answer(question).text).toContain('bản sao căn cước');
    // What a year names is often announced the year before: an article of 2016 answers about "APEC 2017".
    const apec = article('apec', 'Đà Nẵng chuẩn bị Tuần lễ Cấp cao APEC', ['Tuần lễ Cấp cao APEC tại Đà Nẵng sẽ đón lãnh đạo 21 nền kinh tế thành viên.'], {
      publishedAt: '2016-11-20',
    });
    const economies = createAnswerEngine({ index: indexOf([apec]), lexicon, now }).answer('Tuần lễ Cấp cao APEC 2017 tại Đà Nẵng đón bao nhiêu nền kinh tế?');
    expect(economies.text).toContain('21 nền kinh tế');
    const earlier = { ...apec, publishedAt: '2015-11-20' };
    expect(
      createAnswerEngine({ index: indexOf([earlier]), lexicon, now }).answer('Tuần lễ Cấp cao APEC 2017 tại Đà Nẵng đón bao nhiêu nền kinh tế?').kind,
    ).toBe('no_answer');
  });

  it('treats "năm nay" as this year: an article of years ago does not answer it, one of this year does', () => {
    const stale = createAnswerEngine({ index: indexOf([old]), lexicon, now }).answer('Năm nay Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?');
    expect(stale.kind).toBe('no_answer');
    expect(stale.text).toBe(messages.noRecentNews(['Thắp sáng đường quê (02/03/2017)']));
    const fresh = createAnswerEngine({ index: indexOf([old, recent]), lexicon, now }).answer('nam nay doan thanh nien xa hung loi lap bao nhieu bong den');
    expect(fresh.text).toContain('85 bóng đèn');
    // "hiện nay" is "currently" ("như hiện nay", "trước đây … hiện nay"): the decision model weighs it, not the clock.
    expect(createAnswerEngine({ index: indexOf([old]), lexicon, now }).answer('Hiện nay Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?').kind).toBe(
      'answer',
    );
  });
});
