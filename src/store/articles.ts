import type Keyv from 'keyv';
import type { KeyvStoreAdapter } from 'keyv';
import { openNamespace } from './stores.js';
import type { Logger } from 'pino';
import type { Article } from '../content/types.js';

/** An imported article as stored: the article and what de-duplication and updates need. */
export interface ImportedArticle {
  article: Article;
  /** sha256 of the normalized title and body (see ingest/extract.ts `contentHash`). */
  hash: string;
  /** Lead image, when the page had one. */
  imageUrl?: string;
  /** Where it was found (feed, sitemap, list page, file), when not the page itself. */
  sourceUrl?: string;
  /** First import (ISO). */
  importedAt: string;
  /** Last change of its content (ISO); equals importedAt until an update. */
  updatedAt: string;
  /** Last time its page was fetched (ISO). */
  checkedAt: string;
}

/** ETag / Last-Modified remembered for a fetched URL. */
export interface UrlValidators {
  etag?: string;
  lastModified?: string;
}

/**
 * Imported articles in keyv: each record under its id, a canonical URL → id map and a content hash → id
 * map for de-duplication, and list chunks of at most 500 ids so that every imported article can be read at
 * start without keyv's iterator() (which overflows the stack on @keyv/sqlite past ~31k keys) and without one
 * huge JSON value. Also the HTTP validators of fetched URLs, for conditional requests.
 *
 * @remarks
 * Writes are serialised in this process only. Two processes appending to the same chunk at once (two importers
 * on one Redis) could lose a list entry: the record and its maps stay, but it is not read back at start. Run the
 * importer on one instance at a time (under a lease) until the list writes take the store lock.
 */
export interface ArticleStore {
  /** The record of one id. */
  get(id: string): Promise<ImportedArticle | undefined>;
  /** Records of ids, in order (undefined where absent); read in batches of 500. */
  getMany(ids: string[]): Promise<(ImportedArticle | undefined)[]>;
  /** Ids of canonical URLs, in order. */
  idsByUrl(urls: string[]): Promise<(string | undefined)[]>;
  /** Ids of content hashes, in order. */
  idsByHash(hashes: string[]): Promise<(string | undefined)[]>;
  /** Create or replace records (listed once), with extra URLs that name the same article (mobile twins, duplicates). */
  putMany(records: ImportedArticle[], aliases?: { url: string; id: string }[]): Promise<void>;
  /** Point URLs at existing ids without touching the records (a duplicate found by content hash). */
  addAliases(aliases: { url: string; id: string }[]): Promise<void>;
  /** Remove a record, its list entry and its hash entry (URL aliases are left and ignored). */
  remove(id: string): Promise<boolean>;
  /** Every imported article, in import order, read chunk by chunk. */
  all(): Promise<ImportedArticle[]>;
  /** The `n` articles listed last, the latest imported first, leaving out the ids in `skip` (reads only the last list chunks). */
  latest(n: number, skip?: ReadonlySet<string>): Promise<ImportedArticle[]>;
  /** How many imported articles are listed. */
  count(): Promise<number>;
  /** Changes whenever an article is saved or removed: what an index snapshot of the imports is keyed on. */
  version(): Promise<string>;
  /** Validators remembered for a URL. */
  getValidators(url: string): Promise<UrlValidators | undefined>;
  /** Remember validators for a URL. */
  setValidators(url: string, validators: UrlValidators): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createArticleStore}. */
export interface ArticleStoreOptions {
  /** One adapter per namespace (SQLite or Redis); plain Maps when absent (tests). */
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
}

/** Ids per list chunk. */
export const CHUNK_SIZE = 500;
const META = 'meta';
const VERSION = 'version';
const chunkKey = (n: number) => `c${String(n).padStart(6, '0')}`;

interface ListMeta {
  /** Number of chunks; the last one is the one appended to. */
  chunks: number;
  count: number;
}

/** Where a record is listed, kept apart from the record so that re-putting it never moves it. */
interface Listing {
  chunk: number;
}

/** Create the article store over five keyv namespaces (`art`, `arturl`, `arthash`, `artlist`, `httpval`). */
export async function createArticleStore(options: ArticleStoreOptions): Promise<ArticleStore> {
  const make = <T>(namespace: string) => openNamespace<T>(options, namespace);
  const records = await make<ImportedArticle & Listing>('art');
  const urls = await make<string>('arturl');
  const hashes = await make<string>('arthash');
  const lists = await make<string[] | ListMeta>('artlist');
  const validators = await make<UrlValidators>('httpval');
  let queue: Promise<unknown> = Promise.resolve();

  /** Run list and record writes one after another (read-modify-write of the chunks). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.catch(() => undefined).then(fn);
    queue = next.catch(() => undefined);
    return next;
  }

  async function getMany<T>(kv: Keyv<T>, keys: string[]): Promise<(T | undefined)[]> {
    const out: (T | undefined)[] = [];
    for (let i = 0; i < keys.length; i += CHUNK_SIZE) out.push(...(await kv.getMany(keys.slice(i, i + CHUNK_SIZE))));
    return out;
  }

  const readMeta = async (): Promise<ListMeta> => ((await lists.get(META)) as ListMeta | undefined) ?? { chunks: 0, count: 0 };

  /** Append ids to the list chunks; returns the chunk each went into. */
  async function append(ids: string[]): Promise<number[]> {
    const meta = await readMeta();
    const where: number[] = [];
    let current = meta.chunks > 0 ? (((await lists.get(chunkKey(meta.chunks - 1))) as string[] | undefined) ?? []) : [];
    let n = Math.max(meta.chunks - 1, 0);
    const dirty = new Map<number, string[]>();
    for (const id of ids) {
      if (current.length >= CHUNK_SIZE) {
        n += 1;
        current = [];
      }
      current = [...current, id];
      dirty.set(n, current);
      where.push(n);
    }
    // Chunks before the count: a crash in between leaves an id listed but not counted, which all() still reads.
    for (const [k, v] of dirty) await lists.set(chunkKey(k), v);
    await lists.set(META, { chunks: Math.max(meta.chunks, n + 1), count: meta.count + ids.length });
    return where;
  }

  return {
    async get(id) {
      const r = await records.get(id);
      return r ? strip(r) : undefined;
    },
    async getMany(ids) {
      return (await getMany(records, ids)).map((r) => (r ? strip(r) : undefined));
    },
    idsByUrl: (keys) => getMany(urls, keys),
    idsByHash: (keys) => getMany(hashes, keys),

    putMany: (items, aliases = []) =>
      serial(async () => {
        if (items.length === 0 && aliases.length === 0) return;
        const before = await getMany(
          records,
          items.map((r) => r.article.id),
        );
        const unlisted = items.filter((_, i) => before[i] === undefined);
        const chunks = await append(unlisted.map((r) => r.article.id));
        const chunkOf = new Map(unlisted.map((r, i) => [r.article.id, chunks[i]!]));
        // Record, then maps: a crash before the maps makes the next import see a new article and put it again,
        // which finds the record listed and does not list it twice.
        await records.setMany(items.map((r, i) => ({ key: r.article.id, value: { ...r, chunk: before[i]?.chunk ?? chunkOf.get(r.article.id)! } })));
        const urlEntries = [
          ...items.filter((r) => r.article.url).map((r) => ({ key: r.article.url!, value: r.article.id })),
          ...aliases.map((a) => ({ key: a.url, value: a.id })),
        ];
        if (urlEntries.length > 0) await urls.setMany(urlEntries);
        const stale = before.map((r) => r?.hash).filter((h, i): h is string => h !== undefined && h !== items[i]!.hash);
        if (stale.length > 0) await hashes.deleteMany(stale);
        await hashes.setMany(items.map((r) => ({ key: r.hash, value: r.article.id })));
        await lists.set(VERSION, `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
      }),

    addAliases: (aliases) =>
      serial(async () => {
        if (aliases.length > 0) await urls.setMany(aliases.map((a) => ({ key: a.url, value: a.id })));
      }),

    remove: (id) =>
      serial(async () => {
        const r = await records.get(id);
        if (!r) return false;
        const key = chunkKey(r.chunk);
        const ids = ((await lists.get(key)) as string[] | undefined) ?? [];
        await lists.set(
          key,
          ids.filter((x) => x !== id),
        );
        const meta = await readMeta();
        await lists.set(META, { ...meta, count: Math.max(meta.count - 1, 0) });
        await records.delete(id);
        if ((await hashes.get(r.hash)) === id) await hashes.delete(r.hash);
        await lists.set(VERSION, `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
        return true;
      }),

    async all() {
      const meta = await readMeta();
      const chunks = await getMany(
        lists,
        Array.from({ length: meta.chunks }, (_, i) => chunkKey(i)),
      );
      const ids = chunks.flatMap((c) => (Array.isArray(c) ? c : []));
      const got = await getMany(records, ids);
      return got.filter((r): r is ImportedArticle & Listing => r !== undefined).map(strip);
    },

    async latest(n, skip = new Set()) {
      const meta = await readMeta();
      const ids: string[] = [];
      for (let c = meta.chunks - 1; c >= 0 && ids.length < n; c--) {
        const chunk = ((await lists.get(chunkKey(c))) as string[] | undefined) ?? [];
        for (let i = chunk.length - 1; i >= 0 && ids.length < n; i--) if (!skip.has(chunk[i]!)) ids.push(chunk[i]!);
      }
      const got = await getMany(records, ids);
      return got.filter((r): r is ImportedArticle & Listing => r !== undefined).map(strip);
    },

    count: async () => (await readMeta()).count,
    version: async () => ((await lists.get(VERSION)) as string | undefined) ?? 'empty',
    getValidators: (url) => validators.get(url),
    setValidators: async (url, v) => {
      await validators.set(url, v);
    },

    async close() {
      await queue;
      await Promise.allSettled([records.disconnect(), urls.disconnect(), hashes.disconnect(), lists.disconnect(), validators.disconnect()]);
    },
  };
}

/** The stored record without its list position. */
function strip(r: ImportedArticle & Listing): ImportedArticle {
  const { chunk: _chunk, ...rest } = r;
  return rest;
}
