/**
 * The decision model's training data: per question, the features the engine decided from, the confidence it gave
 * and whether its reply (every reply kept) contains an expected answer.
 */
import type { Decision, DecisionFeatures } from '../answer/index.js';
import { collect, type AskSystem, type EvalQuery } from './evaluate.js';

/** One line of a feature dump. */
export interface FeatureRow {
  /** The query file's name, with "+removed" for the answer-removed run. */
  set: string;
  id: string;
  /** The question as written (asked folded when `unaccented`). */
  query: string;
  unaccented: boolean;
  /**
   * Whether anything in the corpus as asked answers it: false for unanswerable and answer-removed questions, and
   * for a question none of whose relevant documents is in the corpus, unless its reply holds the answer anyway.
   */
  answerable: boolean;
  /** Whether the reply was an answer rather than "no information" (the engine keeping every reply). */
  answered: boolean;
  /** The reply contains an expected answer. */
  hit: boolean;
  /** 1 when the reply answers the question; 0 when it does not or nothing answers it; null when the set gives no expected answer to check. */
  label: 0 | 1 | null;
  /** The decision the engine made as configured (its confidence); null when no decision was made (a greeting, today's date…). */
  confidence: number | null;
  features: DecisionFeatures | null;
  /** The reply's first 300 characters, to read what a decision was made on. */
  reply: string;
}

/** Where an engine reports its decisions; `take` hands over the latest one and forgets it. */
export interface DecisionProbe {
  onDecision(features: DecisionFeatures, decision: Decision): void;
  take(): { features: DecisionFeatures; decision: Decision } | undefined;
}

/** A probe to pass as the engine's `onDecision`. */
export function createDecisionProbe(): DecisionProbe {
  let last: { features: DecisionFeatures; decision: Decision } | undefined;
  return {
    onDecision: (features, decision) => {
      last = { features, decision };
    },
    take() {
      const seen = last;
      last = undefined;
      return seen;
    },
  };
}

/**
 * Ask every question (as written and folded) of a system whose engine reports to `probe`, and make a row of each.
 * `removed`: the run is the answer-removed one (every question unanswerable). `inCorpus`: whether a document id is
 * in the corpus asked.
 */
export function featureRows(
  set: string,
  queries: EvalQuery[],
  ask: AskSystem,
  probe: DecisionProbe,
  removed: boolean,
  inCorpus: (id: string) => boolean = () => true,
): FeatureRow[] {
  const rows: FeatureRow[] = [];
  for (const unaccented of [false, true]) {
    const seen: ({ features: DecisionFeatures; decision: Decision } | undefined)[] = [];
    const probed: AskSystem = (text, query) => {
      probe.take();
      const reply = ask(text, query);
      seen.push(probe.take());
      return reply;
    };
    collect(queries, probed, unaccented).forEach((o, i) => {
      const decision = seen[i];
      // Asked over a corpus without any of its relevant documents (the bundled data/ alone), a question is
      // answerable only if its reply found the answer elsewhere.
      const present = o.query.relevant.length === 0 || o.query.relevant.some(inCorpus) || o.hit;
      const answerable = !removed && (o.query.answers.length > 0 || o.query.relevant.length > 0) && present;
      const label = !answerable ? 0 : o.query.answers.length > 0 ? (o.hit && !o.reply.noAnswer ? 1 : 0) : null;
      rows.push({
        set: removed ? `${set}+removed` : set,
        id: o.query.id,
        query: o.query.query,
        unaccented,
        answerable,
        answered: !o.reply.noAnswer,
        hit: o.hit,
        label,
        confidence: decision ? decision.decision.confidence : null,
        features: decision?.features ?? null,
        reply: o.reply.text.slice(0, 300),
      });
    });
  }
  return rows;
}
