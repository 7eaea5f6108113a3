import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { listContentFiles, loadContent } from '../content/load.js';
import { toSearchDoc } from '../content/types.js';
import { ArticleIndex, INDEX_FORMAT } from './article-index.js';

/** Options for {@link loadIndex}. */
export interface LoadIndexOptions {
  /** Content files or directories. */
  paths: string[];
  /** Where snapshots are kept; no snapshot when undefined. */
  cacheDir?: string;
  log: Logger;
}

/** A key that changes when any input file changes (path, size, modification time) or the index format does. */
export async function contentKey(paths: string[]): Promise<string> {
  const hash = createHash('sha256').update(INDEX_FORMAT);
  for (const p of await listContentFiles(paths)) {
    const s = await stat(p).catch(() => undefined);
    hash.update(`${p}\0${s?.size ?? -1}\0${s?.mtimeMs ?? -1}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Load content into a new index, from a snapshot when one matches the content, else by indexing (then saving one). */
export async function loadIndex(options: LoadIndexOptions): Promise<{ index: ArticleIndex; problems: string[]; fromSnapshot: boolean }> {
  const { paths, cacheDir, log } = options;
  const key = await contentKey(paths);
  const file = cacheDir ? join(cacheDir, `index-${key}`) : undefined;
  if (file) {
    const started = Date.now();
    try {
      const index = await ArticleIndex.loadSnapshot(file, key);
      log.info({ file, documents: index.size, ms: Date.now() - started }, 'index loaded from snapshot');
      return { index, problems: [], fromSnapshot: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, file }, 'snapshot unusable, re-indexing');
    }
  }
  const started = Date.now();
  const { items, problems } = await loadContent(paths);
  for (const p of problems.slice(0, 20)) log.warn(p);
  if (problems.length > 20) log.warn({ more: problems.length - 20 }, 'more broken records skipped');
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  index.compact();
  log.info({ documents: index.size, terms: index.termCount, ms: Date.now() - started }, 'index built');
  if (file) {
    await index.saveSnapshot(file, key).catch((err: unknown) => log.warn({ err, file }, 'could not save index snapshot'));
  }
  return { index, problems, fromSnapshot: false };
}
