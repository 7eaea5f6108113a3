/**
 * Stage 3, rerank: the candidates analysed sentence by sentence and scored by BM25, their best sentence and their
 * coverage of the question, held back when they lack the question's province, dated year or names. Each result
 * carries its score's breakdown ({@link RankFeatures}).
 */
import type { SearchDoc } from '../content/types.js';
import type { QueryPlan } from '../search/query.js';
import type { ProvinceFinder } from './analysis.js';
import type { Retrieved } from './retrieve.js';
import { coverage, distinctCoverages, exactness, planTotal, scoreSentence } from './score.js';
import { countsFocus, hasNewNumber } from './shape.js';
import type { EngineTuning } from './tuning.js';
import type { DocInfo, RankedResult } from './types.js';

/** What re-ranking needs besides the candidates. */
export interface RerankContext {
  /** The analysis of a document (cached by the engine). */
  analyse: (doc: SearchDoc) => DocInfo;
  provinces: ProvinceFinder;
  tuning: EngineTuning;
}

/** Re-rank the retrieved candidates; `names`: the names the question writes with capitals. Best first, at most `limit`. */
export function rerank(plan: QueryPlan, names: string[], retrieved: Retrieved, ctx: RerankContext, limit: number): RankedResult[] {
  const { analyse, provinces: finder, tuning } = ctx;
  const { candidates, top, rerankDepth } = retrieved;
  const provinces = plan.provinces;
  const years = plan.datedYears.map(String);
  const hasProvince = (doc: SearchDoc, d: DocInfo) => provinces.length === 0 || provinces.some((p) => finder.namesProvince(doc, d, p));
  const hasYear = (doc: SearchDoc, d: DocInfo) => years.length === 0 || years.some((y) => d.terms.has(y) || doc.publishedAt?.startsWith(y));
  const hasNames = (d: DocInfo) => names.length === 0 || names.every((term) => d.terms.has(term));
  /** The multiplier of a candidate that lacks the question's province, year or name (1 when it has them). */
  const held = (placed: boolean, dated: boolean, named: boolean): number =>
    (placed ? 1 : 1 - tuning.provinceMissing) * (dated ? 1 : 1 - tuning.yearMissing) * (named ? 1 : 1 - tuning.nameMissing);
  const total = planTotal(plan, tuning);
  const countsAsked = tuning.rankShape > 0 && plan.kinds.includes('quantity');
  const analysed = candidates.slice(0, rerankDepth).map((c) => analyse(c.doc));
  const coverages = analysed.map((d) => coverage(d.terms, plan, total, tuning));
  const distinct = distinctCoverages(analysed, coverages, plan, tuning);
  const ranked = candidates.map((c, rank): RankedResult => {
    const d = analysed[rank] ?? analyse(c.doc);
    const scored = d.sentences.map((s, i) => ({ index: i, score: scoreSentence(s, plan, total, tuning) })).sort((a, b) => b.score - a.score);
    const cov = coverages[rank] ?? coverage(d.terms, plan, total, tuning);
    // The shape counts in the rank only, not in the confidence: a figure is no evidence that the article is on topic.
    let bestSentence = scored[0]?.score ?? 0;
    let countFound = false;
    if (countsAsked && rank < rerankDepth) {
      // Best first: the first sentence that states the count is the one that gains most.
      for (const { index, score } of scored) {
        if (score + tuning.rankShape <= bestSentence) break;
        const s = d.sentences[index]!;
        if (hasNewNumber(s, plan) && countsFocus(s, plan, tuning, true)) {
          bestSentence = score + tuning.rankShape;
          countFound = true;
          break;
        }
      }
    }
    const bm25 = c.score / top;
    const exact = exactness(d, plan);
    const exactFactor = 1 - tuning.exactWeight * (1 - exact);
    const placed = hasProvince(c.doc, d);
    const dated = hasYear(c.doc, d);
    const named = tuning.nameMissing > 0 ? hasNames(d) : true;
    const reranked = rank < rerankDepth;
    const score = reranked
      ? held(placed, dated, named) *
        exactFactor *
        (tuning.bm25Weight * bm25 + tuning.sentenceWeight * bestSentence + tuning.coverageWeight * cov + distinct[rank]!)
      : bm25 * tuning.unrankedFactor;
    const features = {
      bm25,
      coverage: cov,
      sentence: scored[0]?.score ?? 0,
      rankedSentence: bestSentence,
      countFound,
      distinct: distinct[rank] ?? 0,
      exactness: exact,
      placed,
      dated,
      named,
      reranked,
    };
    return { doc: c.doc, score, bm25, coverage: cov, best: scored.slice(0, tuning.bestSentencesKept), info: d, offPlace: !placed || !dated, features };
  });
  ranked.sort((a, b) => b.score - a.score);
  return ranked.slice(0, limit);
}
