import { createReadStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { cleanInvisible } from '../text/normalize.js';
import type { Article, ContentItem, Program } from './types.js';

/** A file could not be read at all (missing, empty, not the expected shape). */
export class ContentLoadError extends Error {
  override name = 'ContentLoadError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Text fields: NFC, control characters removed. */
const text = z.string().transform((s) => cleanInvisible(s).normalize('NFC'));
const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((s) => (s == null ? undefined : cleanInvisible(s).normalize('NFC').trim() || undefined));

const articleSchema = z
  .object({
    id: z.union([z.string().trim().min(1), z.number()]).transform((v) => String(v).normalize('NFC')),
    url: optionalText,
    title: text.default(''),
    summary: optionalText,
    body: text.default(''),
    publishedAt: optionalText,
    province: optionalText,
    topics: z.array(z.string()).optional(),
    source: optionalText,
    kind: z.enum(['article', 'announcement']).default('article'),
    author: optionalText,
  })
  .refine((a) => a.title.trim() !== '' || a.body.trim() !== '' || (a.summary ?? '') !== '', {
    message: 'title, summary and body are all empty',
  });

const programSchema = z.object({
  id: z.string().trim().min(1),
  name: text.pipe(z.string().min(1)),
  kind: z.enum(['coordination', 'campaign', 'movement', 'fund']),
  level: z.string().min(1),
  province: optionalText,
  parties: z.array(text).default([]),
  period: text.default(''),
  summary: text.default(''),
  tasks: z.array(text).default([]),
  sourceUrl: optionalText,
  source: optionalText,
});

/** The result of loading: items (deduplicated) and the problems met, as `file:line: reason`. */
export interface LoadResult {
  items: ContentItem[];
  problems: string[];
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ');
}

function toArticle(raw: unknown, fallbackSource: string): ContentItem | string {
  const parsed = articleSchema.safeParse(raw);
  if (!parsed.success) return describe(parsed.error);
  const a = parsed.data;
  const article: Article = { ...a, source: a.source ?? fallbackSource, title: a.title.trim() };
  for (const k of Object.keys(article) as (keyof Article)[]) if (article[k] === undefined) delete article[k];
  return { type: 'article', ...article };
}

function toProgram(raw: unknown): ContentItem | string {
  const parsed = programSchema.safeParse(raw);
  if (!parsed.success) return describe(parsed.error);
  const p: Program = { ...parsed.data, source: parsed.data.source };
  for (const k of Object.keys(p) as (keyof Program)[]) if (p[k] === undefined) delete p[k];
  return { type: 'program', ...p };
}

async function* jsonLines(file: string): AsyncGenerator<[number, string]> {
  let input: NodeJS.ReadableStream = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() !== '') yield [n, line];
  }
}

async function loadJsonl(file: string, source: string, out: LoadResult): Promise<number> {
  let count = 0;
  try {
    for await (const [n, line] of jsonLines(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        out.problems.push(`${file}:${n}: invalid JSON (${(err as Error).message})`);
        continue;
      }
      const item = toArticle(raw, source);
      if (typeof item === 'string') out.problems.push(`${file}:${n}: ${item}`);
      else {
        out.items.push(item);
        count += 1;
      }
    }
  } catch (err) {
    throw new ContentLoadError(`${file}: cannot read (${(err as Error).message})`, file, { cause: err });
  }
  return count;
}

async function loadJson(file: string, source: string, out: LoadResult): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ContentLoadError(`${file}: not valid JSON (${(err as Error).message})`, file, { cause: err });
  }
  const record = raw as { programs?: unknown; articles?: unknown };
  const entries: [unknown[], 'program' | 'article'][] = [];
  if (Array.isArray(raw)) entries.push([raw, 'article']);
  if (record && Array.isArray(record.programs)) entries.push([record.programs, 'program']);
  if (record && Array.isArray(record.articles)) entries.push([record.articles, 'article']);
  if (entries.length === 0) {
    throw new ContentLoadError(`${file}: expected an array of articles, or {"programs": [...]} / {"articles": [...]}`, file);
  }
  let count = 0;
  for (const [list, kind] of entries) {
    list.forEach((value, i) => {
      const item = kind === 'program' ? toProgram(value) : toArticle(value, source);
      if (typeof item === 'string') out.problems.push(`${file}:${kind}s[${i}]: ${item}`);
      else {
        out.items.push(item);
        count += 1;
      }
    });
  }
  return count;
}

const CONTENT_FILE = /\.(jsonl|jsonl\.gz|json)$/;

async function expand(path: string): Promise<string[]> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    throw new ContentLoadError(`${path}: no such file or directory`, path);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path, { recursive: true })).filter((n) => CONTENT_FILE.test(n) && !n.includes('lexicon') && !n.startsWith('models'));
  return names.sort().map((n) => join(path, n));
}

/** The content files that `paths` name (directories expanded), in load order. */
export async function listContentFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) out.push(...(await expand(p)));
  return out;
}

/** Merge a duplicate into the item already held: fields present in the newer record win. */
function merge(older: ContentItem, newer: ContentItem): ContentItem {
  if (older.type !== newer.type) return newer;
  const merged: Record<string, unknown> = { ...older };
  for (const [k, v] of Object.entries(newer)) {
    if (k === 'id' || v === undefined || v === '') continue;
    if (k === 'topics' && Array.isArray(v)) {
      merged[k] = [...new Set([...((older as Article).topics ?? []), ...(v as string[])])];
    } else merged[k] = v;
  }
  return merged as unknown as ContentItem;
}

/** Deduplicate by id and by URL, merging duplicates in load order. */
function dedupe(items: ContentItem[]): ContentItem[] {
  const byId = new Map<string, ContentItem>();
  const idByUrl = new Map<string, string>();
  for (const item of items) {
    const url = item.type === 'article' ? item.url : item.sourceUrl;
    const existingId = byId.has(item.id) ? item.id : url ? idByUrl.get(url) : undefined;
    if (existingId !== undefined) {
      const merged = merge(byId.get(existingId)!, item);
      merged.id = existingId;
      byId.set(existingId, merged);
    } else byId.set(item.id, item);
    if (url && !idByUrl.has(url)) idByUrl.set(url, existingId ?? item.id);
  }
  return [...byId.values()];
}

/**
 * Load articles and programs from JSON, JSONL and JSONL.gz files or directories of them.
 * Broken records are skipped and reported; a missing or empty file throws {@link ContentLoadError}.
 */
export async function loadContent(paths: string[]): Promise<LoadResult> {
  const out: LoadResult = { items: [], problems: [] };
  for (const path of paths) {
    const files = await expand(path);
    if (files.length === 0) throw new ContentLoadError(`${path}: no .json, .jsonl or .jsonl.gz files inside`, path);
    for (const file of files) {
      const source = basename(file).replace(/\.(jsonl|json)(\.gz)?$/, '');
      const ext = file.endsWith('.jsonl.gz') ? '.jsonl.gz' : extname(file);
      const count = ext === '.json' ? await loadJson(file, source, out) : await loadJsonl(file, source, out);
      if (count === 0) throw new ContentLoadError(`${file}: empty (no valid record)`, file);
    }
  }
  out.items = dedupe(out.items);
  return out;
}
