/**
 * Curated entries (hỏi đáp) are answered only when the question says what one of their wordings says: most of
 * the question's words are in the wording, most of the wording's words are in the question (weighted by how
 * rare each word is), and they ask for the same kind of thing (an amount, a place, a definition…). Only then is
 * the entry put to the decision, the same one articles go through.
 */
import type { SearchDoc } from '../content/types.js';
import { foldText } from '../search/analyzer.js';
import type { QueryPlan } from '../search/query.js';

/** The least share of each side's weighted words the other must have (0..1), by default. */
const FAQ_MIN_MATCH = 0.75;

/** The wordings of a curated doc: its question and its other wordings (one a line in `summary`). */
export function faqWordings(doc: SearchDoc): string[] {
  const lines = doc.summary
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines : doc.title ? [doc.title] : [];
}

/** How two questions compare: weighted shares of each one's content words the other has, and whether they agree on kind and year. */
export interface WordingMatch {
  /** Share of the question's words in the wording. */
  recall: number;
  /** Share of the wording's words in the question. */
  precision: number;
  /** Both ask for the same kind of thing (or one of them names none). */
  kindsAgree: boolean;
  /** Neither dates a year the other does not (a question's "năm nay" is `currentYear`). */
  yearsAgree: boolean;
  /** They write the same numbers ("tầng 3" is not "tầng 2"), or one of them writes none. */
  numbersAgree: boolean;
}

/**
 * Compare a question with one wording; `currentYear` stands for "năm nay" in the question. An abbreviation on one
 * side counts as present when the other side writes one of its `abbreviations` out ("BHYT", "bảo hiểm y tế").
 */
export function compareWording(
  question: QueryPlan,
  wording: QueryPlan,
  currentYear: number,
  abbreviations: ReadonlyMap<string, string[]> = new Map(),
): WordingMatch {
  const asked = new Set(question.content.keys());
  const thisYear = / nam nay /.test(` ${foldText(question.text)} `);
  if (thisYear) asked.add(String(currentYear));
  const spelledOut = (t: string, terms: { has(t: string): boolean }) =>
    (abbreviations.get(t) ?? []).some((e) => {
      const syllables = foldText(e).split(' ').filter(Boolean);
      return syllables.length > 0 && syllables.every((s) => terms.has(s));
    });
  const share = (from: Map<string, number>, has: (t: string) => boolean) => {
    let total = 0;
    let got = 0;
    for (const [t, w] of from) {
      total += w;
      if (has(t)) got += w;
    }
    return total > 0 ? got / total : 0;
  };
  const questionYears = thisYear ? [...question.datedYears, currentYear] : question.datedYears;
  return {
    recall: share(question.content, (t) => wording.content.has(t) || spelledOut(t, wording.content)),
    precision: share(wording.content, (t) => asked.has(t) || spelledOut(t, asked)),
    kindsAgree: question.kinds.length === 0 || wording.kinds.length === 0 || question.kinds.some((k) => wording.kinds.includes(k)),
    yearsAgree: questionYears.length === 0 || wording.datedYears.length === 0 || questionYears.some((y) => wording.datedYears.includes(y)),
    numbersAgree:
      question.numbers.size === 0 ||
      wording.numbers.size === 0 ||
      (question.numbers.size === wording.numbers.size && [...question.numbers].every((n) => wording.numbers.has(n))),
  };
}

/** Whether a comparison is close enough for the entry to be put to the decision. */
export function matchesWording(m: WordingMatch, minMatch = FAQ_MIN_MATCH): boolean {
  return m.kindsAgree && m.yearsAgree && m.numbersAgree && Math.min(m.recall, m.precision) >= minMatch;
}
