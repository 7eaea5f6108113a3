/**
 * Gradient-boosted decision trees for a yes/no label (log-loss), as the decision model stores them
 * (`src/answer/decision-model.ts`): each tree is grown level by level on the gradient and curvature of the loss,
 * splits chosen on histograms of at most `MAX_SPLITS` values per input, leaves given the Newton step shrunk by the
 * learning rate. Small and deterministic: a few thousand rows and a few dozen inputs fit in a second.
 */

import { leafOf, sigmoid, type TreeNode } from '../src/answer/decision-model.js';

/** How the trees grow. */
export interface Growth {
  /** Levels of splits below the root (1: stumps). */
  depth: number;
  trees: number;
  /** The share of each tree's Newton step that is taken. */
  learningRate: number;
  /** L2 penalty on a leaf's value (larger: smaller leaves). */
  l2: number;
  /** The least examples on either side of a split. */
  minLeaf: number;
}

export interface Boosted {
  /** The log-odds before any tree: those of the share of positive examples. */
  bias: number;
  trees: TreeNode[][];
}

const MAX_SPLITS = 64;

/** The values an input may be split at: midpoints between its distinct values, or between quantiles of them. */
function splitValues(column: number[]): number[] {
  const distinct = [...new Set(column)].sort((a, b) => a - b);
  const picked =
    distinct.length <= MAX_SPLITS + 1
      ? distinct
      : [...new Set(Array.from({ length: MAX_SPLITS + 1 }, (_, k) => distinct[Math.round((k * (distinct.length - 1)) / MAX_SPLITS)]!))];
  return picked.slice(1).map((v, k) => (picked[k]! + v) / 2);
}

/** The bin of a value: how many split values are at or below it (so `x < splits[k]` ⟺ bin ≤ k). */
function binOf(splits: number[], x: number): number {
  let lo = 0;
  let hi = splits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (splits[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The log-odds of examples under a fitted model, tree by tree: `staged[t][i]` after the first t + 1 trees. */
export function stagedLogOdds(model: Boosted, xs: number[][]): number[][] {
  const z = xs.map(() => model.bias);
  return model.trees.map((tree) => {
    xs.forEach((x, i) => {
      z[i]! += leafOf(tree, x);
    });
    return [...z];
  });
}

/** Fit boosted trees to inputs `xs` (one row per example) and labels `ys` (0 or 1). */
export function fitBoosted(xs: number[][], ys: number[], growth: Growth): Boosted {
  const n = xs.length;
  const inputs = xs[0]?.length ?? 0;
  const splits = Array.from({ length: inputs }, (_, j) => splitValues(xs.map((x) => x[j]!)));
  const bins = xs.map((x) => x.map((v, j) => binOf(splits[j]!, v)));
  const positive = Math.min(Math.max(ys.reduce((s, y) => s + y, 0) / n, 1e-6), 1 - 1e-6);
  const bias = Math.log(positive / (1 - positive));
  const z = new Array<number>(n).fill(bias);
  const grad = new Array<number>(n).fill(0);
  const hess = new Array<number>(n).fill(0);
  const trees: TreeNode[][] = [];

  const leafValue = (rows: number[]) => {
    let g = 0;
    let h = 0;
    for (const i of rows) [g, h] = [g + grad[i]!, h + hess[i]!];
    return (-g / (h + growth.l2)) * growth.learningRate;
  };

  /** The best split of `rows`: the input, its split index and the gain; undefined when none gains. */
  function bestSplit(rows: number[]): { input: number; at: number } | undefined {
    let g = 0;
    let h = 0;
    for (const i of rows) [g, h] = [g + grad[i]!, h + hess[i]!];
    const parent = (g * g) / (h + growth.l2);
    let best: { input: number; at: number; gain: number } | undefined;
    for (let j = 0; j < inputs; j++) {
      const size = splits[j]!.length + 1;
      if (size < 2) continue;
      const hg = new Float64Array(size);
      const hh = new Float64Array(size);
      const hc = new Int32Array(size);
      for (const i of rows) {
        const b = bins[i]![j]!;
        hg[b]! += grad[i]!;
        hh[b]! += hess[i]!;
        hc[b]! += 1;
      }
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let k = 0; k < size - 1; k++) {
        gl += hg[k]!;
        hl += hh[k]!;
        cl += hc[k]!;
        if (cl < growth.minLeaf) continue;
        if (rows.length - cl < growth.minLeaf) break;
        const gain = (gl * gl) / (hl + growth.l2) + ((g - gl) * (g - gl)) / (h - hl + growth.l2) - parent;
        if (gain > 1e-9 && (!best || gain > best.gain)) best = { input: j, at: k, gain };
      }
    }
    return best;
  }

  /** Grow a node over `rows` into `tree` (pre-order, so children always come after their parent). */
  function grow(tree: TreeNode[], rows: number[], level: number): void {
    const at = tree.length;
    tree.push({ leaf: 0 });
    const split = level < growth.depth ? bestSplit(rows) : undefined;
    if (!split) {
      tree[at] = { leaf: leafValue(rows) };
      return;
    }
    const below = rows.filter((i) => bins[i]![split.input]! <= split.at);
    const above = rows.filter((i) => bins[i]![split.input]! > split.at);
    const node = { input: split.input, value: splits[split.input]![split.at]!, below: tree.length, above: 0 };
    tree[at] = node;
    grow(tree, below, level + 1);
    node.above = tree.length;
    grow(tree, above, level + 1);
  }

  const all = Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < growth.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]!);
      grad[i] = p - ys[i]!;
      hess[i] = Math.max(p * (1 - p), 1e-12);
    }
    const tree: TreeNode[] = [];
    grow(tree, all, 0);
    trees.push(tree);
    const [latest] = stagedLogOdds({ bias: 0, trees: [tree] }, xs);
    latest!.forEach((v, i) => {
      z[i]! += v;
    });
  }
  return { bias, trees };
}
