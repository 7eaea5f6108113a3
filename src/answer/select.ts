/**
 * Stage 4, select: the sentences of the chosen document to quote, and what a second close result adds ("cho
 * biết thêm").
 */
import type { SearchDoc } from '../content/types.js';
import type { QueryPlan } from '../search/query.js';
import { tidySpacing } from '../search/sentences.js';
import { alternation, WORDS } from '../search/words.js';
import { scoreSentence, weightedTerms } from './score.js';
import { hasAnswerShape, hasNewNumber } from './shape.js';
import type { EngineTuning } from './tuning.js';
import type { DocInfo, RankedResult, RankedSentence, SentenceInfo } from './types.js';

/** A sentence that announces what follows ("… các điều kiện sau đây:"): its answer is in the next ones. */
const ANNOUNCES = new RegExp(`(${alternation(WORDS.announces)})\\s*$`, 'u');
/** A sentence that leans on the one before ("Đây là …", "Khối kiến thức này …", "Theo đó, …"). */
const LB = WORDS.leansBack;
export const LEANS_BACK = new RegExp(
  `^(?:${alternation(LB.openers)}|(?:${alternation(LB.reasons)}) là|(?:\\p{L}+ ){1,3}(?:${alternation(LB.demonstratives)}))(?![\\p{L}\\p{M}])`,
  'u',
);

/** Whether a sentence leans on the one before it, or that one announces it. */
export function leansBack(sentence: string, before: string): boolean {
  return LEANS_BACK.test(sentence.trim().toLowerCase()) || ANNOUNCES.test(before.trim().toLowerCase());
}

/**
 * Rank the sentences of the chosen document for quoting. Inside one article every sentence shares its context
 * (the place, the organisation named in the question), so a term counts by how few of the article's sentences
 * contain it: the sentence with the question's specific words ("xây bao nhiêu nhà") wins over the lead that
 * repeats its context.
 */
export function selectSentences(d: DocInfo, plan: QueryPlan, tuning: EngineTuning): RankedSentence[] {
  const count = d.sentences.length;
  const local = new Map<string, number>();
  for (const [term, weight] of weightedTerms(plan, tuning)) {
    let sf = 0;
    for (const s of d.sentences) if (s.terms.has(term)) sf += 1;
    if (sf > 0) local.set(term, weight * Math.log(1 + count / sf) * (plan.focus.has(term) ? 1 + tuning.focusWeight : 1));
  }
  let total = 0;
  for (const w of local.values()) total += w;
  const localPlan: QueryPlan = {
    ...plan,
    content: new Map([...local].filter(([t]) => plan.content.has(t))),
    pairs: new Map([...local].filter(([t]) => plan.pairs.has(t)).map(([t, w]) => [t, w * tuning.localPairFactor])),
  };
  // Long sentences cover more words by length alone; a lead that lists everything should not beat the fact.
  const lengthFactor = (s: SentenceInfo) => 1 / (1 + tuning.longSentencePenalty * Math.max(0, s.terms.size / tuning.longSentenceTerms - 1));
  const score = (s: SentenceInfo) => (total > 0 ? scoreSentence(s, localPlan, total, tuning, true) * lengthFactor(s) : 0);
  return d.sentences
    .map((s, index) => {
      const own = score(s);
      // "Theo đó, Nghị quyết gồm 4 chương, 25 điều.": a sentence that leans on the one before is read with it; the
      // answer must still be its own (its numbers, dates and names).
      const before = d.sentences[index - 1];
      if (!before || tuning.contextWeight === 0 || !leansBack(s.text, before.text)) return { index, score: own };
      const merged: SentenceInfo = {
        ...s,
        terms: new Set([...before.terms, ...s.terms]),
        exact: new Set([...before.exact, ...s.exact]),
        triples: new Set([...before.triples, ...s.triples]),
      };
      const read = tuning.contextWeight * score(merged);
      return read > own ? { index, score: read, context: true } : { index, score: own };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Whether a sentence's terms are mostly in the given sentences' terms (a lead the body restates, another report's copy). */
export function repeats(terms: Set<string>, said: Set<string>[], tuning: EngineTuning): boolean {
  if (terms.size === 0) return true;
  let known = 0;
  for (const t of terms) if (said.some((s) => s.has(t))) known += 1;
  return known >= tuning.repeatShare * terms.size;
}

/**
 * The sentences to quote, in text order: the best one; the ones right after it when it announces them or they
 * lean back on it; the best of the others that does not restate them ({@link repeats}) when it scores close
 * enough. At most {@link EngineTuning.maxQuoteSentences}.
 */
export function quoteIndexes(d: DocInfo, ranked: RankedSentence[], tuning: EngineTuning): number[] {
  const max = tuning.maxQuoteSentences;
  const top = ranked[0]!;
  // The sentence it leans on comes first when it was read with it.
  const picked = new Set(top.context ? [top.index - 1, top.index] : [top.index]);
  let length = [...picked].reduce((n, i) => n + d.sentences[i]!.text.length, 0);
  if (tuning.followOn) {
    for (let i = top.index + 1; picked.size < max && i < d.sentences.length; i++) {
      if (!leansBack(d.sentences[i]!.text, d.sentences[i - 1]!.text)) break;
      if (picked.size > 1 && length + d.sentences[i]!.text.length > tuning.quoteBudgetChars) break;
      picked.add(i);
      length += d.sentences[i]!.text.length;
    }
  }
  // The best of the others, when it scores close enough and does not repeat what is picked (a lead the body restates).
  const said = [...picked].map((i) => d.sentences[i]!.terms);
  const second = ranked.find((r) => !picked.has(r.index) && !repeats(d.sentences[r.index]!.terms, said, tuning));
  if (picked.size < max && second && second.score >= top.score * tuning.secondSentenceRatio) picked.add(second.index);
  return [...picked].sort((a, b) => a - b);
}

/** What a second result adds: its rank among the results and the sentences quoted from it. */
export interface AlsoSaid {
  rank: number;
  quote: string[];
}

/**
 * What the second or third result adds to the answer. News reports of one event differ in the details they give
 * ("500 người" in one, "500 công an" in the other), and the one that answers may rank second. Its best sentence
 * (after the one it leans on, when it was read with it) is quoted when that result scores at least
 * {@link EngineTuning.alsoRatio} of the first, is an article (a program is quoted only as the answer) that
 * `mayAdd` accepts, was published in the first one's year when both are dated, is not on another province or
 * year when the first is on the asked ones, and the sentence has what the question asks for
 * ({@link hasAnswerShape}) and says something the quote does not (not mostly its words; for "bao nhiêu", a
 * number it does not have). Of the two results, the one whose sentence scores best. `quoted`: the quoted sentences.
 */
export function alsoSaid(
  ranked: RankedResult[],
  plan: QueryPlan,
  quoted: SentenceInfo[],
  mayAdd: (doc: SearchDoc) => boolean,
  tuning: EngineTuning,
): AlsoSaid | undefined {
  const best = ranked[0]!;
  const said = quoted.map((q) => q.terms);
  const saidNumbers = new Set(quoted.flatMap((q) => q.numbers));
  const year = (doc: SearchDoc) => doc.publishedAt?.slice(0, 4);
  let chosen: (AlsoSaid & { score: number }) | undefined;
  for (let rank = 1; rank < Math.min(ranked.length, tuning.alsoDepth); rank++) {
    const r = ranked[rank]!;
    if (r.score < tuning.alsoRatio * best.score) break;
    if (r.doc.type !== 'article' || !mayAdd(r.doc) || (r.offPlace && !best.offPlace)) continue;
    if (year(r.doc) && year(best.doc) && year(r.doc) !== year(best.doc)) continue;
    const top = selectSentences(r.info, plan, tuning)[0];
    const s = top && r.info.sentences[top.index];
    if (!top || !s || repeats(s.terms, said, tuning) || !hasAnswerShape(s, plan, tuning)) continue;
    if (plan.kinds.includes('quantity') && !hasNewNumber(s, plan, saidNumbers)) continue;
    if (chosen && top.score <= chosen.score) continue;
    // The sentence it leans on comes first, unless the quote already says it.
    const before = top.context ? r.info.sentences[top.index - 1] : undefined;
    const sentences = before && !repeats(before.terms, said, tuning) ? [before, s] : [s];
    chosen = { rank, quote: sentences.map((x) => tidySpacing(x.text)), score: top.score };
  }
  return chosen && { rank: chosen.rank, quote: chosen.quote };
}
