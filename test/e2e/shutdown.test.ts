import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';

/** Start the service on the bundled data; resolves once it logs that the web chat is ready. */
async function startService(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
  });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start: ${lines.join('\n')}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.some((l) => l.includes('web chat ready'))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
    const started = Date.now();
    child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
  });
  return { child, lines, exited };
}

describe('shutdown', () => {
  it('exits 0 within 10 s on SIGTERM, closing the store; a second signal exits at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-shutdown-'));
    try {
      const first = await startService(dir);
      first.child.kill('SIGTERM');
      const { code, ms } = await first.exited;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
      expect(first.lines.some((l) => l.includes('shutting down'))).toBe(true);

      const second = await startService(dir);
      // Two different signals (the same one twice can be merged into one by the kernel).
      second.child.kill('SIGINT');
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 70_000);
});
