/** The scores the re-ranking and the quote selection share: coverage of the question, and a sentence's score. */
import type { QueryPlan } from '../search/query.js';
import { sentenceWords } from './analysis.js';
import { countsFocus, hasFocus, hasNewNumber } from './shape.js';
import type { EngineTuning } from './tuning.js';
import type { DocInfo, SentenceInfo } from './types.js';

const weightedTermsOf = new WeakMap<QueryPlan, { share: number; terms: [string, number][] }>();
/** The question's syllables and pairs with the weight they count by in coverage: a pair counts {@link EngineTuning.pairShare}. */
export function weightedTerms(plan: QueryPlan, tuning: EngineTuning): [string, number][] {
  let out = weightedTermsOf.get(plan);
  if (!out || out.share !== tuning.pairShare) {
    out = { share: tuning.pairShare, terms: [...plan.content, ...[...plan.pairs].map(([p, w]): [string, number] => [p, w * tuning.pairShare])] };
    weightedTermsOf.set(plan, out);
  }
  return out.terms;
}

/** The total weight of the question's terms ({@link weightedTerms}). */
export function planTotal(plan: QueryPlan, tuning: EngineTuning): number {
  let total = 0;
  for (const [, w] of weightedTerms(plan, tuning)) total += w;
  return total;
}

/** The weighted share of the question's terms among the given terms (a document's, a sentence's). */
export function coverage(terms: Set<string>, plan: QueryPlan, total: number, tuning: EngineTuning): number {
  if (total === 0) return 0;
  let got = 0;
  for (const [t, w] of weightedTerms(plan, tuning)) if (terms.has(t)) got += w;
  return got / total;
}

/**
 * Share of the question's accented words that the document has as written, not only folded. Counted, not
 * idf-weighted: a folded syllable such as "ban" is common (bàn, bán, bản, bạn…) even when the accented word is rare.
 */
export function exactness(d: DocInfo, plan: QueryPlan): number {
  let folded = 0;
  let exact = 0;
  for (const [term, form] of plan.exact) {
    if (!d.terms.has(term)) continue;
    folded += 1;
    if (d.exact.has(form)) exact += 1;
  }
  return folded === 0 ? 1 : exact / folded;
}

/**
 * The score of a sentence for a question: the weighted share of the question's syllables (a syllable found only
 * without the question's accents at {@link EngineTuning.accentMismatch}) and pairs, its three-syllable runs, a
 * bonus for a new number, a date or a person when asked, a definition of the subject; a short sentence is damped.
 * `quoting`: when choosing the sentence to quote, the answer's shape next to the focus scores too.
 */
export function scoreSentence(s: SentenceInfo, plan: QueryPlan, total: number, tuning: EngineTuning, quoting = false): number {
  if (total === 0) return 0;
  let score = 0;
  for (const [term, weight] of plan.content) {
    if (!s.terms.has(term)) continue;
    const exact = plan.exact.get(term);
    score += exact === undefined || s.exact.has(exact) ? weight : weight * tuning.accentMismatch;
  }
  for (const [pair, weight] of plan.pairs) if (s.terms.has(pair)) score += weight * tuning.pairShare;
  let norm = score / total;
  if (plan.triples.size > 0) {
    let phrase = 0;
    for (const t of plan.triples) if (s.triples.has(t)) phrase += 1;
    norm += (tuning.tripleWeight * phrase) / plan.triples.size;
  }
  if (plan.kinds.includes('quantity') && hasNewNumber(s, plan)) {
    norm += tuning.kindBonus * tuning.numberBonusFactor;
    if (quoting && countsFocus(s, plan, tuning)) norm += tuning.shapeBonus;
  }
  const dated = plan.kinds.includes('time') && s.hasDate;
  const named = plan.kinds.includes('person') && s.hasPerson;
  norm += tuning.kindBonus * ((dated ? 1 : 0) + (named ? 1 : 0));
  const placed = quoting && plan.kinds.includes('place') && s.hasPlace;
  if (quoting && (dated || named || placed) && hasFocus(s, plan)) norm += tuning.shapeBonus * ((dated ? 1 : 0) + (named ? 1 : 0) + (placed ? 1 : 0));
  if (plan.subject && sentenceWords(s).text.includes(` ${plan.subject} la `)) norm += tuning.definitionBonus;
  if (s.terms.size < tuning.shortSentenceTerms) norm *= tuning.shortSentenceFactor;
  return norm;
}

/**
 * For a long question, the candidates are often on one subject — news articles on one event all repeat its place,
 * names and date — and what tells them apart is the rest of the question. Each term of the question weighs by its
 * idf times log(1 + candidates / candidates that have it); a document gets its share of that weight, scaled by
 * the share of candidates whose coverage of the question is within {@link EngineTuning.distinctShare} of the
 * best (how much they overlap) and by {@link EngineTuning.distinctWeight}. Pairs count as in {@link coverage}; a
 * term no candidate has is left out. Zero for every document of a short question.
 * `coverages`: each document's {@link coverage} of the question.
 */
export function distinctCoverages(docs: DocInfo[], coverages: number[], plan: QueryPlan, tuning: EngineTuning): number[] {
  const none = docs.map(() => 0);
  if (tuning.distinctWeight === 0 || plan.content.size < tuning.distinctMinTerms || docs.length === 0) return none;
  const best = Math.max(...coverages);
  const overlap = coverages.filter((c) => c >= tuning.distinctShare * best).length / docs.length;
  const weights: [string, number][] = [];
  let sum = 0;
  for (const [term, weight] of weightedTerms(plan, tuning)) {
    let having = 0;
    for (const d of docs) if (d.terms.has(term)) having += 1;
    if (having === 0) continue;
    const w = weight * Math.log(1 + docs.length / having);
    weights.push([term, w]);
    sum += w;
  }
  if (sum === 0) return none;
  return docs.map((d) => {
    let got = 0;
    for (const [term, w] of weights) if (d.terms.has(term)) got += w;
    return (tuning.distinctWeight * overlap * got) / sum;
  });
}
