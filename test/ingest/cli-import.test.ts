import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite, type Site } from './site-server.js';

const run = promisify(execFile);
let env: Record<string, string> = {};
const ROOT = join(import.meta.dirname, '../..');

/** Run the CLI as an operator would; resolves with stdout, stderr and the exit code. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_FORMAT: 'json', CORPUS: '', ...env },
      timeout: 30_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('npm run cli -- import', () => {
  let site: Site;
  let dir: string;
  beforeAll(async () => {
    site = await startSite();
    // The fixture site is on a loopback address and a random port: this CLI run opts in to both.
    env = { INGEST_ALLOW_PRIVATE: 'true', INGEST_ALLOWED_PORTS: String(site.port) };
    dir = await mkdtemp(join(tmpdir(), 'mattran-cli-'));
  });
  afterAll(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a feed into DATA_DIR, prints one JSON line, and ask answers from the imported article', async () => {
    const imported = await cli('import', `${site.base}/feed.rss`, '--json', '--data-dir', dir);
    expect(imported.code).toBe(0);
    const lines = imported.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as { new: number; updated: number; skipped: number; failed: { url: string; reason: string }[] };
    expect(summary).toMatchObject({ new: 3, updated: 0, skipped: 0, failed: [{ url: `${site.base}/feed.rss`, reason: 'item 4: no link' }] });
    expect(existsSync(join(dir, 'mattran.sqlite'))).toBe(true);

    const asked = await cli('ask', 'Ủy ban MTTQ tỉnh Điện Biên trao bao nhiêu con bò giống cho hộ nghèo?', '--json', '--data-dir', dir);
    expect(asked.code).toBe(0);
    const answer = JSON.parse(asked.stdout.trim().split('\n').at(-1)!) as { kind: string; text: string; sources: { id: string }[] };
    expect(answer.kind).toBe('answer');
    expect(answer.sources[0]!.id).toBe('mattran-46001');
    expect(answer.text).toContain('215 con bò giống');
  });

  it('prints a readable summary with reasons, and a failing source exits 1', async () => {
    const again = await cli('import', `${site.base}/feed.rss`, '--data-dir', dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new, 0 updated, 3 skipped, 1 failed');
    expect(again.stdout).toContain('item 4: no link');
    const loop = await cli('import', `${site.base}/loop-a`, '--json', '--data-dir', dir);
    expect(loop.code).toBe(1);
    expect(JSON.parse(loop.stdout.trim()).failed[0].reason).toMatch(/redirect loop/);
  });
});
