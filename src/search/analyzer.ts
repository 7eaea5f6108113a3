/**
 * Vietnamese text analysis: pure functions shared by indexing, querying and answer selection.
 *
 * @remarks
 * The index holds diacritic-folded terms only: single syllables ("mat") and adjacent pairs inside one
 * clause ("mat_tran"). Pairs make compound words ("mặt trận", "người nghèo") score as units and are far
 * rarer than syllables, so they drive the search. Accented forms are compared later, when candidates
 * are re-ranked sentence by sentence, so that an accented question still prefers the exact words.
 */

import { cleanInvisible } from '../text/normalize.js';

/** Collapse whitespace and trim, NFC, invisible characters handled: for display and comparisons. */
export { cleanText } from '../text/normalize.js';

const ALL_MARKS = /[\u0300-\u036f]/g;
/** A syllable or a number (digits with inner "." or "," kept together: "2,3", "5.000"). */
const TOKEN = /\d+(?:[.,]\d+)*|[\p{L}\p{M}]+|\d+/gu;
/** Characters that end a clause: pairs are never built across them. */
const CLAUSE_BREAK = /[.,;:!?()[\]{}"“”'‘’«»…\n\r\t|/\\–—-]+/u;

/** Pair separator inside a term; the tokenizer never produces it inside a syllable. */
export const PAIR_JOINER = '_';

/** Remove every diacritic, đ → d. Idempotent. */
export function foldDiacritics(text: string): string {
  return text.normalize('NFD').replace(ALL_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/** True when the text carries any Vietnamese diacritic (including đ). */
export function hasDiacritics(text: string): boolean {
  return foldDiacritics(text) !== text.normalize('NFC');
}

/**
 * One tone-mark convention for syllables ending in "oa", "oe", "uy": the mark goes on the last vowel
 * ("hòa" → "hoà", "thủy" → "thuỷ", "khỏe" → "khoẻ"). Sources disagree on this; both spellings are correct.
 */
function normalizeToneSyllable(syllable: string): string {
  const m = /^(.*?)([ou])([\u0300\u0301\u0303\u0309\u0323])([aey])$/u.exec(syllable.normalize('NFD'));
  if (!m) return syllable;
  const [, head, glide, tone, vowel] = m as unknown as [string, string, string, string, string];
  if (glide === 'o' && vowel === 'y') return syllable;
  if (glide === 'u' && vowel !== 'y') return syllable;
  return (head + glide + vowel + tone).normalize('NFC');
}

/**
 * One spelling where "i" and "y" are the same sound after a consonant: "kí"/"ký", "lí do"/"lý do", "kĩ"/"kỹ",
 * "tỉ"/"tỷ", "công ti"/"công ty", "quí"/"quý", "hi sinh"/"hy sinh", "bác sĩ"/"bác sỹ", "mì"/"mỳ". Both are in
 * use (schoolbooks write "i", the Front's texts and most of the press "y"), and citizens type either; the "y"
 * form is kept. Only syllables whose whole rhyme is that one vowel change ("tai" and "tay" stay apart).
 */
function normalizeIY(syllable: string): string {
  const m = /^(h|k|l|m|s|t|qu)i([\u0300\u0301\u0303\u0309\u0323]?)$/u.exec(syllable.normalize('NFD'));
  return m ? `${m[1]}y${m[2]}`.normalize('NFC') : syllable;
}

/**
 * Memoised per-syllable work: Vietnamese has a few thousand distinct syllables, and Unicode normalisation of
 * each one is the bulk of indexing time otherwise. Bounded so that hostile input cannot grow it forever.
 */
function memo(fn: (s: string) => string, capacity = 200_000): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= capacity) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

/** A syllable without marks shaped like Vietnamese: an onset or none, one to three vowels, a final or none. */
const VIETNAMESE_SYLLABLE = /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnptiouy])?$/;

/** Whether a folded syllable (no marks, đ as d) could be Vietnamese: "nguoi", "quynh"; not "dota", "nginx". */
export function isVietnameseSyllable(folded: string): boolean {
  return VIETNAMESE_SYLLABLE.test(folded);
}

/**
 * The spelling rule of "ng"/"ngh" and "g"/"gh": "ngh" and "gh" are written only before i, e, ê. "ngh"/"gh"
 * before a, o, u (ă â ơ ư) become "ng"/"g" ("nghành" → "ngành", "ghà" → "gà": among the commonest
 * misspellings), and "ng" before i, e, ê becomes "ngh" ("ngiên cứu" → "nghiên cứu", "ngĩa" → "nghĩa").
 * "g" before e/ê is not changed ("gi" is an onset of its own: "gì", "giá").
 */
function normalizeOnset(syllable: string): string {
  const nfd = syllable.normalize('NFD');
  // Only what can be a Vietnamese syllable: foreign words ("Ghana", "nginx") are left as they are.
  const bare = nfd.replace(/\p{M}/gu, '');
  if (!/^n?g/.test(bare) || !isVietnameseSyllable(bare)) return syllable;
  // In NFD, ă â ơ ư are a, a, o, u followed by a combining mark.
  const extra = /^(n?g)h([aou].*)$/u.exec(nfd);
  if (extra) return (extra[1]! + extra[2]!).normalize('NFC');
  const missing = /^ng([ie].*)$/u.exec(nfd);
  if (missing) return `ngh${missing[1]!}`.normalize('NFC');
  return syllable;
}

const toneSyllable = memo((s) => normalizeOnset(normalizeIY(normalizeToneSyllable(s))));

/** The first half of {@link normalizeText}: NFC, control characters removed, lowercase. */
const lowerCase = (text: string) => cleanInvisible(text).normalize('NFC').toLowerCase();

/** NFC, control characters removed, lowercase, one tone-mark convention, one spelling of i/y. */
export function normalizeText(text: string): string {
  return lowerCase(text).replace(/[\p{L}\p{M}]+/gu, toneSyllable);
}

/** Exact (accented, normalized) syllable and number tokens, in order. */
export function tokenize(text: string): string[] {
  return normalizeText(text).match(TOKEN) ?? [];
}

/** Clauses of normalized text, each as its exact tokens; pairs are built inside a clause only. */
export function clauses(text: string): string[][] {
  const out: string[][] = [];
  // normalizeText, with the per-syllable spelling applied to the tokens instead of in a pass of its own over the
  // text: a token of letters is one whole run of letters and marks, the run that pass would have rewritten, and
  // the rewrite keeps it letters, so clause breaks and tokens come out the same. This runs for every sentence
  // of every candidate a question re-ranks.
  for (const part of lowerCase(text).split(CLAUSE_BREAK)) {
    const tokens = part.match(TOKEN);
    if (!tokens) continue;
    for (let i = 0; i < tokens.length; i++) {
      const c = tokens[i]!.charCodeAt(0);
      if (c < 48 || c > 57) tokens[i] = toneSyllable(tokens[i]!);
    }
    out.push(tokens);
  }
  return out;
}

/** Fold one normalized token: diacritics removed. */
export const foldToken: (token: string) => string = memo(foldDiacritics);

/** The folded tokens of a text, in order: "Hòa Bình!" → ["hoa", "binh"]. */
export function foldTokens(text: string): string[] {
  return tokenize(text).map(foldToken);
}

/** A text as its folded tokens joined by single spaces ("Hòa Bình!" → "hoa binh"): the form phrases and word lists are compared in. */
export function foldText(text: string): string {
  return foldTokens(text).join(' ');
}

/** A pair term from two folded syllables. */
export function pairTerm(a: string, b: string): string {
  return a + PAIR_JOINER + b;
}

/** True for a pair term. */
export function isPair(term: string): boolean {
  return term.includes(PAIR_JOINER);
}

/** Which kinds of term beyond folded syllables an index holds (all by default; the benchmark turns them off). */
export interface TermKinds {
  /** Accented syllables as written ("mặt"), next to their folded form. */
  exact: boolean;
  /** Folded adjacent syllable pairs inside a clause ("mat_tran"). */
  pairs: boolean;
}

export const ALL_TERM_KINDS: TermKinds = { exact: true, pairs: true };

/**
 * The terms a text is indexed under: folded syllables, accented syllables as written, and folded adjacent
 * pairs within clauses. Numbers stay one term with their inner separators ("2,3", "5.000").
 */
export function indexTerms(text: string, kinds: TermKinds = ALL_TERM_KINDS): string[] {
  const out: string[] = [];
  for (const clause of clauses(text)) {
    let prev: string | undefined;
    for (const token of clause) {
      const folded = foldToken(token);
      out.push(folded);
      if (kinds.exact && token !== folded) out.push(token);
      if (kinds.pairs && prev !== undefined) out.push(pairTerm(prev, folded));
      prev = folded;
    }
  }
  return out;
}
