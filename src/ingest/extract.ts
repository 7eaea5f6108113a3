import { createHash } from 'node:crypto';
import { load, type Cheerio, type CheerioAPI } from 'cheerio';
// Type-only: cheerio's own node types (domhandler ships with cheerio and is what its signatures name).
import type { AnyNode } from 'domhandler';
import type { Article } from '../content/types.js';
import { cleanText, tokenize } from '../search/analyzer.js';
import type { Lexicon } from '../search/lexicon.js';
import { parseVietnameseDate } from './dates.js';
import { PageTooLargeError, type ReadableArticle, readArticle } from './readability.js';

/** The page gave no article: no title, or too little body text. */
export class ExtractError extends Error {
  override name = 'ExtractError';
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** An extracted article, with what the `Article` type does not hold. */
export interface ExtractedArticle {
  article: Article;
  /** Lead image (og:image or the first body image), absolute. */
  imageUrl?: string;
  /** Last modification date, when the page gives one (ISO, +07:00). */
  modifiedAt?: string;
  /** Tags of the page (mattran: `.article__tag a`). */
  tags: string[];
  /** Which rule extracted it. */
  rule: 'mattran' | 'generic';
}

/** Inputs of {@link extractArticle} besides the page. */
export interface ExtractOptions {
  /** For province detection; no province without it. */
  lexicon?: Lexicon;
  /** Clock for relative dates ("2 giờ trước"). */
  now?: () => Date;
  /** Publisher name for `Article.source`; by default the site name or host. */
  source?: string;
}

/** Text that is page chrome wherever it appears as a paragraph of its own (see the seed article). */
const CHROME = [
  'xem thêm',
  'gửi ban biên tập',
  'tìm kiếm văn bản',
  'tin liên quan',
  'bài liên quan',
  'tin cùng chuyên mục',
  'tin khác',
  'tin mới nhất',
  'đọc thêm',
  'chia sẻ',
  'in bài',
  'bình luận',
  'gửi bình luận',
  'về đầu trang',
];
/** Related-article boxes and similar blocks, by class or id. */
const RELATED =
  '.article__inner-relate, .related, .box-related, .tin-lien-quan, [class*="relate"], [id*="relate"], [class*="lien-quan"], .article__tag, .article__share, .social, .share';
/** Never content. */
const JUNK =
  'script, style, noscript, template, iframe, svg, form, button, input, select, textarea, nav, header, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"], [role="complementary"], [hidden], [aria-hidden="true"]';
/** Class or id words of blocks that are chrome in most sites' templates. */
const CHROME_CLASS =
  /(^|[\s_-])(menu|nav|navbar|breadcrumbs?|sidebar|widget|footer|header|masthead|banner|advert|ads|quang-cao|share|social|comment|binh-luan|popup|modal|cookie|subscribe|search|tim-kiem|pagination|related|relate|lien-quan|most-read|doc-nhieu|tags?)($|[\s_-])/i;
/** A source tag opening the body: "(Mặt trận) -", "(MTTQ) –", "(Chinhphu.vn) -". */
const LEAD = /^\s*\((?:Mặt trận|MTTQ|[^()]{2,40})\)\s*[-–—:]\s*/u;
/** Blocks of chrome that Vietnamese templates name in Vietnamese, which Readability's English class words miss. */
const VI_CHROME = ['binh-luan', 'doc-nhieu', 'xem-nhieu', 'quang-cao', 'tim-kiem', 'tin-khac', 'chia-se']
  .map((w) => `[class*="${w}"], [id*="${w}"]`)
  .join(', ');
/** Captions: image text, not article text. */
const CAPTIONS = 'figcaption, [class*="caption"]';
/** Pages with more elements are refused rather than scored (Readability's own default is no limit). */
const MAX_ELEMENTS = 30_000;
/** A block that only dates the page ("· 20/11/2024", "Thứ tư, 20/11/2024 - 08:15 (GMT+7)"): metadata, not text. */
const DATE_LINE =
  /^[\s\p{P}\p{S}]*(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật|cập\s+nhật|đăng|ngày|lúc|gmt\s*[+-]\s*\d+|\d{1,2}\s*[:h]\s*\d{2}|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})[\s\p{P}\p{S}]*)+$/iu;
/** Blocks read as paragraphs. */
const BLOCKS = 'p, h2, h3, h4, li, blockquote, pre';

/** True for mattran.org.vn and its mobile twin. */
export function isMattranHost(host: string): boolean {
  return /^(?:(?:www|m)\.)?mattran\.org\.vn$/i.test(host);
}

/**
 * The canonical form of an article URL: no fragment, no tracking parameters; for mattran.org.vn the
 * desktop host over https without a query (mobile and desktop are the same article).
 */
export function canonicalizeUrl(raw: string): string {
  const url = new URL(raw);
  url.hash = '';
  if (isMattranHost(url.hostname)) {
    url.protocol = 'https:';
    url.hostname = 'mattran.org.vn';
    url.port = '';
    url.search = '';
    return url.href;
  }
  for (const key of [...url.searchParams.keys()]) if (/^(utm_|fbclid$|gclid$|zarsrc$)/i.test(key)) url.searchParams.delete(key);
  return url.href;
}

/** A stable id: `mattran-<n>` from the trailing `-<n>.html` of a mattran URL, else `web-` and a hash of the canonical URL. */
export function articleIdFor(canonicalUrl: string): string {
  const url = new URL(canonicalUrl);
  const m = /-(\d+)\.html?$/i.exec(url.pathname);
  if (isMattranHost(url.hostname) && m) return `mattran-${m[1]}`;
  return `web-${createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 16)}`;
}

/** The province (2025 name) named most often in the texts; ties go to the one named first. */
export function detectProvince(texts: string[], lexicon: Lexicon): string | undefined {
  const counts = new Map<string, { n: number; first: number }>();
  let position = 0;
  for (const text of texts) {
    const tokens = tokenize(text);
    for (const match of lexicon.provinceNames.find(tokens)) {
      const c = counts.get(match.value.name);
      if (c) c.n += 1;
      else counts.set(match.value.name, { n: 1, first: position + match.start });
    }
    position += tokens.length;
  }
  let best: [string, { n: number; first: number }] | undefined;
  for (const entry of counts) if (!best || entry[1].n > best[1].n || (entry[1].n === best[1].n && entry[1].first < best[1].first)) best = entry;
  return best?.[0];
}

/** The sha256 of an article's normalized title and body: the same text gives the same hash whatever the whitespace. */
export function contentHash(article: Pick<Article, 'title' | 'body'>): string {
  const norm = (s: string) => cleanText(s).toLowerCase();
  return createHash('sha256')
    .update(`${norm(article.title)}\n${norm(article.body)}`)
    .digest('hex');
}

/** A chrome label alone ("Xem thêm »") or introducing a link ("Xem thêm: <headline>"). */
function isChrome(text: string): boolean {
  const t = text.toLowerCase().trim();
  return CHROME.some((c) => t.startsWith(c) && /^(?:[\s.»›>…-]*$|\s*[:»›>])/u.test(t.slice(c.length)));
}

/** Byline initials or a short name at the end of the body: "X.T", "Minh Hà", "PV", "(Theo TTXVN)". */
function isByline(text: string): boolean {
  const t = text.replace(/^\(|\)$/g, '').trim();
  if (t.length === 0 || t.length > 40 || /\d/.test(t)) return false;
  const words = t.split(/[\s,–-]+/).filter(Boolean);
  return words.length <= 6 && words.every((w) => /^\p{Lu}[\p{L}\p{M}]*(?:\.\p{Lu}?[\p{L}\p{M}]*)*\.?$/u.test(w));
}

/** Text of a node with `<br>` as a space and whitespace collapsed. */
function textOf<T extends AnyNode>(node: Cheerio<T>): string {
  node.find('br').replaceWith(' ');
  return cleanText(node.text());
}

/** Share of a block's text that sits in links. */
function linkDensity<T extends AnyNode>(node: Cheerio<T>, textLength: number): number {
  if (textLength === 0) return 0;
  let linked = 0;
  node.find('a').each((_, a) => {
    linked += cleanText(node.find(a).text()).length;
  });
  return linked / textLength;
}

/** Paragraph texts of a content root, in order, without nested duplicates, chrome or link lists. */
function paragraphs<T extends AnyNode>($: CheerioAPI, root: Cheerio<T>): string[] {
  const out: string[] = [];
  const blocks = root.find(BLOCKS).filter((_, el) => $(el).find(BLOCKS).length === 0);
  blocks.each((_, el) => {
    const node = $(el);
    const text = textOf(node);
    if (!text || isChrome(text)) return;
    // A paragraph that is mostly a link is a related headline dropped into the body.
    if (linkDensity(node, text.length) > 0.6) return;
    out.push(text);
  });
  if (out.length === 0) {
    // Body text held in <div>s and <br>s rather than <p>s.
    root.find('br').replaceWith('\n');
    for (const line of root.text().split(/\n+/)) {
      const text = cleanText(line);
      if (text && !isChrome(text)) out.push(text);
    }
  }
  return out;
}

/** Strip the source lead from the first paragraph; remove the paragraph when nothing else is left. */
function stripLead(paras: string[]): string[] {
  if (paras.length === 0) return paras;
  const first = paras[0]!.replace(LEAD, '').trim();
  return first ? [first, ...paras.slice(1)] : paras.slice(1);
}

interface PageMeta {
  title?: string;
  description?: string;
  publishedAt?: string;
  modifiedAt?: string;
  image?: string;
  canonical?: string;
  author?: string;
  siteName?: string;
}

/** `href` resolved against `base`, when it is an http(s) URL. */
export function absolute(href: string | undefined, base: string): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function firstString(value: unknown, key?: string): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return firstString(value[0], key);
  if (value && typeof value === 'object' && key) return firstString((value as Record<string, unknown>)[key]);
  return undefined;
}

/** The first Article-like object of the page's JSON-LD blocks. Broken JSON-LD is ignored. */
function jsonLdArticle($: CheerioAPI): Record<string, unknown> | undefined {
  const found: Record<string, unknown>[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const type = ([] as unknown[]).concat(o['@type'] ?? []).map(String);
      if (type.some((t) => /Article|BlogPosting/i.test(t))) found.push(o);
      if (o['@graph']) visit(o['@graph']);
    }
  };
  $('script[type="application/ld+json"]').each((_, el) => {
    try {
      visit(JSON.parse($(el).text()));
    } catch {
      // Sites ship invalid JSON-LD often enough; the other metadata still applies.
    }
  });
  return found[0];
}

/** og:, meta and JSON-LD metadata; read before any element is removed. */
function readMeta($: CheerioAPI, pageUrl: string, now: () => Date): PageMeta {
  const meta = (sel: string) => cleanText($(sel).first().attr('content') ?? '') || undefined;
  const ld = jsonLdArticle($);
  const date = (s: string | undefined) => (s ? parseVietnameseDate(s, now) : undefined);
  const timeAttr = $('time[datetime]').first().attr('datetime');
  return {
    title:
      meta('meta[property="og:title"]') ??
      meta('meta[name="twitter:title"]') ??
      (firstString(ld?.headline) ? cleanText(firstString(ld?.headline)!) : undefined),
    description:
      meta('meta[property="og:description"]') ??
      meta('meta[name="description"]') ??
      (firstString(ld?.description) ? cleanText(firstString(ld?.description)!) : undefined),
    publishedAt:
      date(meta('meta[property="article:published_time"]')) ??
      date(firstString(ld?.datePublished)) ??
      date(meta('meta[itemprop="datePublished"]') ?? $('[itemprop="datePublished"]').first().attr('datetime')) ??
      date(timeAttr) ??
      date(meta('meta[name="pubdate"]') ?? meta('meta[name="date"]')),
    modifiedAt: date(meta('meta[property="article:modified_time"]')) ?? date(firstString(ld?.dateModified)),
    image: absolute(meta('meta[property="og:image"]') ?? firstString(ld?.image, 'url'), pageUrl),
    canonical:
      absolute($('link[rel="canonical"]').first().attr('href'), pageUrl) ??
      absolute(meta('meta[property="og:url"]'), pageUrl) ??
      absolute(firstString(ld?.mainEntityOfPage, '@id') ?? firstString(ld?.url), pageUrl),
    author: meta('meta[name="author"]') ?? meta('meta[property="article:author"]') ?? firstString(ld?.author, 'name'),
    siteName: meta('meta[property="og:site_name"]'),
  };
}

interface Extracted {
  title?: string;
  summary?: string;
  paragraphs: string[];
  publishedAt?: string;
  author?: string;
  image?: string;
  tags: string[];
}

/** The mattran.org.vn rule (selectors from the portal's markup, as the pages in test/fixtures/site/ show). */
function extractMattran($: CheerioAPI, meta: PageMeta, now: () => Date): Extracted | undefined {
  const body = $('.article__body').first();
  if (body.length === 0) return undefined;
  const column: Cheerio<AnyNode> = $('.main-column').first().length ? $('.main-column').first() : $.root();
  const timeNode = column.find('.article__meta time').first();
  const timeText = timeNode.attr('datetime') ?? timeNode.text();
  const tags = column
    .find('.article__tag a')
    .map((_, a) => cleanText($(a).text()))
    .get()
    .filter(Boolean);
  const author = cleanText(column.find('.article__author').first().text()) || undefined;
  body.find(`${RELATED}, ${JUNK}, figure, figcaption, [class*="caption"], table`).remove();
  const titleNode = column.find('.article__title').first().length ? column.find('.article__title').first() : column.find('h1').first();
  const sapo = cleanText(column.find('.article__sapo').first().text()).replace(LEAD, '').trim();
  const image = absolute(body.find('img').first().attr('src'), meta.canonical ?? 'https://mattran.org.vn/');
  return {
    title: headingText(titleNode) ?? meta.title,
    summary: sapo || meta.description,
    paragraphs: stripLead(paragraphs($, body)),
    publishedAt:
      (timeText && parseVietnameseDate(timeText, now)) || meta.publishedAt || parseVietnameseDate(cleanText(column.find('.article__meta').first().text()), now),
    author,
    image: meta.image ?? image,
    tags,
  };
}

/** A heading's text; for an unclosed heading that swallowed the page, its own first text only. */
function headingText<T extends AnyNode>(node: Cheerio<T>): string | undefined {
  const full = cleanText(node.text());
  if (full.length <= 200) return full || undefined;
  const own = node
    .contents()
    .filter((_, n) => n.type === 'text')
    .first()
    .text();
  const text = cleanText(own);
  return text && text.length <= 200 ? text : undefined;
}

/** The first short date-like line of the page outside its chrome: the date of a page without date metadata. */
function findPageDate($: CheerioAPI, now: () => Date): string | undefined {
  $(JUNK).remove();
  $(RELATED).remove();
  $('[class], [id]').each((_, el) => {
    const node = $(el);
    // A chrome-named block that holds a lot of paragraph text is the content wrapper of an odd template.
    if (CHROME_CLASS.test(`${node.attr('class') ?? ''} ${node.attr('id') ?? ''}`) && node.find('p').text().length < 400) node.remove();
  });
  let found: string | undefined;
  // "ngay" is "date" in Vietnamese templates' class names.
  $('time, [class*="date"], [class*="time"], [class*="ngay"], [class*="meta"], [class*="info"]').each((_, el) => {
    const text = cleanText($(el).text());
    if (text.length > 80) return;
    found = parseVietnameseDate(text, now);
    if (found) return false;
  });
  return found;
}

/** {@link readArticle} with our chrome selectors; a page over the element limit is an {@link ExtractError}. */
function readOrRefuse(html: string, pageUrl: string): ReadableArticle | undefined {
  try {
    return readArticle(html, { removeBefore: `${JUNK}, ${RELATED}, ${VI_CHROME}`, removeAfter: CAPTIONS, maxElements: MAX_ELEMENTS });
  } catch (err) {
    if (err instanceof PageTooLargeError)
      throw new ExtractError(`page too large to read (${err.elements} elements, limit ${MAX_ELEMENTS}): ${pageUrl}`, pageUrl);
    throw err;
  }
}

/**
 * The generic rule: Readability picks the content, title, excerpt and byline; our chrome labels, lead and
 * link-density rules clean its blocks. Dates: our metadata reader first (it knows Vietnamese formats and
 * more tags), then Readability's (it also reads `parsely-pub-date`), then a date line on the page.
 */
function extractGeneric(html: string, $: CheerioAPI, meta: PageMeta, pageUrl: string, now: () => Date): Extracted {
  const read = readOrRefuse(html, pageUrl);
  if (read?.isList) throw new ExtractError(`a list of articles, not an article: ${pageUrl}`, pageUrl);
  const title = read?.title ?? meta.title;
  const paras = (read?.blocks ?? [])
    .filter((b) => !isChrome(b.text) && !DATE_LINE.test(b.text) && b.linkedLength <= 0.6 * b.text.length)
    .map((b) => cleanText(b.text))
    .filter((p, i, all) => p && p !== title && all.indexOf(p) === i);
  const body = stripLead(paras);
  const summary = meta.description ?? (read?.excerpt ? cleanText(read.excerpt) : undefined);
  const published = read?.publishedTime ? parseVietnameseDate(read.publishedTime, now) : undefined;
  return {
    title,
    summary,
    paragraphs: body,
    publishedAt: meta.publishedAt ?? published ?? findPageDate($, now),
    author: read?.byline ?? meta.author,
    image: meta.image ?? absolute(read?.imageSrc, meta.canonical ?? pageUrl),
    tags: [],
  };
}

/**
 * Extract an article from a page: the mattran.org.vn rule when the page or its canonical URL is on that site
 * and has its markup, else the generic rule. Throws {@link ExtractError} when there is no title or body.
 */
export function extractArticle(html: string, pageUrl: string, options: ExtractOptions = {}): ExtractedArticle {
  const now = options.now ?? (() => new Date());
  const $ = load(html);
  const meta = readMeta($, pageUrl, now);
  const canonicalRaw = meta.canonical ?? pageUrl;
  let canonical: string;
  try {
    canonical = canonicalizeUrl(canonicalRaw);
  } catch {
    canonical = canonicalizeUrl(pageUrl);
  }
  const mattranPage = isMattranHost(new URL(pageUrl).hostname) || isMattranHost(new URL(canonical).hostname);
  const mattran = mattranPage ? extractMattran($, meta, now) : undefined;
  const got = mattran ?? extractGeneric(html, $, meta, pageUrl, now);
  let paras = got.paragraphs;
  let author = got.author;
  const last = paras[paras.length - 1];
  if (last && paras.length > 1 && isByline(last)) {
    paras = paras.slice(0, -1);
    author = author || last.replace(/^\(|\)$/g, '').trim();
  }
  const title = got.title?.trim();
  if (!title) throw new ExtractError(`no title found: ${pageUrl}`, pageUrl);
  const body = paras.join('\n\n');
  if (body.length < 80) throw new ExtractError(`no article text found (${body.length} characters): ${pageUrl}`, pageUrl);
  const summary = got.summary && got.summary !== title ? got.summary : undefined;
  const source = options.source ?? (mattran ? 'mattran.org.vn' : (meta.siteName ?? new URL(canonical).hostname));
  const province = options.lexicon ? detectProvince([title, summary ?? '', ...paras.slice(0, 3)], options.lexicon) : undefined;
  const article: Article = {
    id: articleIdFor(canonical),
    url: canonical,
    title,
    ...(summary ? { summary } : {}),
    body,
    ...(got.publishedAt ? { publishedAt: got.publishedAt } : {}),
    ...(province ? { province } : {}),
    source,
    kind: 'article',
    ...(author ? { author } : {}),
  };
  return {
    article,
    ...(got.image ? { imageUrl: got.image } : {}),
    ...(meta.modifiedAt ? { modifiedAt: meta.modifiedAt } : {}),
    tags: got.tags,
    rule: mattran ? 'mattran' : 'generic',
  };
}
