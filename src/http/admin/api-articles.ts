import type { Logger } from 'pino';
import { z } from 'zod';
import { unpublishItem } from '../../assistant/staff.js';
import { consoleContentText as t, staffText } from '../../copy/messages.js';
import type { ImportSummary } from '../../ingest/importer.js';
import type { SourceStatus } from '../../ingest/poller.js';
import type { ArticleIndex } from '../../search/article-index.js';
import type { IndexPublisher } from '../../search/sync.js';
import type { ArticleStore } from '../../store/articles.js';
import type { AuditEntry, StaffStore } from '../../store/staff.js';
import { ApiError, type ApiContext, type ApiResult, type ApiRoute } from './route.js';

/** What the articles API uses: the article store, the poller's sources, the importer and the /xoabai path. */
export interface ArticleApiDeps {
  articles: Pick<ArticleStore, 'latest' | 'idsByUrl' | 'get'>;
  /** Unpublished ids, and the audit log each action is written to (as /nhapbai and /xoabai write it). */
  staff: Pick<StaffStore, 'unpublish' | 'unpublished' | 'audit'>;
  index: ArticleIndex;
  /** Where removals go (every instance's index). */
  publisher?: IndexPublisher;
  /** The sources as this instance's poller knows them. */
  sources: () => SourceStatus[];
  /** Import one URL, as /nhapbai does (absent when the importer is not enabled). */
  importUrl?: (url: string) => Promise<ImportSummary>;
  log: Logger;
}

const DEFAULT_LIMIT = 50;
const limitSchema = z.coerce.number().int().min(1).max(200);
const importSchema = z.object({
  url: z
    .string({ error: t.urlInvalid })
    .trim()
    .max(2000, { error: t.urlInvalid })
    .regex(/^https?:\/\/\S+$/i, { error: t.urlInvalid }),
});

/** A source's state as the console shows it: paused (until a restart), failing (backing off), or polling. */
function sourceView(s: SourceStatus) {
  return {
    url: s.url,
    state: s.paused ? 'paused' : s.failures > 0 ? 'failing' : 'polling',
    ...(s.lastError ? { lastError: s.lastError } : {}),
    ...(s.lastSuccessAtMs ? { lastPolledAt: new Date(s.lastSuccessAtMs).toISOString() } : {}),
    failures: s.failures,
  };
}

/**
 * `GET articles?limit=` (latest imported, still published, and the sources with their state), `POST articles/import`
 * (through the importer and its address policy) and `DELETE articles/:id` (unpublish, the same path as /xoabai).
 */
export function createArticleApi(deps: ArticleApiDeps): ApiRoute[] {
  const audit = (ctx: ApiContext<unknown>, action: string, outcome: AuditEntry['outcome'], detail: string) =>
    deps.staff.audit
      .append({ at: ctx.now.toISOString(), who: ctx.user.id, action, outcome, detail: detail.slice(0, 200) })
      .catch((err: unknown) => deps.log.error({ err, action }, 'could not write the audit log'));
  return [
    {
      method: 'GET',
      path: '/articles',
      async handle(ctx: ApiContext<unknown>): Promise<ApiResult> {
        const given = ctx.query.get('limit');
        const limit = limitSchema.safeParse(given === null || given.trim() === '' ? DEFAULT_LIMIT : given.trim());
        if (!limit.success) throw new ApiError(400, t.limitInvalid);
        const unpublished = new Set(await deps.staff.unpublished());
        const latest = await deps.articles.latest(limit.data, unpublished);
        return {
          json: {
            articles: latest.map(({ article: a, importedAt }) => ({
              id: a.id,
              title: a.title,
              publishedAt: a.publishedAt ?? null,
              source: a.source,
              url: a.url ?? null,
              kind: a.kind,
              importedAt,
            })),
            sources: deps.sources().map(sourceView),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/articles/import',
      body: importSchema,
      async handle(ctx: ApiContext<z.infer<typeof importSchema>>): Promise<ApiResult> {
        const { url } = ctx.body;
        if (!deps.importUrl) throw new ApiError(503, staffText.importUnavailable);
        const summary = await deps.importUrl(url);
        const refused = summary.source.forbidden;
        if (refused) {
          deps.log.warn({ who: ctx.user.id, url, rule: refused }, 'import refused by the address policy');
          await audit(ctx, '/nhapbai', 'denied', staffText.importRefusedDetail(url, refused));
          return { status: 400, json: { ok: false, error: refused === 'address' ? staffText.importForbiddenAddress : staffText.importForbiddenPort } };
        }
        const counts = { new: summary.new, updated: summary.updated, skipped: summary.skipped, failed: summary.failed.length };
        await audit(ctx, '/nhapbai', counts.failed > 0 && counts.new + counts.updated === 0 ? 'failed' : 'ok', t.auditImport(url, counts));
        if (summary.new + summary.updated + summary.skipped === 0) {
          const reason = summary.failed[0]?.reason ?? summary.source.error ?? '';
          return { status: 502, json: { ok: false, error: staffText.importFailed(reason), ...counts } };
        }
        let first: { id: string; title: string } | undefined = summary.items[0];
        if (!first) {
          // Already imported and unchanged: name the article the URL is.
          const [id] = await deps.articles.idsByUrl([url]);
          const known = id ? await deps.articles.get(id) : undefined;
          if (known) first = { id: known.article.id, title: known.article.title };
        }
        return { json: { ok: true, ...(first ? { id: first.id, title: first.title } : {}), ...counts } };
      },
    } satisfies ApiRoute<z.infer<typeof importSchema>> as ApiRoute,
    {
      method: 'DELETE',
      path: '/articles/:id',
      async handle(ctx: ApiContext<unknown>): Promise<ApiResult> {
        const id = (ctx.params.id ?? '').trim();
        const doc = id ? await unpublishItem(deps, id) : undefined;
        if (!doc) {
          await audit(ctx, '/xoabai', 'failed', t.auditRemoveMissing(id.slice(0, 100)));
          throw new ApiError(404, t.articleMissing(id.slice(0, 100)));
        }
        await audit(ctx, '/xoabai', 'ok', t.auditRemoved(id, doc.title.slice(0, 80)));
        deps.log.info({ id, by: ctx.user.id }, 'unpublished from the console');
        return { json: { ok: true, id, title: doc.title } };
      },
    },
  ];
}
