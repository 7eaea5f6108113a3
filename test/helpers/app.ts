import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { ROOT } from './shared.js';

/**
 * For each test of the file: a fresh temporary directory (`dir`) and `cleanups`, run after the test last one
 * first, before the directory is removed. Call at the top of a test file.
 */
export function tempDirEachTest(prefix: string): { readonly dir: string; cleanups: (() => Promise<unknown>)[] } {
  let dir = '';
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    cleanups,
  };
}

/** The config of one instance on the bundled data: HTTP on 127.0.0.1 (any port), state in `dir`, `env` last. */
export function appConfig(dir: string, instance: string, env: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, CONTENT_DIR: join(ROOT, 'data'), INSTANCE_ID: instance, ...env });
}
