/**
 * Curated entries as a file: JSON Lines (alternates as an array) or CSV (alternates joined by " | "), with the
 * fields question, alternates, answer, updatedAt, author. Import checks each row and reports the bad ones by line
 * without stopping; an entry whose question is already curated (accents and case aside) is updated, not repeated.
 * Export writes what staff curated and leaves citizens' own wordings out.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { foldText } from '../search/analyzer.js';
import type { FaqProblem, FaqService, FaqView } from './faq.js';

/** The file formats, by extension: `.csv`, anything else JSON Lines. */
export type FaqFileFormat = 'csv' | 'jsonl';

/** The format a file name asks for. */
export function faqFileFormat(name: string): FaqFileFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'jsonl';
}

/** How alternates are joined in one CSV cell. */
const CSV_SEPARATOR = ' | ';

const text = (max: number) => z.string().trim().min(1).max(max);
/** One row of a file, checked. */
const rowSchema = z.object({
  question: text(300),
  alternates: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((v) =>
      (typeof v === 'string' ? v.split('|') : (v ?? []))
        .map((a) => a.trim())
        .filter(Boolean)
        .slice(0, 50),
    ),
  answer: text(1500),
  updatedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  author: z.string().trim().max(100).optional(),
});

/** A checked row. */
export type FaqRow = z.infer<typeof rowSchema>;

/** What reading a file found: the rows (with their line numbers) and the lines it could not read. */
export interface FaqFileRead {
  rows: { line: number; row: FaqRow }[];
  errors: { line: number; error: string }[];
}

/** Read a file's text; a bad row is reported with its line number and the others are read. */
export function readFaqFile(content: string, format: FaqFileFormat): FaqFileRead {
  const out: FaqFileRead = { rows: [], errors: [] };
  const check = (line: number, value: unknown) => {
    const parsed = rowSchema.safeParse(value);
    if (parsed.success) out.rows.push({ line, row: parsed.data });
    else out.errors.push({ line, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ') });
  };
  if (format === 'jsonl') {
    content.split(/\r?\n/).forEach((raw, i) => {
      if (!raw.trim()) return;
      try {
        check(i + 1, JSON.parse(raw));
      } catch (err) {
        out.errors.push({ line: i + 1, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
    return out;
  }
  try {
    const records = parse(content, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: true, info: true }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    for (const { record, info } of records) check(info.lines, record);
  } catch (err) {
    out.errors.push({ line: (err as { lines?: number }).lines ?? 0, error: `CSV: ${err instanceof Error ? err.message : String(err)}` });
  }
  return out;
}

/** What an import did. */
export interface FaqImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  errors: { line: number; error: string | FaqProblem }[];
}

/**
 * Import checked rows through the service (audited, indexed at once): a new question is added (with the row's
 * date and author when given, else `author`); a question already curated gets the row's answer and wordings.
 */
export async function importFaqRows(service: FaqService, rows: FaqFileRead['rows'], author: string, now = new Date()): Promise<FaqImportSummary> {
  const summary: FaqImportSummary = { added: 0, updated: 0, unchanged: 0, errors: [] };
  for (const { line, row } of rows) {
    const at = row.updatedAt ? new Date(row.updatedAt) : now;
    const by = row.author || author;
    const made = await service.add({ question: row.question, answer: row.answer, alternates: row.alternates, author: by, at });
    if (made.ok) {
      summary.added++;
      continue;
    }
    if (made.problem !== 'duplicate' || made.existing === undefined) {
      summary.errors.push({ line, error: made.problem });
      continue;
    }
    const current = await service.get(made.existing);
    const staffWordings = current?.wordings.filter((w) => !w.from).map((w) => w.text) ?? [];
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => foldText(x) === foldText(b[i]!));
    if (
      current &&
      current.answer === row.answer &&
      same(
        staffWordings,
        row.alternates.filter((a) => foldText(a) !== foldText(current.question)),
      )
    ) {
      summary.unchanged++;
      continue;
    }
    const changed = await service.edit(made.existing, { answer: row.answer, alternates: row.alternates }, author, now);
    if (changed.ok) summary.updated++;
    else summary.errors.push({ line, error: changed.problem });
  }
  return summary;
}

/** One exported entry. */
export interface FaqExportRow {
  question: string;
  alternates: string[];
  answer: string;
  updatedAt: string;
  author: string;
}

/** The rows of an export: active entries, staff wordings only; entries whose every wording is a citizen's are `skipped`. */
export function exportFaqRows(entries: FaqView[]): { rows: FaqExportRow[]; skipped: number[] } {
  const rows: FaqExportRow[] = [];
  const skipped: number[] = [];
  for (const e of entries) {
    if (e.status !== 'active') continue;
    const staffWordings = e.wordings.filter((w) => !w.from).map((w) => w.text);
    const question = e.questionFromCitizen || e.needsQuestion ? staffWordings.shift() : e.question;
    if (!question) {
      skipped.push(e.id);
      continue;
    }
    rows.push({ question, alternates: staffWordings, answer: e.answer, updatedAt: e.updatedAt, author: e.author });
  }
  return { rows, skipped };
}

/** Write export rows as a file's text. */
export function writeFaqFile(rows: FaqExportRow[], format: FaqFileFormat): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  return stringify(
    rows.map((r) => ({ ...r, alternates: r.alternates.join(CSV_SEPARATOR) })),
    { header: true, columns: ['question', 'alternates', 'answer', 'updatedAt', 'author'] },
  );
}
