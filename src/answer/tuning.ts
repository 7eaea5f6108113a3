import { DEFAULT_SCORING, type Scoring } from '../search/article-index.js';
import { DEFAULT_PLAN_WEIGHTS, type PlanWeights } from '../search/query.js';

/**
 * Every weight and threshold of the answer pipeline, in one object. Each field says what it does; how the values
 * were chosen is in the comment on {@link DEFAULT_TUNING} and in docs/answer-engine.md.
 */
export interface EngineTuning {
  /** Weights of query planning (understand). */
  plan: PlanWeights;
  /** BM25 parameters and field weights of the index lookup (retrieve). */
  scoring: Scoring;

  // --- retrieve ---
  /** Candidates taken from the index; the {@link rerankDepth} most promising of them are re-ranked. */
  wideDepth: number;
  /** Candidates re-ranked sentence by sentence. */
  rerankDepth: number;
  /**
   * The same two for a long question (at least {@link distinctMinTerms} content syllables): it names an event
   * several articles report, and the one that answers is often further down.
   */
  longRerankDepth: number;
  longWideDepth: number;
  /** Score multiplier of an item of the province the question names (the item's own province field). */
  provinceBoost: number;
  /** Score multiplier of an item published in a year the question names. */
  yearBoost: number;

  // --- rerank ---
  /** Best sentences kept with each re-ranked result (for inspection; the first is the one that scores). */
  bestSentencesKept: number;
  /** Weight of the BM25 score (relative to the best candidate's) in the re-ranked score and in the prescore. */
  bm25Weight: number;
  /** Weight of the best sentence's score in the re-ranked score. */
  sentenceWeight: number;
  /** Weight of the share of the question's terms the whole document has, in the re-ranked score and the prescore. */
  coverageWeight: number;
  /** Score of a candidate beyond the re-ranked ones: its relative BM25 times this (it stays below all of them). */
  unrankedFactor: number;
  /** In coverage and in the sentence score, a pair of the question counts this share of its weight. */
  pairShare: number;
  /** How much an accented question penalises documents that have its words only without those accents. */
  exactWeight: number;
  /**
   * When ranking documents, the bonus of a sentence that states a new number next to what a quantity question
   * counts (the unit it names, when it names one): such a sentence scores this much more and may become the
   * document's best. Of several articles on one event, the one that gives the figure asked for comes first.
   * (Dates and names are too common in news to rank by.) The confidence is computed without it.
   */
  rankShape: number;
  /**
   * Weight, when ranking documents for a long question, of the share of the question a document has with each
   * term weighted by how few of the analysed candidates have it: of several news articles on one event, the one
   * with the question's other words comes first.
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
  /** The same for a name the question writes with capitals ("Lại Xuân Môn", "Thủ Thiêm") that a candidate lacks. */
  nameMissing: number;
  /** A capitalised pair in more than this share of the documents is a common phrase ("Việt Nam", "Tết Nguyên đán"), no name… */
  namePairShare: number;
  /** …and in more than this many documents, however small the index. */
  namePairMinDocs: number;
  /** A question of at least this many words… */
  titleCaseMinWords: number;
  /** …with more than this share of them capitalised is written in Title Case: its capitals name nothing. */
  titleCaseShare: number;

  // --- sentence score (rerank and select) ---
  /** A question term a sentence has only without the question's accents counts this share of its weight. */
  accentMismatch: number;
  /** Weight of the question's three-syllable runs found in a sentence (phrase evidence). */
  tripleWeight: number;
  /** Bonus of a sentence that has what the question asks for (a date, a person). */
  kindBonus: number;
  /** A new number for a quantity question scores {@link kindBonus} times this. */
  numberBonusFactor: number;
  /**
   * Bonus, when choosing the sentence to quote, of a sentence with the answer's shape where the question's focus
   * is: a new number next to what is counted ("gần 7500 nhân khẩu" for "có bao nhiêu nhân khẩu"), a date, a
   * person or a place in a sentence with the focus words ("… đồng chủ trì" for "do những ai đồng chủ trì").
   */
  shapeBonus: number;
  /** Bonus of a sentence that defines what a definition question asks about ("Học kỳ là …" for "Học kỳ là gì?"). */
  definitionBonus: number;
  /** A sentence with fewer terms (syllables and pairs) than this is short… */
  shortSentenceTerms: number;
  /** …and its score is multiplied by this. */
  shortSentenceFactor: number;
  /** A number within this many words of what the question counts counts it ("gần 7500 nhân khẩu"). */
  countWindow: number;
  /** For the decision: a value of the asked type within this many words of an anchor of the question fills its slot. */
  slotWindow: number;

  // --- select ---
  /** Extra weight, when choosing the sentence to quote, of the terms next to the question word (the plan's focus). */
  focusWeight: number;
  /** When choosing the sentence to quote, pairs weigh this many times their coverage weight. */
  localPairFactor: number;
  /** How much sentences longer than {@link longSentenceTerms} terms are held back when quoting. */
  longSentencePenalty: number;
  /** Terms of a sentence beyond which it is long. */
  longSentenceTerms: number;
  /**
   * A sentence that leans on the one before ("Theo đó, …", "Mục đích là …") is scored, when choosing the quote,
   * with that one's words too, times this weight (0: never); the quote then starts with the sentence before.
   */
  contextWeight: number;
  /** Quote the sentences right after the best one when it announces them or they lean back on it. */
  followOn: boolean;
  /** A quote grows with the sentences it needs up to about this many characters. */
  quoteBudgetChars: number;
  /** At most this many sentences are quoted from one document. */
  maxQuoteSentences: number;
  /** A second sentence is quoted when it scores at least this share of the best one. */
  secondSentenceRatio: number;
  /** A sentence with at least this share of its terms in sentences already quoted says nothing new. */
  repeatShare: number;
  /**
   * The best sentence of the second or third result is quoted after the answer when that result scores at least
   * this share of the first (above 1: never).
   */
  alsoRatio: number;
  /** Results (the first included) among which a second article is looked for. */
  alsoDepth: number;
  /** A definition sentence has "là" within this many words after the name it starts with. */
  definitionWindow: number;

  // --- decide ---
  /** Below this confidence the engine says it has no information. */
  minConfidence: number;
  /** Weight of the document's coverage of the question in the confidence. */
  confidenceCoverage: number;
  /** Weight of the best sentence's score in the confidence. */
  confidenceSentence: number;

  // --- compose ---
  /** Sources kept with an answer. */
  answerSources: number;
  /** Closest titles offered with a "no information" reply. */
  closestTitles: number;
  /** A closest title is offered only when its re-ranked score is at least this share of the first's (on the topic). */
  closestMinShare: number;
  /**
   * And only when its document has at least this share of the question's weighted content words (its coverage):
   * with fewer it shares a word or two, not the topic. The best article of an answerable dev question has less in
   * 2 % of them; over the bundled data/ alone, where most dev questions have no article, two best matches in three.
   */
  closestMinCoverage: number;
  /** Analysed documents kept in memory (each is its sentences' terms). */
  cacheSize: number;
}

/**
 * Weights were chosen by coordinate ascent on the dev splits only (uit-regulations-wiki, alqac-law, 800
 * vicov19-faq queries, test/fixtures/domain/questions.jsonl over the 58k corpus), each step kept when it raised
 * recall@1 and answer accuracy without lowering another set (docs/evaluation.md). The structural constants
 * (pair share, accent mismatch, short and long sentences, quote budget, repeat share, name pair share, Title
 * Case, confidence mix, sources shown, cache size) were set by hand and checked on the same splits.
 */
export const DEFAULT_TUNING: EngineTuning = {
  plan: DEFAULT_PLAN_WEIGHTS,
  scoring: DEFAULT_SCORING,
  wideDepth: 48,
  rerankDepth: 12,
  longRerankDepth: 20,
  longWideDepth: 80,
  provinceBoost: 1.3,
  yearBoost: 1.2,
  bestSentencesKept: 3,
  bm25Weight: 0.5,
  sentenceWeight: 0.6,
  coverageWeight: 0.35,
  unrankedFactor: 0.01,
  pairShare: 0.5,
  exactWeight: 0.1,
  rankShape: 0.4,
  distinctWeight: 1,
  distinctMinTerms: 10,
  distinctShare: 0.7,
  provinceMissing: 0.1,
  yearMissing: 0.1,
  nameMissing: 0.3,
  namePairShare: 0.005,
  namePairMinDocs: 2,
  titleCaseMinWords: 4,
  titleCaseShare: 0.6,
  accentMismatch: 0.6,
  tripleWeight: 0.3,
  kindBonus: 0.2,
  numberBonusFactor: 1.5,
  shapeBonus: 0.8,
  definitionBonus: 0.5,
  shortSentenceTerms: 6,
  shortSentenceFactor: 0.85,
  countWindow: 3,
  slotWindow: 5,
  focusWeight: 1,
  localPairFactor: 2,
  longSentencePenalty: 0.3,
  longSentenceTerms: 60,
  contextWeight: 1,
  followOn: true,
  quoteBudgetChars: 450,
  maxQuoteSentences: 3,
  secondSentenceRatio: 0.11,
  repeatShare: 0.7,
  alsoRatio: 0.8,
  alsoDepth: 3,
  definitionWindow: 4,
  minConfidence: 0.4,
  confidenceCoverage: 0.5,
  confidenceSentence: 0.5,
  answerSources: 5,
  closestTitles: 3,
  closestMinShare: 0.5,
  closestMinCoverage: 0.33,
  cacheSize: 4000,
};

/** Changes to {@link DEFAULT_TUNING}; nested objects are merged field by field. */
export type TuningOverrides = Partial<Omit<EngineTuning, 'plan' | 'scoring'>> & {
  plan?: Partial<PlanWeights>;
  scoring?: Partial<Omit<Scoring, 'fieldBoosts'>> & { fieldBoosts?: Partial<Scoring['fieldBoosts']> };
};

/** The defaults with the given changes. */
export function resolveTuning(given?: TuningOverrides): EngineTuning {
  return {
    ...DEFAULT_TUNING,
    ...given,
    plan: { ...DEFAULT_TUNING.plan, ...given?.plan },
    scoring: { ...DEFAULT_TUNING.scoring, ...given?.scoring, fieldBoosts: { ...DEFAULT_TUNING.scoring.fieldBoosts, ...given?.scoring?.fieldBoosts } },
  };
}
