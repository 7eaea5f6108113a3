import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchDoc } from '../../src/content/types.js';
import { COMBINED_SNAPSHOT_MIN, loadIndex } from '../../src/search/build.js';
import { silentLogger } from '../helpers/logger.js';

const imported = (id: string): SearchDoc => ({
  id,
  type: 'article',
  title: `Bài nhập ${id}`,
  summary: '',
  body: 'Ủy ban MTTQ xã trao quà cho hộ nghèo.',
  source: 'import',
  publishedAt: '2026-11-27',
});

describe('loadIndex with imported articles', () => {
  it('adds a few imports on top of the files snapshot, snapshots many imports with the files, prunes old snapshots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-build-'));
    try {
      const content = join(dir, 'content');
      await mkdir(content);
      await writeFile(join(content, 'a.jsonl'), `${JSON.stringify({ id: 'a1', title: 'Bài gốc', body: 'Mặt trận tỉnh họp.', source: 't' })}\n`);
      const cacheDir = join(dir, 'cache');
      const open = (version: string, docs: SearchDoc[]) =>
        loadIndex({ paths: [content], cacheDir, log: silentLogger(), extra: { key: version, load: async () => docs } });
      const snapshots = async () => (await readdir(cacheDir)).filter((n) => n.startsWith('index-')).length;
      // Few imports: built from the files (files snapshot saved), imports indexed on top every start.
      const first = await open('v1', [imported('x1')]);
      expect(first.fromSnapshot).toBe(false);
      expect(first.index.get('x1')).toBeDefined();
      const second = await open('v2', [imported('x1'), imported('x2')]);
      expect(second.fromSnapshot).toBe(true);
      expect(second.index.get('x2')).toBeDefined();
      expect(await snapshots()).toBe(1);
      // Many imports: a combined snapshot, loaded as is next time.
      const many = Array.from({ length: COMBINED_SNAPSHOT_MIN }, (_, i) => imported(`m${i}`));
      await open('v3', many);
      expect(await snapshots()).toBe(2);
      const combined = await open('v3', []);
      expect(combined.fromSnapshot).toBe(true);
      expect(combined.index.get('m1999')?.title).toBe('Bài nhập m1999');
      for (let v = 4; v <= 7; v++) await open(`v${v}`, many);
      // The current two snapshots (files, files + imports) and at most three others are kept.
      expect(await snapshots()).toBe(5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
