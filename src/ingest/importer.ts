import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { ContentLoadError, type LoadResult, loadContent } from '../content/load.js';
import { toSearchDoc, type Article } from '../content/types.js';
import type { ArticleIndex } from '../search/article-index.js';
import type { Lexicon } from '../search/lexicon.js';
import type { ArticleStore, ImportedArticle } from '../store/articles.js';
import { toVietnamIso } from './dates.js';
import { canonicalizeUrl, contentHash, detectProvince, type ExtractedArticle, extractArticle, ExtractError } from './extract.js';
import { ForbiddenAddressError } from './address-guard.js';
import { createFetcher, FetchError, parseHttpUrl, type FetchedResource, type FetchOptions, type NotModified } from './fetch.js';
import { classifyPage, detectKind, discoverEntries, type DiscoveredEntry, type SourceKind } from './sources.js';

/** A URL that could not be imported, and why. */
export interface ImportFailure {
  url: string;
  reason: string;
}

/** An article the import added or changed. */
export interface ImportedItem {
  id: string;
  url?: string;
  title: string;
  change: 'new' | 'updated';
}

/** The outcome of one import. */
export interface ImportSummary {
  new: number;
  updated: number;
  /** Unchanged (not modified, same content, already known) or duplicates of another URL's content. */
  skipped: number;
  failed: ImportFailure[];
  /** New and updated articles, in the order they were saved. */
  items: ImportedItem[];
  /**
   * What was imported from; `error` when the source itself failed (the poller backs off on it); `forbidden` when
   * the source, or a redirect from it, named an address or port the address policy refuses (nothing was sent there).
   */
  source: {
    url: string;
    kind: SourceKind | 'article' | 'list' | 'file' | 'unknown';
    notModified?: boolean;
    error?: string;
    forbidden?: ForbiddenAddressError['rule'];
  };
}

/** Progress of an import, for a progress bar. */
export interface ImportProgress {
  done: number;
  total: number;
}

/** Options of one importUrl / importFile call. */
export interface ImportCallOptions {
  /** Called as articles are processed (total grows as sources are read). */
  onProgress?: (progress: ImportProgress) => void;
  /** Fetch listed articles even when they are already imported and not newer (a full re-check). */
  refetchKnown?: boolean;
}

/** Settings of {@link createImporter}. */
export interface ImporterOptions {
  store: ArticleStore;
  /** The live index: new and updated articles are added at once. */
  index?: ArticleIndex;
  /** For province detection. */
  lexicon: Lexicon;
  log: Logger;
  /** HTTP limits (timeout, size, redirects, user agent) and the address policy; validators come from the store. */
  fetch?: Omit<FetchOptions, 'validators'>;
  /**
   * Article pages fetched at once, over every import of this importer.
   * @default 4
   */
  concurrency?: number;
  /**
   * Sitemap indexes followed below the first sitemap.
   * @default 2
   */
  maxSitemapDepth?: number;
  /**
   * List pages read per section, the first included.
   * @default 5
   */
  maxListPages?: number;
  /**
   * Articles one source may bring in one import (the most recently changed first); the rest is reported.
   * @default 2000
   */
  maxEntries?: number;
  /** Clock (relative list dates, import times). */
  now?: () => Date;
  /** Items staff unpublished stay stored but are not put back in the index. */
  isUnpublished?: (id: string) => boolean | Promise<boolean>;
  /** Called after an article was saved and indexed (e.g. to drop the answer engine's cache of it). */
  onChange?: (item: ImportedArticle, change: 'new' | 'updated') => void;
}

/** Imports articles from URLs and files into the store and the live index. */
export interface Importer {
  /** Import a feed, sitemap, section page or article page, decided by its content (then its URL). Never throws. */
  importUrl(url: string, options?: ImportCallOptions): Promise<ImportSummary>;
  /** Import a .jsonl, .jsonl.gz or .json file of articles (the content loaders' formats). Never throws. */
  importFile(path: string, options?: ImportCallOptions): Promise<ImportSummary>;
  /** Wait for queued page fetches to finish. */
  idle(): Promise<void>;
}

/** One article to save, with the URLs that name it. */
interface Candidate {
  article: Article;
  imageUrl?: string;
  sourceUrl?: string;
  /** Other canonical URLs of the same article (the URL it was fetched from when the page names another). */
  aliases: string[];
}

type Outcome = { change: 'new' | 'updated' | 'unchanged' | 'duplicate'; id: string };

const SAVE_BATCH = 500;

function emptySummary(url: string, kind: ImportSummary['source']['kind']): ImportSummary {
  return { new: 0, updated: 0, skipped: 0, failed: [], items: [], source: { url, kind } };
}

function describe(err: unknown): string {
  if (err instanceof FetchError || err instanceof ExtractError || err instanceof ContentLoadError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Create the importer. */
export function createImporter(options: ImporterOptions): Importer {
  const { store, index, lexicon, log } = options;
  const now = options.now ?? (() => new Date());
  const fetcher = createFetcher({ ...options.fetch, validators: store });
  const queue = new PQueue({ concurrency: options.concurrency ?? 4 });
  const maxEntries = options.maxEntries ?? 2000;
  let saving: Promise<unknown> = Promise.resolve();

  /** Saves run one at a time: de-duplication reads the store, decides, then writes. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = saving.catch(() => undefined).then(fn);
    saving = next.catch(() => undefined);
    return next;
  }

  function record(summary: ImportSummary, outcome: Outcome, article: Article): void {
    if (outcome.change === 'new' || outcome.change === 'updated') {
      summary[outcome.change] += 1;
      summary.items.push({ id: outcome.id, ...(article.url ? { url: article.url } : {}), title: article.title, change: outcome.change });
    } else summary.skipped += 1;
  }

  /** Save candidates: same URL or id with the same hash → unchanged; new hash → updated; another URL's hash → duplicate. */
  const saveBatch = (candidates: Candidate[]): Promise<Outcome[]> =>
    serial(async () => {
      const at = toVietnamIso(now().getTime());
      const urlsOf = (c: Candidate) => [...(c.article.url ? [c.article.url] : []), ...c.aliases];
      const allUrls = [...new Set(candidates.flatMap(urlsOf))];
      const hashes = candidates.map((c) => contentHash(c.article));
      const [urlIds, hashIds] = await Promise.all([store.idsByUrl(allUrls), store.idsByHash(hashes)]);
      const idByUrl = new Map(allUrls.flatMap((u, i) => (urlIds[i] ? [[u, urlIds[i]!] as const] : [])));
      const idByHash = new Map(hashes.flatMap((h, i) => (hashIds[i] ? [[h, hashIds[i]!] as const] : [])));
      const ownIds = candidates.map((c) => c.article.id);
      const existing = new Map<string, ImportedArticle>();
      const wanted = [...new Set([...ownIds, ...idByUrl.values(), ...idByHash.values()])];
      for (const [i, r] of (await store.getMany(wanted)).entries()) if (r) existing.set(wanted[i]!, r);
      const puts = new Map<string, ImportedArticle>();
      const aliases: { url: string; id: string }[] = [];
      const outcomes: Outcome[] = [];
      for (const [i, c] of candidates.entries()) {
        const hash = hashes[i]!;
        const known =
          urlsOf(c)
            .map((u) => idByUrl.get(u))
            .find((id) => id !== undefined) ?? (existing.has(c.article.id) ? c.article.id : undefined);
        const before = known ? (puts.get(known) ?? existing.get(known)) : undefined;
        const link = (id: string) => {
          for (const u of urlsOf(c)) {
            if (idByUrl.get(u) === id) continue;
            aliases.push({ url: u, id });
            idByUrl.set(u, id);
          }
        };
        if (known && before) {
          link(known);
          if (before.hash === hash) {
            puts.set(known, { ...before, checkedAt: at });
            outcomes.push({ change: 'unchanged', id: known });
          } else {
            const article = { ...c.article, id: known };
            const rec: ImportedArticle = { ...before, article, hash, updatedAt: at, checkedAt: at, ...(c.imageUrl ? { imageUrl: c.imageUrl } : {}) };
            puts.set(known, rec);
            idByHash.set(hash, known);
            outcomes.push({ change: 'updated', id: known });
          }
          continue;
        }
        const dup = idByHash.get(hash);
        if (dup) {
          link(dup);
          outcomes.push({ change: 'duplicate', id: dup });
          continue;
        }
        const rec: ImportedArticle = {
          article: c.article,
          hash,
          importedAt: at,
          updatedAt: at,
          checkedAt: at,
          ...(c.imageUrl ? { imageUrl: c.imageUrl } : {}),
          ...(c.sourceUrl ? { sourceUrl: c.sourceUrl } : {}),
        };
        puts.set(c.article.id, rec);
        idByHash.set(hash, c.article.id);
        link(c.article.id);
        outcomes.push({ change: 'new', id: c.article.id });
      }
      await store.putMany([...puts.values()], aliases);
      for (const o of outcomes) {
        if (o.change !== 'new' && o.change !== 'updated') continue;
        const rec = puts.get(o.id)!;
        if (index && !(await options.isUnpublished?.(o.id))) index.upsert(toSearchDoc({ type: 'article', ...rec.article }));
        options.onChange?.(rec, o.change);
      }
      return outcomes;
    });

  /** Extract a fetched page and save it. */
  async function savePage(res: FetchedResource, entry: DiscoveredEntry | undefined, sourceUrl: string | undefined, summary: ImportSummary): Promise<boolean> {
    let extracted: ExtractedArticle;
    try {
      extracted = extractArticle(res.text, res.url, { lexicon, now });
    } catch (err) {
      summary.failed.push({ url: res.requestedUrl, reason: describe(err) });
      return false;
    }
    const article = { ...extracted.article };
    if (!article.publishedAt && entry?.publishedAt) article.publishedAt = entry.publishedAt;
    if (!article.summary && entry?.summary && entry.summary !== article.title) article.summary = entry.summary;
    const aliases = [...new Set([res.requestedUrl, res.url].map(canonicalizeUrl))].filter((u) => u !== article.url);
    const [outcome] = await saveBatch([
      { article, ...(extracted.imageUrl ? { imageUrl: extracted.imageUrl } : {}), ...(sourceUrl ? { sourceUrl } : {}), aliases },
    ]);
    record(summary, outcome!, article);
    log.debug({ url: res.url, id: outcome!.id, change: outcome!.change, rule: extracted.rule }, 'article processed');
    return true;
  }

  /** Fetch one listed article unless it is known and not newer; extract; save. */
  async function importEntry(entry: DiscoveredEntry, sourceUrl: string, summary: ImportSummary, refetchKnown: boolean): Promise<void> {
    if (!refetchKnown) {
      const [id] = await store.idsByUrl([canonicalizeUrl(entry.url)]);
      const rec = id ? await store.get(id) : undefined;
      if (rec && !(entry.updatedAt && entry.updatedAt > rec.checkedAt)) {
        summary.skipped += 1;
        return;
      }
    }
    let res: FetchedResource | NotModified;
    try {
      res = await fetcher.fetch(entry.url, { conditional: true });
    } catch (err) {
      summary.failed.push({ url: entry.url, reason: describe(err) });
      return;
    }
    if (res.notModified) {
      summary.skipped += 1;
      return;
    }
    if (detectKind(res.text, res.contentType, res.url) !== 'html') {
      summary.failed.push({ url: entry.url, reason: 'listed item is not an HTML page' });
      return;
    }
    if (await savePage(res, entry, sourceUrl, summary))
      await fetcher.remember(res).catch((err: unknown) => log.warn({ err, url: entry.url }, 'could not remember validators'));
  }

  async function importUrl(url: string, call: ImportCallOptions = {}): Promise<ImportSummary> {
    const summary = emptySummary(url, 'unknown');
    const fail = (reason: string) => {
      summary.failed.push({ url, reason });
      summary.source.error = reason;
      return summary;
    };
    if (!parseHttpUrl(url)) return fail('not an http(s) URL');
    try {
      const res = await fetcher.fetch(url, { conditional: true });
      if (res.notModified) {
        summary.skipped = 1;
        summary.source.notModified = true;
        return summary;
      }
      const kind = detectKind(res.text, res.contentType, res.url);
      summary.source.kind = kind;
      if (kind === 'html') {
        const page = classifyPage(res.text, res.url);
        summary.source.kind = page;
        if (page === 'article') {
          call.onProgress?.({ done: 0, total: 1 });
          const ok = await savePage(res, undefined, undefined, summary);
          call.onProgress?.({ done: 1, total: 1 });
          if (ok) await fetcher.remember(res);
          else summary.source.error = summary.failed[0]?.reason;
          return summary;
        }
      }
      const found = await discoverEntries(res, kind, { fetcher, log, now, maxSitemapDepth: options.maxSitemapDepth, maxListPages: options.maxListPages });
      summary.failed.push(...found.problems);
      if (found.entries.length === 0) return fail(found.problems[0]?.reason ?? 'nothing listed');
      let entries = found.entries;
      if (entries.length > maxEntries) {
        const key = (e: DiscoveredEntry) => e.updatedAt ?? e.publishedAt ?? '';
        entries = [...entries].sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : 0)).slice(0, maxEntries);
        summary.failed.push({ url, reason: `${found.entries.length - maxEntries} more listed articles not imported (limit ${maxEntries} per import)` });
      }
      const progress: ImportProgress = { done: 0, total: entries.length };
      call.onProgress?.(progress);
      const failedBefore = summary.failed.length;
      await Promise.all(
        entries.map((entry) =>
          queue.add(async () => {
            try {
              await importEntry(entry, res.url, summary, call.refetchKnown ?? false);
            } catch (err) {
              // A store failure on one article must not end the others.
              summary.failed.push({ url: entry.url, reason: describe(err) });
              log.error({ err, url: entry.url }, 'article import failed');
            }
            progress.done += 1;
            call.onProgress?.(progress);
          }),
        ),
      );
      // Remember the listing only when every item made it: otherwise a 304 next time would hide the failed ones.
      if (summary.failed.length === failedBefore) for (const r of [res, ...found.fetched]) await fetcher.remember(r);
      log.info(
        { url, kind: summary.source.kind, new: summary.new, updated: summary.updated, skipped: summary.skipped, failed: summary.failed.length },
        'source imported',
      );
      return summary;
    } catch (err) {
      if (!(err instanceof FetchError)) log.error({ err, url }, 'import failed');
      if (err instanceof FetchError && err.cause instanceof ForbiddenAddressError) summary.source.forbidden = err.cause.rule;
      return fail(describe(err));
    }
  }

  async function importFile(path: string, call: ImportCallOptions = {}): Promise<ImportSummary> {
    const summary = emptySummary(path, 'file');
    let loaded: LoadResult;
    try {
      loaded = await loadContent([path]);
    } catch (err) {
      const reason = describe(err);
      summary.failed.push({ url: path, reason });
      summary.source.error = reason;
      return summary;
    }
    for (const p of loaded.problems) {
      const at = p.indexOf(': ');
      summary.failed.push({ url: p.slice(0, at), reason: p.slice(at + 2) });
    }
    const articles: Article[] = [];
    for (const item of loaded.items) {
      if (item.type === 'program') {
        summary.failed.push({ url: `${path}#${item.id}`, reason: 'programs are not imported (they belong in data/programs.json)' });
        continue;
      }
      const { type: _type, ...article } = item;
      if (article.url) {
        try {
          article.url = canonicalizeUrl(article.url);
        } catch {
          // Not a URL: kept as the file wrote it.
        }
      }
      if (!article.province) {
        const province = detectProvince([article.title, article.summary ?? '', ...article.body.split(/\n\s*\n/).slice(0, 3)], lexicon);
        if (province) article.province = province;
      }
      articles.push(article);
    }
    const progress: ImportProgress = { done: 0, total: articles.length };
    call.onProgress?.(progress);
    for (let i = 0; i < articles.length; i += SAVE_BATCH) {
      const batch = articles.slice(i, i + SAVE_BATCH);
      try {
        const outcomes = await saveBatch(batch.map((article) => ({ article, sourceUrl: path, aliases: [] })));
        for (const [k, o] of outcomes.entries()) record(summary, o, batch[k]!);
      } catch (err) {
        for (const a of batch) summary.failed.push({ url: a.url ?? `${path}#${a.id}`, reason: describe(err) });
        log.error({ err, path }, 'saving a batch failed');
      }
      progress.done += batch.length;
      call.onProgress?.(progress);
    }
    return summary;
  }

  return { importUrl, importFile, idle: () => queue.onIdle() };
}
