/** What several benchmarks share: where things are, the questions they ask, percentiles. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(ROOT, '..', 'shared');

/** The p-th percentile (0–100) of ascending numbers; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/**
 * Questions a chat gets: our domain set, then the uit-regulations-wiki and vicov19-faq dev questions (those in
 * ../shared are skipped when it is absent).
 */
export async function chatQuestions(): Promise<string[]> {
  const questions: string[] = [];
  for (const f of [
    join(ROOT, 'test', 'fixtures', 'domain', 'questions.jsonl'),
    join(SHARED, 'eval', 'uit-regulations-wiki', 'queries.dev.jsonl'),
    join(SHARED, 'eval', 'vicov19-faq', 'queries.dev.jsonl'),
  ]) {
    if (!existsSync(f)) continue;
    for (const line of (await readFile(f, 'utf8')).split('\n').filter(Boolean)) questions.push((JSON.parse(line) as { query: string }).query);
  }
  return questions;
}
