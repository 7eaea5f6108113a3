import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { listContentFiles, loadContent } from '../content/load.js';
import { readdir, rm } from 'node:fs/promises';
import { toSearchDoc, type SearchDoc } from '../content/types.js';
import { ArticleIndex, INDEX_FORMAT } from './article-index.js';

/** Options for {@link loadIndex}. */
export interface LoadIndexOptions {
  /** Content files or directories. */
  paths: string[];
  /** Where snapshots are kept; no snapshot when undefined. */
  cacheDir?: string;
  log: Logger;
  /**
   * Documents from elsewhere (imported articles in the store), indexed with the files and kept in the same
   * snapshot; `key` must change whenever they do.
   */
  extra?: { key: string; load: () => Promise<SearchDoc[]> };
}

/** A key that changes when any input file changes (path, size, modification time) or the index format does. */
async function contentKey(paths: string[]): Promise<string> {
  const hash = createHash('sha256').update(INDEX_FORMAT);
  for (const p of await listContentFiles(paths)) {
    const s = await stat(p).catch(() => undefined);
    hash.update(`${p}\0${s?.size ?? -1}\0${s?.mtimeMs ?? -1}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Snapshots kept besides the current ones (other content sets: the CLI's eval corpora, earlier imports). */
const KEEP_OTHER_SNAPSHOTS = 3;
/** From this many imported articles on, files and imports get a snapshot together. */
export const COMBINED_SNAPSHOT_MIN = 2000;

/** Delete all but the newest few other snapshots: at 116k articles each is ~850 MB. */
async function pruneSnapshots(cacheDir: string, current: string[], log: Logger): Promise<void> {
  const names = (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => n.startsWith('index-') && !current.includes(n) && !n.includes('.tmp'));
  const dated = await Promise.all(names.map(async (n) => ({ n, at: (await stat(join(cacheDir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  for (const { n } of dated.sort((a, b) => b.at - a.at).slice(KEEP_OTHER_SNAPSHOTS)) {
    await rm(join(cacheDir, n), { recursive: true, force: true }).catch((err: unknown) => log.warn({ err, snapshot: n }, 'could not delete an old snapshot'));
  }
}

/** Load content into a new index, from a snapshot when one matches the content, else by indexing (then saving one). */
export async function loadIndex(options: LoadIndexOptions): Promise<{ index: ArticleIndex; problems: string[]; fromSnapshot: boolean }> {
  const { paths, cacheDir, log } = options;
  const filesKey = await contentKey(paths);
  const combinedKey = options.extra ? createHash('sha256').update(`${filesKey}\0${options.extra.key}`).digest('hex').slice(0, 16) : filesKey;
  const at = (key: string) => (cacheDir ? join(cacheDir, `index-${key}`) : undefined);
  const tryLoad = async (key: string): Promise<ArticleIndex | undefined> => {
    const file = at(key);
    if (!file) return undefined;
    const started = Date.now();
    try {
      const index = await ArticleIndex.loadSnapshot(file, key);
      log.info({ file, documents: index.size, ms: Date.now() - started }, 'index loaded from snapshot');
      return index;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, file }, 'snapshot unusable, re-indexing');
      return undefined;
    }
  };
  const save = async (index: ArticleIndex, key: string) => {
    const file = at(key);
    if (!file || !cacheDir) return;
    await index.saveSnapshot(file, key).catch((err: unknown) => log.warn({ err, file }, 'could not save index snapshot'));
    await pruneSnapshots(cacheDir, [`index-${key}`, `index-${filesKey}`], log);
  };

  // Files and imports as they were at the last start: one snapshot.
  const combined = await tryLoad(combinedKey);
  if (combined) return { index: combined, problems: [], fromSnapshot: true };
  // Else the files' snapshot (or the files), then the imports on top.
  let index = combinedKey === filesKey ? undefined : await tryLoad(filesKey);
  let problems: string[] = [];
  const fromSnapshot = index !== undefined;
  if (!index) {
    const started = Date.now();
    const loaded = await loadContent(paths);
    problems = loaded.problems;
    for (const p of problems.slice(0, 20)) log.warn(p);
    if (problems.length > 20) log.warn({ more: problems.length - 20 }, 'more broken records skipped');
    index = ArticleIndex.create();
    for (const item of loaded.items) index.upsert(toSearchDoc(item));
    index.compact();
    log.info({ documents: index.size, terms: index.termCount, ms: Date.now() - started }, 'index built');
    await save(index, filesKey);
  }
  if (options.extra) {
    const started = Date.now();
    const extra = await options.extra.load();
    for (const doc of extra) index.upsert(doc);
    if (extra.length > 0) log.info({ imported: extra.length, ms: Date.now() - started }, 'imported articles indexed');
    // Many imports are worth a snapshot of their own; a few are quicker to index again than to write 100s of MB.
    if (extra.length >= COMBINED_SNAPSHOT_MIN) await save(index, combinedKey);
  }
  return { index, problems, fromSnapshot };
}
