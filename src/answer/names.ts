/** The names a question writes with capitals: what a candidate that answers it must have. */
import { foldToken, isVietnameseSyllable, pairTerm, tokenize } from '../search/analyzer.js';
import type { ArticleIndex } from '../search/article-index.js';
import { isProvinceMatch, type Lexicon } from '../search/lexicon.js';
import { WORDS } from '../search/words.js';
import { DEFAULT_TUNING, type EngineTuning } from './tuning.js';

/** Runs of two or more capitalised words. */
const CAPITALISED_RUN = /(?<![\p{L}\p{M}])\p{Lu}[\p{Ll}\p{M}]*(?:\s+\p{Lu}[\p{Ll}\p{M}]*)+(?![\p{L}\p{M}])/gu;
/** One capitalised word of Latin letters, at least four. */
const FOREIGN_NAME = /(?<![\p{L}\p{M}])\p{Lu}[a-z]{3,}(?![\p{L}\p{M}])/gu;
/** Where a sentence starts: its first word is capitalised whatever it is. */
const SENTENCE_START = /(?:^|[.?!:;…\n"“”'‘’([«-])\s*$/u;
/** Words of address and titles written before a name ("Bà Võ Thị Dung", "Đồng chí Lê Đức Anh"). */
const HONORIFIC = new Set(WORDS.honorifics);

/**
 * The names a question writes with capitals ("Lại Xuân Môn", "Thủ Thiêm", "Cái Bè"), each as the folded pair of
 * its last two words (how a document that names the person or place has it). Left out: the first word of each
 * sentence, words of address ("Bà", "Ông"), provinces (they have their own rule), pairs common in the index
 * ({@link EngineTuning.namePairShare}), and every run of a question written in Title Case.
 */
export function questionNames(text: string, lexicon: Lexicon, index?: ArticleIndex, tuning: EngineTuning = DEFAULT_TUNING): string[] {
  const words = text.match(/[\p{L}\p{M}]+/gu) ?? [];
  if (words.length >= tuning.titleCaseMinWords && words.filter((w) => /^\p{Lu}/u.test(w)).length > tuning.titleCaseShare * words.length) return [];
  const out = new Set<string>();
  const opensSentence = (at: number) => SENTENCE_START.test(text.slice(0, at));
  const common = (term: string) => index !== undefined && index.docFrequency(term) > Math.max(tuning.namePairMinDocs, tuning.namePairShare * index.size);
  for (const m of text.matchAll(CAPITALISED_RUN)) {
    let run = tokenize(m[0]);
    if (opensSentence(m.index)) run = run.slice(1);
    while (run.length > 0 && HONORIFIC.has(run[0]!)) run = run.slice(1);
    // Cut the run at the provinces it names; what is left on either side may still be a name.
    let cut = 0;
    const parts: string[][] = [];
    for (const p of lexicon.provinceNames.find(run)) {
      if (!isProvinceMatch(p)) continue;
      parts.push(run.slice(cut, p.start));
      cut = p.end;
    }
    parts.push(run.slice(cut));
    for (const part of parts) {
      if (part.length < 2) continue;
      const pair = pairTerm(foldToken(part.at(-2)!), foldToken(part.at(-1)!));
      if (!common(pair)) out.add(pair);
    }
  }
  // One capitalised word not shaped like a Vietnamese syllable ("Venezuela", "Formosa") is a name by itself.
  for (const m of text.matchAll(FOREIGN_NAME)) {
    const folded = foldToken(tokenize(m[0])[0] ?? '');
    if (!opensSentence(m.index) && !isVietnameseSyllable(folded) && !lexicon.abbreviations.has(folded) && !common(folded)) out.add(folded);
  }
  return [...out];
}
