/**
 * Curated entries (hỏi đáp) are answered only when the question says what one of their wordings says: most of
 * the question's words are in the wording, most of the wording's words are in the question (weighted by how
 * rare each word is), they ask for the same kind of thing (an amount, a place, a definition…) and name the same
 * year, numbers and time from now ("tháng này" is not "tháng sau"). Only then is
 * the entry put to the decision, the same one articles go through.
 */
import type { SearchDoc } from '../content/types.js';
import { foldText, foldToken, tokenize } from '../search/analyzer.js';
import type { QueryPlan } from '../search/query.js';
import { WORDS } from '../search/words.js';

/** The least share of each side's weighted words the other must have (0..1), by default. */
const FAQ_MIN_MATCH = 0.75;

/** A relative-time phrase ("tháng này"): its tokens accented and folded, the time it names ("month:0"). */
interface TimePhrase {
  tokens: string[];
  folded: string[];
  value: string;
  accentedOnly: boolean;
}

const RELATIVE_TIME: TimePhrase[] = (() => {
  const rt = WORDS.relativeTime;
  const accentedOnly = new Set(rt.accentedOnly.flatMap((w) => tokenize(w)));
  const phrase = (text: string, value: string): TimePhrase => {
    const tokens = tokenize(text);
    return { tokens, folded: tokens.map(foldToken), value, accentedOnly: tokens.some((t) => accentedOnly.has(t)) };
  };
  const out = Object.entries(rt.days).map(([text, step]) => phrase(text, `day:${step}`));
  for (const [unit, name] of Object.entries(rt.units))
    for (const [pointer, step] of Object.entries(rt.pointers)) out.push(phrase(`${unit} ${pointer}`, `${name}:${step}`));
  return out.sort((a, b) => b.tokens.length - a.tokens.length);
})();
const NOT_AFTER_TIME = new Set(WORDS.relativeTime.notAfter.flatMap((w) => tokenize(w)));

/**
 * The times a text names from now ("tháng này" → "month:0", "hôm kia" → "day:-2"); unaccented text is read
 * folded, without the phrases that are other words unaccented. A phrase after a number or a word like "mấy"
 * ("3 tháng sau", "mấy tháng nay") is a span, not a named time.
 */
function relativeTimes(text: string, accented: boolean): Set<string> {
  const tokens = tokenize(text);
  const seen = accented ? tokens : tokens.map(foldToken);
  const found = new Set<string>();
  for (let i = 0; i < seen.length; i++) {
    const before = tokens[i - 1];
    if (before !== undefined && (/\d/.test(before) || NOT_AFTER_TIME.has(before) || NOT_AFTER_TIME.has(foldToken(before)))) continue;
    const hit = RELATIVE_TIME.find((p) => {
      if (!accented && p.accentedOnly) return false;
      const want = accented ? p.tokens : p.folded;
      return want.every((w, k) => seen[i + k] === w);
    });
    if (hit) {
      found.add(hit.value);
      i += hit.tokens.length - 1;
    }
  }
  return found;
}

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
  /** They name the same times from now ("tháng này" is not "tháng sau"), or one of them names none. */
  timesAgree: boolean;
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
  const askedTimes = relativeTimes(question.text, question.accented);
  const wordingTimes = relativeTimes(wording.text, wording.accented);
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
    timesAgree:
      askedTimes.size === 0 || wordingTimes.size === 0 || (askedTimes.size === wordingTimes.size && [...askedTimes].every((t) => wordingTimes.has(t))),
  };
}

/** Whether a comparison is close enough for the entry to be put to the decision. */
export function matchesWording(m: WordingMatch, minMatch = FAQ_MIN_MATCH): boolean {
  return m.kindsAgree && m.yearsAgree && m.numbersAgree && m.timesAgree && Math.min(m.recall, m.precision) >= minMatch;
}
