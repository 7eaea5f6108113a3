/** Short words that end with a period without ending the sentence ("TP. Hồ Chí Minh", "PGS. TS"). */
const NO_BREAK_BEFORE_PERIOD = /(?:^|[\s(])(?:tp|tx|tt|ts|ths|pgs|gs|bs|ks|ls|th|mr|mrs|dr|st|no|ng|q|p|h|[a-zđ])$/iu;
const MAX_SENTENCE_CHARS = 600;

/** Tidy spacing for display: tokenizer spaces before punctuation (" , ") and inside brackets are removed. */
export function tidySpacing(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?%)\]”])/g, '$1')
    .replace(/([([“])\s+/g, '$1')
    .trim();
}

/** Split a long run of text without sentence punctuation at clause boundaries. */
function splitLong(sentence: string): string[] {
  if (sentence.length <= MAX_SENTENCE_CHARS) return [sentence];
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > MAX_SENTENCE_CHARS) {
    const window = rest.slice(0, MAX_SENTENCE_CHARS);
    const cut = Math.max(window.lastIndexOf('; '), window.lastIndexOf(', '), window.lastIndexOf(' '));
    const at = cut > MAX_SENTENCE_CHARS / 3 ? cut + 1 : MAX_SENTENCE_CHARS;
    out.push(rest.slice(0, at).trim());
    rest = rest.slice(at);
  }
  if (rest.trim()) out.push(rest.trim());
  return out;
}

/**
 * Split text into sentences: at line breaks, and after . ! ? … when the next word starts a sentence.
 * Handles the " . " spacing of tokenized sources and common abbreviations.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n+/)) {
    const p = paragraph.trim();
    if (!p) continue;
    let start = 0;
    const boundary = /([.!?…]+)(["”»')\]]*)\s+(?=["“«'(\-–]?\s*[\p{Lu}\d])/gu;
    for (let m = boundary.exec(p); m; m = boundary.exec(p)) {
      const before = p.slice(start, m.index).trimEnd();
      if (m[1] === '.' && NO_BREAK_BEFORE_PERIOD.test(before)) continue;
      // "với giá chỉ ... 1,9 tỉ đồng": an ellipsis before a number is a pause, not the end of the sentence.
      if (/…|\.\./.test(m[1]!) && /^["“«'(\-–]?\s*\d/u.test(p.slice(m.index + m[0].length))) continue;
      const end = m.index + m[1]!.length + m[2]!.length;
      const sentence = p.slice(start, end).trim();
      if (sentence) out.push(...splitLong(sentence));
      start = end;
    }
    const last = p.slice(start).trim();
    if (last) out.push(...splitLong(last));
  }
  return out;
}
