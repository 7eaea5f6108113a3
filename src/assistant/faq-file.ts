/**
 * Curated entries as a file: JSON Lines (alternates as an array) or CSV (alternates joined by " | "), with the
 * fields question, alternates, answer, updatedAt, author. Import checks each row and reports the bad ones by line
 * without stopping; an entry whose question is already curated (accents and case aside) is updated, not repeated.
 * Export writes what staff curated and leaves citizens' own wordings out.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { faqFileText as m } from '../copy/messages.js';
import { foldText } from '../search/analyzer.js';
import { normalizeMessage } from '../text/normalize.js';
import type { FaqProblem, FaqService, FaqView } from './faq.js';

/** The file formats, by extension: `.csv`, anything else JSON Lines. */
export type FaqFileFormat = 'csv' | 'jsonl';

/** The format a file name asks for. */
export function faqFileFormat(name: string): FaqFileFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'jsonl';
}

/** How alternates are joined in one CSV cell. */
const CSV_SEPARATOR = ' | ';
/** The columns of a CSV file, in order (JSON Lines: the same fields). */
const CSV_COLUMNS = ['question', 'alternates', 'answer', 'updatedAt', 'author'];
/**
 * A CSV cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is written after
 * an apostrophe, which spreadsheets show as text; reading takes the apostrophe off again, so a round trip keeps the text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const defuse = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);
const restore = (cell: string) => (cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell);

/** Text as a chat message is read (NFC, no control or invisible characters, trimmed), 1 to `max` characters. */
const text = (max: number, tooLong: string) => z.string({ error: m.row }).transform(normalizeMessage).pipe(z.string().min(1, m.row).max(max, tooLong));
/** One row of a file, checked. */
const rowSchema = z.object(
  {
    question: text(300, m.questionTooLong),
    alternates: z
      .union([z.array(z.string()), z.string()], { error: m.alternates })
      .optional()
      .transform((v) => (typeof v === 'string' ? v.split('|') : (v ?? [])).map(normalizeMessage).filter(Boolean).slice(0, 50)),
    answer: text(1500, m.answerTooLong),
    updatedAt: z.iso
      .datetime({ offset: true, error: m.updatedAt })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    author: z.string({ error: m.author }).trim().max(100, m.author).optional(),
  },
  { error: m.row },
);

/** A checked row. */
export type FaqRow = z.infer<typeof rowSchema>;

/**
 * What reading a file found: the rows (with their line numbers) and the lines it could not read; `unreadable`
 * (the parser's words) when the CSV file as a whole could not be read, no row then.
 */
export interface FaqFileRead {
  rows: { line: number; row: FaqRow }[];
  errors: { line: number; error: string }[];
  unreadable?: string;
}

/**
 * Read a file's text; a bad row is reported with its line number (in Vietnamese) and the others are read. With
 * `maxRows`, the rows after that many are not read and the first of them is reported.
 */
export function readFaqFile(content: string, format: FaqFileFormat, options: { maxRows?: number } = {}): FaqFileRead {
  const out: FaqFileRead = { rows: [], errors: [] };
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  let count = 0;
  /** Check one row; false once `maxRows` rows have been read (that row reported, the rest left). */
  const check = (line: number, value: unknown): boolean => {
    if (++count > maxRows) {
      out.errors.push({ line, error: m.tooManyRows(maxRows) });
      return false;
    }
    const parsed = rowSchema.safeParse(value);
    if (parsed.success) out.rows.push({ line, row: parsed.data });
    else out.errors.push({ line, error: [...new Set(parsed.error.issues.map((i) => i.message))].join(' ') });
    return true;
  };
  if (format === 'jsonl') {
    const lines = content.split(/\r?\n/);
    for (const [i, raw] of lines.entries()) {
      if (!raw.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        out.errors.push({ line: i + 1, error: m.notJson(err instanceof Error ? err.message : String(err)) });
        continue;
      }
      if (!check(i + 1, value)) break;
    }
    return out;
  }
  try {
    const records = parse(content, {
      bom: true,
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      ...(Number.isFinite(maxRows) ? { to: maxRows + 1 } : {}),
    }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    for (const { record, info } of records) {
      const cells = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'string' ? restore(v) : v]));
      if (!check(info.lines, cells)) break;
    }
  } catch (err) {
    out.unreadable = String(err instanceof Error ? err.message : err).slice(0, 200);
    out.errors.push({ line: (err as { lines?: number }).lines ?? 0, error: m.unreadable(out.unreadable) });
  }
  return out;
}

/** What an import did. */
export interface FaqImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  errors: { line: number; error: FaqProblem }[];
}

/** How {@link importFaqRows} treats a file's dates, authors and wordings. */
export interface FaqImportOptions {
  /** A new entry keeps the row's `updatedAt` and `author` (the CLI); false: `author` and `now` (the console). */
  fileAuthors?: boolean;
  /** A curated question gets the row's wordings added to its staff wordings; false: they replace them. */
  addWordings?: boolean;
}

/**
 * Import checked rows through the service (audited, indexed at once): a new question is added, a question
 * already curated (accents and case aside) gets the row's answer and wordings, or is left unchanged when it has
 * them already; a row the service refuses is reported with its line. `now` dates the changes (and a new entry
 * whose row has no date).
 */
export async function importFaqRows(
  service: FaqService,
  rows: FaqFileRead['rows'],
  author: string,
  now = new Date(),
  options: FaqImportOptions = {},
): Promise<FaqImportSummary> {
  const { fileAuthors = true, addWordings = false } = options;
  const summary: FaqImportSummary = { added: 0, updated: 0, unchanged: 0, errors: [] };
  for (const { line, row } of rows) {
    const at = fileAuthors && row.updatedAt ? new Date(row.updatedAt) : now;
    const by = (fileAuthors && row.author) || author;
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
    const folded = (list: string[]) => list.map(foldText);
    const asked = row.alternates.filter((a) => foldText(a) !== foldText(current?.question ?? row.question));
    const had = folded(staffWordings);
    const sameWordings = addWordings ? folded(asked).every((a) => had.includes(a)) : had.length === asked.length && folded(asked).every((a, i) => a === had[i]);
    if (current && current.answer === row.answer && sameWordings) {
      summary.unchanged++;
      continue;
    }
    const alternates = addWordings ? [...new Set([...staffWordings, ...asked])] : row.alternates;
    const changed = await service.edit(made.existing, { answer: row.answer, alternates }, author, now);
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
    rows.map((r) => ({
      question: defuse(r.question),
      alternates: defuse(r.alternates.join(CSV_SEPARATOR)),
      answer: defuse(r.answer),
      updatedAt: r.updatedAt,
      author: defuse(r.author),
    })),
    { header: true, columns: CSV_COLUMNS },
  );
}
