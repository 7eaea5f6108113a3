/**
 * Analysis of a document for re-ranking and quoting: its sentences, each with its folded and accented terms,
 * pairs and triples, and what it has the shape of (a number, a date, a person, a place).
 */
import type { SearchDoc } from '../content/types.js';
import { clauses, foldDiacritics, foldToken, normalizeText, pairTerm, PAIR_JOINER, tokenize } from '../search/analyzer.js';
import type { Lexicon, Province } from '../search/lexicon.js';
import { splitSentences } from '../search/sentences.js';
import { alternation, WORDS } from '../search/words.js';
import type { DocInfo, SentenceInfo, SentenceWords } from './types.js';

const PERSON_TITLE = new RegExp(`(^|\\s)(${alternation(WORDS.personTitles)})\\s`, 'u');
const NAME_RUN = /[\p{Lu}][\p{Ll}]+\s[\p{Lu}][\p{Ll}]+\s[\p{Lu}][\p{Ll}]+/u;
/**
 * A place: a word of place — a preposition ("tại", "ở") or a noun of a kind of place ("xã", "nghĩa trang") —
 * then a capitalised name; not a legal reference or a meeting ("tại Điều 5", "tại Hội nghị", "văn bản Luật"). A
 * noun of place may itself be capitalised as the start of the name ("Nghĩa trang Liệt sĩ", "Huyện Lai Vung").
 */
const placeHeads = WORDS.place.heads.flatMap((w) => {
  const notAfter = WORDS.place.headNotAfter[w];
  const capitalised = w.charAt(0).toUpperCase() + w.slice(1);
  return [...new Set([w, capitalised])].map((form) => `${notAfter ? `(?<!${alternation([notAfter])} )` : ''}${alternation([form])}`);
});
export const PLACE = new RegExp(`(?:^|\\s)(?:${placeHeads.join('|')})\\s+(?!(?:${alternation(WORDS.place.notPlaces)})(?![\\p{L}\\p{M}]))\\p{Lu}`, 'u');
const DATE = /\b\d{1,2}[/.-]\d{1,2}\b|\bnăm \d{4}\b|\bngày \d{1,2}\b|\btháng \d{1,2}\b/u;

/** A number that is not a year ("2,3", "5000", "100%"); tokens of letters never hold a digit. */
function isCount(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57 && !/^(19|20)\d\d$/.test(token);
}

/** One pass over a sentence: its folded and accented syllables, pairs and triples. */
export function analyseSentence(text: string): SentenceInfo {
  return analyseInto(text);
}

/** {@link analyseSentence}, adding its terms to the document's sets (`into`) in the same pass. */
function analyseInto(text: string, into?: { terms: Set<string>; exact: Set<string> }): SentenceInfo {
  const terms = new Set<string>();
  const exact = new Set<string>();
  const triples = new Set<string>();
  const numbers: string[] = [];
  for (const clause of clauses(text)) {
    let before = '';
    let pair = '';
    for (let i = 0; i < clause.length; i++) {
      const token = clause[i]!;
      const folded = foldToken(token);
      terms.add(folded);
      into?.terms.add(folded);
      if (!exact.has(token)) {
        exact.add(token);
        into?.exact.add(token);
        if (isCount(token)) numbers.push(token);
      }
      if (i > 0) {
        const next = pairTerm(before, folded);
        terms.add(next);
        into?.terms.add(next);
        if (i > 1) triples.add(pair + PAIR_JOINER + folded);
        pair = next;
      }
      before = folded;
    }
  }
  return {
    text,
    terms,
    exact,
    triples,
    numbers,
    hasDate: DATE.test(text),
    hasPerson: PERSON_TITLE.test(text.toLowerCase()) || NAME_RUN.test(text),
    hasPlace: PLACE.test(text.charAt(0).toLowerCase() + text.slice(1)),
  };
}

/** `namesPlace`: whether a sentence names a place the lexicon knows (a province), for {@link SentenceInfo.hasPlace}. */
export function analyseDoc(doc: SearchDoc, namesPlace: (s: SentenceInfo) => boolean): DocInfo {
  // The document's sets take each term as the sentences are read, in the order a union of theirs would have.
  const into = { terms: new Set<string>(), exact: new Set<string>() };
  const title = analyseInto(doc.title, into);
  const sentences: SentenceInfo[] = [];
  for (const text of splitSentences([doc.summary, doc.body].filter(Boolean).join('\n'))) {
    const sentence = analyseInto(text, into);
    if (!sentence.hasPlace) sentence.hasPlace = namesPlace(sentence);
    sentences.push(sentence);
  }
  const { terms, exact } = into;
  if (sentences.length === 0 && doc.title) sentences.push(title);
  return { sentences, terms, exact };
}

/** The words of a sentence, made once, on demand. */
export function sentenceWords(s: SentenceInfo): SentenceWords {
  if (!s.words) {
    const normalized = normalizeText(s.text);
    const written = clauses(s.text).flat();
    const gaps: string[] = [];
    let at = 0;
    for (const w of written) {
      const found = normalized.indexOf(w, at);
      gaps.push(found < 0 ? ' ' : normalized.slice(at, found));
      if (found >= 0) at = found + w.length;
    }
    const folded = written.map(foldToken);
    s.words = { written, folded, gaps, text: ` ${folded.join(' ')} ` };
  }
  return s.words;
}

/** How the lexicon's provinces are found in analysed documents. */
export interface ProvinceFinder {
  /** Whether a sentence names a province by its proper name, written with capitals. */
  namesAnyProvince(s: SentenceInfo): boolean;
  /** Whether a document names the province (or has it as its province). */
  namesProvince(doc: SearchDoc, d: DocInfo, province: Province): boolean;
}

/** Build the province recognition of a lexicon (once per engine). */
export function createProvinceFinder(lexicon: Lexicon): ProvinceFinder {
  /**
   * How each province is recognised in an analysed document, by any of its names: a name of several syllables by
   * its folded pairs, one of a single syllable as written ("Huế", not "Huệ"; "HCM").
   */
  const provinceForms = new Map(
    lexicon.provinces.map((p) => [
      p.code,
      p.names
        .map((name) => {
          // Pairs never cross a clause break ("Bà Rịa - Vũng Tàu"), in a document or here.
          const parts = clauses(name);
          if (parts.flat().length === 1) return { exact: parts[0]![0]!, pairs: [] };
          const folded = parts.map((clause) => clause.map(foldToken));
          return { exact: undefined, pairs: folded.flatMap((f) => f.slice(1).map((t, i) => pairTerm(f[i]!, t))) };
        })
        .filter((f) => f.exact !== undefined || f.pairs.length > 0),
    ]),
  );
  /**
   * The provinces' proper names (those the lexicon writes with capitals: "Hòa Bình", "Huế", not "thủ đô" or
   * "hn"), folded with their capitals kept, as whole words ("Hoa Binh"); one of a single syllable also as written
   * ("Huế", not "Huệ").
   */
  const properNames = lexicon.provinces.flatMap((p) => p.names).filter((n) => /^\p{Lu}/u.test(n));
  const properName = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${properNames.map((n) => foldDiacritics(n).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`,
    'gu',
  );
  const oneSyllable = new Set(properNames.filter((n) => tokenize(n).length === 1).map((n) => normalizeText(n)));
  return {
    // "Tỉnh ủy Hưng Yên" answers "kiểm tra tỉnh nào" as "tại xã …" answers "ở đâu"; "giữ gìn hòa bình" and "Thái bình" name no place.
    namesAnyProvince(s) {
      const asWritten = () => [...oneSyllable].some((n) => s.exact.has(n));
      for (const [name] of foldDiacritics(s.text).matchAll(properName)) if (tokenize(name).length > 1 || asWritten()) return true;
      return false;
    },
    namesProvince: (doc, d, province) =>
      (doc.province !== undefined && province.names.includes(doc.province)) ||
      (provinceForms.get(province.code) ?? []).some((f) => (f.exact !== undefined ? d.exact.has(f.exact) : f.pairs.every((p) => d.terms.has(p)))),
  };
}
