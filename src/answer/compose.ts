/**
 * Stage 6, compose: the reply as structured data — its kind, the quote and its document, the sources, what a
 * second article adds, the confidence. {@link renderReply} turns it into text.
 */
import type { SearchDoc } from '../content/types.js';
import { tidySpacing } from '../search/sentences.js';
import type { AlsoSaid } from './select.js';
import type { EngineTuning } from './tuning.js';
import type { AnswerSource, RankedResult } from './types.js';

/** Sentences quoted from one document. */
export interface Quoted {
  doc: SearchDoc;
  /** The title shown with the quote. */
  title: string;
  quote: string[];
}

/** A reply, before it is rendered. */
export type Reply =
  | { kind: 'greeting' | 'thanks' | 'empty' | 'too_long' | 'task' }
  /** A question about the bot itself that no curated entry answers: the articles do not tell it. */
  | { kind: 'about_bot' }
  | { kind: 'today'; at: Date }
  | { kind: 'no_answer'; sources: AnswerSource[]; confidence: number }
  /** A question about a time (the last few days, now, a year) that no result is of; `year`: the year it dates. */
  | { kind: 'no_recent'; sources: AnswerSource[]; confidence: number; year?: number }
  | {
      kind: 'answer';
      main: Quoted;
      sources: AnswerSource[];
      confidence: number;
      also?: { source: AnswerSource; quote: string[] };
      /** What the lexicon says of the abbreviation asked about, before the quote. */
      abbreviation?: { written: string; expansions: string[] };
    }
  /** An abbreviation answered from the lexicon alone. */
  | { kind: 'abbreviation'; written: string; expansions: string[] }
  /** A curated entry's whole answer (a `faq` doc), as staff wrote it. */
  | { kind: 'curated'; doc: SearchDoc; sources: AnswerSource[]; confidence: number };

/** The sources of re-ranked results, as cited. */
export function sourcesOf(ranked: RankedResult[]): AnswerSource[] {
  return ranked.map((r) => ({
    id: r.doc.id,
    title: tidySpacing(r.doc.title) || tidySpacing(r.info.sentences[0]?.text ?? r.doc.id),
    url: r.doc.url,
    publishedAt: r.doc.publishedAt,
    score: Number(r.score.toFixed(4)),
  }));
}

/** The reply when the decision is not to answer: the closest titles. */
export function composeNoAnswer(sources: AnswerSource[], confidence: number, tuning: EngineTuning): Reply {
  return { kind: 'no_answer', sources: closestSources(sources, tuning), confidence };
}

/** The results a "no information" reply may name: those with enough of the question's words to be on its topic. */
export function onTopic(ranked: RankedResult[], tuning: EngineTuning): RankedResult[] {
  return ranked.filter((r) => r.coverage >= tuning.closestMinCoverage);
}

/** The sources a "no information" reply names: the first few, each on the topic (close to the first's score). */
export function closestSources(sources: AnswerSource[], tuning: EngineTuning): AnswerSource[] {
  const first = sources[0]?.score ?? 0;
  return sources.slice(0, tuning.closestTitles).filter((s) => s.score >= tuning.closestMinShare * first);
}

/** The reply quoting the best result, and what a second one adds. */
export function composeAnswer(ranked: RankedResult[], sources: AnswerSource[], quote: string[], confidence: number, also: AlsoSaid | undefined): Reply {
  const reply: Reply = { kind: 'answer', main: { doc: ranked[0]!.doc, title: sources[0]!.title, quote }, sources, confidence: Number(confidence.toFixed(4)) };
  if (also) reply.also = { source: sources[also.rank]!, quote: also.quote };
  return reply;
}

/** The reply quoting one document the user chose. */
export function composeFrom(doc: SearchDoc, quote: string[]): Reply {
  const title = tidySpacing(doc.title) || quote.join(' ');
  return { kind: 'answer', main: { doc, title, quote }, sources: [{ id: doc.id, title, url: doc.url, publishedAt: doc.publishedAt, score: 1 }], confidence: 1 };
}

/** The reply giving a curated entry's answer; `sources`: the entry first, then the articles ranked after it. */
export function composeCurated(doc: SearchDoc, sources: AnswerSource[], confidence: number): Reply {
  const own = sources.find((s) => s.id === doc.id) ?? { id: doc.id, title: tidySpacing(doc.title), publishedAt: doc.publishedAt, score: 1 };
  return { kind: 'curated', doc, sources: [own, ...sources.filter((s) => s.id !== doc.id)], confidence: Number(confidence.toFixed(4)) };
}
