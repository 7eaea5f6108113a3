import { describe, expect, it } from 'vitest';
import { fitBoosted, stagedLogOdds } from '../../scripts/boost.js';
import { featureVector, parseDecisionModel, predict, sigmoid } from '../../src/answer/decision-model.js';
import { features } from '../answer/fixtures.js';

/** A made-up rule to learn: right when coverage is high and the place agrees, with a little noise (every 17th row flipped). */
function examples(n: number): { xs: number[][]; ys: number[] } {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const coverage = (i % 10) / 10 + 0.05;
    const placeAgrees = i % 3 === 0 ? 0 : 1;
    const noise = (i * 7919) % 101;
    xs.push([coverage, placeAgrees, noise]);
    const right = coverage > 0.5 && placeAgrees === 1;
    ys.push((right ? 1 : 0) ^ (i % 17 === 0 ? 1 : 0));
  }
  return { xs, ys };
}

const growth = { depth: 2, trees: 60, learningRate: 0.2, l2: 1, minLeaf: 5 };

describe('boosted trees', () => {
  it('learn a rule of two inputs and ignore the noise', () => {
    const { xs, ys } = examples(600);
    const fit = fitBoosted(xs, ys, growth);
    const last = stagedLogOdds(fit, xs).at(-1)!;
    const accuracy = last.filter((z, i) => (z > 0 ? 1 : 0) === ys[i]).length / xs.length;
    // All but the flipped rows (1 in 17, about 6 %) are learnt.
    expect(accuracy).toBeGreaterThan(0.9);
    const inputsUsed = new Set(fit.trees.flatMap((t) => t.flatMap((n) => ('leaf' in n ? [] : [n.input]))));
    expect(inputsUsed.has(0) && inputsUsed.has(1)).toBe(true);
    // The bias is the log-odds of the share of positive rows.
    const share = ys.reduce((s, y) => s + y, 0) / ys.length;
    expect(fit.bias).toBeCloseTo(Math.log(share / (1 - share)), 12);
  });

  it('are the same every time, and no tree raises the training loss', () => {
    const { xs, ys } = examples(300);
    const a = fitBoosted(xs, ys, growth);
    expect(fitBoosted(xs, ys, growth)).toEqual(a);
    const loss = (zs: number[]) => -zs.reduce((s, z, i) => s + Math.log(ys[i] ? sigmoid(z) : 1 - sigmoid(z)), 0) / zs.length;
    const staged = stagedLogOdds(a, xs).map(loss);
    expect(staged.at(-1)!).toBeLessThan(staged[0]!);
    for (let t = 1; t < staged.length; t++) expect(staged[t]!).toBeLessThanOrEqual(staged[t - 1]! + 1e-9);
  });

  it('keep a split only when each side has at least minLeaf examples, and never split deeper than asked', () => {
    const { xs, ys } = examples(40);
    const fit = fitBoosted(xs, ys, { ...growth, minLeaf: 25 });
    expect(fit.trees.every((t) => t.length === 1 && 'leaf' in t[0]!)).toBe(true);
    const stumps = fitBoosted(examples(200).xs, examples(200).ys, { ...growth, depth: 1 });
    expect(stumps.trees.every((t) => t.length <= 3)).toBe(true);
  });

  it('stored as a decision model, predict as they were fitted', () => {
    const names = ['coverage', 'placeAgrees', 'sentence'];
    const { xs, ys } = examples(300);
    const fit = fitBoosted(xs, ys, growth);
    const model = parseDecisionModel({
      kind: 'boosted',
      features: names,
      bias: fit.bias,
      trees: fit.trees,
      growth,
      threshold: 0.5,
      trainedOn: ['made-up'],
      trainedAt: '2026-12-07',
    });
    const f = features({ coverage: 0.85, placeAgrees: true, sentence: 0.3 });
    const x = names.map((n) => featureVector(f)[n]!);
    expect(predict(model, f)).toBeCloseTo(sigmoid(stagedLogOdds(fit, [x]).at(-1)![0]!), 12);
    expect(predict(model, f)).toBeGreaterThan(0.5);
    expect(predict(model, features({ coverage: 0.15, placeAgrees: true, sentence: 0.3 }))).toBeLessThan(0.5);
  });
});
