import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AnswerEngine } from '../answer/index.js';
import { NO_ANSWER_PREFIX } from '../copy/messages.js';
import { foldDiacritics } from '../search/analyzer.js';
import type { BaselineIndex } from '../search/baseline.js';
import type { SearchDoc } from '../content/types.js';
import { splitSentences, tidySpacing } from '../search/sentences.js';

/** One evaluation query (the format of the evaluation sets under ../shared/eval, read by tests and `cli eval`; a single "answer" string is accepted too). */
export interface EvalQuery {
  id: string;
  query: string;
  relevant: string[];
  answers: string[];
}

const querySchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    query: z.string().min(1),
    relevant: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
    answers: z.array(z.string()).optional(),
    answer: z.string().optional(),
  })
  .transform((q) => ({ id: q.id, query: q.query, relevant: q.relevant, answers: [...(q.answers ?? []), ...(q.answer ? [q.answer] : [])] }));

/** Read a queries JSONL file; broken lines are reported as `file:line: reason`. */
export async function readQueries(file: string): Promise<{ queries: EvalQuery[]; problems: string[] }> {
  const queries: EvalQuery[] = [];
  const problems: string[] = [];
  (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const parsed = querySchema.safeParse(JSON.parse(line));
      if (parsed.success) queries.push(parsed.data);
      else problems.push(`${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    } catch (err) {
      problems.push(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
    }
  });
  return { queries, problems };
}

/** Figures of one system on one query set. */
export interface Figures {
  'recall@1': number;
  'recall@5': number;
  'mrr@10': number;
  /** Share of the questions with expected answers whose reply contains one. */
  answerHit: number | null;
  /** Share of the questions without relevant documents that got "no information". */
  noAnswer: number | null;
  /** Share of the questions with expected answers that got a reply (not "no information") containing none of them. */
  wrongAnswer: number | null;
  /**
   * The part of {@link wrongAnswer} whose reply quotes one of the question's relevant documents: the right article,
   * a sentence of it without the answer (the rest quote another article). Null as wrongAnswer is, or when the
   * system does not say what it quotes.
   */
  wrongSentence: number | null;
}

/** What a system returns for one question: ranked ids, the reply text, and whether it said "no information". */
export interface SystemReply {
  ranked: string[];
  text: string;
  noAnswer: boolean;
  /** 0..1, when the system reports how sure it is (our engine's answer confidence). */
  confidence?: number;
  /** The document the reply quotes first, when the system says. */
  quoted?: string;
}

/** Asks a system one question: the text to send (as written or folded) and the question it comes from. */
export type AskSystem = (text: string, query: EvalQuery) => SystemReply;

/** One question, the reply it got, and whether the reply contains an expected answer. */
export interface Outcome {
  query: EvalQuery;
  reply: SystemReply;
  hit: boolean;
}

/**
 * Normalise for answer matching: NFC, lowercase, whitespace collapsed, no space before , . ; : ! ? % ) or after (:
 * the corpora are tokenised ("18 phiếu ( 19 % )"), the replies tidied ("18 phiếu (19%)").
 */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ ([,.;:!?%)])/g, '$1')
    .replace(/\( /g, '(')
    .trim();
}

const round = (x: number) => Number(x.toFixed(4));

/** Ask a system every question (as written, or without diacritics when `unaccented`). */
export function collect(queries: EvalQuery[], ask: AskSystem, unaccented: boolean): Outcome[] {
  return queries.map((query) => {
    const reply = ask(unaccented ? foldDiacritics(query.query) : query.query, query);
    const text = normalizeForMatch(reply.text);
    return { query, reply, hit: query.answers.some((a) => text.includes(normalizeForMatch(a))) };
  });
}

/** The figures of a set of outcomes. */
export function figuresOf(outcomes: Outcome[]): Figures {
  let withRelevant = 0;
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  let withAnswers = 0;
  let hits = 0;
  let wrong = 0;
  let wrongSentence = 0;
  let toldQuoted = true;
  let empty = 0;
  let saidNo = 0;
  for (const { query: q, reply, hit } of outcomes) {
    if (q.relevant.length > 0) {
      withRelevant += 1;
      const rel = new Set(q.relevant);
      r1 += reply.ranked.slice(0, 1).filter((id) => rel.has(id)).length / rel.size;
      r5 += reply.ranked.slice(0, 5).filter((id) => rel.has(id)).length / rel.size;
      const rank = reply.ranked.slice(0, 10).findIndex((id) => rel.has(id));
      if (rank >= 0) mrr += 1 / (rank + 1);
    } else {
      empty += 1;
      if (reply.noAnswer) saidNo += 1;
    }
    if (q.answers.length > 0) {
      withAnswers += 1;
      if (hit) hits += 1;
      else if (!reply.noAnswer) {
        wrong += 1;
        if (reply.quoted === undefined) toldQuoted = false;
        else if (q.relevant.includes(reply.quoted)) wrongSentence += 1;
      }
    }
  }
  return {
    'recall@1': withRelevant ? round(r1 / withRelevant) : 0,
    'recall@5': withRelevant ? round(r5 / withRelevant) : 0,
    'mrr@10': withRelevant ? round(mrr / withRelevant) : 0,
    answerHit: withAnswers ? round(hits / withAnswers) : null,
    noAnswer: empty ? round(saidNo / empty) : null,
    wrongAnswer: withAnswers ? round(wrong / withAnswers) : null,
    wrongSentence: withAnswers && toldQuoted ? round(wrongSentence / withAnswers) : null,
  };
}

/** Compute the figures of a system over queries. */
export function score(queries: EvalQuery[], ask: AskSystem, unaccented: boolean): Figures {
  return figuresOf(collect(queries, ask, unaccented));
}

/** One row of the risk–coverage table. */
export interface CurveRow {
  /** A reply counts as answered when its confidence is at least this. */
  threshold: number;
  /** Share of all questions answered at this threshold. */
  answered: number;
  /** Share of the answered ones whose reply contains an expected answer; null when none is answered. */
  right: number | null;
}

/**
 * The risk–coverage table of one run: for each threshold from 0 to 1 by `step`, how many questions would be
 * answered if replies below it said "no information", and how many of those were right. The run must keep every
 * reply it can give (our engine with `minConfidence: 0`); a reply without a confidence counts as sure.
 */
export function riskCoverage(outcomes: Outcome[], step = 0.05): CurveRow[] {
  const steps = Math.round(1 / step);
  const rows: CurveRow[] = [];
  for (let i = 0; i <= steps; i++) {
    const threshold = round(i / steps);
    const answered = outcomes.filter((o) => !o.reply.noAnswer && (o.reply.confidence ?? 1) >= threshold);
    rows.push({
      threshold,
      answered: outcomes.length ? round(answered.length / outcomes.length) : 0,
      right: answered.length ? round(answered.filter((o) => o.hit).length / answered.length) : null,
    });
  }
  return rows;
}

/** Our engine as an evaluated system. */
export function oursSystem(engine: AnswerEngine): AskSystem {
  return (q) => {
    const answer = engine.answer(q);
    const ranked = engine.rank(q, 10).map((r) => r.doc.id);
    const noAnswer = answer.kind === 'no_answer' || answer.text.startsWith(NO_ANSWER_PREFIX);
    const quoted = noAnswer ? undefined : answer.sources[0]?.id;
    return { ranked, text: answer.text, noAnswer, confidence: answer.confidence, ...(quoted === undefined ? {} : { quoted }) };
  };
}

/**
 * Default MiniSearch as a system. Its "reply" is what a bot without answer selection would show:
 * the top document's title and its first two sentences. `excluded`: documents it must not return for a question.
 */
export function baselineSystem(baseline: BaselineIndex, docs: Map<string, SearchDoc>, excluded?: (query: EvalQuery) => ReadonlySet<string>): AskSystem {
  return (q, query) => {
    const skip = excluded?.(query);
    const ranked = skip?.size
      ? baseline
          .search(q, 10 + skip.size)
          .filter((id) => !skip.has(id))
          .slice(0, 10)
      : baseline.search(q, 10);
    const top = ranked[0] ? docs.get(ranked[0]) : undefined;
    const text = top ? [top.title, ...splitSentences([top.summary, top.body].join('\n')).slice(0, 2)].map(tidySpacing).join('\n') : '';
    return { ranked, text, noAnswer: ranked.length === 0, ...(ranked[0] === undefined ? {} : { quoted: ranked[0] }) };
  };
}

/** The result object printed by `eval --json`. */
export interface EvalReport {
  queries: number;
  ours: Figures;
  oursUnaccented: Figures;
  baseline: Figures;
  baselineUnaccented: Figures;
  /** `--curve`: our engine's risk–coverage table, questions as written. */
  curve?: CurveRow[];
  /** `--answer-removed`: documents taken out of the corpus per question. */
  answerRemoved?: { meanDocs: number; maxDocs: number };
}
