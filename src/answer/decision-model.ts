/**
 * The decision model: the probability that the quoted reply answers the question, from the decision features.
 * Fitted by `npm run train:decision` and stored as data, in one of two forms: a logistic regression (feature
 * names, their means and scales, weights, bias), applied as a dot product; or boosted decision trees (a few
 * levels deep, each split one input against a value), applied as the sum of one leaf per tree. Either form stores
 * the threshold chosen on dev material.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { QuestionKind } from '../search/lexicon.js';
import type { DecisionFeatures } from './types.js';

const KINDS: (QuestionKind | 'none')[] = ['person', 'quantity', 'time', 'place', 'reason', 'manner', 'which', 'definition', 'none'];
const flag = (b: boolean) => (b ? 1 : 0);

/**
 * The model's inputs, by name: the features as numbers, the question's kinds one-hot, and a few products where one
 * feature matters only with another. Training and the engine both use this, so they cannot disagree.
 */
export function featureVector(f: DecisionFeatures): Record<string, number> {
  const v: Record<string, number> = {
    coverage: f.coverage,
    sentence: f.sentence,
    quoteCoverage: f.quoteCoverage,
    focusInQuote: f.focusInQuote,
    focusInDocument: f.focusInDocument,
    margin: f.margin,
    shapeFound: flag(f.shapeFound),
    placeAgrees: flag(f.placeAgrees),
    yearAgrees: flag(f.yearAgrees),
    namesAgree: flag(f.namesAgree),
    termRarity: f.termRarity,
    contentTerms: Math.log1p(f.contentTerms),
    hasFocus: flag(f.focusTerms > 0),
    exactness: f.exactness,
    countFound: flag(f.countFound),
    distinct: f.distinct,
    quoteScore: f.quoteScore,
    yearGap: Math.min(f.yearGap, 10),
    'focusInQuote×hasFocus': f.focusTerms > 0 ? f.focusInQuote : 0,
    'coverage×quoteCoverage': f.coverage * f.quoteCoverage,
    slotAsked: flag(f.slotAsked),
    'valueInQuote×slot': flag(f.slotAsked && f.valueInQuote),
    'valueNearAnchor×slot': flag(f.slotAsked && f.valueNearAnchor),
    rareMissing: f.rareMissing,
    rareMissingQuote: f.rareMissingQuote,
    othersInQuote: f.othersInQuote,
    othersInDocument: f.othersInDocument,
    quoteLength: Math.log1p(f.quoteLength),
    pairsInQuote: f.pairsInQuote,
    pairsInDocument: f.pairsInDocument,
    titleCoverage: f.titleCoverage,
    personal: flag(f.personal),
  };
  for (const k of KINDS) v[`kind:${k}`] = k === 'none' ? flag(f.kinds.length === 0) : flag(f.kinds.includes(k as QuestionKind));
  return v;
}

/** What both forms store besides their parameters. */
const common = {
  /** Input names; a logistic model's `means`, `scales` and `weights` follow their order, a tree's `input` indexes them. */
  features: z.array(z.string()).min(1),
  /** Answer when the probability reaches this (unless the operator sets ANSWER_MIN_CONFIDENCE). */
  threshold: z.number().min(0).max(1),
  /** The question sets it was fitted on ("+removed": their answer-removed run), and when. */
  trainedOn: z.array(z.string()),
  trainedAt: z.string(),
  /** Dev figures at the threshold (for the record; the engine does not read them). */
  dev: z.record(z.string(), z.unknown()).optional(),
};

const logisticSchema = z.object({
  kind: z.literal('logistic'),
  ...common,
  means: z.array(z.number()),
  scales: z.array(z.number().positive()),
  weights: z.array(z.number()),
  bias: z.number(),
  /** L2 strength the fit used. */
  l2: z.number().min(0),
});

/**
 * A tree as a flat list of nodes, the root first: a split sends an input below `value` to node `below`, else to
 * node `above`; a leaf adds its `leaf` to the log-odds.
 */
const nodeSchema = z.union([
  z.object({ input: z.number().int().min(0), value: z.number(), below: z.number().int().min(1), above: z.number().int().min(1) }),
  z.object({ leaf: z.number() }),
]);

const boostedSchema = z.object({
  kind: z.literal('boosted'),
  ...common,
  /** The log-odds before any tree. */
  bias: z.number(),
  trees: z.array(z.array(nodeSchema).min(1)).min(1),
  /** How the trees were grown (for the record): depth, count, learning rate, leaf L2, least examples per leaf. */
  growth: z.object({ depth: z.number(), trees: z.number(), learningRate: z.number(), l2: z.number(), minLeaf: z.number() }),
});

export const decisionModelSchema = z.discriminatedUnion('kind', [logisticSchema, boostedSchema]);

/** A fitted decision model (see {@link decisionModelSchema}). */
export type DecisionModel = z.infer<typeof decisionModelSchema>;

/**
 * Check a model object: the schema, equal lengths, every input name one {@link featureVector} makes, and trees
 * whose splits name an input and point forward to nodes that exist (so a tree always ends in a leaf).
 */
export function parseDecisionModel(value: unknown): DecisionModel {
  const model = decisionModelSchema.parse(value);
  const n = model.features.length;
  if (model.kind === 'logistic' && (model.means.length !== n || model.scales.length !== n || model.weights.length !== n))
    throw new Error('decision model: features, means, scales and weights differ in length');
  if (model.kind === 'boosted')
    for (const [t, tree] of model.trees.entries())
      for (const [i, node] of tree.entries()) {
        if ('leaf' in node) continue;
        if (node.input >= n || node.below <= i || node.above <= i || node.below >= tree.length || node.above >= tree.length)
          throw new Error(`decision model: tree ${t}, node ${i} points outside the tree or its inputs`);
      }
  const known = new Set(Object.keys(featureVector(NO_FEATURES)));
  const unknown = model.features.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`decision model: unknown features ${unknown.join(', ')}`);
  return model;
}

/** Read and check a model file. */
export function loadDecisionModel(file: string): DecisionModel {
  return parseDecisionModel(JSON.parse(readFileSync(file, 'utf8')));
}

/** The probability of log-odds `z`. */
export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** A node of a boosted model's tree (see {@link nodeSchema}). */
export type TreeNode = z.infer<typeof nodeSchema>;

/** What one tree adds to the log-odds of `inputs` (in the order of the model's `features`): the leaf they reach. */
export function leafOf(tree: readonly TreeNode[], inputs: readonly number[]): number {
  let node = tree[0]!;
  while (!('leaf' in node)) node = tree[inputs[node.input]! < node.value ? node.below : node.above]!;
  return node.leaf;
}

/** The probability that the reply answers the question. */
export function predict(model: DecisionModel, f: DecisionFeatures): number {
  const v = featureVector(f);
  const inputs = model.features.map((name) => v[name] ?? 0);
  let z = model.bias;
  if (model.kind === 'logistic') {
    for (let i = 0; i < inputs.length; i++) z += (model.weights[i]! * (inputs[i]! - model.means[i]!)) / model.scales[i]!;
  } else {
    for (const tree of model.trees) z += leafOf(tree, inputs);
  }
  return sigmoid(z);
}

/** The features of a question with no result: every share, score and agreement at its lowest. */
export const NO_FEATURES: Readonly<DecisionFeatures> = {
  found: false,
  coverage: 0,
  sentence: 0,
  quoteCoverage: 0,
  focusInQuote: 0,
  focusInDocument: 0,
  margin: 0,
  shapeFound: false,
  placeAgrees: false,
  yearAgrees: false,
  namesAgree: false,
  termRarity: 0,
  contentTerms: 0,
  focusTerms: 0,
  exactness: 0,
  countFound: false,
  distinct: 0,
  quoteScore: 0,
  yearGap: 0,
  slotAsked: false,
  valueInQuote: false,
  valueNearAnchor: false,
  rareMissing: 1,
  rareMissingQuote: 1,
  othersInQuote: 0,
  othersInDocument: 0,
  quoteLength: 0,
  contactAsked: false,
  pairsInQuote: 0,
  pairsInDocument: 0,
  titleCoverage: 0,
  personal: false,
  kinds: [],
};
