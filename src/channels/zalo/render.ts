import { splitText } from '../../text/split.js';
import { zaloText } from '../../copy/messages.js';
import type { Button, OutboundMessage } from '../../core/chat.js';

/** Zalo accepts 1–2000 characters per text (docs/platforms.md §1.7); JavaScript lengths are UTF-16 units, as Zalo counts. */
export const ZALO_MAX_TEXT = 2000;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Move a code unit cut in half at a chunk end into the next chunk, so no emoji is split across messages. */
function keepPairsWhole(chunks: string[], max: number): string[] {
  const out = [...chunks];
  for (let i = 0; i < out.length; i++) {
    let chunk = out[i]!;
    let carry = '';
    while (chunk.length > 0 && (chunk.length > max || (i < out.length - 1 && isHigh(chunk.charCodeAt(chunk.length - 1))))) {
      const tail = chunk.length >= 2 && isHigh(chunk.charCodeAt(chunk.length - 2)) && !isHigh(chunk.charCodeAt(chunk.length - 1)) ? 2 : 1;
      carry = chunk.slice(-tail) + carry;
      chunk = chunk.slice(0, -tail);
    }
    out[i] = chunk;
    if (carry) {
      if (i + 1 < out.length) out[i + 1] = carry + out[i + 1]!;
      else out.push(carry);
    }
  }
  return out.filter((c) => c.length > 0);
}

/** Split plain text into Zalo-sized pieces at paragraph, line, sentence or word boundaries; never an empty piece. */
export function splitForZalo(text: string, max = ZALO_MAX_TEXT): string[] {
  return keepPairsWhole(splitText(text, max), max);
}

/** True when the text already lists every choice as "n. label" (the "no answer" reply does), so it is not repeated. */
function alreadyListed(text: string, choices: Button[]): boolean {
  const lines = new Set(text.split('\n').map((l) => l.trim()));
  return choices.every((b, i) => lines.has(`${i + 1}. ${b.label.trim()}`));
}

/**
 * A message as plain-text Zalo chunks of at most `max` characters: the text, the choices numbered
 * "1. …" in the order the conversation core numbers them (feedback buttons excluded), the links each on
 * their own lines, then a hint to type 👍 or 👎 when the message has feedback buttons. Nothing is escaped:
 * Zalo shows text as written.
 */
export function renderZalo(message: OutboundMessage, max = ZALO_MAX_TEXT): string[] {
  const buttons = (message.buttons ?? []).flat();
  const choices = buttons.filter((b) => !b.role);
  const blocks = [message.text.trim()];
  if (choices.length > 0) {
    if (!alreadyListed(message.text, choices)) blocks.push(choices.map((b, i) => `${i + 1}. ${b.label.trim()}`).join('\n'));
    blocks.push(zaloText.chooseByNumber);
  }
  const links = (message.links ?? []).filter((l) => /^https?:\/\//i.test(l.url)).map((l) => `🔗 ${l.title.trim()}\n${l.url}`);
  if (links.length > 0) blocks.push(links.join('\n'));
  if (buttons.some((b) => b.role === 'more')) blocks.push(zaloText.moreHint);
  if (buttons.some((b) => b.role === 'feedback')) blocks.push(zaloText.feedbackHint);
  return splitForZalo(blocks.filter(Boolean).join('\n\n'), max);
}
