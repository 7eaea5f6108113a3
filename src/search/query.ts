import { idf, type ArticleIndex } from './article-index.js';
import { clauses, foldToken, foldTokens, hasDiacritics, isPair, isVietnameseSyllable, pairTerm } from './analyzer.js';
import { expandShorthand, isProvinceMatch, type Lexicon, type Province, type QuestionKind } from './lexicon.js';
import { sliceChars } from '../text/normalize.js';
import { WORDS } from './words.js';

/** The longest question the engine reads, in characters (code points) after NFC; the chat layer refuses longer messages before this. */
export const MAX_QUERY_CHARS = 2000;
/** At most this many terms drive one lookup, whatever the length of the message. */
export const MAX_QUERY_TERMS = 24;
/** Syllables in more than this share of documents are not looked up alone (pairs still carry them). */
const COMMON_SYLLABLE_SHARE = 0.12;
/**
 * Accented forms in more than this share of the documents ("có", "không", "người") are not looked up: their
 * idf is near zero, yet they were most of the postings read for a long question (dev: recall@1 unchanged on
 * the domain set and alqac, −0.002 on uit; lookup p50 at 58k 5.8 → 4.4 ms).
 */
const EXACT_SHARE = 0.5;

/** Tuning knobs of query planning (defaults tuned on the dev splits). */
export interface PlanWeights {
  pair: number;
  syllable: number;
  stopword: number;
  expansion: number;
  /** Weight of an abbreviation found for a spelled-out phrase ("quyết định" → "qd"). */
  reverseExpansion: number;
  /** Weight of an accented syllable looked up as written (besides its folded form). */
  exact: number;
  /** Weight of a question word ("ai", "nào") looked up alone. */
  questionWord: number;
  /**
   * How much a pair is held back when its two syllables are about as rare as the pair itself (0: not at all, 1:
   * to nothing). In a small corpus "sao_mộc" says little more than "mộc" does; "mặt_trận" says much more than "mặt".
   */
  pairRedundancy: number;
  /** Weight factor of a pair with a grammatical word in it ("của_sao", "nguồn_từ"): grammar, not a compound. */
  gluePair: number;
  /**
   * Extra weight of a rare word that is not a Vietnamese syllable ("Dota", "Facebook", "Pytheas"): a name, what
   * the question is about. Abbreviations in the lexicon are not counted (they have their expansions).
   */
  foreignWord: number;
}

export const DEFAULT_PLAN_WEIGHTS: PlanWeights = {
  pair: 1.12,
  syllable: 1,
  stopword: 0.2,
  expansion: 0.8,
  reverseExpansion: 0.8,
  questionWord: 0.2,
  exact: 0.25,
  pairRedundancy: 0.8,
  gluePair: 0.4,
  foreignWord: 1,
};
/**
 * Particles that end a question in chat ("… tên gì vậy", "… bao nhiêu tiền v", "… được không hả"). They say
 * nothing about the subject. Some are unambiguous as written ("vậy", "hả", "ạ"); the others are words too
 * ("nha" is also "nhà", "the" "thẻ", "ta" "tạ", unaccented "vay" a loan), so they count only in a run at the end
 * of a clause right after a question word or a yes/no marker, and an accented word only as written.
 */
const END_PARTICLES = {
  unambiguous: new Set(WORDS.endParticles.unambiguous),
  accented: new Set(WORDS.endParticles.accented),
  unaccented: new Set(WORDS.endParticles.unaccented),
  /** Right after "bao nhiêu"/"mấy", where the unit stands ("bao nhiêu nhà", "bao nhieu ha"), only these. */
  inUnitSlot: new Set(WORDS.endParticles.inUnitSlot),
};
/** Yes/no markers after which a particle may end the question ("có … không vậy"): as written, or unaccented. */
const YES_NO = { accented: new Set(WORDS.yesNo.accented), unaccented: new Set(WORDS.yesNo.unaccented) };
/** Words that open a question ("cho mình hỏi …", "xin hỏi …", "vui lòng cho biết …"), folded; cut from the start of its subject. */
const SUBJECT_LEAD_INS = new Set(WORDS.subjectLeadIns);
/** A word weighs as a name ({@link PlanWeights.foreignWord}) only when at most this share of documents has it. */
const FOREIGN_WORD_SHARE = 0.03;

/** A question, analysed for lookup and for answer selection. */
export interface QueryPlan {
  /** The question as received (cleaned, truncated). */
  text: string;
  /** Index terms (folded) → weight. */
  weights: Map<string, number>;
  /** Terms looked up with one edit allowed (unknown words: typos). */
  fuzzy: Set<string>;
  /** Content syllables of the question (folded) → idf, for coverage and sentence scoring. */
  content: Map<string, number>;
  /** Accented forms of content syllables, when the question is accented: folded → exact. */
  exact: Map<string, string>;
  /** Runs of three adjacent syllables of the question (folded, joined by "_"): phrase evidence. */
  triples: Set<string>;
  /** Pairs of the question (folded) → idf. */
  pairs: Map<string, number>;
  provinces: Province[];
  years: number[];
  /** The years the question writes as a date (after "năm", or ending "30/6/2017"), not any four-digit number. */
  datedYears: number[];
  /** Number tokens of the question as written. */
  numbers: Set<string>;
  kinds: QuestionKind[];
  /** What a definition question asks about (folded), e.g. "hoc ky" of "Định nghĩa học kỳ?". */
  subject?: string;
  /**
   * Terms next to a question word in the same clause ("mỗi nhà được *bao nhiêu* tiền" → nhà, được, tiền and
   * their pairs): what is asked about, as opposed to the context the question repeats.
   */
  focus: Set<string>;
  /**
   * What a quantity question counts, folded: the unit in or right after "bao nhiêu" / "mấy" ("bao nhiêu *lần*
   * giám sát" → ["lan"], "bao nhiêu *nhân khẩu*" → ["nhan", "khau"] since the two make one word, "bao nhiêu
   * tiền" → ["tien"]). Empty when the question counts nothing named.
   */
  unit: string[];
  accented: boolean;
}

/** A Roman numeral, lowercased (i to mmm…): "xiv", "viii". */
const ROMAN_NUMERAL = /^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/;
/** Two syllables make one word when their pair is in at least this share of the documents of the rarer one. */
const COMPOUND_SHARE = 0.3;
/** Syllables on each side of a question word that are taken as what the question asks about. */
const FOCUS_WINDOW = 2;

/** Build the lookup plan of a question. */
export function planQuery(question: string, index: ArticleIndex, lexicon: Lexicon, w: PlanWeights = DEFAULT_PLAN_WEIGHTS): QueryPlan {
  const text = sliceChars(question, MAX_QUERY_CHARS);
  const n = Math.max(index.size, 1);
  const sentenceClauses = clauses(text).map((clause) => expandShorthand(clause, lexicon));
  const allTokens = sentenceClauses.flat();
  const accented = hasDiacritics(text);

  const kinds = [...new Set(lexicon.questionWords.find(allTokens).map((m) => m.value))];
  // A one-syllable name written with other accents is no province: "bà Huệ" is not Huế (unaccented "hue" may be).
  const provinceMatches = lexicon.provinceNames.find(allTokens).filter(isProvinceMatch);
  const provinces = [...new Map(provinceMatches.map((m) => [m.value.code, m.value])).values()];
  const years = [...new Set(allTokens.filter((t) => /^(19[4-9]\d|20\d\d)$/.test(t)).map(Number))];
  // A year as a date names it: after "năm" or as the end of a date ("30/6/2017", "6-2017"), after "Tết" and up to two
  // words ("Tết Đinh Mùi 2027", "tet am lich 2027"), or in a span of years ("nhiệm kỳ 2029-2034"); "hỗ trợ 2000
  // hộ" does not.
  const nfc = text.normalize('NFC');
  const datedYears = [
    ...new Set(
      [
        ...[...nfc.matchAll(/(?:(?<![\p{L}\p{M}])(?:năm|nam)\s+|\d[/.-])(19[4-9]\d|20\d\d)(?!\d)/giu)].map((m) => m[1]!),
        ...[...nfc.matchAll(/(?<![\p{L}\p{M}])(?:tết|tet)(?:\s+[\p{L}\p{M}]+){0,2}?\s+(19[4-9]\d|20\d\d)(?!\d)/giu)].map((m) => m[1]!),
        ...[...nfc.matchAll(/(?<![\d/.-])(19[4-9]\d|20\d\d)\s*[-–]\s*(19[4-9]\d|20\d\d)(?!\d)/gu)].flatMap((m) => [m[1]!, m[2]!]),
      ].map(Number),
    ),
  ].sort((a, b) => a - b);
  const questionWordTokens = new Set<number>();
  const questionMatches = lexicon.questionWords.find(allTokens);
  for (const m of questionMatches) for (let i = m.start; i < m.end; i++) questionWordTokens.add(i);
  // One pass over the clauses (positions in allTokens): the syllables of a stop phrase ("đối với", "nghĩa là")
  // weigh as stop words though each alone may not be one, only as written with its accents (unaccented, "vi the"
  // may be "vị thế", "vay la" "khoản vay là"); the words next to a question word are the focus.
  const stopPositions = new Set<number>();
  const focusPositions = new Set<number>();
  /** End particles: no pair is made with them ("nghèo_vậy" is not a phrase of the question). */
  const particlePositions = new Set<number>();
  let clauseStart = 0;
  for (const clause of sentenceClauses) {
    const end = clauseStart + clause.length;
    for (const m of lexicon.stopPhrases.find(clause)) if (m.text === m.value) for (let i = m.start; i < m.end; i++) stopPositions.add(clauseStart + i);
    // The run of particles that ends the clause ("… là gì vậy à"), then what stands before it.
    let run = clause.length;
    const mayBeParticle = (w: string) =>
      END_PARTICLES.unambiguous.has(w) || END_PARTICLES.accented.has(w) || (!hasDiacritics(w) && END_PARTICLES.unaccented.has(w));
    while (run > 1 && mayBeParticle(clause[run - 1]!)) run -= 1;
    if (run < clause.length) {
      const before = clause[run - 1]!;
      const afterQuestionWord = questionWordTokens.has(clauseStart + run - 1);
      const follows = afterQuestionWord || YES_NO.accented.has(before) || (!hasDiacritics(before) && YES_NO.unaccented.has(before));
      // Where the unit of "bao nhiêu" stands, "nha" is a house and "ha" a hectare.
      const unitSlot = afterQuestionWord && /^(nhieu|may|nhiu)$/.test(foldToken(before));
      for (let i = run; i < clause.length; i++) {
        const w = clause[i]!;
        const particle = END_PARTICLES.unambiguous.has(w) || (follows && (!unitSlot || i > run || END_PARTICLES.inUnitSlot.has(w)));
        if (!particle) continue;
        stopPositions.add(clauseStart + i);
        particlePositions.add(clauseStart + i);
      }
    }
    for (const m of questionMatches) {
      if (m.start < clauseStart || m.start >= end) continue;
      for (let i = Math.max(clauseStart, m.start - FOCUS_WINDOW); i < Math.min(end, m.end + FOCUS_WINDOW); i++)
        if (!questionWordTokens.has(i)) focusPositions.add(i);
    }
    clauseStart = end;
  }

  // term → weight; rarity orders the terms when there are too many.
  const candidates = new Map<string, number>();
  const content = new Map<string, number>();
  const exact = new Map<string, string>();
  const pairs = new Map<string, number>();
  const fuzzy = new Set<string>();
  const dfCache = new Map<string, number>();
  const df = (t: string): number => {
    const cached = dfCache.get(t);
    if (cached !== undefined) return cached;
    const v = index.docFrequency(t);
    dfCache.set(t, v);
    return v;
  };
  // Two syllables make one word when their pair is in at least a third of the documents that have the rarer one.
  const isCompound = (u: string, v: string): boolean => {
    const together = df(pairTerm(u, v));
    return together > 0 && together >= COMPOUND_SHARE * Math.min(df(u), df(v));
  };
  const offer = (term: string, weight: number) => {
    const prev = candidates.get(term);
    if (prev === undefined || prev < weight) candidates.set(term, weight);
  };

  const triples = new Set<string>();
  const focus = new Set<string>();
  let position = 0;
  for (const clause of sentenceClauses) {
    const folded = clause.map(foldToken);
    for (let i = 2; i < folded.length; i++) triples.add(`${folded[i - 2]}_${folded[i - 1]}_${folded[i]}`);
    const isGlue = (j: number) =>
      (accented && lexicon.glueWords.has(clause[j]!)) ||
      lexicon.stopwords.has(folded[j]!) ||
      stopPositions.has(position + j) ||
      questionWordTokens.has(position + j);
    folded.forEach((f, i) => {
      const isQuestionWord = questionWordTokens.has(position + i);
      const isStop = lexicon.stopwords.has(f) || stopPositions.has(position + i) || isQuestionWord;
      const share = df(f) / n;
      if (focusPositions.has(position + i)) {
        if (!isStop) focus.add(f);
        if (i > 0 && focusPositions.has(position + i - 1) && !particlePositions.has(position + i)) focus.add(pairTerm(folded[i - 1]!, f));
      }
      // In some document but few: a word no document has is a typo or slang ("mik", "hihi"), not a name.
      // Roman numerals ("khóa XIV", "lần thứ XII") are numbers, not names.
      const name =
        /^[a-z]{3,}$/.test(f) && !ROMAN_NUMERAL.test(f) && !isVietnameseSyllable(f) && !lexicon.abbreviations.has(f) && df(f) > 0 && share <= FOREIGN_WORD_SHARE
          ? 1 + w.foreignWord
          : 1;
      if (!isStop) {
        content.set(f, idf(df(f), n) * name);
        if (accented && hasDiacritics(clause[i]!)) {
          exact.set(f, clause[i]!);
          if (df(clause[i]!) / n <= EXACT_SHARE || folded.length === 1) offer(clause[i]!, w.exact);
        }
      }
      if (df(f) === 0 && f.length >= 4 && !/\d/.test(f)) fuzzy.add(f);
      if (share <= COMMON_SYLLABLE_SHARE || folded.length === 1) offer(f, isQuestionWord ? w.questionWord : isStop ? w.stopword : w.syllable * name);
      if (i > 0) {
        const p = pairTerm(folded[i - 1]!, f);
        const bothStop = isStop && (lexicon.stopwords.has(folded[i - 1]!) || stopPositions.has(position + i - 1) || questionWordTokens.has(position + i - 1));
        if (!bothStop && !particlePositions.has(position + i) && df(p) > 0) {
          pairs.set(p, idf(df(p), n));
          // A pair of two rare syllables says little more than they do; one that joins common syllables is the
          // evidence. A pair with a grammatical word in it ("của_sao", "nguồn_từ", "ra_ngoài") is grammar.
          const redundancy = Math.min(1, Math.min(idf(df(folded[i - 1]!), n), idf(df(f), n)) / idf(df(p), n));
          const glued = isGlue(i - 1) || isGlue(i) ? w.gluePair : 1;
          offer(p, glued * w.pair * (1 - w.pairRedundancy * redundancy));
        }
      }
      const expansions = lexicon.abbreviations.get(f);
      if (expansions) {
        for (const e of expansions) {
          const et = foldTokens(e);
          et.forEach((s, j) => {
            if (!lexicon.stopwords.has(s)) content.set(s, Math.max(content.get(s) ?? 0, idf(df(s), n) * w.expansion));
            if (j > 0) offer(pairTerm(et[j - 1]!, s), w.pair * w.expansion);
            else if (et.length === 1) offer(s, w.expansion);
          });
        }
      }
    });
    for (const m of lexicon.expansions.find(clause)) offer(m.value, w.reverseExpansion);
    position += clause.length;
  }

  // What a quantity question counts: the last syllable of "bao nhiêu tiền", "mấy lần", or the word after "bao
  // nhiêu"; two syllables when they make one word ("nhân khẩu", not "lần giám").
  let unit: string[] = [];
  // Where each clause ends (positions in allTokens): the unit is in the same clause as "bao nhiêu".
  const clauseEnds: number[] = [];
  for (const clause of sentenceClauses) clauseEnds.push((clauseEnds.at(-1) ?? 0) + clause.length);
  for (const m of questionMatches) {
    if (m.value !== 'quantity' || unit.length > 0) continue;
    const last = foldToken(allTokens[m.end - 1]!);
    if (!['nhieu', 'may', 'nhiu'].includes(last)) {
      unit = [last];
      break;
    }
    const clauseEnd = clauseEnds.find((e) => e > m.start) ?? allTokens.length;
    const next = m.end < clauseEnd ? allTokens[m.end] : undefined;
    if (next === undefined || /\d/.test(next) || stopPositions.has(m.end) || lexicon.stopwords.has(foldToken(next)) || lexicon.glueWords.has(next)) continue;
    const u = foldToken(next);
    unit = [u];
    const after = m.end + 1 < clauseEnd ? allTokens[m.end + 1] : undefined;
    if (after !== undefined && !lexicon.stopwords.has(foldToken(after)) && !stopPositions.has(m.end + 1)) {
      const v = foldToken(after);
      if (isCompound(u, v)) unit.push(v);
    }
  }

  // Rare terms first: the lookup cost is the length of the posting lists taken.
  const ranked = [...candidates.entries()]
    .filter(([t]) => df(t) > 0 || fuzzy.has(t))
    .map(([t, weight]) => ({ t, weight, rarity: idf(df(t), n) * (isPair(t) ? 1.2 : 1) }))
    .sort((a, b) => b.rarity - a.rarity)
    .slice(0, MAX_QUERY_TERMS);
  const weights = new Map(ranked.map(({ t, weight }) => [t, weight]));
  for (const f of fuzzy) if (!weights.has(f)) fuzzy.delete(f);
  const numbers = new Set(allTokens.filter((t) => /\d/.test(t)));
  // A definition question ("ĐTBCTL là gì?", "Định nghĩa học kỳ"): what it asks about, without the question words
  // and the particles around them, when that is a short phrase.
  let subject: string | undefined;
  // Only a question that asks nothing else: "UBND là gì và ở đâu" is not a definition question alone.
  if (kinds.length === 1 && kinds[0] === 'definition' && sentenceClauses.length === 1) {
    const words = allTokens.map((t, i) => ({ w: foldToken(t), i })).filter(({ i }) => !questionWordTokens.has(i));
    const lead = (x: { w: string; i: number }) => lexicon.stopwords.has(x.w) || stopPositions.has(x.i) || SUBJECT_LEAD_INS.has(x.w);
    while (words.length > 0 && lead(words[0]!)) words.shift();
    // End particles ("… là gì vậy", "ubnd la gi the") are in stopPositions.
    const tail = (x: { w: string; i: number }) => lexicon.stopwords.has(x.w) || stopPositions.has(x.i);
    while (words.length > 0 && tail(words[words.length - 1]!)) words.pop();
    if (words.length > 0 && words.length <= 6) subject = words.map((x) => x.w).join(' ');
  }
  return { text, weights, fuzzy, content, exact, triples, pairs, provinces, years, datedYears, numbers, kinds, subject, focus, unit, accented };
}
