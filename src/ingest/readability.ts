import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

/** The page has more elements than {@link ReadOptions.maxElements}. */
export class PageTooLargeError extends Error {
  override name = 'PageTooLargeError';
  constructor(readonly elements: number) {
    super(`page has ${elements} elements`);
  }
}

/** The few DOM members read here (the project compiles without the DOM library; linkedom implements these). */
interface DomNode {
  readonly nodeType: number;
  readonly localName?: string;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<DomNode>;
  readonly parentNode: DomNode | null;
}
interface DomElement extends DomNode {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  remove(): void;
}

/** A paragraph-like block of the article, in document order. */
export interface TextBlock {
  /** Its own text (nested blocks are blocks of their own), whitespace collapsed. */
  text: string;
  /** How many of those characters sit inside links. */
  linkedLength: number;
}

/** What Readability found on a page. */
export interface ReadableArticle {
  /** Title from the page metadata, else from `<title>` as Readability trims it. */
  title?: string;
  /** Description from the page metadata; Readability's fallback, the content's first paragraph, is left out (it repeats the body). */
  excerpt?: string;
  /** Author from metadata or a byline element. */
  byline?: string;
  /** Publication time from metadata (JSON-LD, `article:published_time`, `parsely-pub-date`), as the page wrote it. */
  publishedTime?: string;
  /** `src` of the first image of the content, as written in the page. */
  imageSrc?: string;
  /** The content's blocks. */
  blocks: TextBlock[];
  /** True when the content is a run of linked headlines with their teasers (a section or search page). */
  isList: boolean;
}

/** Options of {@link readArticle}. */
export interface ReadOptions {
  /** Removed from the page before Readability scores it: chrome it does not know by name. */
  removeBefore?: string;
  /** Removed from the content before its text is read (captions and the like). */
  removeAfter?: string;
  /** Pages with more elements are refused before Readability scores them. */
  maxElements: number;
}

const ELEMENT = 1;
const TEXT = 3;
/** Elements that start a block of text of their own. */
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);
/** A headline link is at least this long; shorter whole-block links are menu items or "Xem thêm". */
const HEADLINE_MIN_CHARS = 20;

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
const isElement = (node: DomNode): node is DomElement => node.nodeType === ELEMENT;

/** Text blocks under `root`: each block element's own text, with `<br>` read as a space. */
function readBlocks(root: DomElement): TextBlock[] {
  const out: TextBlock[] = [];
  const walk = (node: DomNode, acc: { text: string; linked: string }, inLink: boolean) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === TEXT) {
        acc.text += child.textContent ?? '';
        if (inLink) acc.linked += child.textContent ?? '';
      } else if (isElement(child)) {
        const tag = child.localName ?? '';
        if (tag === 'br') acc.text += ' ';
        else if (BLOCK.has(tag)) {
          flush(acc);
          const inner = { text: '', linked: '' };
          walk(child, inner, inLink);
          flush(inner);
        } else walk(child, acc, inLink || tag === 'a');
      }
    }
  };
  const flush = (acc: { text: string; linked: string }) => {
    const text = collapse(acc.text);
    if (text) out.push({ text, linkedLength: collapse(acc.linked).length });
    acc.text = '';
    acc.linked = '';
  };
  const rest = { text: '', linked: '' };
  walk(root, rest, false);
  flush(rest);
  return out;
}

/** The nearest ancestor of `node` that starts a block, or `root`. */
function blockOf(node: DomElement, root: DomElement): DomElement {
  let el = node.parentNode;
  while (el && el !== root && isElement(el) && !BLOCK.has(el.localName ?? '')) el = el.parentNode;
  return el && isElement(el) ? el : root;
}

/**
 * A list page: three or more headline links (a link that is the whole text of its block) whose teaser
 * cards (the largest ancestor holding only that headline) carry at least half of the content's text.
 * An article's body is text outside such cards; a related box that slipped through stays the smaller part.
 */
function looksLikeList(content: DomElement): boolean {
  const headlines = Array.from(content.querySelectorAll('a[href]')).filter((a) => {
    const text = collapse(a.textContent ?? '');
    return text.length >= HEADLINE_MIN_CHARS && collapse(blockOf(a, content).textContent ?? '') === text;
  });
  if (headlines.length < 3) return false;
  const set = new Set<DomNode>(headlines);
  const countIn = (el: DomElement) => Array.from(el.querySelectorAll('a[href]')).filter((a) => set.has(a)).length;
  const cards = new Set<DomElement>();
  for (const a of headlines) {
    let card: DomElement = a;
    for (let up = card.parentNode; up && up !== content && isElement(up) && countIn(up) === 1; up = up.parentNode) card = up;
    cards.add(card);
  }
  const inCards = [...cards].reduce((n, card) => n + collapse(card.textContent ?? '').length, 0);
  return inCards >= collapse(content.textContent ?? '').length / 2;
}

/** The text of a heading before any element inside it: what it says when unclosed tags made it swallow the page. */
function ownLeadText(heading: DomElement): string {
  const first = Array.from(heading.childNodes).find((n) => n.nodeType === TEXT && collapse(n.textContent ?? ''));
  return collapse(first?.textContent ?? '');
}

/**
 * Run Readability over a linkedom document of `html`. No script runs and nothing is fetched: linkedom
 * only parses, and Readability only reads and rearranges the tree. Returns undefined when Readability
 * finds no content; throws {@link PageTooLargeError} when the page has more than `maxElements` elements.
 */
export function readArticle(html: string, options: ReadOptions): ReadableArticle | undefined {
  const { document } = parseHTML(html) as unknown as { document: DomElement };
  const elements = document.querySelectorAll('*').length;
  if (elements > options.maxElements) throw new PageTooLargeError(elements);
  if (options.removeBefore) for (const el of Array.from(document.querySelectorAll(options.removeBefore))) el.remove();
  const headings = Array.from(document.querySelectorAll('h1'))
    .map(ownLeadText)
    .filter((t) => t.length <= 200);
  const result = new Readability<DomElement>(document as never, { serializer: (node) => node as unknown as DomElement }).parse();
  const content = result?.content;
  if (!result || !content) return undefined;
  const imageSrc = content.querySelectorAll('img[src]')[0]?.getAttribute('src') ?? undefined;
  const firstParagraph = collapse(content.querySelectorAll('p')[0]?.textContent ?? '');
  const excerpt = result.excerpt ? collapse(result.excerpt) : '';
  if (options.removeAfter) for (const el of Array.from(content.querySelectorAll(options.removeAfter))) el.remove();
  let title = result.title ? collapse(result.title) : undefined;
  // Readability keeps only what follows the last colon of a <title> no heading repeats in full; Vietnamese
  // headlines open with the place ("Hà Tĩnh: …"), so a heading that does start that way gives it back.
  const full = title && headings.find((h) => h.endsWith(`: ${title}`));
  if (full) title = full;
  return {
    ...(title ? { title } : {}),
    ...(excerpt && excerpt !== firstParagraph ? { excerpt } : {}),
    ...(result.byline ? { byline: collapse(result.byline) } : {}),
    ...(result.publishedTime ? { publishedTime: result.publishedTime.trim() } : {}),
    ...(imageSrc ? { imageSrc } : {}),
    blocks: readBlocks(content),
    isList: looksLikeList(content),
  };
}
