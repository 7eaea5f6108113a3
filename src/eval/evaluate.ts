import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AnswerEngine } from '../assistant/answer-engine.js';
import { NO_ANSWER_PREFIX } from '../assistant/messages.js';
import { foldDiacritics } from '../search/analyzer.js';
import type { BaselineIndex } from '../search/baseline.js';
import type { SearchDoc } from '../content/types.js';
import { splitSentences, tidySpacing } from '../search/sentences.js';

/** One evaluation query (format of ../shared/eval; a single "answer" string is accepted too). */
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
  answerHit: number | null;
  noAnswer: number | null;
}

/** What a system returns for one question: ranked ids, the reply text, and whether it said "no information". */
export interface SystemReply {
  ranked: string[];
  text: string;
  noAnswer: boolean;
}

/** Normalise for answer matching: NFC, lowercase, whitespace collapsed, no space before , . ; : ! ? % or after (. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ ([,.;:!?%])/g, '$1')
    .replace(/\( /g, '(')
    .trim();
}

/** Compute the figures of a system over queries. */
export function score(queries: EvalQuery[], ask: (q: string) => SystemReply, unaccented: boolean): Figures {
  let withRelevant = 0;
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  let withAnswers = 0;
  let hits = 0;
  let empty = 0;
  let saidNo = 0;
  for (const q of queries) {
    const reply = ask(unaccented ? foldDiacritics(q.query) : q.query);
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
      const text = normalizeForMatch(reply.text);
      if (q.answers.some((a) => text.includes(normalizeForMatch(a)))) hits += 1;
    }
  }
  const round = (x: number) => Number(x.toFixed(4));
  return {
    'recall@1': withRelevant ? round(r1 / withRelevant) : 0,
    'recall@5': withRelevant ? round(r5 / withRelevant) : 0,
    'mrr@10': withRelevant ? round(mrr / withRelevant) : 0,
    answerHit: withAnswers ? round(hits / withAnswers) : null,
    noAnswer: empty ? round(saidNo / empty) : null,
  };
}

/** Our engine as an evaluated system. */
export function oursSystem(engine: AnswerEngine): (q: string) => SystemReply {
  return (q) => {
    const answer = engine.answer(q);
    const ranked = engine.rank(q, 10).map((r) => r.doc.id);
    return { ranked, text: answer.text, noAnswer: answer.kind === 'no_answer' || answer.text.startsWith(NO_ANSWER_PREFIX) };
  };
}

/**
 * Default MiniSearch as a system. Its "reply" is what a bot without answer selection would show:
 * the top document's title and its first two sentences.
 */
export function baselineSystem(baseline: BaselineIndex, docs: Map<string, SearchDoc>): (q: string) => SystemReply {
  return (q) => {
    const ranked = baseline.search(q, 10);
    const top = ranked[0] ? docs.get(ranked[0]) : undefined;
    const text = top ? [top.title, ...splitSentences([top.summary, top.body].join('\n')).slice(0, 2)].map(tidySpacing).join('\n') : '';
    return { ranked, text, noAnswer: ranked.length === 0 };
  };
}

/** The result object printed by `eval --json`. */
export interface EvalReport {
  queries: number;
  ours: Figures;
  oursUnaccented: Figures;
  baseline: Figures;
  baselineUnaccented: Figures;
}
