/**
 * The answer engine: the pipeline understand → retrieve → rerank → select → decide → compose, then render, with
 * the per-document analysis cached. Each stage is a pure function of its own file; this file only wires them.
 */
import { LRUCache } from 'lru-cache';
import type { SearchDoc } from '../content/types.js';
import type { ArticleIndex } from '../search/article-index.js';
import type { Lexicon } from '../search/lexicon.js';
import type { QueryPlan } from '../search/query.js';
import { tidySpacing } from '../search/sentences.js';
import { analyseDoc, createProvinceFinder } from './analysis.js';
import { closestSources, composeAnswer, composeCurated, composeFrom, composeNoAnswer, onTopic, sourcesOf, type Reply } from './compose.js';
import { decide, decisionFeatures, type Decision, type DecisionFeatures } from './decide.js';
import { compareWording, faqWordings, matchesWording } from './faq.js';
import type { DecisionModel } from './decision-model.js';
import { questionNames } from './names.js';
import { fitsTime, vietnamToday } from './recency.js';
import { renderReply } from './render.js';
import { rerank } from './rerank.js';
import { retrieve } from './retrieve.js';
import { alsoSaid, quoteIndexes, selectSentences } from './select.js';
import { definesSubject } from './shape.js';
import { resolveTuning, type EngineTuning, type TuningOverrides } from './tuning.js';
import type { Answer, DocInfo, RankedResult } from './types.js';
import { planQuestion, understand } from './understand.js';

/** Dependencies and settings of the answer engine. */
export interface AnswerEngineOptions {
  index: ArticleIndex;
  lexicon: Lexicon;
  tuning?: TuningOverrides;
  /** The clock, for "hôm nay là thứ mấy?" (default: the system clock). */
  now?: () => Date;
  /**
   * The decision model (`npm run train:decision`); its threshold is the default `minConfidence`. Without one the
   * confidence is the hand-made mix of `decide.ts`.
   */
  model?: DecisionModel;
  /** The least share of a question's and a curated wording's weighted words the other must have (default 0.75, `faq.ts`). */
  faqMinMatch?: number;
  /** Told each decision with the features it was made from (the evaluation's feature dump). */
  onDecision?: (features: DecisionFeatures, decision: Decision) => void;
}

/** What the engine knows of one answer: the reply, the decision and the features it was made from. */
export interface Explained {
  answer: Answer;
  /** The last decision taken (a curated entry's when one was answered from, else the articles'); absent for a greeting, an empty question… */
  decision?: Decision;
  features?: DecisionFeatures;
  /** The document answered from (or, without an answer, the closest one). */
  from?: { type: SearchDoc['type']; id: string; title: string; url?: string };
}

/** The answer engine: question → best articles → the sentences that answer it. */
export interface AnswerEngine {
  /** Answer one question. */
  answer(question: string): Answer;
  /** Answer one question and say why: the decision, its features and the document (the staff's "try a question"). */
  explain(question: string): Explained;
  /** Answer a question from one given document (a choice the user made among close results). */
  answerFrom(question: string, docId: string): Answer | undefined;
  /** Ranked results for a question (re-ranked), best first; curated entries are left out (they are not articles). */
  rank(question: string, limit?: number): RankedResult[];
  /** Forget the cached analysis of a document (it is also redone whenever the index holds another version of it). */
  invalidate(id: string): void;
  readonly tuning: EngineTuning;
}

/** Create the answer engine over an index. */
export function createAnswerEngine(options: AnswerEngineOptions): AnswerEngine {
  const tuning = resolveTuning({ ...(options.model ? { minConfidence: options.model.threshold } : {}), ...options.tuning });
  const { index, lexicon } = options;
  const now = options.now ?? (() => new Date());
  const provinces = createProvinceFinder(lexicon);
  // Keyed by id, valid only for the document object it was made from: the index replaces the object when an
  // article changes, here or through the change log of another instance, so an old analysis is never used.
  const cache = new LRUCache<string, { doc: SearchDoc; info: DocInfo }>({ max: tuning.cacheSize });
  const analyse = (doc: SearchDoc): DocInfo => {
    const hit = cache.get(doc.id);
    if (hit && hit.doc === doc) return hit.info;
    // A curated entry is matched on its wordings only: its answer is not what a question is compared with.
    const info = analyseDoc(doc.type === 'faq' ? { ...doc, body: '' } : doc, provinces.namesAnyProvince);
    cache.set(doc.id, { doc, info });
    return info;
  };
  const ctx = { index, lexicon, tuning };

  function rankPlan(plan: QueryPlan, names: string[], limit: number): RankedResult[] {
    const retrieved = retrieve(plan, index, tuning, limit);
    return retrieved ? rerank(plan, names, retrieved, { analyse, provinces, tuning }, limit) : [];
  }

  /** The decision last taken and its features, for {@link AnswerEngine.explain}. */
  let last: { features: DecisionFeatures; decision: Decision } | undefined;
  const decideOn = (features: DecisionFeatures): Decision => {
    const decision = decide(features, tuning, options.model);
    last = { features, decision };
    options.onDecision?.(features, decision);
    return decision;
  };

  /** The plans of a curated doc's wordings, made once per version of the doc. */
  const wordingPlans = new WeakMap<SearchDoc, QueryPlan[]>();
  /** Whether the question says what one of a curated doc's wordings says (see `faq.ts`). */
  function saysTheSame(plan: QueryPlan, doc: SearchDoc): boolean {
    let plans = wordingPlans.get(doc);
    if (!plans) {
      plans = faqWordings(doc).map((w) => planQuestion(w, ctx));
      wordingPlans.set(doc, plans);
    }
    const year = Number(vietnamToday(now()).date.slice(-4));
    return plans.some((w) => matchesWording(compareWording(plan, w, year, lexicon.abbreviations), options.faqMinMatch));
  }

  /**
   * `mayAdd`: which documents may add a sentence after the answer (default: any); `eligible`: which may answer at
   * all (default: any). The first curated entry among
   * the candidates that says what the question says is decided first, as if it were the best one, by the same
   * decision; when it is to be answered its whole answer is the reply. Otherwise the articles answer as if there were no entries.
   */
  function answerPlan(plan: QueryPlan, names: string[], mayAdd: (doc: SearchDoc) => boolean = () => true, eligible = mayAdd): Reply {
    const all = rankPlan(plan, names, tuning.answerSources);
    const ranked = all.filter((r) => r.doc.type !== 'faq' && eligible(r.doc));
    const sources = sourcesOf(ranked);
    const curated = all.find((r) => r.doc.type === 'faq' && saysTheSame(plan, r.doc));
    if (curated) {
      const features = decisionFeatures(plan, [curated, ...ranked], selectSentences(curated.info, plan, tuning), tuning);
      const decision = decideOn(features);
      if (decision.answer) return composeCurated(curated.doc, sourcesOf([curated, ...ranked]), decision.confidence);
    }
    const best = ranked[0];
    const sentences = best ? selectSentences(best.info, plan, tuning) : [];
    const features = decisionFeatures(plan, ranked, sentences, tuning);
    const decision = decideOn(features);
    if (!best || !decision.answer) return composeNoAnswer(sourcesOf(onTopic(ranked, tuning)), decision.confidence, tuning);
    const indexes = quoteIndexes(best.info, sentences, tuning);
    const quote = indexes.map((i) => tidySpacing(best.info.sentences[i]!.text));
    const also = alsoSaid(
      ranked,
      plan,
      indexes.map((i) => best.info.sentences[i]!),
      mayAdd,
      tuning,
    );
    return composeAnswer(ranked, sources, quote, decision.confidence, also);
  }

  function replyFrom(plan: QueryPlan, docId: string): Reply | undefined {
    const doc = index.get(docId);
    if (!doc || doc.type === 'faq') return undefined;
    const d = analyse(doc);
    const sentences = selectSentences(d, plan, tuning);
    if (sentences.length === 0) return undefined;
    return composeFrom(
      doc,
      quoteIndexes(d, sentences, tuning).map((i) => tidySpacing(d.sentences[i]!.text)),
    );
  }

  function reply(question: string): Reply {
    const read = understand(question, ctx);
    if (read.kind === 'today') return { kind: 'today', at: now() };
    if (read.kind !== 'question') return { kind: read.kind };
    const { plan, recencyDays: days, abbreviation } = read;
    // About the bot itself ("bot có lưu tin nhắn không"): what staff curated answers it; the articles do not.
    if (read.aboutBot) {
      const curated = answerPlan(plan, read.names);
      return curated.kind === 'curated' ? curated : { kind: 'about_bot' };
    }
    // A question about a time ("ngày mai Hà Nội có mưa không", "năm nay", "năm 2026") is answered only from an
    // article of that time: an old forecast, or last decade's figures, answer another question. Nor is another
    // time's sentence quoted after the answer. Otherwise the reply says there is nothing for that time and names
    // the closest articles with their dates. A program is not news: it answers whenever it runs.
    const asked = { days, years: plan.datedYears, named: plan.years };
    const timed = days !== undefined || asked.named.length > 0;
    const fits = (doc: SearchDoc) => doc.type !== 'article' || fitsTime(asked, doc, analyse(doc).terms, now());
    const found = answerPlan(plan, read.names, timed ? fits : undefined, () => true);
    // A curated answer is current, like a program: the time rule does not hold it back.
    if (found.kind === 'curated') return found;
    const top = found.kind === 'answer' && found.sources[0] ? index.get(found.sources[0].id) : undefined;
    if (found.kind === 'answer' && timed && top && !fits(top)) {
      // The best article of that time, when one is among the results, decided like any other: an article of the
      // right time on another subject does not answer.
      const anyOfTheTime = found.sources.some((s) => {
        const doc = index.get(s.id);
        return doc !== undefined && fits(doc);
      });
      const ofTheTime = anyOfTheTime ? answerPlan(plan, read.names, fits) : undefined;
      if (ofTheTime?.kind === 'answer') return ofTheTime;
      const year = days === undefined ? asked.years[0] : undefined;
      return { kind: 'no_recent', sources: closestSources(found.sources, tuning), confidence: found.confidence, ...(year === undefined ? {} : { year }) };
    }
    // "UBND là gì?", "BHXH là viết tắt của gì?": the lexicon knows; what the articles say follows when they say it.
    if (!abbreviation) return found;
    const { subject, written, expansions } = abbreviation;
    // The articles' answer follows only when it defines the same thing ("ĐHQG là viết tắt của …"), not just any
    // sentence that has the words.
    const defines = found.kind === 'answer' && found.main.quote.some((sentence) => definesSubject(sentence, [subject, ...expansions], tuning));
    if (!defines || found.kind !== 'answer') return { kind: 'abbreviation', written, expansions };
    return { ...found, abbreviation: { written, expansions } };
  }

  return {
    answer: (question) => renderReply(reply(question)),
    explain(question) {
      last = undefined;
      const found = reply(question);
      const answer = renderReply(found);
      const decided = last as { features: DecisionFeatures; decision: Decision } | undefined;
      const doc = found.kind === 'curated' ? found.doc : found.kind === 'answer' ? found.main.doc : undefined;
      const fromId = doc?.id ?? answer.sources[0]?.id;
      const from = fromId === undefined ? undefined : (doc ?? index.get(fromId));
      return {
        answer,
        ...(decided ? { decision: decided.decision, features: decided.features } : {}),
        ...(from ? { from: { type: from.type, id: from.id, title: tidySpacing(from.title), ...(from.url ? { url: from.url } : {}) } } : {}),
      };
    },
    answerFrom(question, docId) {
      const found = replyFrom(planQuestion(question, ctx), docId);
      return found && renderReply(found);
    },
    rank(question, limit = 10) {
      const plan = planQuestion(question, ctx);
      return rankPlan(plan, tuning.nameMissing > 0 ? questionNames(plan.text, lexicon, index, tuning) : [], limit).filter((r) => r.doc.type !== 'faq');
    },
    invalidate: (id) => void cache.delete(id),
    tuning,
  };
}
