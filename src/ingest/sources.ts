import { load, type CheerioAPI } from 'cheerio';
import type { Logger } from 'pino';
import { cleanText } from '../search/analyzer.js';
import { parseVietnameseDate } from './dates.js';
import { absolute, canonicalizeUrl, isMattranHost } from './extract.js';
import { FetchError, type FetchedResource, type Fetcher } from './fetch.js';

/** An article URL found in a feed, sitemap or list page, with what the listing said about it. */
export interface DiscoveredEntry {
  url: string;
  title?: string;
  summary?: string;
  /** Publication date from the listing (ISO, +07:00). */
  publishedAt?: string;
  /** Last change from the listing (Atom `updated`, sitemap `lastmod`): a newer one means "fetch again". */
  updatedAt?: string;
}

/** A problem met while reading a source; reading goes on. */
export interface SourceProblem {
  url: string;
  reason: string;
}

/** What a fetched resource is. */
export type SourceKind = 'rss' | 'atom' | 'sitemap' | 'sitemapindex' | 'html';

/** Kinds of HTML page. */
export type PageKind = 'article' | 'list';

/**
 * Decide what a resource is by its content (root element), then by its Content-Type and URL when the
 * content does not say (a truncated or broken document).
 */
export function detectKind(text: string, contentType: string, url: string): SourceKind {
  const head = text
    .slice(0, 4096)
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>|<!--[\s\S]*?-->|<\?xml-stylesheet[^>]*\?>/g, '')
    .trimStart();
  const root = /^<(?:!doctype\s+)?([\w:-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (root === 'rss' || root === 'rdf:rdf') return 'rss';
  if (root === 'feed') return 'atom';
  if (root === 'urlset') return 'sitemap';
  if (root === 'sitemapindex') return 'sitemapindex';
  if (root === 'html' || /^<(head|body|meta|title|div)\b/i.test(head)) return 'html';
  if (/<rss\b|<channel\b/i.test(head)) return 'rss';
  if (/<feed\b[^>]*xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/i.test(head)) return 'atom';
  if (/<sitemapindex\b/i.test(head)) return 'sitemapindex';
  if (/<urlset\b/i.test(head)) return 'sitemap';
  if (/atom/.test(contentType)) return 'atom';
  if (/rss/.test(contentType)) return 'rss';
  const path = new URL(url).pathname.toLowerCase();
  if (/sitemap[^/]*\.xml$/.test(path)) return 'sitemap';
  if (/\.(rss|xml)$|\/(feed|rss)\/?$/.test(path)) return 'rss';
  return 'html';
}

function xml(text: string): CheerioAPI {
  return load(text, { xml: true });
}

/** Text of an XML/HTML fragment (feed descriptions are often escaped HTML). */
function plain(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = cleanText(/[<&]/.test(text) ? load(`<div>${text}</div>`)('div').first().text() : text);
  return t || undefined;
}

/** Items of an RSS 2.0 (or 1.0) or Atom feed. Items without a usable link are reported, not fatal. */
export function parseFeed(text: string, feedUrl: string, now: () => Date = () => new Date()): { entries: DiscoveredEntry[]; problems: SourceProblem[] } {
  const $ = xml(text);
  const entries: DiscoveredEntry[] = [];
  const problems: SourceProblem[] = [];
  const date = (s: string | undefined) => (s && cleanText(s) ? parseVietnameseDate(cleanText(s), now) : undefined);
  $('item').each((i, el) => {
    const item = $(el);
    const guid = item.children('guid').first();
    const guidUrl = guid.attr('isPermaLink') === 'false' ? undefined : guid.text();
    // find(), not only children(): in a broken feed an unclosed <title> swallows the <link> after it.
    const link = item.children('link').first().text() || item.find('link').first().text();
    const url = absolute(link || item.attr('rdf:about') || guidUrl, feedUrl);
    if (!url) {
      problems.push({ url: feedUrl, reason: `item ${i + 1}: no link` });
      return;
    }
    entries.push({
      url,
      title: plain(item.children('title').first().text()),
      summary: plain(item.children('description').first().text()),
      publishedAt: date(item.children('pubDate').first().text() || item.children('dc\\:date').first().text()),
    });
  });
  $('entry').each((i, el) => {
    const entry = $(el);
    const links = entry.children('link');
    const alternate = links.filter((_, l) => ($(l).attr('rel') ?? 'alternate') === 'alternate').first();
    const url = absolute(alternate.attr('href') ?? links.first().attr('href') ?? entry.children('id').first().text(), feedUrl);
    if (!url) {
      problems.push({ url: feedUrl, reason: `entry ${i + 1}: no link` });
      return;
    }
    const published = date(entry.children('published').first().text());
    const updated = date(entry.children('updated').first().text());
    entries.push({
      url,
      title: plain(entry.children('title').first().text()),
      summary: plain(entry.children('summary').first().text() || entry.children('content').first().text()),
      publishedAt: published ?? updated,
      updatedAt: updated,
    });
  });
  if (entries.length === 0 && problems.length === 0) problems.push({ url: feedUrl, reason: 'no item or entry found (malformed or empty feed)' });
  return { entries, problems };
}

/** `<url>`s of a urlset or `<sitemap>`s of a sitemap index, with their lastmod. */
export function parseSitemap(
  text: string,
  sitemapUrl: string,
  now: () => Date = () => new Date(),
): { urls: DiscoveredEntry[]; sitemaps: DiscoveredEntry[]; problems: SourceProblem[] } {
  const $ = xml(text);
  const read = (selector: string) => {
    const out: DiscoveredEntry[] = [];
    $(selector).each((_, el) => {
      const node = $(el);
      const url = absolute(node.children('loc').first().text(), sitemapUrl);
      const lastmod = cleanText(node.children('lastmod').first().text());
      if (url) out.push({ url, ...(lastmod && parseVietnameseDate(lastmod, now) ? { updatedAt: parseVietnameseDate(lastmod, now) } : {}) });
    });
    return out;
  };
  const urls = read('urlset > url');
  const sitemaps = read('sitemapindex > sitemap');
  const problems = urls.length + sitemaps.length === 0 ? [{ url: sitemapUrl, reason: 'no <url> or <sitemap> with a <loc> (malformed or empty sitemap)' }] : [];
  return { urls, sitemaps, problems };
}

/** An article-like URL: `/<section>/<slug>-<digits>.html`. */
const ARTICLE_PATH = /-\d+\.html?$/i;

/** Entries of a section page and its next page: mattran list markup, else same-host `-<digits>.html` links. */
export function parseListPage(html: string, pageUrl: string, now: () => Date = () => new Date()): { entries: DiscoveredEntry[]; next?: string } {
  const $ = load(html);
  const entries: DiscoveredEntry[] = [];
  $('.list-news article.story').each((_, el) => {
    const story = $(el);
    const link = story.find('.story__heading a').first();
    const url = absolute(link.attr('href'), pageUrl);
    if (!url) return;
    const time = cleanText(story.find('.story__time').first().text());
    const publishedAt = time ? parseVietnameseDate(time, now) : undefined;
    const summary = cleanText(story.find('.story__summary').first().text());
    entries.push({ url, title: cleanText(link.text()) || undefined, ...(summary ? { summary } : {}), ...(publishedAt ? { publishedAt } : {}) });
  });
  if (entries.length === 0) {
    const host = new URL(pageUrl).host;
    $('a[href]').each((_, a) => {
      const url = absolute($(a).attr('href'), pageUrl);
      if (!url) return;
      const u = new URL(url);
      if (u.host === host && ARTICLE_PATH.test(u.pathname)) entries.push({ url, title: cleanText($(a).text()) || undefined });
    });
  }
  const nextHref = $('.pagination__pages a.next').first().attr('href') ?? $('a[rel="next"], link[rel="next"]').first().attr('href');
  const next = absolute(nextHref, pageUrl);
  return { entries, ...(next ? { next } : {}) };
}

/** Whether an HTML page is one article or a list of them. */
export function classifyPage(html: string, url: string): PageKind {
  const $ = load(html);
  if ($('.article__body').length > 0) return 'article';
  if ($('.list-news article.story').length > 0) return 'list';
  const ogType = $('meta[property="og:type"]').attr('content') ?? '';
  if (/article/i.test(ogType) || /"@type"\s*:\s*"(News)?Article"/.test(html)) return 'article';
  if (ARTICLE_PATH.test(new URL(url).pathname)) return 'article';
  const host = new URL(url).host;
  let articleLinks = 0;
  $('a[href]').each((_, a) => {
    const target = absolute($(a).attr('href'), url);
    if (target && new URL(target).host === host && ARTICLE_PATH.test(new URL(target).pathname)) articleLinks += 1;
  });
  return articleLinks >= 5 ? 'list' : 'article';
}

/** Limits of {@link discoverEntries}. */
export interface DiscoverOptions {
  fetcher: Fetcher;
  log: Logger;
  now?: () => Date;
  /**
   * Sitemap indexes followed below the first sitemap.
   * @default 2
   */
  maxSitemapDepth?: number;
  /**
   * List pages read, the first included.
   * @default 5
   */
  maxListPages?: number;
}

/** What a source listed. */
export interface Discovery {
  kind: SourceKind;
  entries: DiscoveredEntry[];
  problems: SourceProblem[];
  /** Nested sitemaps and next list pages whose responses should be remembered for conditional requests. */
  fetched: FetchedResource[];
}

/** Entries in order, each canonical URL once (mobile and desktop mattran URLs are one). */
function uniqueEntries(entries: DiscoveredEntry[]): DiscoveredEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    let key: string;
    try {
      key = canonicalizeUrl(e.url);
    } catch {
      return false;
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The article URLs a fetched source lists: feed items; sitemap URLs (nested indexes followed up to the
 * depth limit); list-page stories (next pages followed up to the page limit). Fetch failures of nested
 * documents and malformed documents are reported in `problems`; nothing throws.
 */
export async function discoverEntries(first: FetchedResource, kind: SourceKind, options: DiscoverOptions): Promise<Discovery> {
  const now = options.now ?? (() => new Date());
  const maxDepth = options.maxSitemapDepth ?? 2;
  const maxPages = options.maxListPages ?? 5;
  const problems: SourceProblem[] = [];
  const fetched: FetchedResource[] = [];
  const fetchNested = async (url: string): Promise<FetchedResource | undefined> => {
    try {
      const res = await options.fetcher.fetch(url, { conditional: true });
      if (res.notModified) return undefined;
      fetched.push(res);
      return res;
    } catch (err) {
      problems.push({ url, reason: err instanceof FetchError ? err.message : String(err) });
      return undefined;
    }
  };

  if (kind === 'rss' || kind === 'atom') {
    const feed = parseFeed(first.text, first.url, now);
    return { kind, entries: uniqueEntries(feed.entries), problems: feed.problems, fetched };
  }

  if (kind === 'sitemap' || kind === 'sitemapindex') {
    const entries: DiscoveredEntry[] = [];
    const visited = new Set<string>([first.url]);
    const walk = async (res: FetchedResource, depth: number) => {
      const map = parseSitemap(res.text, res.url, now);
      problems.push(...map.problems);
      entries.push(...map.urls);
      for (const child of map.sitemaps) {
        if (visited.has(child.url)) continue;
        visited.add(child.url);
        if (depth >= maxDepth) {
          problems.push({ url: child.url, reason: `sitemap nested deeper than ${maxDepth} levels: not followed` });
          continue;
        }
        const next = await fetchNested(child.url);
        if (next) await walk(next, depth + 1);
      }
    };
    await walk(first, 0);
    return { kind, entries: uniqueEntries(entries), problems, fetched };
  }

  const entries: DiscoveredEntry[] = [];
  const visited = new Set<string>([first.url]);
  let page: FetchedResource | undefined = first;
  for (let n = 1; page; n++) {
    const list = parseListPage(page.text, page.url, now);
    entries.push(...list.entries.filter((e) => !isMattranHost(new URL(e.url).hostname) || ARTICLE_PATH.test(new URL(e.url).pathname)));
    if (!list.next || visited.has(list.next)) break;
    if (n >= maxPages) {
      options.log.debug({ url: list.next, maxPages }, 'list page limit reached');
      break;
    }
    visited.add(list.next);
    page = await fetchNested(list.next);
  }
  if (entries.length === 0) problems.push({ url: first.url, reason: 'no article link found on the page' });
  return { kind, entries: uniqueEntries(entries), problems, fetched };
}
