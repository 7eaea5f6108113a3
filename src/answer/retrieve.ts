/**
 * Stage 2, retrieve: the index lookup. Takes the wide list of candidates by BM25 (boosted by the item's province
 * and year when the question names them) and keeps the most promising of them for re-ranking.
 */
import type { SearchDoc } from '../content/types.js';
import type { ArticleIndex, Candidate } from '../search/article-index.js';
import type { QueryPlan } from '../search/query.js';
import type { EngineTuning } from './tuning.js';

/** The candidates of one question. */
export interface Retrieved {
  /** Best first by the prescore; the first `rerankDepth` are analysed sentence by sentence. */
  candidates: Candidate[];
  /** The best BM25 score of the lookup (scores are relative to it). */
  top: number;
  /** How many candidates are re-ranked (deeper for a long question). */
  rerankDepth: number;
}

/** Whether a question is long enough to name an event several articles report ({@link EngineTuning.distinctMinTerms}). */
function isLongQuestion(plan: QueryPlan, tuning: EngineTuning): boolean {
  return plan.content.size >= tuning.distinctMinTerms;
}

/** Look the question up; `limit`: results wanted after re-ranking. Undefined when nothing matches. */
export function retrieve(plan: QueryPlan, index: ArticleIndex, tuning: EngineTuning, limit: number): Retrieved | undefined {
  const provinceNames = new Set(plan.provinces.map((p) => p.name));
  const boostDocument =
    provinceNames.size > 0 || plan.years.length > 0
      ? (doc: SearchDoc) => {
          let b = 1;
          if (doc.province && provinceNames.has(doc.province)) b *= tuning.provinceBoost;
          if (doc.publishedAt && plan.years.includes(Number(doc.publishedAt.slice(0, 4)))) b *= tuning.yearBoost;
          return b;
        }
      : undefined;
  const long = isLongQuestion(plan, tuning);
  const rerankDepth = long ? tuning.longRerankDepth : tuning.rerankDepth;
  const wideDepth = long ? tuning.longWideDepth : tuning.wideDepth;
  const found = index.lookup({
    weights: plan.weights,
    fuzzy: plan.fuzzy,
    boostDocument,
    scoring: tuning.scoring,
    limit: Math.max(rerankDepth, wideDepth, limit),
  });
  if (found.length === 0) return undefined;
  const top = found[0]!.score;
  // Sentence analysis is what a question costs: of the wide list, only the rerankDepth candidates that look
  // best by BM25 and by the share of the question's terms they have are analysed.
  const prescore = (c: Candidate) => tuning.bm25Weight * (c.score / top) + tuning.coverageWeight * c.matched;
  const candidates = found.length <= rerankDepth ? found : [...found].sort((a, b) => prescore(b) - prescore(a)).slice(0, Math.max(rerankDepth, limit));
  return { candidates, top, rerankDepth };
}
