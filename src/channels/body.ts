import type { IncomingMessage } from 'node:http';

/**
 * The whole request body as text, or undefined when it is larger than `maxBytes` (announced or actual).
 * Bytes are gathered first and decoded once, so a character split across network chunks stays whole.
 */
export async function readBodyText(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
