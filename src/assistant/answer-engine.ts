import type { SearchDoc } from '../content/types.js';
import { clauses, cleanText, foldDiacritics, foldToken, isVietnameseSyllable, normalizeText, pairTerm, PAIR_JOINER, tokenize } from '../search/analyzer.js';
import { DEFAULT_SCORING, type ArticleIndex, type Candidate, type Scoring } from '../search/article-index.js';
import { expandShorthand, isProvinceMatch, type Lexicon, type Province, type QuestionKind } from '../search/lexicon.js';
import { DEFAULT_PLAN_WEIGHTS, MAX_QUERY_CHARS, planQuery, type PlanWeights, type QueryPlan } from '../search/query.js';
import { splitSentences, tidySpacing } from '../search/sentences.js';
import { formatDate, messages } from './messages.js';
import { asksToday, isRecent, recencyDays, vietnamToday } from './when.js';

/** A source cited by an answer. */
export interface AnswerSource {
  id: string;
  title: string;
  url?: string;
  publishedAt?: string;
  score: number;
}

/** What the engine replies to one question. */
export interface Answer {
  text: string;
  /** Best first; empty for an answer from the lexicon alone ("UBND là gì?"), which cites no article. */
  sources: AnswerSource[];
  /** 0..1: how much of the question the best passage covers. */
  confidence: number;
  /** What kind of reply this is; `no_answer` questions are recorded for staff. */
  kind: 'answer' | 'no_answer' | 'greeting' | 'thanks' | 'today' | 'empty' | 'too_long';
  /** The quoted sentences, when answered. */
  quote?: string[];
  /** The text without the source link, for channels that show links apart. */
  body?: string;
  /** What another close result adds, quoted after the answer (one of `sources`). */
  also?: { id: string; quote: string[] };
}

/** Tuning of ranking and answer selection (defaults tuned on the dev splits only). */
export interface EngineTuning {
  plan: PlanWeights;
  /** BM25 parameters and field weights of the index lookup. */
  scoring: Scoring;
  /** Weight of the question's three-syllable runs found in a sentence (phrase evidence). */
  tripleWeight: number;
  /** Bonus of a sentence that has what the question asks for (a number, a date, a person). */
  kindBonus: number;
  /** Extra weight, when choosing the sentence to quote, of the terms next to the question word ({@link QueryPlan.focus}). */
  focusWeight: number;
  /** Quote the sentences right after the best one when it announces them or they lean back on it. */
  followOn: boolean;
  /** How much sentences longer than 60 terms are held back when quoting. */
  longSentencePenalty: number;
  /** Candidates re-ranked sentence by sentence. */
  rerankDepth: number;
  bm25Weight: number;
  sentenceWeight: number;
  coverageWeight: number;
  /** Candidates taken from the index; the {@link rerankDepth} most promising of them are re-ranked. */
  wideDepth: number;
  /**
   * The same two for a long question (at least {@link distinctMinTerms} content syllables): it names an event
   * several articles report, and the one that answers is often further down.
   */
  longRerankDepth: number;
  longWideDepth: number;
  /** Below this confidence the engine says it has no information. */
  minConfidence: number;
  provinceBoost: number;
  yearBoost: number;
  /** How much an accented question penalises documents that have its words only without those accents. */
  exactWeight: number;
  /** A second sentence is quoted when it scores at least this share of the best one. */
  secondSentenceRatio: number;
  /** Bonus of a sentence that defines what a definition question asks about ("Học kỳ là …" for "Học kỳ là gì?"). */
  definitionBonus: number;
  /**
   * Bonus, when choosing the sentence to quote, of a sentence with the answer's shape where the question's focus
   * is: a new number next to what is counted ("gần 7500 nhân khẩu" for "có bao nhiêu nhân khẩu"), a date or a
   * person in a sentence with the focus words ("… đồng chủ trì" for "do những ai đồng chủ trì"). Of these, only
   * the count is used to rank documents, with its own weight ({@link rankShape}).
   */
  shapeBonus: number;
  /**
   * A sentence that leans on the one before ("Theo đó, …", "Mục đích là …") is scored, when choosing the quote,
   * with that one's words too, times this weight (0: never); the quote then starts with the sentence before.
   */
  contextWeight: number;
  /**
   * When ranking documents, the bonus of a sentence that states a new number next to what a quantity question
   * counts (the unit it names, when it names one): such a sentence scores this much more and may become the
   * document's best. Of several articles on one event, the one that gives the figure asked for comes first.
   * (Dates and names are too common in news to rank by.) The confidence is computed without it.
   */
  rankShape: number;
  /**
   * Weight, when ranking documents for a long question, of the share of the question a document has with each
   * term weighted by how few of the analysed candidates have it ({@link distinctCoverages}): of several news
   * articles on one event, the one with the question's other words comes first.
   */
  distinctWeight: number;
  /** Content syllables a question needs for {@link distinctWeight} to apply: a short question has no context to repeat. */
  distinctMinTerms: number;
  /** Candidates within this share of the best coverage count as being on the same subject. */
  distinctShare: number;
  /**
   * When the question names a province and an analysed candidate names none of them (by current, former or
   * common name), its score is multiplied by 1 minus this: a news article has no province field to boost.
   */
  provinceMissing: number;
  /** The same for a year the question names ("năm 2017") that a candidate neither mentions nor was published in. */
  yearMissing: number;
  /** The confidence in an answer from an article that lacks the question's province or its dated year is multiplied by this. */
  offPlaceConfidence: number;
  /**
   * The best sentence of the second or third result is quoted after the answer when that result scores at least this
   * share of the first (above 1: never); see `alsoSaid` in {@link createAnswerEngine}.
   */
  alsoRatio: number;
  /** The same for a name the question writes with capitals ("Lại Xuân Môn", "Thủ Thiêm") that a candidate lacks. */
  nameMissing: number;
}

/**
 * Tuned by coordinate ascent on the dev splits only (uit-regulations-wiki, alqac-law, 800 vicov19-faq queries,
 * test/fixtures/domain/questions.jsonl over the 58k corpus); see README "Tuning".
 */
export const DEFAULT_TUNING: EngineTuning = {
  plan: DEFAULT_PLAN_WEIGHTS,
  scoring: DEFAULT_SCORING,
  tripleWeight: 0.3,
  kindBonus: 0.2,
  longSentencePenalty: 0.3,
  focusWeight: 1,
  followOn: true,
  rerankDepth: 12,
  wideDepth: 48,
  longRerankDepth: 20,
  longWideDepth: 80,
  bm25Weight: 0.5,
  sentenceWeight: 0.6,
  coverageWeight: 0.35,
  minConfidence: 0.4,
  provinceBoost: 1.3,
  yearBoost: 1.2,
  exactWeight: 0.1,
  secondSentenceRatio: 0.11,
  definitionBonus: 0.5,
  shapeBonus: 0.8,
  contextWeight: 1,
  rankShape: 0.4,
  distinctWeight: 1,
  distinctMinTerms: 10,
  distinctShare: 0.7,
  provinceMissing: 0.1,
  yearMissing: 0.1,
  nameMissing: 0.3,
  offPlaceConfidence: 0.8,
  alsoRatio: 0.8,
};

interface SentenceInfo {
  text: string;
  terms: Set<string>;
  exact: Set<string>;
  triples: Set<string>;
  /** Numbers that are not years ("2,3", "5000", "100%"). */
  numbers: string[];
  hasDate: boolean;
  hasPerson: boolean;
  /** Names a place: "tại ấp Hoà Định", "ở Nghĩa trang thành phố", "huyện Lai Vung", or a province ("Tỉnh ủy Hưng Yên"). */
  hasPlace: boolean;
  /** Its words, made when first needed ({@link sentenceWords}). */
  words?: SentenceWords;
}

/** The words of a sentence, in order (only definition and quantity questions need them). */
interface SentenceWords {
  /** Tokens as written (normalized, accented). */
  written: string[];
  /** The same, folded. */
  folded: string[];
  /** What stands before each token in the normalized text ("-" in "2-6", ", " in "ngày 5, 30 hộ"). */
  gaps: string[];
  /** The folded tokens joined by spaces, padded with a space at each end. */
  text: string;
}

const pairedFocusOf = new WeakMap<QueryPlan, Set<string>>();
/** The focus syllables that are part of a focus compound (they count only within it). */
function pairedFocus(plan: QueryPlan): Set<string> {
  let out = pairedFocusOf.get(plan);
  if (!out) {
    out = new Set<string>();
    for (const t of plan.focus) if (t.includes(PAIR_JOINER)) for (const part of t.split(PAIR_JOINER)) out.add(part);
    pairedFocusOf.set(plan, out);
  }
  return out;
}

/** Words before the day of a date or the hour of a time, as written ("ngày 2-6", "chiều 13.5", "lúc 16 giờ"; not "tới 140 nghìn"). */
const DATE_HEAD = new Set(['ngày', 'sáng', 'chiều', 'trưa', 'tối', 'đêm', 'hôm', 'lúc', 'tháng']);
/** Words that make "ngày", "tháng" a rate, not a date: "mỗi ngày 500 lượt khách". */
const EVERY = new Set(['mỗi', 'hằng', 'hàng']);

/** Units of an amount of money, folded: "50 triệu đồng" answers "bao nhiêu tiền". */
const MONEY_UNITS = new Set(['dong', 'trieu', 'ty', 'nghin', 'ngan', 'usd', 'vnd']);

/**
 * Whether the number at position i of a sentence is part of a date or a time of day: the day or hour after
 * "ngày", "chiều", "lúc"… ("ngày 5", "chiều 13.5"), the month joined to it ("2-6", "13/5"), an hour before "h" /
 * "giờ" and the minutes after it ("16 giờ 30", "17h30") — within the range of each, and not after "mỗi ngày"
 * ("mỗi ngày 500 lượt") nor across a comma ("ngày 5, 30 hộ dân"). A question that counts hours keeps them.
 */
function isDateOrTime(w: SentenceWords, i: number, countsHours: boolean): boolean {
  const { written, folded, gaps } = w;
  const value = /^\d+$/.test(written[i]!) ? Number(written[i]) : Number.NaN;
  if (Number.isNaN(value)) return false;
  const spaced = (k: number) => k > 0 && k < written.length && /^\s+$/.test(gaps[k]!);
  const isNumber = (k: number) => k >= 0 && /^\d+$/.test(written[k] ?? '');
  const head = (k: number) => k >= 0 && DATE_HEAD.has(written[k]!) && !EVERY.has(written[k - 1] ?? '');
  // The day or hour right after its head word.
  if (spaced(i) && head(i - 1)) return value <= (written[i - 1] === 'tháng' ? 12 : 31);
  // The month joined to the day: "2-6", "13.5", "13/5".
  if (/^[-/.]$/.test(gaps[i] ?? '') && isNumber(i - 1) && spaced(i - 1) && head(i - 2)) return value <= 12;
  if (countsHours) return false;
  // The hour before "giờ"/"h", the minutes after it.
  if (/^(h|gio)$/.test(folded[i + 1] ?? '') && value <= 24) return true;
  return /^(h|gio)$/.test(folded[i - 1] ?? '') && isNumber(i - 2) && value < 60;
}

/**
 * Whether a sentence counts what a quantity question asks about: a new number within three words of a focus word
 * of the question ("gần 7500 nhân khẩu" for "bao nhiêu nhân khẩu", "trị giá 30 triệu đồng" for "trị giá bao
 * nhiêu"), or of a unit of money when it asks "bao nhiêu tiền". A year, a date or a time of day is no count
 * ({@link isDateOrTime}). `unitOnly`: when the question names what it counts ("bao nhiêu *hộ*", "bao nhiêu
 * tiền"), only that counts, not the other words next to the question word ("xảy ra mấy vụ" is not answered by
 * "đã xảy ra 2 trận lũ").
 */
function countsFocus(s: SentenceInfo, plan: QueryPlan, unitOnly = false): boolean {
  const sw = sentenceWords(s);
  const words = sw.folded;
  const money = plan.focus.has('tien') || plan.unit[0] === 'tien';
  const unit = plan.unit;
  const named = unitOnly && (unit.length > 0 || money);
  // The unit the question counts, where it starts or ends at j ("178 ngàn *lần*", "7500 *nhân khẩu*").
  const isUnit = (j: number): boolean =>
    unit.length > 0 && [j, j - unit.length + 1].some((start) => start >= 0 && unit.every((u, k) => words[start + k] === u));
  // A focus compound counts as a whole ("nhân khẩu", not the "nhân" of "nhân kỷ niệm").
  const inPairs = pairedFocus(plan);
  const counted = (j: number): boolean => {
    const w = words[j]!;
    if (/\d/.test(w)) return false;
    if ((money && MONEY_UNITS.has(w)) || isUnit(j)) return true;
    if (named) return false;
    // A superlative answers another ("phạt nặng nhất" → "Hình phạt cao nhất lên đến 5 tỷ đồng").
    if (w === 'nhat' && j > 0 && superlative(plan)) return true;
    if (!inPairs.has(w)) return plan.focus.has(w);
    return (j > 0 && plan.focus.has(pairTerm(words[j - 1]!, w))) || (j + 1 < words.length && plan.focus.has(pairTerm(w, words[j + 1]!)));
  };
  const countsHours = unit.includes('gio');
  for (let i = 0; i < words.length; i++) {
    // A year is not a count ("năm 2024" for "bao nhiêu năm"), nor a date.
    if (!/\d/.test(words[i]!) || plan.numbers.has(words[i]!) || /^(19|20)\d\d$/.test(words[i]!) || isDateOrTime(sw, i, countsHours)) continue;
    for (let j = Math.max(0, i - 3); j <= i + 3 && j < words.length; j++) if (j !== i && counted(j)) return true;
  }
  return false;
}

/** Whether the question's focus has a superlative ("nặng nhất", "nhiều nhất"). */
function superlative(plan: QueryPlan): boolean {
  for (const t of plan.focus) if (t.endsWith(`${PAIR_JOINER}nhat`)) return true;
  return false;
}

/** Whether a sentence has what the question asks about: a focus compound, or a focus syllable outside them. */
function hasFocus(s: SentenceInfo, plan: QueryPlan): boolean {
  const inPairs = pairedFocus(plan);
  for (const t of plan.focus) if ((t.includes(PAIR_JOINER) || !inPairs.has(t)) && s.terms.has(t)) return true;
  return false;
}

/**
 * Whether a sentence defines one of the given names: it starts with the name, and "là" follows within three words
 * ("Mặt trận Tổ quốc Việt Nam là …", "ĐHQG là viết tắt của …"; not "Chủ tịch Ủy ban nhân dân là ông …").
 */
function definesSubject(sentence: string, names: string[]): boolean {
  const words = tokenize(sentence).map(foldToken);
  return names.some((name) => {
    const n = tokenize(name).map(foldToken);
    if (n.length === 0 || n.some((w, i) => words[i] !== w)) return false;
    return words.slice(n.length, n.length + 4).includes('la');
  });
}

/** The words of a sentence, made once, on demand. */
function sentenceWords(s: SentenceInfo): SentenceWords {
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

interface DocInfo {
  sentences: SentenceInfo[];
  terms: Set<string>;
  /** Exact (accented) tokens of the whole document. */
  exact: Set<string>;
}

/** One re-ranked result. */
export interface RankedResult {
  doc: SearchDoc;
  score: number;
  bm25: number;
  coverage: number;
  best: { index: number; score: number }[];
  info: DocInfo;
  /** It lacks the province or the dated year the question gives (it names none of its provinces, or none of its years). */
  offPlace: boolean;
}

// "hi" is read as "hy" (one spelling of i/y: see the analyzer).
const GREETING = /^(xin chao|chao|hello|hi|hy|alo|hey|chao buoi sang|chao buoi toi)( (ban|bot|ad|admin|anh|chi|em|mat tran|tro ly))*$/;
const THANKS = /^((ok|vang|da|uh|oke)\s)?(cam on|thank|thanks|tks|thank you|camon)( (ban|bot|ad|nhieu|nhe|nha|a|anh|chi|em))*$/;
/** Words a citizen calls the bot by; cut from the question when used to address it ("… vậy bot", "ad ơi, …"). */
const CALLED = '(?:bot|ad|admin)';
/** Sentence-final particles that put a following "bot" in the vocative ("… vậy bot", "… nhé ad"). */
const PARTICLE = '(?:vậy|vay|nhé|nhe|nha|nhen|ạ|à|hả|nhỉ|nhi)';
const CALL_WORD = '(?:ơi|oi|à)';
const POLITE_END = '(?:\\s+(?:ạ|a|nhé|nhe|nha))?[\\s.!?…]*$';
const VOCATIVE_HEAD = new RegExp(`^\\s*(?:(?:chào|chao|hi|hello|alo)\\s+)?${CALLED}\\s+${CALL_WORD}(?=[\\s,.:;!?…-]|$)[\\s,.:;!?…-]*`, 'iu');
const VOCATIVE_TAIL = [
  // "… vậy bot", "… nhé ad ơi"
  new RegExp(`(\\s${PARTICLE})\\s+${CALLED}(?:\\s+${CALL_WORD})?${POLITE_END}`, 'iu'),
  // "… bot ơi", "… ad ơi ạ"
  new RegExp(`()[\\s,]+${CALLED}\\s+(?:ơi|oi)${POLITE_END}`, 'iu'),
  // "…, ad?", "… ad ạ" (not "bot": "hình thức BT, BOT" is a list)
  new RegExp(`(),\\s*(?:ad|admin)[\\s.!?…]*$`, 'iu'),
  new RegExp(`()\\s+(?:ad|admin)\\s+(?:ạ|nhé|nha)[\\s.!?…]*$`, 'iu'),
];

/** Verbs of a task the bot does not do, as written or without accents ("tính" but not "tỉnh"). */
const TASK_VERBS = new Set(['viết', 'viet', 'soạn', 'soan', 'tính', 'tinh', 'dịch', 'dich', 'hát', 'hat', 'nhắc', 'nhac', 'vẽ']);
const HELPING = new Set(['giúp', 'giup', 'dùm', 'dum', 'giùm', 'gium']);
/** The asker, as the one the task is for ("viết giúp *tôi*", "hát cho *mình* nghe"). */
const ME = new Set(['tôi', 'toi', 'tui', 'mình', 'minh', 'em', 'tớ']);
/** Words that may come before the verb of a request addressed to the bot ("bạn hãy …", "bot làm ơn …"). */
const REQUEST_LEAD = new Set(['bạn', 'ban', 'bot', 'ad', 'hãy', 'hay', 'làm', 'lam', 'ơn', 'on', 'xin', 'vui', 'lòng', 'long']);
/** A clause that ends like this asks whether something can be done ("… viết giúp bố mẹ đơn được không"). */
const ASKS_WHETHER = /(?:^|\s)(?:không|khong|ko|chưa|chua|được|duoc|đc|dc)$/u;

/**
 * Whether a clause of the message asks the bot to do a task rather than to find something: a verb such as
 * "viết", "tính", "dịch", "hát", "nhắc" at the start of a clause (after "bạn hãy", "làm ơn", "giúp tôi"…),
 * followed by "giúp tôi"/"dùm mình", "cho tôi", or for "nhắc" by "tôi" ("viết giúp tôi một bài thơ", "hát cho
 * tôi nghe", "nhắc tôi 6 giờ sáng mai"). Not a task: the asker as subject ("Em tính cho em trai đi…", "Mình
 * tính giúp bà con…"), help for someone else ("viết giúp bố mẹ đơn"), "tỉnh giúp đỡ …", a clause that asks
 * whether ("… được không"), "kể", "gửi", "tìm" (they ask for information).
 */
export function asksTask(text: string): boolean {
  return clauses(text).some((clause) => {
    if (ASKS_WHETHER.test(clause.join(' '))) return false;
    let i = 0;
    for (;;) {
      if (REQUEST_LEAD.has(clause[i] ?? '')) i += 1;
      else if (HELPING.has(clause[i] ?? '') && ME.has(clause[i + 1] ?? '')) i += 2;
      else break;
    }
    const verb = clause[i];
    if (verb === undefined || !TASK_VERBS.has(verb)) return false;
    const [next = '', after = ''] = clause.slice(i + 1, i + 3);
    if (HELPING.has(next) || next === 'cho') return ME.has(after);
    return (verb === 'nhắc' || verb === 'nhac') && ME.has(next);
  });
}

/**
 * The question without the words that address the bot: "hôm nay ngày bao nhiêu vậy bot" must not be read as a
 * question about BOT toll roads. "phí BOT", "đối với BOT", "hình thức BT, BOT" are left alone.
 */
export function stripVocatives(text: string): string {
  let out = text.normalize('NFC').replace(VOCATIVE_HEAD, '');
  for (const tail of VOCATIVE_TAIL) out = out.replace(tail, '$1');
  return out.trim();
}

const PERSON_TITLE = /(^|\s)(ông|bà|đồng chí|chủ tịch|bí thư|giám đốc|trưởng ban)\s/u;
const NAME_RUN = /[\p{Lu}][\p{Ll}]+\s[\p{Lu}][\p{Ll}]+\s[\p{Lu}][\p{Ll}]+/u;
/**
 * A place: after "tại"/"ở", an administrative unit or a cemetery, a capitalised name — not a legal reference or
 * a meeting ("tại Điều 5", "tại Hội nghị", "văn bản Luật").
 */
export const PLACE = /(?:^|\s)(?:tại|ở|xã|huyện|tỉnh|quận|phường|thị trấn|thị xã|thành phố|TP\.?|ấp|thôn|(?<!văn )bản|làng|nghĩa trang|Nghĩa trang)\s+(?!(?:Điều|Khoản|Chương|Mục|Nghị|Luật|Quyết|Thông|Chỉ|Hội nghị|Đại hội|Kỳ họp|Phiên|Văn bản|Quy)(?![\p{L}\p{M}]))\p{Lu}/u;
const DATE = /\b\d{1,2}[/.-]\d{1,2}\b|\bnăm \d{4}\b|\bngày \d{1,2}\b|\btháng \d{1,2}\b/u;


class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
}

/** Runs of two or more capitalised words. */
const CAPITALISED_RUN = /(?<![\p{L}\p{M}])\p{Lu}[\p{Ll}\p{M}]*(?:\s+\p{Lu}[\p{Ll}\p{M}]*)+(?![\p{L}\p{M}])/gu;
/** One capitalised word of Latin letters, at least four. */
const FOREIGN_NAME = /(?<![\p{L}\p{M}])\p{Lu}[a-z]{3,}(?![\p{L}\p{M}])/gu;
/** Where a sentence starts: its first word is capitalised whatever it is. */
const SENTENCE_START = /(?:^|[.?!:;…\n"“”'‘’(\[«-])\s*$/u;
/** Words of address and titles written before a name ("Bà Võ Thị Dung", "Đồng chí Lê Đức Anh"). */
const HONORIFIC = new Set(['ông', 'bà', 'anh', 'chị', 'em', 'cô', 'chú', 'bác', 'cụ', 'cháu', 'thầy', 'đồng', 'chí']);
/** A pair in more than this share of the documents is a common phrase ("Việt Nam", "Tết Nguyên đán"), no name. */
const NAME_PAIR_SHARE = 0.005;

/**
 * The names a question writes with capitals ("Lại Xuân Môn", "Thủ Thiêm", "Cái Bè"), each as the folded pair of
 * its last two words (how a document that names the person or place has it). Left out: the first word of each
 * sentence, words of address ("Bà", "Ông"), provinces (they have their own rule), pairs common in the index,
 * and every run of a question written in Title Case.
 */
export function questionNames(text: string, lexicon: Lexicon, index?: ArticleIndex): string[] {
  const words = text.match(/[\p{L}\p{M}]+/gu) ?? [];
  if (words.length >= 4 && words.filter((w) => /^\p{Lu}/u.test(w)).length > 0.6 * words.length) return [];
  const out = new Set<string>();
  const opensSentence = (at: number) => SENTENCE_START.test(text.slice(0, at));
  const common = (term: string) => index !== undefined && index.docFrequency(term) > Math.max(2, NAME_PAIR_SHARE * index.size);
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

/** One pass over a sentence: its folded and accented syllables, pairs and triples. */
function analyseSentence(text: string): SentenceInfo {
  const terms = new Set<string>();
  const exact = new Set<string>();
  const triples = new Set<string>();
  for (const clause of clauses(text)) {
    const folded = clause.map(foldToken);
    for (let i = 0; i < clause.length; i++) {
      terms.add(folded[i]!);
      exact.add(clause[i]!);
      if (i > 0) terms.add(pairTerm(folded[i - 1]!, folded[i]!));
      if (i > 1) triples.add(`${folded[i - 2]}${PAIR_JOINER}${folded[i - 1]}${PAIR_JOINER}${folded[i]}`);
    }
  }
  return {
    text,
    terms,
    exact,
    triples,
    numbers: [...exact].filter((t) => /\d/.test(t) && !/^(19|20)\d\d$/.test(t)),
    hasDate: DATE.test(text),
    hasPerson: PERSON_TITLE.test(text.toLowerCase()) || NAME_RUN.test(text),
    hasPlace: PLACE.test(text.charAt(0).toLowerCase() + text.slice(1)),
  };
}

/** `namesPlace`: whether a sentence names a place the lexicon knows (a province), for {@link SentenceInfo.hasPlace}. */
function analyseDoc(doc: SearchDoc, namesPlace: (s: SentenceInfo) => boolean): DocInfo {
  const title = analyseSentence(doc.title);
  const terms = new Set<string>(title.terms);
  const exact = new Set<string>(title.exact);
  const sentences: SentenceInfo[] = [];
  for (const text of splitSentences([doc.summary, doc.body].filter(Boolean).join('\n'))) {
    const sentence = analyseSentence(text);
    if (!sentence.hasPlace) sentence.hasPlace = namesPlace(sentence);
    for (const t of sentence.terms) terms.add(t);
    for (const t of sentence.exact) exact.add(t);
    sentences.push(sentence);
  }
  if (sentences.length === 0 && doc.title) sentences.push(title);
  return { sentences, terms, exact };
}

/**
 * Share of the question's accented words that the document has as written, not only folded. Counted, not
 * idf-weighted: a folded syllable such as "ban" is common (bàn, bán, bản, bạn…) even when the accented word is rare.
 */
function exactness(d: DocInfo, plan: QueryPlan): number {
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
 * Whether a sentence has what the question asks for: a new number next to what a quantity question counts
 * ({@link countsFocus}; only the unit it names, when it names one: "3 yếu tố" does not answer "bao nhiêu cán
 * bộ"), a date, a person or a place for a question about when, who or where (one of them when it asks for
 * several); for other questions, the words next to the question word ({@link QueryPlan.focus}), if any.
 */
function hasAnswerShape(s: SentenceInfo, plan: QueryPlan): boolean {
  const shapes: Partial<Record<QuestionKind, () => boolean>> = {
    quantity: () => hasNewNumber(s, plan) && countsFocus(s, plan, true),
    time: () => s.hasDate,
    person: () => s.hasPerson,
    place: () => s.hasPlace,
  };
  const asked = plan.kinds.filter((k) => shapes[k] !== undefined);
  if (asked.length === 0) return plan.focus.size === 0 || hasFocus(s, plan);
  return asked.some((k) => shapes[k]!());
}

/** Whether a sentence has a number the question does not ("2,3 tỷ" for "ủng hộ bao nhiêu"), nor the given ones (a quote's). */
function hasNewNumber(s: SentenceInfo, plan: QueryPlan, said?: Set<string>): boolean {
  return s.numbers.some((x) => !plan.numbers.has(x) && !said?.has(x));
}

function scoreSentence(s: SentenceInfo, plan: QueryPlan, total: number, tuning: EngineTuning, quoting = false): number {
  if (total === 0) return 0;
  let score = 0;
  for (const [term, weight] of plan.content) {
    if (!s.terms.has(term)) continue;
    const exact = plan.exact.get(term);
    score += exact === undefined || s.exact.has(exact) ? weight : weight * 0.6;
  }
  for (const [pair, weight] of plan.pairs) if (s.terms.has(pair)) score += weight * 0.5;
  let norm = score / total;
  if (plan.triples.size > 0) {
    let phrase = 0;
    for (const t of plan.triples) if (s.triples.has(t)) phrase += 1;
    norm += (tuning.tripleWeight * phrase) / plan.triples.size;
  }
  if (plan.kinds.includes('quantity') && hasNewNumber(s, plan)) {
    norm += tuning.kindBonus * 1.5;
    if (quoting && countsFocus(s, plan)) norm += tuning.shapeBonus;
  }
  const dated = plan.kinds.includes('time') && s.hasDate;
  const named = plan.kinds.includes('person') && s.hasPerson;
  norm += tuning.kindBonus * ((dated ? 1 : 0) + (named ? 1 : 0));
  const placed = quoting && plan.kinds.includes('place') && s.hasPlace;
  if (quoting && (dated || named || placed) && hasFocus(s, plan)) norm += tuning.shapeBonus * ((dated ? 1 : 0) + (named ? 1 : 0) + (placed ? 1 : 0));
  if (plan.subject && sentenceWords(s).text.includes(` ${plan.subject} la `)) norm += tuning.definitionBonus;
  if (s.terms.size < 6) norm *= 0.85;
  return norm;
}

/** A sentence of a document ranked for quoting; `context` when it scored with the sentence before it. */
interface RankedSentence {
  index: number;
  score: number;
  context?: boolean;
}

/**
 * Rank the sentences of the chosen document for quoting. Inside one article every sentence shares its context
 * (the place, the organisation named in the question), so a term counts by how few of the article's sentences
 * contain it: the sentence with the question's specific words ("xây bao nhiêu nhà") wins over the lead that
 * repeats its context.
 */
function selectSentences(d: DocInfo, plan: QueryPlan, tuning: EngineTuning): RankedSentence[] {
  const count = d.sentences.length;
  const local = new Map<string, number>();
  for (const [term, weight] of weightedTerms(plan)) {
    let sf = 0;
    for (const s of d.sentences) if (s.terms.has(term)) sf += 1;
    if (sf > 0) local.set(term, weight * Math.log(1 + count / sf) * (plan.focus.has(term) ? 1 + tuning.focusWeight : 1));
  }
  let total = 0;
  for (const w of local.values()) total += w;
  const localPlan: QueryPlan = { ...plan, content: new Map([...local].filter(([t]) => plan.content.has(t))), pairs: new Map([...local].filter(([t]) => plan.pairs.has(t)).map(([t, w]) => [t, w * 2])) };
  // Long sentences cover more words by length alone; a lead that lists everything should not beat the fact.
  const lengthFactor = (s: SentenceInfo) => 1 / (1 + tuning.longSentencePenalty * Math.max(0, s.terms.size / 60 - 1));
  const score = (s: SentenceInfo) => (total > 0 ? scoreSentence(s, localPlan, total, tuning, true) * lengthFactor(s) : 0);
  return d.sentences
    .map((s, index) => {
      const own = score(s);
      // "Theo đó, Nghị quyết gồm 4 chương, 25 điều.": a sentence that leans on the one before is read with it; the
      // answer must still be its own (its numbers, dates and names).
      const before = d.sentences[index - 1];
      if (!before || tuning.contextWeight === 0 || !leansBack(s.text, before.text)) return { index, score: own };
      const merged: SentenceInfo = { ...s, terms: new Set([...before.terms, ...s.terms]), exact: new Set([...before.exact, ...s.exact]), triples: new Set([...before.triples, ...s.triples]) };
      const read = tuning.contextWeight * score(merged);
      return read > own ? { index, score: read, context: true } : { index, score: own };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Whether a sentence leans on the one before it, or that one announces it. */
function leansBack(sentence: string, before: string): boolean {
  return LEANS_BACK.test(sentence.trim().toLowerCase()) || ANNOUNCES.test(before.trim().toLowerCase());
}

/** A sentence that announces what follows ("… các điều kiện sau đây:"): its answer is in the next ones. */
const ANNOUNCES = /(:|sau đây|như sau|gồm|bao gồm)\s*$/u;
/** A sentence that leans on the one before ("Đây là …", "Khối kiến thức này …", "Theo đó, …"). */
export const LEANS_BACK = /^(?:đây|đó|điều này|việc này|theo đó|trong đó|khi đó|do đó|vì vậy|vì thế|tuy nhiên|ngoài ra|riêng|cụ thể|(?:mục đích|lý do|lí do|nguyên nhân) là|(?:\p{L}+ ){1,3}(?:này|đó))(?![\p{L}\p{M}])/u;
/** A quote grows with the sentences it needs up to about this many characters. */
const QUOTE_BUDGET = 450;

/**
 * The sentences to quote, in text order: the best one; the ones right after it when it announces them or they
 * lean back on it; the best of the others that does not restate them ({@link repeats}) when it scores close
 * enough. At most three.
 */
function quoteIndexes(d: DocInfo, ranked: RankedSentence[], tuning: EngineTuning): number[] {
  const top = ranked[0]!;
  // The sentence it leans on comes first when it was read with it.
  const picked = new Set(top.context ? [top.index - 1, top.index] : [top.index]);
  let length = [...picked].reduce((n, i) => n + d.sentences[i]!.text.length, 0);
  if (tuning.followOn) {
    for (let i = top.index + 1; picked.size < 3 && i < d.sentences.length; i++) {
      if (!leansBack(d.sentences[i]!.text, d.sentences[i - 1]!.text)) break;
      if (picked.size > 1 && length + d.sentences[i]!.text.length > QUOTE_BUDGET) break;
      picked.add(i);
      length += d.sentences[i]!.text.length;
    }
  }
  // The best of the others, when it scores close enough and does not repeat what is picked (a lead the body restates).
  const said = [...picked].map((i) => d.sentences[i]!.terms);
  const second = ranked.find((r) => !picked.has(r.index) && !repeats(d.sentences[r.index]!.terms, said));
  if (picked.size < 3 && second && second.score >= top.score * tuning.secondSentenceRatio) picked.add(second.index);
  return [...picked].sort((a, b) => a - b);
}

/** The reply quoting sentences of one document: an article with its title and date, a program with its name. */
function quoteReply(doc: SearchDoc, quote: string[], title: string, url: string | undefined): string {
  return doc.type === 'program' ? messages.programAnswer(quote.join(' '), title, url) : messages.answer(quote.join(' '), title, formatDate(doc.publishedAt), url);
}

/** A sentence with at least this share of its terms (syllables and pairs) in sentences already quoted says nothing new. */
const REPEAT_SHARE = 0.7;

/** Whether a sentence's terms are mostly in the given sentences' terms (a lead the body restates, another report's copy). */
function repeats(terms: Set<string>, said: Set<string>[]): boolean {
  if (terms.size === 0) return true;
  let known = 0;
  for (const t of terms) if (said.some((s) => s.has(t))) known += 1;
  return known >= REPEAT_SHARE * terms.size;
}

const weightedTermsOf = new WeakMap<QueryPlan, [string, number][]>();
/** The question's syllables and pairs with the weight they count by in coverage: a pair counts half. */
function weightedTerms(plan: QueryPlan): [string, number][] {
  let out = weightedTermsOf.get(plan);
  if (!out) weightedTermsOf.set(plan, (out = [...plan.content, ...[...plan.pairs].map(([p, w]): [string, number] => [p, w * 0.5])]));
  return out;
}

function planTotal(plan: QueryPlan): number {
  let total = 0;
  for (const [, w] of weightedTerms(plan)) total += w;
  return total;
}

function coverage(terms: Set<string>, plan: QueryPlan, total: number): number {
  if (total === 0) return 0;
  let got = 0;
  for (const [t, w] of weightedTerms(plan)) if (terms.has(t)) got += w;
  return got / total;
}

/**
 * For a long question, the candidates are often on one subject — news articles on one event all repeat its place,
 * names and date — and what tells them apart is the rest of the question. Each term of the question weighs by its
 * idf times log(1 + candidates / candidates that have it); a document gets its share of that weight, scaled by
 * the share of candidates whose coverage of the question is within {@link EngineTuning.distinctShare} of the
 * best (how much they overlap) and by {@link EngineTuning.distinctWeight}. Pairs count at half weight, as in
 * {@link coverage}; a term no candidate has is left out. Zero for every document of a short question.
 * `coverages`: each document's {@link coverage} of the question.
 */
function distinctCoverages(docs: DocInfo[], coverages: number[], plan: QueryPlan, tuning: EngineTuning): number[] {
  const none = docs.map(() => 0);
  if (tuning.distinctWeight === 0 || plan.content.size < tuning.distinctMinTerms || docs.length === 0) return none;
  const best = Math.max(...coverages);
  const overlap = coverages.filter((c) => c >= tuning.distinctShare * best).length / docs.length;
  const weights: [string, number][] = [];
  let sum = 0;
  for (const [term, weight] of weightedTerms(plan)) {
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

/** Changes to {@link DEFAULT_TUNING}; nested objects are merged field by field. */
export type TuningOverrides = Partial<Omit<EngineTuning, 'plan' | 'scoring'>> & {
  plan?: Partial<PlanWeights>;
  scoring?: Partial<Omit<Scoring, 'fieldBoosts'>> & { fieldBoosts?: Partial<Scoring['fieldBoosts']> };
};

/** Dependencies and settings of the answer engine. */
export interface AnswerEngineOptions {
  index: ArticleIndex;
  lexicon: Lexicon;
  tuning?: TuningOverrides;
  /** The clock, for "hôm nay là thứ mấy?" (default: the system clock). */
  now?: () => Date;
}

/** The answer engine: question → best articles → the sentences that answer it. */
export interface AnswerEngine {
  /** Answer one question. */
  answer(question: string): Answer;
  /** Answer a question from one given document (a choice the user made among close results). */
  answerFrom(question: string, docId: string): Answer | undefined;
  /** Ranked results for a question (re-ranked), best first. */
  rank(question: string, limit?: number): RankedResult[];
  /** Forget cached analysis of a document (after it changed). */
  invalidate(id: string): void;
  readonly tuning: EngineTuning;
}

/** Create the answer engine over an index. */
export function createAnswerEngine(options: AnswerEngineOptions): AnswerEngine {
  const given = options.tuning;
  const tuning: EngineTuning = {
    ...DEFAULT_TUNING,
    ...given,
    plan: { ...DEFAULT_TUNING.plan, ...given?.plan },
    scoring: { ...DEFAULT_TUNING.scoring, ...given?.scoring, fieldBoosts: { ...DEFAULT_TUNING.scoring.fieldBoosts, ...given?.scoring?.fieldBoosts } },
  };
  const { index, lexicon } = options;
  const now = options.now ?? (() => new Date());
  const cache = new Lru<string, DocInfo>(4000);
  /**
   * How each province is recognised in an analysed document, by any of its names: a name of several syllables by
   * its folded pairs, one of a single syllable as written ("Huế", not "Huệ"; "HCM").
   */
  const provinceForms = new Map(
    lexicon.provinces.map((p) => [
      p.code,
      p.names.map((name) => {
        // Pairs never cross a clause break ("Bà Rịa - Vũng Tàu"), in a document or here.
        const parts = clauses(name);
        if (parts.flat().length === 1) return { exact: parts[0]![0]!, pairs: [] };
        const folded = parts.map((clause) => clause.map(foldToken));
        return { exact: undefined, pairs: folded.flatMap((f) => f.slice(1).map((t, i) => pairTerm(f[i]!, t))) };
      }).filter((f) => f.exact !== undefined || f.pairs.length > 0),
    ]),
  );
  /**
   * The provinces' proper names (those the lexicon writes with capitals: "Hòa Bình", "Huế", not "thủ đô" or
   * "hn"), folded with their capitals kept, as whole words ("Hoa Binh"); one of a single syllable also as written
   * ("Huế", not "Huệ").
   */
  const properNames = lexicon.provinces.flatMap((p) => p.names).filter((n) => /^\p{Lu}/u.test(n));
  const properName = new RegExp(`(?<![\\p{L}\\p{N}])(?:${properNames.map((n) => foldDiacritics(n).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const oneSyllable = new Set(properNames.filter((n) => tokenize(n).length === 1).map((n) => normalizeText(n)));
  /**
   * Whether a sentence names a province by its proper name, written with capitals: "Tỉnh ủy Hưng Yên" answers
   * "kiểm tra tỉnh nào" as "tại xã …" answers "ở đâu"; "giữ gìn hòa bình" and "Thái bình" name no place.
   */
  const namesAnyProvince = (s: SentenceInfo): boolean => {
    const asWritten = () => [...oneSyllable].some((n) => s.exact.has(n));
    for (const [name] of foldDiacritics(s.text).matchAll(properName)) if (tokenize(name).length > 1 || asWritten()) return true;
    return false;
  };
  const info = (doc: SearchDoc): DocInfo => {
    let v = cache.get(doc.id);
    if (!v) cache.set(doc.id, (v = analyseDoc(doc, namesAnyProvince)));
    return v;
  };

  /** Whether a document names the province (or has it as its province). */
  const namesProvince = (doc: SearchDoc, d: DocInfo, province: Province): boolean =>
    (doc.province !== undefined && province.names.includes(doc.province)) ||
    (provinceForms.get(province.code) ?? []).some((f) => (f.exact !== undefined ? d.exact.has(f.exact) : f.pairs.every((p) => d.terms.has(p))));

  function rankPlan(plan: QueryPlan, limit: number): RankedResult[] {
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
    const provinces = plan.provinces;
    const years = plan.datedYears.map(String);
    const names = tuning.nameMissing > 0 ? questionNames(plan.text, lexicon, index) : [];
    const hasProvince = (doc: SearchDoc, d: DocInfo) => provinces.length === 0 || provinces.some((p) => namesProvince(doc, d, p));
    const hasYear = (doc: SearchDoc, d: DocInfo) => years.length === 0 || years.some((y) => d.terms.has(y) || doc.publishedAt?.startsWith(y));
    /** The multiplier of a candidate that lacks the question's province, year or name (1 when it has them). */
    const held = (placed: boolean, dated: boolean, d: DocInfo): number =>
      (placed ? 1 : 1 - tuning.provinceMissing) *
      (dated ? 1 : 1 - tuning.yearMissing) *
      (names.length === 0 || names.every((term) => d.terms.has(term)) ? 1 : 1 - tuning.nameMissing);
    const long = plan.content.size >= tuning.distinctMinTerms;
    const rerankDepth = long ? tuning.longRerankDepth : tuning.rerankDepth;
    const wideDepth = long ? tuning.longWideDepth : tuning.wideDepth;
    const found: Candidate[] = index.lookup({ weights: plan.weights, fuzzy: plan.fuzzy, boostDocument, scoring: tuning.scoring, limit: Math.max(rerankDepth, wideDepth, limit) });
    if (found.length === 0) return [];
    const top = found[0]!.score;
    // Sentence analysis is what a question costs: of the wide list, only the rerankDepth candidates that look
    // best by BM25 and by the share of the question's terms they have are analysed.
    const prescore = (c: Candidate) => tuning.bm25Weight * (c.score / top) + tuning.coverageWeight * c.matched;
    const candidates = found.length <= rerankDepth ? found : [...found].sort((a, b) => prescore(b) - prescore(a)).slice(0, Math.max(rerankDepth, limit));
    const total = planTotal(plan);
    const countsAsked = tuning.rankShape > 0 && plan.kinds.includes('quantity');
    const analysed = candidates.slice(0, rerankDepth).map((c) => info(c.doc));
    const coverages = analysed.map((d) => coverage(d.terms, plan, total));
    const distinct = distinctCoverages(analysed, coverages, plan, tuning);
    const ranked = candidates.map((c, rank) => {
      const d = analysed[rank] ?? info(c.doc);
      const scored = d.sentences.map((s, i) => ({ index: i, score: scoreSentence(s, plan, total, tuning) })).sort((a, b) => b.score - a.score);
      const cov = coverages[rank] ?? coverage(d.terms, plan, total);
      // The shape counts in the rank only, not in the confidence: a figure is no evidence that the article is on topic.
      let bestSentence = scored[0]?.score ?? 0;
      if (countsAsked && rank < rerankDepth) {
        // Best first: the first sentence that states the count is the one that gains most.
        for (const { index, score } of scored) {
          if (score + tuning.rankShape <= bestSentence) break;
          const s = d.sentences[index]!;
          if (hasNewNumber(s, plan) && countsFocus(s, plan, true)) {
            bestSentence = score + tuning.rankShape;
            break;
          }
        }
      }
      const bm25 = c.score / top;
      const exactFactor = 1 - tuning.exactWeight * (1 - exactness(d, plan));
      const placed = hasProvince(c.doc, d);
      const dated = hasYear(c.doc, d);
      const score = rank < rerankDepth ? held(placed, dated, d) * exactFactor * (tuning.bm25Weight * bm25 + tuning.sentenceWeight * bestSentence + tuning.coverageWeight * cov + distinct[rank]!) : bm25 * 0.01;
      return { doc: c.doc, score, bm25, coverage: cov, best: scored.slice(0, 3), info: d, offPlace: !placed || !dated };
    });
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, limit);
  }

  const planText = (text: string): QueryPlan => planQuery(text, index, lexicon, tuning.plan);
  /** The plan of a question as received: cleaned, without the words that address the bot. */
  const planOf = (question: string): QueryPlan => planText(stripVocatives(cleanText(question)));

  function answer(question: string): Answer {
    const cleaned = cleanText(question);
    const text = stripVocatives(cleaned);
    // Only calling the bot ("bot ơi"): a greeting.
    if (text === '' && tokenize(cleaned).length > 0) return { text: messages.greeting, sources: [], confidence: 1, kind: 'greeting' };
    if (text === '' || tokenize(text).length === 0) return { text: messages.empty, sources: [], confidence: 0, kind: 'empty' };
    if (text.length > MAX_QUERY_CHARS) return { text: messages.tooLong(MAX_QUERY_CHARS), sources: [], confidence: 0, kind: 'too_long' };
    const folded = tokenize(text).map(foldToken).join(' ');
    if (GREETING.test(folded)) return { text: messages.greeting, sources: [], confidence: 1, kind: 'greeting' };
    if (THANKS.test(folded)) return { text: messages.thanks, sources: [], confidence: 1, kind: 'thanks' };
    if (asksTask(text)) return { text: messages.cannotDo, sources: [], confidence: 0, kind: 'no_answer' };
    if (asksToday(folded)) {
      const today = vietnamToday(now());
      return { text: messages.today(today.weekday, today.date, today.time), sources: [], confidence: 1, kind: 'today' };
    }

    const plan = planText(text);
    // "ngày mai Hà Nội có mưa không": an old forecast is no answer; a recent article among the results is.
    const days = recencyDays(expandShorthand(tokenize(text), lexicon));
    // Nor is an old article's sentence quoted after a recent answer.
    const found = answerPlan(plan, days === undefined ? undefined : (doc) => isRecent(doc.publishedAt, now(), days));
    const isProgram = (id: string) => index.get(id)?.type === 'program';
    if (found.kind === 'answer' && days !== undefined && !isProgram(found.sources[0]!.id) && !isRecent(found.sources[0]!.publishedAt, now(), days)) {
      const recent = found.sources.find((s) => isRecent(s.publishedAt, now(), days));
      const fromRecent = recent && answerFrom(question, recent.id);
      if (fromRecent) return fromRecent;
      const closest = found.sources.slice(0, 3);
      const titles = closest.map((s) => (s.publishedAt ? `${s.title} (${formatDate(s.publishedAt)})` : s.title));
      return { text: messages.noRecentNews(titles), sources: closest, confidence: found.confidence, kind: 'no_answer' };
    }
    // "UBND là gì?", "BHXH là viết tắt của gì?": the lexicon knows; what the articles say follows when they say it.
    const subject = plan.subject;
    const expansions = subject !== undefined ? lexicon.abbreviations.get(subject) : undefined;
    if (subject === undefined || !expansions) return found;
    const written = (tokenize(text).find((t) => foldToken(t) === subject) ?? subject).toUpperCase();
    const line = messages.abbreviation(written, expansions);
    // The articles' answer follows only when it defines the same thing ("ĐHQG là viết tắt của …"), not just any
    // sentence that has the words.
    const defines = found.kind === 'answer' && (found.quote ?? []).some((sentence) => definesSubject(sentence, [subject, ...expansions]));
    // No article is cited for what the lexicon says.
    if (!defines) return { text: line, body: line, sources: [], confidence: 1, kind: 'answer' };
    return { ...found, text: `${line}\n\n${found.text}`, body: `${line}\n\n${found.body ?? found.text}` };
  }

  /** `mayAdd`: which documents may add a sentence after the answer (default: any). */
  function answerPlan(plan: QueryPlan, mayAdd: (doc: SearchDoc) => boolean = () => true): Answer {
    const ranked = rankPlan(plan, 5);
    const sources: AnswerSource[] = ranked.map((r) => ({
      id: r.doc.id,
      title: tidySpacing(r.doc.title) || tidySpacing(r.info.sentences[0]?.text ?? r.doc.id),
      url: r.doc.url,
      publishedAt: r.doc.publishedAt,
      score: Number(r.score.toFixed(4)),
    }));
    const best = ranked[0];
    // An article on another province or another year than the one asked about answers another question.
    const confidence = best ? Math.min(1, 0.5 * best.coverage + 0.5 * (best.best[0]?.score ?? 0)) * (best.offPlace ? tuning.offPlaceConfidence : 1) : 0;
    if (!best || confidence < tuning.minConfidence) {
      return { text: messages.noAnswer(sources.slice(0, 3).map((s) => s.title)), sources: sources.slice(0, 3), confidence, kind: 'no_answer' };
    }
    const indexes = quoteIndexes(best.info, selectSentences(best.info, plan, tuning), tuning);
    const quote = indexes.map((i) => tidySpacing(best.info.sentences[i]!.text));
    const source = sources[0]!;
    const also = alsoSaid(ranked, plan, indexes.map((i) => best.info.sentences[i]!), mayAdd);
    const other = also && sources[also.rank]!;
    const render = (url: string | undefined) => {
      const main = quoteReply(best.doc, quote, source.title, url);
      return also && other ? `${main}\n\n${messages.alsoSaid(also.quote.join(' '), other.title, formatDate(other.publishedAt))}` : main;
    };
    const answer: Answer = { text: render(source.url), body: render(undefined), sources, confidence: Number(confidence.toFixed(4)), kind: 'answer', quote };
    if (also && other) answer.also = { id: other.id, quote: also.quote };
    return answer;
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
  function alsoSaid(ranked: RankedResult[], plan: QueryPlan, quoted: SentenceInfo[], mayAdd: (doc: SearchDoc) => boolean): { rank: number; quote: string[] } | undefined {
    const best = ranked[0]!;
    const said = quoted.map((q) => q.terms);
    const saidNumbers = new Set(quoted.flatMap((q) => q.numbers));
    const year = (doc: SearchDoc) => doc.publishedAt?.slice(0, 4);
    let chosen: { rank: number; quote: string[]; score: number } | undefined;
    for (let rank = 1; rank < Math.min(ranked.length, 3); rank++) {
      const r = ranked[rank]!;
      if (r.score < tuning.alsoRatio * best.score) break;
      if (r.doc.type === 'program' || !mayAdd(r.doc) || (r.offPlace && !best.offPlace)) continue;
      if (year(r.doc) && year(best.doc) && year(r.doc) !== year(best.doc)) continue;
      const top = selectSentences(r.info, plan, tuning)[0];
      const s = top && r.info.sentences[top.index];
      if (!top || !s || repeats(s.terms, said) || !hasAnswerShape(s, plan)) continue;
      if (plan.kinds.includes('quantity') && !hasNewNumber(s, plan, saidNumbers)) continue;
      if (chosen && top.score <= chosen.score) continue;
      // The sentence it leans on comes first, unless the quote already says it.
      const before = top.context ? r.info.sentences[top.index - 1] : undefined;
      const sentences = before && !repeats(before.terms, said) ? [before, s] : [s];
      chosen = { rank, quote: sentences.map((x) => tidySpacing(x.text)), score: top.score };
    }
    return chosen;
  }

  function answerFrom(question: string, docId: string): Answer | undefined {
    const doc = index.get(docId);
    if (!doc) return undefined;
    const plan = planOf(question);
    const d = info(doc);
    const sentences = selectSentences(d, plan, tuning);
    if (sentences.length === 0) return undefined;
    const quoted = quoteIndexes(d, sentences, tuning).map((i) => tidySpacing(d.sentences[i]!.text));
    const title = tidySpacing(doc.title) || quoted.join(' ');
    const render = (url: string | undefined) => quoteReply(doc, quoted, title, url);
    return { text: render(doc.url), body: render(undefined), sources: [{ id: doc.id, title, url: doc.url, publishedAt: doc.publishedAt, score: 1 }], confidence: 1, kind: 'answer', quote: quoted };
  }

  return {
    answer,
    answerFrom,
    rank: (question, limit = 10) => rankPlan(planOf(question), limit),
    invalidate: (id) => cache.delete(id),
    tuning,
  };
}
