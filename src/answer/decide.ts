/**
 * Stage 5, decide: whether to answer, from a features object. The confidence is the decision model's estimate
 * that the quoted reply answers the question (boosted trees or a logistic regression fitted on labelled questions
 * and stored as data, `decision-model.ts`); an engine made without a model uses a hand-made mix of coverage and best sentence.
 */
import type { QueryPlan } from '../search/query.js';
import { NO_FEATURES, predict, type DecisionModel } from './decision-model.js';
import { coverage, planTotal } from './score.js';
import { quoteIndexes } from './select.js';
import { analyseSentence } from './analysis.js';
import { hasAnswerShape, rareMissing, rareTerms, slotFit, tellsOwnCase } from './shape.js';
import type { EngineTuning } from './tuning.js';
import type { DecisionFeatures, RankedResult, RankedSentence } from './types.js';

export type { DecisionFeatures } from './types.js';

/** The decision: answer or not, how sure, and why. */
export interface Decision {
  answer: boolean;
  /** 0..1. */
  confidence: number;
  /** `no_contact`: the question asks for a phone number, an email or a web address and the quote gives none. */
  reason: 'nothing_found' | 'low_confidence' | 'no_contact' | 'confident';
}

function share(terms: Set<string>, wanted: Set<string>): number {
  if (wanted.size === 0) return 1;
  let got = 0;
  for (const t of wanted) if (terms.has(t)) got += 1;
  return got / wanted.size;
}

/** Weighted share of `wanted` (term → weight) found in `terms`; `empty` when nothing is wanted. */
function weightedShare(terms: ReadonlySet<string>, wanted: ReadonlyMap<string, number>, empty: number): number {
  let total = 0;
  let got = 0;
  for (const [t, w] of wanted) {
    total += w;
    if (terms.has(t)) got += w;
  }
  return total > 0 ? got / total : empty;
}

/**
 * Idf-weighted share of the question's content syllables other than its {@link rareTerms} (and words taken for
 * typos) found in `terms`; 1 when it has no others. The rare words say what a question is about (a name, a place,
 * an event); the others say what it asks of it ("đọc diễn văn", "kêu gọi trồng"): an article about the same thing
 * that states another fact has the first and lacks the second.
 */
export function otherTermsShare(terms: ReadonlySet<string>, plan: QueryPlan): number {
  const rare = new Set(rareTerms(plan));
  const others = new Map([...plan.content].filter(([t]) => !rare.has(t) && !plan.fuzzy.has(t)));
  return weightedShare(terms, others, 1);
}

/** Gather the features of a question's results; `quote`: the chosen document's sentences ranked for quoting. */
export function decisionFeatures(plan: QueryPlan, ranked: RankedResult[], quote: RankedSentence[], tuning: EngineTuning): DecisionFeatures {
  let rarity = 0;
  for (const w of plan.content.values()) rarity += w;
  const termRarity = plan.content.size > 0 ? rarity / plan.content.size : 0;
  const best = ranked[0];
  const personal = tellsOwnCase(plan);
  if (!best) {
    return { ...NO_FEATURES, termRarity, contentTerms: plan.content.size, focusTerms: plan.focus.size, personal, kinds: plan.kinds };
  }
  const second = ranked[1];
  const top = quote[0] && best.info.sentences[quote[0].index];
  const quoted = quote[0] ? quoteIndexes(best.info, quote, tuning).map((i) => best.info.sentences[i]!) : [];
  const slot = slotFit(quoted, plan, tuning);
  const quotedTerms = new Set(quoted.flatMap((s) => [...s.terms]));
  return {
    found: true,
    coverage: best.coverage,
    sentence: best.best[0]?.score ?? 0,
    quoteCoverage: top ? coverage(top.terms, plan, planTotal(plan, tuning), tuning) : 0,
    focusInQuote: top ? share(top.terms, plan.focus) : 0,
    focusInDocument: share(best.info.terms, plan.focus),
    margin: second && best.score > 0 ? (best.score - second.score) / best.score : 1,
    shapeFound: top ? hasAnswerShape(top, plan, tuning) : false,
    placeAgrees: best.features.placed,
    yearAgrees: best.features.dated,
    namesAgree: best.features.named,
    termRarity,
    contentTerms: plan.content.size,
    focusTerms: plan.focus.size,
    exactness: best.features.exactness,
    countFound: best.features.countFound,
    distinct: best.features.distinct,
    quoteScore: quote[0]?.score ?? 0,
    yearGap: yearGap(plan.datedYears, best.doc.publishedAt),
    slotAsked: slot.asked,
    valueInQuote: slot.value,
    valueNearAnchor: slot.nearAnchor,
    rareMissing: rareMissing(best.info.terms, plan),
    rareMissingQuote: rareMissing(quotedTerms, plan),
    othersInQuote: otherTermsShare(quotedTerms, plan),
    othersInDocument: otherTermsShare(best.info.terms, plan),
    quoteLength: top ? top.terms.size : 0,
    contactAsked: slot.contact,
    pairsInQuote: weightedShare(quotedTerms, plan.pairs, 1),
    pairsInDocument: weightedShare(best.info.terms, plan.pairs, 1),
    titleCoverage: weightedShare(analyseSentence(best.doc.title).terms, plan.content, 0),
    personal,
    kinds: plan.kinds,
  };
}

/** The least distance in years between the years a question dates and a publication date; 0 when either is missing. */
function yearGap(years: number[], publishedAt: string | undefined): number {
  const published = publishedAt ? Number(publishedAt.slice(0, 4)) : NaN;
  if (years.length === 0 || !Number.isFinite(published)) return 0;
  return Math.min(...years.map((y) => Math.abs(y - published)));
}

/**
 * Answer when the confidence reaches {@link EngineTuning.minConfidence}, and, when the question asks for a way to
 * contact someone, the quote gives one. With a decision model the confidence is
 * its estimate of the probability that the quoted reply answers the question (see `decision-model.ts`; it weighs
 * the best document's agreement with the question's province and year like any other feature). Without one it is
 * the hand-made mix {@link EngineTuning.confidenceCoverage} × coverage + {@link EngineTuning.confidenceSentence}
 * × best sentence (at most 1).
 */
export function decide(f: DecisionFeatures, tuning: EngineTuning, model?: DecisionModel): Decision {
  if (!f.found) return { answer: false, confidence: 0, reason: 'nothing_found' };
  const confidence = model ? predict(model, f) : handMadeConfidence(f, tuning);
  // A phone number, an email or a web address is asked for to be used: a quote without one does not answer, however
  // close its topic (the office named in another article, the same ward in a news report).
  if (f.contactAsked && !f.valueInQuote) return { answer: false, confidence, reason: 'no_contact' };
  return confidence < tuning.minConfidence ? { answer: false, confidence, reason: 'low_confidence' } : { answer: true, confidence, reason: 'confident' };
}

/** The confidence without a model: coverage and best sentence mixed. */
function handMadeConfidence(f: DecisionFeatures, tuning: EngineTuning): number {
  return Math.min(1, tuning.confidenceCoverage * f.coverage + tuning.confidenceSentence * f.sentence);
}
