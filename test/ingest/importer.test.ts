import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createImporter, type ImporterOptions } from '../../src/ingest/importer.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createArticleStore, type ArticleStore, type ImportedArticle } from '../../src/store/articles.js';
import { silentLogger } from '../helpers/logger.js';
import { startSite, type Site } from './site-server.js';

const lexicon = loadLexicon(join(import.meta.dirname, '../../data/lexicon'));
const log = silentLogger();
const DIEN_BIEN = '/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html';

let site: Site;
let store: ArticleStore;
let index: ArticleIndex;
let changes: [string, string][];
let clock: Date;

beforeEach(async () => {
  site = await startSite();
  store = await createArticleStore({ log });
  index = ArticleIndex.create();
  changes = [];
  clock = new Date('2024-12-05T03:00:00Z');
});
afterEach(async () => {
  await store.close();
  await site.close();
});

function importer(options: Partial<ImporterOptions> = {}) {
  return createImporter({
    store,
    index,
    lexicon,
    log,
    now: () => clock,
    fetch: { timeoutMs: 1000, addressPolicy: site.access },
    onChange: (item: ImportedArticle, change) => changes.push([item.article.id, change]),
    ...options,
  });
}

describe('importUrl', () => {
  it('imports an RSS feed: articles stored, indexed at once and answerable; the item without a link reported', async () => {
    const summary = await importer().importUrl(`${site.base}/feed.rss`);
    expect(summary).toMatchObject({ new: 3, updated: 0, skipped: 0, source: { kind: 'rss' } });
    expect(summary.failed).toEqual([{ url: `${site.base}/feed.rss`, reason: 'item 4: no link' }]);
    expect(summary.items.map((i) => i.id).sort()).toEqual(['mattran-46001', 'mattran-46002', 'mattran-46003']);
    expect(await store.count()).toBe(3);
    expect((await store.get('mattran-46002'))!.article.url).toBe('https://mattran.org.vn/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html');
    expect(index.get('mattran-46001')!.province).toBe('Điện Biên');
    const engine = createAnswerEngine({ index, lexicon });
    const answer = engine.answer('Ủy ban MTTQ tỉnh Điện Biên trao bao nhiêu con bò giống cho hộ nghèo?');
    expect(answer.kind).toBe('answer');
    expect(answer.sources[0]!.id).toBe('mattran-46001');
    expect(answer.text).toContain('215 con bò giống');
    expect(changes).toHaveLength(3);
  });

  it('does not fetch known articles again when the feed is read again', async () => {
    await importer().importUrl(`${site.base}/feed.rss`);
    const again = await importer().importUrl(`${site.base}/feed.rss`);
    expect(again).toMatchObject({ new: 0, updated: 0, skipped: 3 });
    expect(site.hits(DIEN_BIEN)).toHaveLength(1);
  });

  it('treats the mobile and desktop URLs of a mattran article as one article', async () => {
    const imp = importer();
    expect(await imp.importUrl(`${site.base}${DIEN_BIEN}`)).toMatchObject({ new: 1, source: { kind: 'article' } });
    expect(await imp.importUrl(`${site.base}/m${DIEN_BIEN}`)).toMatchObject({ new: 0, updated: 0, skipped: 1 });
    expect(await store.count()).toBe(1);
    expect(await store.idsByUrl([`${site.base}/m${DIEN_BIEN}`])).toEqual(['mattran-46001']);
  });

  it('skips the same content under another URL (content hash) and remembers that URL', async () => {
    const imp = importer();
    const first = await imp.importUrl(`${site.base}/tinh/lao-cai-ho-tro-sua-nha.html`);
    expect(first.new).toBe(1);
    const copy = await imp.importUrl(`${site.base}/copy/tinh/lao-cai-ho-tro-sua-nha.html`);
    expect(copy).toMatchObject({ new: 0, skipped: 1 });
    expect(await store.count()).toBe(1);
    expect(await store.idsByUrl([`${site.base}/copy/tinh/lao-cai-ho-tro-sua-nha.html`])).toEqual([first.items[0]!.id]);
  });

  it('replaces a changed article: same id, new text in the store and the index, first import time kept', async () => {
    const url = `${site.base}/thay-doi/nghe-an-xay-cau-dan-sinh-46020.html`;
    const imp = importer();
    expect((await imp.importUrl(url)).new).toBe(1);
    const before = (await store.get('mattran-46020'))!;
    clock = new Date('2024-12-06T03:00:00Z');
    site.controls.changingVersion = 2;
    const summary = await imp.importUrl(url);
    expect(summary).toMatchObject({ new: 0, updated: 1, items: [{ id: 'mattran-46020', change: 'updated' }] });
    const after = (await store.get('mattran-46020'))!;
    expect(after.article.body).toContain('1,1 tỷ đồng');
    expect(after.hash).not.toBe(before.hash);
    expect(after.importedAt).toBe(before.importedAt);
    expect(after.updatedAt).toBe('2024-12-06T10:00:00+07:00');
    expect(await store.idsByHash([before.hash])).toEqual([undefined]);
    expect(index.get('mattran-46020')!.body).toContain('1,1 tỷ đồng');
    expect(index.size).toBe(1);
    expect(changes).toEqual([
      ['mattran-46020', 'new'],
      ['mattran-46020', 'updated'],
    ]);
    const answer = createAnswerEngine({ index, lexicon }).answer('Kinh phí xây cầu Huồi Cáng được nâng lên bao nhiêu sau khi doanh nghiệp ủng hộ?');
    expect(answer.text).toContain('1,1 tỷ đồng');
  });

  it('skips an ETag-aware page the second time: the server answers 304', async () => {
    const url = `${site.base}/etag/ha-noi-hoi-nghi-46010.html`;
    expect((await importer().importUrl(url)).new).toBe(1);
    const second = await importer().importUrl(url);
    expect(second).toMatchObject({ new: 0, skipped: 1, source: { notModified: true } });
    expect(site.hits('/etag/ha-noi-hoi-nghi-46010.html').at(-1)!.headers['if-none-match']).toBe('"v1-46010"');
  });

  it('imports an Atom feed with a windows-1258 page and maps an old province name to the 2025 province', async () => {
    const summary = await importer().importUrl(`${site.base}/atom.xml`);
    expect(summary).toMatchObject({ new: 2, failed: [], source: { kind: 'atom' } });
    const legacy = summary.items.find((i) => i.url?.includes('windows-1258'))!;
    expect(legacy.title).toBe('Quảng Bình: Mặt trận vận động nhân dân trồng rừng ven biển');
    const rec = (await store.get(legacy.id))!;
    expect(rec.article).toMatchObject({ province: 'Quảng Trị', publishedAt: '2024-11-20T00:00:00+07:00' });
    expect(rec.article.body).toContain('35 héc-ta rừng phi lao');
  });

  it('reads a section page with its next pages and reports an article that is gone', async () => {
    const summary = await importer({ maxListPages: 3 }).importUrl(`${site.base}/tin-hoat-dong/`);
    expect(summary).toMatchObject({ new: 3, source: { kind: 'list' } });
    expect(summary.failed).toEqual([{ url: `${site.base}/hoat-dong/bai-khong-ton-tai-46999.html`, reason: expect.stringMatching(/HTTP 404/) }]);
    // The 404 article: the next round must not get a 304 for the list and hide it.
    expect(await store.getValidators(`${site.base}/tin-hoat-dong/`)).toBeUndefined();
  });

  it('follows a sitemap index and fetches a known article again only when its lastmod is newer than the last check', async () => {
    // Checked on 1 June 2024: the Điện Biên lastmod (19 April) is older, the Cần Thơ one (18 October) newer.
    clock = new Date('2024-06-01T00:00:00Z');
    const first = await importer().importUrl(`${site.base}/sitemap-index.xml`);
    expect(first).toMatchObject({ new: 2, source: { kind: 'sitemapindex' } });
    expect(first.failed.map((f) => f.reason)).toEqual([expect.stringMatching(/nested deeper/), expect.stringMatching(/HTTP 404/)]);
    const second = await importer().importUrl(`${site.base}/sitemap-index.xml`);
    expect(second).toMatchObject({ new: 0, updated: 0, skipped: 2 });
    expect(site.hits(DIEN_BIEN)).toHaveLength(1);
    expect(site.hits('/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html')).toHaveLength(2);
    // Checked again now: nothing is newer than the last check any more.
    clock = new Date('2024-12-05T03:00:00Z');
    await importer().importUrl(`${site.base}/sitemap-index.xml`);
    await importer().importUrl(`${site.base}/sitemap-index.xml`);
    expect(site.hits('/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html')).toHaveLength(3);
  });

  it('never throws: every bad source ends in a summary with a reason', async () => {
    const imp = importer({ fetch: { timeoutMs: 300, addressPolicy: site.access } });
    const cases: [string, RegExp][] = [
      ['/huge.html', /larger than 5242880 bytes/],
      ['/loop-a', /redirect loop/],
      ['/slow.html', /timed out after 300 ms/],
      ['/broken/sitemap.xml', /malformed or empty sitemap/],
      ['/broken/not-an-article.html', /no article text/],
      ['/khong-co.html', /HTTP 404/],
    ];
    for (const [path, reason] of cases) {
      const s = await imp.importUrl(`${site.base}${path}`);
      expect(s.source.error, path).toMatch(reason);
      expect(s.failed[0]!.reason, path).toMatch(reason);
    }
    expect((await imp.importUrl('ftp://mattran.org.vn/a.html')).source.error).toBe('not an http(s) URL');
    const broken = await imp.importUrl(`${site.base}/broken/feed.xml`);
    expect(broken).toMatchObject({ new: 1, source: { kind: 'rss' } });
    expect(broken.failed).toEqual([{ url: `${site.base}/khong-ton-tai-45000.html`, reason: expect.stringMatching(/HTTP 404/) }]);
  });

  it('refuses a source on an internal address with the default policy: the summary says so, nothing is fetched', async () => {
    const imp = importer({ fetch: { timeoutMs: 1000 } });
    const summary = await imp.importUrl(`${site.base}/feed.rss`);
    expect(summary).toMatchObject({
      new: 0,
      updated: 0,
      skipped: 0,
      source: { forbidden: 'address', error: expect.stringMatching(/^internal address refused: 127\.0\.0\.1/) },
    });
    expect(summary.failed).toEqual([{ url: `${site.base}/feed.rss`, reason: summary.source.error }]);
    expect(site.requests).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('keeps unpublished items out of the index while storing them', async () => {
    const summary = await importer({ isUnpublished: (id) => id === 'mattran-46001' }).importUrl(`${site.base}${DIEN_BIEN}`);
    expect(summary.new).toBe(1);
    expect(index.get('mattran-46001')).toBeUndefined();
    expect(await store.get('mattran-46001')).toBeDefined();
  });
});

describe('importFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-import-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('imports .jsonl and .jsonl.gz with the content loaders: new, updated by URL, duplicates by hash, broken lines reported', async () => {
    const rows = [
      {
        id: 'tn-1',
        url: 'https://m.mattran.org.vn/hoat-dong/thai-nguyen-46100.html',
        title: 'Thái Nguyên: Trao 30 nhà Đại đoàn kết',
        body: 'Ủy ban MTTQ tỉnh Thái Nguyên trao 30 nhà Đại đoàn kết cho hộ nghèo ở huyện Võ Nhai.',
        source: 'tep-thu',
      },
      { id: 'tn-2', title: 'Bắc Kạn: Hỗ trợ học sinh vùng khó', body: 'Ủy ban MTTQ tỉnh Bắc Kạn trao 100 suất học bổng cho học sinh vùng khó.' },
    ];
    const jsonl = join(dir, 'bai.jsonl');
    await writeFile(jsonl, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{ hỏng\n`);
    const first = await importer().importFile(jsonl);
    expect(first).toMatchObject({ new: 2, updated: 0, skipped: 0, source: { kind: 'file' } });
    expect(first.failed).toEqual([{ url: `${jsonl}:3`, reason: expect.stringMatching(/invalid JSON/) }]);
    expect((await store.get('tn-1'))!.article).toMatchObject({
      url: 'https://mattran.org.vn/hoat-dong/thai-nguyen-46100.html',
      province: 'Thái Nguyên',
      source: 'tep-thu',
    });
    expect((await store.get('tn-2'))!.article.province).toBe('Thái Nguyên');
    const changed = [
      { ...rows[0], id: 'khac-id', body: `${rows[0]!.body} Tổng kinh phí 1,5 tỷ đồng.` },
      { ...rows[1], id: 'tn-2-ban-sao' },
    ];
    const gz = join(dir, 'bai.jsonl.gz');
    await writeFile(gz, gzipSync(changed.map((r) => JSON.stringify(r)).join('\n')));
    const second = await importer().importFile(gz);
    expect(second).toMatchObject({ new: 0, updated: 1, skipped: 1, failed: [] });
    expect((await store.get('tn-1'))!.article.body).toContain('1,5 tỷ đồng');
    expect(await store.count()).toBe(2);
    expect(index.size).toBe(2);
  });

  it('reports a missing file and programs without throwing', async () => {
    expect((await importer().importFile(join(dir, 'khong-co.jsonl'))).source.error).toMatch(/no such file/);
    const json = join(dir, 'programs.json');
    await writeFile(json, JSON.stringify({ programs: [{ id: 'p1', name: 'Chương trình A', kind: 'fund', level: 'tinh' }] }));
    const s = await importer().importFile(json);
    expect(s.failed).toEqual([{ url: `${json}#p1`, reason: expect.stringMatching(/programs are not imported/) }]);
  });
});
