import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

/** Run the layer check in `cwd`; resolves with its exit code and report. */
async function check(cwd: string): Promise<{ code: number; report: string }> {
  try {
    const { stdout } = await run(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd });
    return { code: 0, report: stdout };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, report: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the layer rule (docs/architecture.md)', () => {
  const made: string[] = [];
  afterAll(async () => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('holds for the source tree: no upward import, no cycle, every file in a layer', async () => {
    const { code, report } = await check(root);
    expect(report).toContain('no dependency violations');
    expect(code).toBe(0);
  }, 60_000);

  it('catches an upward import, a cycle and a file in no layer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layers-'));
    made.push(dir);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    for (const folder of ['text', 'channels', 'search', 'misc']) await mkdir(join(dir, 'src', folder), { recursive: true });
    await writeFile(join(dir, 'src/text/fold.ts'), "import { send } from '../channels/send.js';\nexport const fold = send;\n");
    await writeFile(join(dir, 'src/channels/send.ts'), 'export const send = 1;\n');
    await writeFile(join(dir, 'src/search/a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    await writeFile(join(dir, 'src/search/b.ts'), "import { a } from './a.js';\nexport const b = typeof a;\n");
    await writeFile(join(dir, 'src/misc/loose.ts'), "import { fold } from '../text/fold.js';\nexport const loose = fold;\n");
    const { code, report } = await check(dir);
    expect(code).not.toBe(0);
    expect(report).toMatch(/no-upward-import: src\/text\/fold\.ts → src\/channels\/send\.ts/);
    expect(report).toMatch(/no-circular: src\/search\/a\.ts/);
    expect(report).toMatch(/no-unlayered-module: src\/misc\/loose\.ts/);
  }, 60_000);
});
