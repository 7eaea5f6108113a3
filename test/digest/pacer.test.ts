import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/digest/broadcaster.js';

describe('pacer', () => {
  it('keeps the long-run rate, saves up at most a fiftieth of a second, and holds starts during a pause', async () => {
    const pacer = new Pacer(500);
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 250 }, () => pacer.take().then(() => starts.push(performance.now() - t0))));
    // 250 starts at 500/s with 10 saved up: about 0.48 s, never much faster.
    expect(starts[249]!).toBeGreaterThan(450);
    for (let i = 0; i + 20 < starts.length; i++) expect(starts[i + 20]! - starts[i]!).toBeGreaterThan(15);
    pacer.pause(200);
    const paused = performance.now();
    await pacer.take();
    expect(performance.now() - paused).toBeGreaterThanOrEqual(195);
  });
});
