/**
 * Text as people typed it, made comparable: one Unicode form, no invisible characters, lengths in characters.
 *
 * @remarks
 * Invisible separators (zero-width space, word joiner, byte-order mark, the line and paragraph separators) and
 * every Unicode space stand between words, so they become a plain space: deleting them would glue the words
 * around them together. A zero-width joiner stays only inside an emoji sequence ("👩‍💻"); elsewhere it too is
 * read as a space. Control, bidi and other format characters carry no text and are removed, as are lone
 * surrogates. Tab and line breaks are kept for the callers that keep lines, every line break as "\n".
 */

/** C0/C1 controls except tab, line feed and carriage return; soft hyphen; bidi marks, embeddings and isolates; lone surrogates. */
const REMOVED_CHARS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\p{Cs}';
/** Invisible separators besides the Unicode spaces (\p{Zs}). */
const SEPARATOR_CHARS = '\\u180e\\u200b\\u200c\\u2028\\u2029\\u2060-\\u2064\\ufeff';
const REMOVED = new RegExp(`[${REMOVED_CHARS}]`, 'gu');
/** Unicode spaces and invisible separators; a zero-width joiner unless it joins two pictographs of an emoji sequence. */
const SEPARATORS = new RegExp(
  `[\\p{Zs}${SEPARATOR_CHARS}]|(?<!\\p{Extended_Pictographic}[\\ufe0f\\u{1f3fb}-\\u{1f3ff}]?)\\u200d|\\u200d(?!\\p{Extended_Pictographic})`,
  'gu',
);
/**
 * Any character {@link cleanInvisible} may change: a carriage return, one of {@link REMOVED}, a separator, any
 * zero-width joiner, a Unicode space other than " ". Made of the same lists, so the two cannot drift apart.
 */
const NEEDS_CLEANING = new RegExp(`[\\r${REMOVED_CHARS}${SEPARATOR_CHARS}\\u200d]|[^\\P{Zs} ]`, 'u');

/** Remove control and format characters and turn invisible separators and Unicode spaces into " "; keeps tabs and line breaks ("\n"). */
export function cleanInvisible(text: string): string {
  // Most text has none of them: one search instead of three replacements that would give back the same string.
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replace(/\r\n?/g, '\n').replace(REMOVED, '').replace(SEPARATORS, ' ');
}

/** An inbound message as the bot reads it: NFC, {@link cleanInvisible}, trimmed; line breaks kept. */
export function normalizeMessage(text: string): string {
  return cleanInvisible(text).normalize('NFC').trim();
}

/** {@link normalizeMessage} on one line: every run of whitespace, line breaks included, becomes one space. */
export function cleanText(text: string): string {
  return normalizeMessage(text).replace(/\s+/g, ' ');
}

/** Length in characters (Unicode code points), as a person counts them; not UTF-16 units. */
export function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The first `max` characters (code points) of a text; a surrogate pair is never cut in half. */
export function sliceChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return [...text].slice(0, max).join('');
}
