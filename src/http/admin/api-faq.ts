import { z } from 'zod';
import type { FaqProblem, FaqService, FaqView } from '../../assistant/faq.js';
import { exportFaqRows, importFaqRows, readFaqFile, writeFaqFile } from '../../assistant/faq-file.js';
import { faqFileText, consoleApiText as t } from '../../copy/messages.js';
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
const importSchema = z.object({ csv: z.string({ error: t.csvRequired }).min(1, t.csvRequired) });

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
  const routes: ApiRoute<never>[] = [
    {
      method: 'GET',
      path: '/faq/export.csv',
      async handle({ now }) {
        const { rows } = exportFaqRows(await faq.list({ status: 'active' }));
        return { csv: writeFaqFile(rows, 'csv'), filename: `hoi-dap-${now.toISOString().slice(0, 10)}.csv` };
      },
    },
    {
      method: 'POST',
      path: '/faq/import',
      body: importSchema,
      async handle({ body, user, now }) {
        const read = readFaqFile(body.csv, 'csv', { maxRows: MAX_IMPORT_ROWS });
        if (read.unreadable !== undefined) throw new ApiError(400, faqFileText.unreadable(read.unreadable));
        // The signed-in member is the author, now the time; a curated question gets the file's wordings added.
        const summary = await importFaqRows(faq, read.rows, user.id, now, { fileAuthors: false, addWordings: true });
        const errors = [...read.errors, ...summary.errors.map((e) => ({ line: e.line, error: t.faqProblem[e.error] }))];
        const result = { added: summary.added, updated: summary.updated, errors: errors.sort((x, y) => x.line - y.line) };
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
