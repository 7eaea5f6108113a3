import type { Button, OutboundMessage } from '../../core/chat.js';
import { splitText } from '../../text/split.js';

/** Telegram's limit is 4,096 characters after entity parsing; stay clear of it. */
const TELEGRAM_CHUNK = 3900;

/** Escape text for Telegram's HTML parse mode (docs/platforms.md §2.3). */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** A message as Telegram HTML chunks; links go last, each on its own line; only `<a>` tags are produced. */
export function renderTelegram(message: OutboundMessage, max = TELEGRAM_CHUNK): string[] {
  const links = (message.links ?? []).filter((l) => /^https?:\/\//i.test(l.url)).map((l) => `🔗 <a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a>`);
  // Escaping grows the text ("&" → "&amp;"): split the plain text again until each escaped piece fits.
  const fit = (plain: string): string[] =>
    escapeHtml(plain).length <= 4096 || plain.length < 2 ? [escapeHtml(plain)] : splitText(plain, Math.ceil(plain.length / 2)).flatMap(fit);
  const safe = splitText(message.text, max).flatMap(fit);
  const tail = links.join('\n');
  if (tail) {
    const last = safe[safe.length - 1];
    if (last !== undefined && last.length + tail.length + 2 <= 4096) safe[safe.length - 1] = `${last}\n\n${tail}`;
    else safe.push(tail);
  }
  return safe.length > 0 ? safe : [''];
}

/** Inline keyboard rows; labels are cut to stay readable, callback data is already ≤ 64 bytes. */
export function inlineKeyboard(buttons: Button[][] | undefined): { inline_keyboard: { text: string; callback_data: string }[][] } | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  return {
    inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label.length > 60 ? `${b.label.slice(0, 57)}…` : b.label, callback_data: b.data }))),
  };
}
