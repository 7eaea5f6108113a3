import { digestText as messages, formatDate, topicLabels } from '../copy/messages.js';
import { splitText } from '../text/split.js';
import type { OutboundMessage } from '../core/chat.js';
import type { SearchDoc } from '../content/types.js';
import { tidySpacing } from '../search/sentences.js';
import { parseVnTime, vnDateLabel } from './time.js';
import { TOPIC_IDS, topicsOf, type TopicId } from './topics.js';

/** Most items in one digest; the rest is pointed to with /moi and /tim. */
const DIGEST_MAX_ITEMS = 10;
const SUMMARY_CHARS = 160;

/** An item that can appear in a digest (dated, with its topics worked out once). */
export interface DigestCandidate {
  id: string;
  title: string;
  summary: string;
  url?: string;
  province?: string;
  publishedAtMs: number;
  publishedAt: string;
  topics: TopicId[];
}

/** What a subscriber asked for. */
export interface DigestFilter {
  topics: string[];
  provinces: string[];
}

/** Items published in (sinceMs, untilMs], newest first, with topics computed: done once per run. */
export function digestCandidates(docs: Iterable<SearchDoc>, sinceMs: number, untilMs: number): DigestCandidate[] {
  const out: DigestCandidate[] = [];
  for (const doc of docs) {
    // Curated answers (faq) are not news.
    if (!doc.publishedAt || doc.type === 'faq') continue;
    const at = parseVnTime(doc.publishedAt);
    if (!(at > sinceMs && at <= untilMs)) continue;
    out.push({
      id: doc.id,
      title: tidySpacing(doc.title),
      summary: tidySpacing(doc.summary || doc.body.slice(0, 400)),
      url: doc.url,
      province: doc.province,
      publishedAtMs: at,
      publishedAt: doc.publishedAt,
      topics: topicsOf(doc),
    });
  }
  return out.sort((a, b) => b.publishedAtMs - a.publishedAtMs || (a.id < b.id ? -1 : 1));
}

/** The items one subscriber gets: new since `sinceMs`, matching topics and provinces, newest first. */
export function selectForSubscriber(candidates: DigestCandidate[], filter: DigestFilter, sinceMs: number): DigestCandidate[] {
  const topics = new Set(filter.topics);
  const provinces = new Set(filter.provinces);
  return candidates.filter(
    (c) =>
      c.publishedAtMs > sinceMs &&
      (topics.size === 0 || c.topics.some((t) => topics.has(t))) &&
      // A subscriber who chose provinces still gets nationwide items (no province), not other provinces'.
      (provinces.size === 0 || !c.province || provinces.has(c.province)),
  );
}

/** Cut text at a word boundary to at most `max` characters, with an ellipsis when cut. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

/**
 * The digest as messages of at most `maxTextLength` characters each (split between items, never inside
 * one unless a single item is longer than the limit): at most 10 items grouped by topic in catalogue
 * order, newest first inside a group; empty when there is nothing new.
 */
export function renderDigest(items: DigestCandidate[], filter: DigestFilter, at: Date, maxTextLength: number): OutboundMessage[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, DIGEST_MAX_ITEMS);
  const wanted = new Set(filter.topics);
  const groups = new Map<TopicId, DigestCandidate[]>();
  for (const item of shown) {
    const topic = item.topics.find((t) => wanted.size === 0 || wanted.has(t)) ?? item.topics[0]!;
    groups.set(topic, [...(groups.get(topic) ?? []), item]);
  }
  const blocks: string[] = [messages.digestTitle(vnDateLabel(at), items.length)];
  for (const topic of TOPIC_IDS) {
    const group = groups.get(topic);
    if (!group) continue;
    const lines = group.map((item) =>
      [
        messages.digestItem(item.title, formatDate(item.publishedAt)),
        item.summary ? `   ${shorten(item.summary, SUMMARY_CHARS)}` : '',
        item.url ? `   ${item.url}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    blocks.push(`■ ${topicLabels[topic]}\n${lines.join('\n\n')}`);
  }
  if (items.length > shown.length) blocks.push(messages.digestMore(items.length - shown.length));
  blocks.push(messages.digestFooter);
  // Pack whole blocks into messages; a block longer than the limit is split on its own boundaries.
  const out: string[] = [];
  let current = '';
  for (const block of blocks.flatMap((b) => (b.length > maxTextLength ? splitText(b, maxTextLength) : [b]))) {
    if (current && current.length + 2 + block.length > maxTextLength) {
      out.push(current);
      current = block;
    } else current = current ? `${current}\n\n${block}` : block;
  }
  if (current) out.push(current);
  return out.map((text) => ({ text }));
}
