import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentLoadError, loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { ROOT } from '../helpers/shared.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-load-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (o: object) => JSON.stringify(o);

describe('loadContent', () => {
  it('loads JSONL and reports each broken line as file:line: reason, skipping it', async () => {
    const file = join(dir, 'a.jsonl');
    await writeFile(
      file,
      [
        line({ id: '1', title: 'Một', body: 'Nội dung một', source: 'x' }),
        '{"id": "2", "title": ',
        line({ id: '3', title: 5, body: 'x' }),
        '',
        line({ id: '4', title: '', body: '' }),
        line({ id: '5', title: 'Năm', body: 'Nội dung năm' }),
      ].join('\n'),
    );
    const { items, problems } = await loadContent([file]);
    expect(items.map((i) => i.id)).toEqual(['1', '5']);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(new RegExp(`^${file}:2: invalid JSON`));
    expect(problems[1]).toMatch(new RegExp(`^${file}:3: title`));
    expect(problems[2]).toMatch(new RegExp(`^${file}:5: .*empty`));
  });

  it('loads gzip-compressed JSONL and uses the file name as the default source', async () => {
    const file = join(dir, 'news.jsonl.gz');
    await writeFile(file, gzipSync(`${line({ id: 'g1', title: 'Tin', body: 'Thân bài' })}\n`));
    const { items } = await loadContent([file]);
    expect(items).toEqual([{ type: 'article', id: 'g1', title: 'Tin', body: 'Thân bài', source: 'news', kind: 'article' }]);
  });

  it('fails clearly on a missing file', async () => {
    await expect(loadContent([join(dir, 'nope.jsonl')])).rejects.toThrow(ContentLoadError);
    await expect(loadContent([join(dir, 'nope.jsonl')])).rejects.toThrow(/no such file/);
  });

  it('fails clearly on an empty file, or one with no valid record', async () => {
    await writeFile(join(dir, 'empty.jsonl'), '');
    await expect(loadContent([join(dir, 'empty.jsonl')])).rejects.toThrow(/empty/);
    await writeFile(join(dir, 'bad.jsonl'), 'not json\n');
    await expect(loadContent([join(dir, 'bad.jsonl')])).rejects.toThrow(/empty \(no valid record\)/);
  });

  it('fails clearly on a corrupt gzip file', async () => {
    await writeFile(join(dir, 'broken.jsonl.gz'), Buffer.from('definitely not gzip'));
    await expect(loadContent([join(dir, 'broken.jsonl.gz')])).rejects.toThrow(/cannot read/);
  });

  it('merges duplicates by id and by url instead of doubling them', async () => {
    const file = join(dir, 'dup.jsonl');
    await writeFile(
      file,
      [
        line({ id: 'a', title: 'Bài A', body: 'cũ', url: 'https://mattran.org.vn/a-1.html', topics: ['x'] }),
        line({ id: 'a', title: 'Bài A', body: 'mới', summary: 'Tóm tắt', topics: ['y'] }),
        line({ id: 'b', title: 'Bài A (bản khác)', body: 'khác', url: 'https://mattran.org.vn/a-1.html' }),
      ].join('\n'),
    );
    const { items } = await loadContent([file]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: 'a', body: 'khác', summary: 'Tóm tắt', title: 'Bài A (bản khác)', topics: ['x', 'y'] });
  });

  it('turns NFD input into NFC and strips control characters', async () => {
    const file = join(dir, 'nfd.jsonl');
    await writeFile(file, line({ id: 'n', title: 'Mặt trận\u0007'.normalize('NFD'), body: 'Tổ quốc'.normalize('NFD') }));
    const { items } = await loadContent([file]);
    expect(items[0]).toMatchObject({ title: 'Mặt trận'.normalize('NFC'), body: 'Tổ quốc'.normalize('NFC') });
  });

  it('loads programs from JSON and makes them searchable documents', async () => {
    const file = join(dir, 'programs.json');
    await writeFile(
      file,
      JSON.stringify({
        programs: [
          {
            id: 'p1',
            name: 'Vì người nghèo',
            kind: 'campaign',
            level: 'trung-uong',
            parties: ['UBTW MTTQ'],
            period: 'từ 2000',
            summary: 'Cuộc vận động.',
            tasks: ['Xây nhà Đại đoàn kết'],
          },
          { id: 'p2', name: '', kind: 'bogus', level: 'x' },
        ],
      }),
    );
    const { items, problems } = await loadContent([file]);
    expect(items).toHaveLength(1);
    expect(problems[0]).toMatch(/programs\[1\]/);
    const doc = toSearchDoc(items[0]!);
    expect(doc).toMatchObject({ id: 'p1', type: 'program', title: 'Vì người nghèo' });
    expect(doc.body).toContain('Xây nhà Đại đoàn kết.');
  });

  it('rejects a JSON file of the wrong shape', async () => {
    await writeFile(join(dir, 'x.json'), '{"hello": 1}');
    await expect(loadContent([join(dir, 'x.json')])).rejects.toThrow(/expected an array/);
  });

  it('loads the bundled data directory: the seed article and the programs', async () => {
    const { items, problems } = await loadContent([join(ROOT, 'data')]);
    expect(problems).toEqual([]);
    expect(items.find((i) => i.id === 'mattran-quang-binh-ctpp-2022')).toMatchObject({ type: 'article', publishedAt: '2022-04-19' });
    expect(items.filter((i) => i.type === 'program').length).toBeGreaterThanOrEqual(10);
  });
});
