/**
 * Split plain text into pieces of at most `max` characters, at a paragraph, line, sentence or word
 * boundary when there is one (a single word longer than `max` is cut).
 */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const sep of ['\n\n', '\n', '. ', '? ', '! ', '; ', ', ', ' ']) {
      const at = window.lastIndexOf(sep);
      if (at > max / 3) {
        cut = at + sep.length;
        break;
      }
    }
    if (cut <= 0) cut = max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}
