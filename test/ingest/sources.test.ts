import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher, type FetchedResource } from '../../src/ingest/fetch.js';
import { classifyPage, detectKind, discoverEntries, parseFeed, parseListPage, parseSitemap } from '../../src/ingest/sources.js';
import { silentLogger } from '../helpers/logger.js';
import { SITE_DIR, startSite, type Site } from './site-server.js';

const B = 'http://127.0.0.1:8080';
const file = (path: string) => readFileSync(join(SITE_DIR, path), 'utf8').replaceAll('{{BASE}}', B);
const now = () => new Date('2024-12-05T03:00:00Z');

describe('detectKind', () => {
  it('tells feeds, sitemaps and pages apart by content, then by Content-Type and URL', () => {
    expect(detectKind(file('feed.rss'), 'text/xml', `${B}/a`)).toBe('rss');
    expect(detectKind(file('atom.xml'), 'application/xml', `${B}/a`)).toBe('atom');
    expect(detectKind(file('sitemap-index.xml'), '', `${B}/a`)).toBe('sitemapindex');
    expect(detectKind(file('sitemap-articles.xml'), '', `${B}/a`)).toBe('sitemap');
    expect(detectKind(file('tin-hoat-dong/index.html'), 'text/html', `${B}/feed.xml`)).toBe('html');
    expect(detectKind('\uFEFF<!-- x --><rss version="2.0">', '', `${B}/a`)).toBe('rss');
    expect(detectKind('garbage', 'application/atom+xml', `${B}/a`)).toBe('atom');
    expect(detectKind('garbage', '', `${B}/sitemap-news.xml`)).toBe('sitemap');
    expect(detectKind('garbage', '', `${B}/feed/`)).toBe('rss');
  });
});

describe('feeds', () => {
  it('reads RSS 2.0 items: link or permalink guid, title, description as text, pubDate in Vietnam time', () => {
    const { entries, problems } = parseFeed(file('feed.rss'), `${B}/feed.rss`, now);
    expect(entries.map((e) => e.url)).toEqual([
      `${B}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`,
      `${B}/m/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html`,
      `${B}/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html`,
    ]);
    expect(entries[0]).toMatchObject({
      title: 'Điện Biên: Trao 215 con bò giống cho hộ nghèo vùng cao',
      summary: 'Ủy ban MTTQ Việt Nam tỉnh Điện Biên trao 215 con bò giống.',
      publishedAt: '2024-04-19T08:30:00+07:00',
    });
    expect(problems).toEqual([{ url: `${B}/feed.rss`, reason: 'item 4: no link' }]);
  });

  it('reads Atom entries: the alternate link (relative ones resolved), published and updated', () => {
    const { entries } = parseFeed(file('atom.xml'), `${B}/atom.xml`, now);
    expect(entries).toEqual([
      expect.objectContaining({
        url: `${B}/tinh/lao-cai-ho-tro-sua-nha.html`,
        publishedAt: '2024-12-01T07:45:00+07:00',
        updatedAt: '2024-12-02T10:00:00+07:00',
      }),
      expect.objectContaining({ url: `${B}/tinh/quang-binh-windows-1258.html`, publishedAt: '2024-11-20T23:00:00+07:00' }),
    ]);
  });

  it('does not crash on malformed XML: what can be read is read, the rest is reported', () => {
    const broken = parseFeed(file('broken/feed.xml'), `${B}/broken/feed.xml`, now);
    expect(broken.entries.map((e) => e.url)).toEqual([`${B}/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html`, `${B}/khong-ton-tai-45000.html`]);
    expect(parseFeed('<<<not xml at all', `${B}/x`).problems[0]!.reason).toMatch(/no item or entry/);
    expect(parseSitemap(file('broken/sitemap.xml'), `${B}/broken/sitemap.xml`).problems[0]!.reason).toMatch(/malformed or empty sitemap/);
  });
});

describe('list pages', () => {
  it('reads mattran stories with relative times and the next page', () => {
    const list = parseListPage(file('tin-hoat-dong/index.html'), `${B}/tin-hoat-dong/`, now);
    expect(list.entries).toEqual([
      {
        url: `${B}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`,
        title: 'Điện Biên: Trao 215 con bò giống cho hộ nghèo vùng cao',
        summary: 'Ủy ban MTTQ Việt Nam tỉnh Điện Biên trao 215 con bò giống cho hộ nghèo.',
        publishedAt: '2024-12-05T08:00:00+07:00',
      },
      {
        url: `${B}/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html`,
        title: 'Gia Lai: Khu dân cư làng Plei Ơi tổ chức Ngày hội Đại đoàn kết',
        publishedAt: '2024-11-15T09:00:00+07:00',
      },
    ]);
    expect(list.next).toBe(`${B}/tin-hoat-dong/trang-2.html`);
  });

  it('falls back to same-host links ending in -<digits>.html', () => {
    const html = `<a href="/tin/a-123.html">A</a><a href="https://other.vn/b-456.html">B</a><a href="/gioi-thieu/">C</a><a href="tin/d-789.htm">D</a>`;
    expect(parseListPage(html, `${B}/tin/`).entries.map((e) => e.url)).toEqual([`${B}/tin/a-123.html`, `${B}/tin/tin/d-789.htm`]);
  });

  it('classifies article and list pages', () => {
    expect(classifyPage(file('hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html'), `${B}/a`)).toBe('article');
    expect(classifyPage(file('tin-hoat-dong/index.html'), `${B}/tin-hoat-dong/`)).toBe('list');
    expect(classifyPage(file('tinh/lao-cai-ho-tro-sua-nha.html'), `${B}/tinh/lao-cai-ho-tro-sua-nha.html`)).toBe('article');
    expect(classifyPage(file('bao/xa-hoi.html'), `${B}/xa-hoi/`)).toBe('list');
    expect(classifyPage(file('bao/nghe-an-trao-qua-cong-nhan-2024112001.html'), `${B}/xa-hoi/nghe-an-trao-qua-cong-nhan-2024112001.html`)).toBe('article');
  });
});

describe('discoverEntries over HTTP', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(() => site.close());
  const first = async (path: string) => (await createFetcher({ addressPolicy: site.access }).fetch(`${site.base}${path}`)) as FetchedResource;

  it('follows a sitemap index to its sitemaps, reports the missing one and stops at the depth limit', async () => {
    const res = await first('/sitemap-index.xml');
    const found = await discoverEntries(res, 'sitemapindex', {
      fetcher: createFetcher({ addressPolicy: site.access }),
      log: silentLogger(),
      maxSitemapDepth: 2,
    });
    expect(found.entries.map((e) => e.url)).toEqual([
      `${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`,
      `${site.base}/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html`,
    ]);
    expect(found.entries[1]!.updatedAt).toBe('2024-10-18T00:00:00+07:00');
    expect(found.problems.map((p) => p.reason)).toEqual([expect.stringMatching(/nested deeper than 2 levels/), expect.stringMatching(/HTTP 404/)]);
    expect(site.hits('/sitemap-too-deep.xml')).toHaveLength(0);
  });

  it('follows list pagination up to the page limit', async () => {
    const res = await first('/tin-hoat-dong/');
    const two = await discoverEntries(res, 'html', { fetcher: createFetcher({ addressPolicy: site.access }), log: silentLogger(), maxListPages: 2, now });
    expect(two.entries.map((e) => e.url.replace(site.base, ''))).toEqual([
      '/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html',
      '/hoat-dong/gia-lai-ngay-hoi-dai-doan-ket-46002.html',
      '/hoat-dong/can-tho-quy-vi-nguoi-ngheo-46003.html',
    ]);
    expect(site.hits('/tin-hoat-dong/trang-3.html')).toHaveLength(0);
    const three = await discoverEntries(res, 'html', { fetcher: createFetcher({ addressPolicy: site.access }), log: silentLogger(), maxListPages: 3, now });
    expect(three.entries).toHaveLength(4);
  });
});
