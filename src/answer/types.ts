import type { QuestionKind } from '../search/lexicon.js';
import type { SearchDoc } from '../content/types.js';

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
  /** The number of the curated entry (hỏi đáp) answered from, when the reply is staff's curated answer. */
  faq?: number;
}

/** The words of a sentence, in order (only definition and quantity questions need them). */
export interface SentenceWords {
  /** Tokens as written (normalized, accented). */
  written: string[];
  /** The same, folded. */
  folded: string[];
  /** What stands before each token in the normalized text ("-" in "2-6", ", " in "ngày 5, 30 hộ"). */
  gaps: string[];
  /** The folded tokens joined by spaces, padded with a space at each end. */
  text: string;
}

/** One sentence of a document, analysed once. */
export interface SentenceInfo {
  text: string;
  terms: Set<string>;
  exact: Set<string>;
  triples: Set<string>;
  /** Numbers that are not years ("2,3", "5000", "100%"). */
  numbers: string[];
  hasDate: boolean;
  hasPerson: boolean;
  /** Names a place: "tại ấp Hoà Định", "Nghĩa trang Liệt sĩ", "huyện Lai Vung", or a province the lexicon knows ("Tỉnh ủy Hưng Yên"). */
  hasPlace: boolean;
  /** Its words, made when first needed (`sentenceWords`). */
  words?: SentenceWords;
}

/** One document, analysed once: its sentences and all its terms. */
export interface DocInfo {
  sentences: SentenceInfo[];
  terms: Set<string>;
  /** Exact (accented) tokens of the whole document. */
  exact: Set<string>;
}

/** A sentence of a document ranked for quoting; `context` when it scored with the sentence before it. */
export interface RankedSentence {
  index: number;
  score: number;
  context?: boolean;
}

/** What a re-ranked score is made of, feature by feature (for the decision and for inspection). */
export interface RankFeatures {
  /** BM25 relative to the best candidate's (0..1). */
  bm25: number;
  /** Idf-weighted share of the question's terms the document has (pairs at {@link EngineTuning.pairShare}). */
  coverage: number;
  /** Score of the best sentence, without the rank-only shape bonus. */
  sentence: number;
  /** Score of the best sentence as ranked (with the shape bonus of a sentence that states the count asked for). */
  rankedSentence: number;
  /** Whether a sentence states a new number next to what a quantity question counts. */
  countFound: boolean;
  /** Share of the question that tells this candidate apart from the others (long questions; 0 otherwise). */
  distinct: number;
  /** Share of the question's accented words the document has as written. */
  exactness: number;
  /** Whether it names (or has as its province) one of the question's provinces; true when the question names none. */
  placed: boolean;
  /** Whether it mentions, or was published in, one of the question's dated years; true when the question gives none. */
  dated: boolean;
  /** Whether it has every name the question writes with capitals; true when it writes none. */
  named: boolean;
  /** Whether it was analysed sentence by sentence (within the re-rank depth). */
  reranked: boolean;
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
  features: RankFeatures;
}

/** What the decision may look at, for the best result of one question. */
export interface DecisionFeatures {
  /** Whether any candidate was found. */
  found: boolean;
  /** The best document's idf-weighted coverage of the question's terms (0..1). */
  coverage: number;
  /** The best document's best sentence score (without the rank-only shape bonus). */
  sentence: number;
  /** Coverage of the question's terms by the sentence chosen to quote (0..1). */
  quoteCoverage: number;
  /** Share of the question's focus terms (next to the question word) in the chosen sentence; 1 when it has none. */
  focusInQuote: number;
  /** The same in the whole document. */
  focusInDocument: number;
  /** (first − second) / first of the re-ranked scores; 1 when there is one result. */
  margin: number;
  /** Whether the chosen sentence has what the question asks for (a count, a date, a person, a place, its focus). */
  shapeFound: boolean;
  /** Whether the best document names the question's province (true when it names none). */
  placeAgrees: boolean;
  /** Whether the best document has the question's dated year (true when it gives none). */
  yearAgrees: boolean;
  /** Whether the best document has every name the question writes with capitals (true when it writes none). */
  namesAgree: boolean;
  /** Mean idf of the question's content syllables: how rare its words are. */
  termRarity: number;
  /** How many content terms and focus terms the question has. */
  contentTerms: number;
  focusTerms: number;
  /** The best document's share of the question's accented words as written (0..1). */
  exactness: number;
  /** Whether the best document states a new number next to what a quantity question counts. */
  countFound: boolean;
  /** Share of a long question that tells the best document apart from the others (0 otherwise). */
  distinct: number;
  /** Score of the sentence chosen to quote. */
  quoteScore: number;
  /** Years between the question's dated year and the best document's publication (the least of them; 0 when it gives none). */
  yearGap: number;
  /** Whether the question asks for a typed value: a number, a date, a person, a place, a phone number. */
  slotAsked: boolean;
  /** Whether the quoted sentences have a value of the asked type. */
  valueInQuote: boolean;
  /** Whether they have one within a few words of an anchor of the question (its focus, its rarest words). */
  valueNearAnchor: boolean;
  /** Idf-weighted share of the question's three rarest words that the best document lacks. */
  rareMissing: number;
  /** The same for the quoted sentences. */
  rareMissingQuote: number;
  /** Idf-weighted share of the question's other content syllables (not its three rarest) in the quoted sentences (1 when it has none). */
  othersInQuote: number;
  /** The same in the best document. */
  othersInDocument: number;
  /** How many distinct terms the chosen sentence has (a long sentence matches more words by chance). */
  quoteLength: number;
  /** Whether the question asks for a way to contact someone (a phone number, an email or web address). */
  contactAsked: boolean;
  /** Idf-weighted share of the question's word pairs found in the quoted sentences (1 when it has none). */
  pairsInQuote: number;
  /** The same in the best document. */
  pairsInDocument: number;
  /** Idf-weighted share of the question's content syllables in the best document's title. */
  titleCoverage: number;
  /** Whether the asker speaks of their own case ("nhà em…", "tôi bị…"). */
  personal: boolean;
  /** What the question asks for (who, when, how many, what is…). */
  kinds: QuestionKind[];
}
