import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { FaqProblem, FaqService, FaqView } from '../../assistant/faq.js';
import { consoleApiText as t } from '../../copy/messages.js';
import { foldText } from '../../search/analyzer.js';
import { normalizeMessage } from '../../text/normalize.js';
import { ApiError, type ApiRoute } from './route.js';

/** Longest text accepted in a body before the service's own limits are checked. */
const MAX_TEXT_CHARS = 20_000;
const MAX_ALTERNATES = 50;

/** Text as a chat message is read: NFC, without control or invisible characters, trimmed, line breaks kept. */
const text = z.string().max(MAX_TEXT_CHARS).transform(normalizeMessage);
const alternates = z.array(z.string().max(1000).transform(normalizeMessage)).max(MAX_ALTERNATES);
const addSchema = z.object({ question: text, answer: text, alternates: alternates.optional() });
const editSchema = z.object({ question: text.optional(), answer: text.optional(), alternates: alternates.optional() });
const trySchema = z.object({
  question: z.string({ error: t.textRequired }).max(MAX_TEXT_CHARS).transform(normalizeMessage).pipe(z.string().min(1, t.textRequired)),
});

/** Rows an import may hold. */
const MAX_IMPORT_ROWS = 2000;
/** Columns of the CSV file (import and export); alternates are separated by " | ". */
const CSV_COLUMNS = ['question', 'alternates', 'answer', 'updatedAt', 'author'] as const;
const importSchema = z.object({ csv: z.string({ error: t.csvRequired }).min(1, t.csvRequired) });
const rowSchema = z.object({
  question: z.string({ error: t.csvRow }).transform(normalizeMessage).pipe(z.string().min(1, t.csvRow)),
  answer: z.string({ error: t.csvRow }).transform(normalizeMessage).pipe(z.string().min(1, t.csvRow)),
  alternates: z
    .string()
    .optional()
    .transform((a) =>
      (a ?? '')
        .split('|')
        .map(normalizeMessage)
        .filter((w) => w.length > 0),
    ),
});

/**
 * The active entries as CSV (UTF-8, a header row, alternates joined by " | "). Citizens' own wordings are left
 * out: a copy outside the store could not be erased at their request.
 */
function faqCsv(entries: FaqView[]): string {
  const rows = entries.map((e) => ({
    question: e.question,
    alternates: e.wordings
      .filter((w) => !w.from)
      .map((w) => w.text)
      .join(' | '),
    answer: e.answer,
    updatedAt: e.updatedAt,
    author: e.author,
  }));
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}

/** The rows of an imported CSV file with their line numbers, or the reason it cannot be read. */
function readCsv(text: string): { line: number; row: Record<string, string> }[] {
  try {
    const records = parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, to: MAX_IMPORT_ROWS }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    return records.map(({ record, info }) => ({ line: info.lines, row: record }));
  } catch (err) {
    throw new ApiError(400, t.csvUnreadable(String((err as Error).message).slice(0, 200)));
  }
}

/** An entry's number from the path, or a 404 the page can show. */
function entryId(params: Record<string, string>): number {
  const id = params.id ?? '';
  if (!/^\d{1,9}$/.test(id)) throw new ApiError(404, t.faqMissing(id.slice(0, 20)));
  return Number(id);
}

function refused(problem: FaqProblem): ApiError {
  return new ApiError(problem === 'missing' ? 404 : problem === 'duplicate' || problem === 'withdrawn' ? 409 : 400, t.faqProblem[problem]);
}

/** An entry as the console shows it. */
const shown = (e: FaqView) => ({
  id: e.id,
  question: e.question,
  alternates: e.alternates,
  wordings: e.wordings,
  answer: e.answer,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  author: e.author,
  status: e.status,
  ...(e.needsQuestion ? { needsQuestion: true } : {}),
  ...(e.fromTicket === undefined ? {} : { fromTicket: e.fromTicket }),
});

/**
 * `GET faq[?q=&status=]`, `GET faq/:id`, `POST faq`, `PUT faq/:id`, `DELETE faq/:id` (withdraw) and
 * `POST faq/try`: the same curated answers service as /hoidap, acting as the signed-in staff member (audited
 * by the service).
 */
export function createFaqApi(deps: { faq: FaqService }): ApiRoute[] {
  const { faq } = deps;
  /** Import one row: a new entry, or the active entry with the same question (accents and case aside) updated. */
  async function importRow(row: z.infer<typeof rowSchema>, author: string, at: Date): Promise<'added' | 'updated' | 'unchanged' | string> {
    const made = await faq.add({ question: row.question, answer: row.answer, alternates: row.alternates, author, at });
    if (made.ok) return 'added';
    if (made.problem !== 'duplicate' || made.existing === undefined) return t.faqProblem[made.problem];
    const current = await faq.get(made.existing);
    const staffWordings = current?.wordings.filter((w) => !w.from).map((w) => w.text) ?? [];
    if (current && current.answer === row.answer && row.alternates.every((a) => staffWordings.includes(a))) return 'unchanged';
    const alternates = [...new Set([...staffWordings, ...row.alternates])].filter((a) => foldText(a) !== foldText(row.question));
    const changed = await faq.edit(made.existing, { answer: row.answer, alternates }, author, at);
    return changed.ok ? 'updated' : t.faqProblem[changed.problem];
  }

  const routes: ApiRoute<never>[] = [
    {
      method: 'GET',
      path: '/faq/export.csv',
      async handle({ now }) {
        const entries = await faq.list({ status: 'active' });
        return { csv: faqCsv(entries), filename: `hoi-dap-${now.toISOString().slice(0, 10)}.csv` };
      },
    },
    {
      method: 'POST',
      path: '/faq/import',
      body: importSchema,
      async handle({ body, user, now }) {
        const result = { added: 0, updated: 0, errors: [] as { line: number; error: string }[] };
        for (const { line, row } of readCsv(body.csv)) {
          const parsed = rowSchema.safeParse(row);
          if (!parsed.success) {
            result.errors.push({ line, error: parsed.error.issues[0]?.message ?? t.csvRow });
            continue;
          }
          const outcome = await importRow(parsed.data, user.id, now);
          if (outcome === 'added') result.added++;
          else if (outcome === 'updated') result.updated++;
          else if (outcome !== 'unchanged') result.errors.push({ line, error: outcome });
        }
        return { json: result };
      },
    } satisfies ApiRoute<z.infer<typeof importSchema>>,
    {
      method: 'GET',
      path: '/faq',
      async handle({ query }) {
        const status = query.get('status');
        const q = query.get('q')?.slice(0, 200).trim();
        const entries = await faq.list({ ...(q ? { query: q } : {}), status: status === 'withdrawn' || status === 'all' ? status : 'active' });
        return { json: { entries: entries.map(shown) } };
      },
    },
    {
      method: 'GET',
      path: '/faq/:id',
      async handle({ params }) {
        const entry = await faq.get(entryId(params));
        if (!entry) throw new ApiError(404, t.faqMissing(String(params.id)));
        return { json: { entry: shown(entry) } };
      },
    },
    {
      method: 'POST',
      path: '/faq',
      body: addSchema,
      async handle({ body, user, now }) {
        const made = await faq.add({ question: body.question, answer: body.answer, alternates: body.alternates ?? [], author: user.id, at: now });
        if (!made.ok) throw refused(made.problem);
        return { status: 201, json: { entry: shown(made.entry) } };
      },
    } satisfies ApiRoute<z.infer<typeof addSchema>>,
    {
      method: 'PUT',
      path: '/faq/:id',
      body: editSchema,
      async handle({ params, body, user, now }) {
        const changed = await faq.edit(entryId(params), body, user.id, now);
        if (!changed.ok) throw refused(changed.problem);
        return { json: { entry: shown(changed.entry) } };
      },
    } satisfies ApiRoute<z.infer<typeof editSchema>>,
    {
      method: 'DELETE',
      path: '/faq/:id',
      async handle({ params, user, now }) {
        const withdrawn = await faq.withdraw(entryId(params), user.id, now);
        if (!withdrawn.ok) throw refused(withdrawn.problem);
        return { json: { entry: shown(withdrawn.entry) } };
      },
    },
    {
      method: 'POST',
      path: '/faq/try',
      body: trySchema,
      async handle({ body }) {
        const trial = faq.tryQuestion(body.question);
        return {
          json: {
            text: trial.text,
            kind: trial.kind,
            ...(trial.from ? { from: trial.from } : {}),
            ...(trial.faq === undefined ? {} : { faq: trial.faq }),
            ...(trial.probability === undefined ? {} : { probability: trial.probability }),
            threshold: trial.threshold,
            ...(trial.reason ? { reason: trial.reason } : {}),
            ...(trial.features ? { features: trial.features } : {}),
          },
        };
      },
    } satisfies ApiRoute<z.infer<typeof trySchema>>,
  ] as ApiRoute<never>[];
  return routes as unknown as ApiRoute[];
}
