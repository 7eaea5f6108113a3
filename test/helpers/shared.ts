import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared beside the repository (third-party data; read, never copied). */
const SHARED = resolve(ROOT, '..', 'shared');

/** Path inside ../shared, or undefined (with a message on stderr) when it is absent. */
export function sharedPath(...parts: string[]): string | undefined {
  const p = join(SHARED, ...parts);
  if (existsSync(p)) return p;
  process.stderr.write(`skipping: ${p} is absent (tests that read ../shared need it beside the repository)\n`);
  return undefined;
}
