import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImporter } from '../../src/ingest/importer.js';
import { createFeedPoller } from '../../src/ingest/poller.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createArticleStore } from '../../src/store/articles.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { startSite, type Site } from './site-server.js';
import { join } from 'node:path';

const lexicon = loadLexicon(join(import.meta.dirname, '../../data/lexicon'));
const log = silentLogger();
let site: Site;
beforeEach(async () => {
  site = await startSite();
});
afterEach(() => site.close());

describe('feed poller', () => {
  it('backs off a failing source exponentially, pauses it after 5 failures and tells staff once', async () => {
    let t = Date.parse('2024-12-05T03:00:00Z');
    const now = () => new Date(t);
    const store = await createArticleStore({ log });
    const importer = createImporter({ store, index: ArticleIndex.create(), lexicon, log, now, fetch: { addressPolicy: site.access } });
    const onSourcePaused = vi.fn();
    const failing = `${site.base}/fail/feed.xml`;
    const good = `${site.base}/atom.xml`;
    const poller = createFeedPoller({ importer, sources: [failing, good], log, onSourcePaused, now, baseBackoffMs: 60_000 });

    const first = await poller.poll();
    expect(first.results.map((r) => [r.url, r.summary.source.error ?? 'ok'])).toEqual([
      [failing, expect.stringMatching(/HTTP 500/)],
      [good, 'ok'],
    ]);
    expect(poller.status()[0]).toMatchObject({ failures: 1, paused: false, nextAttemptAtMs: t + 60_000 });

    expect((await poller.poll()).waiting).toEqual([failing]);
    const waits: number[] = [];
    for (let failures = 2; failures <= 5; failures++) {
      t = poller.status()[0]!.nextAttemptAtMs!;
      const before = t;
      await poller.poll();
      const s = poller.status()[0]!;
      expect(s.failures).toBe(failures);
      if (failures < 5) waits.push(s.nextAttemptAtMs! - before);
    }
    expect(waits).toEqual([120_000, 240_000, 480_000]);
    expect(poller.status()[0]).toMatchObject({ failures: 5, paused: true });
    expect(onSourcePaused).toHaveBeenCalledTimes(1);
    expect(onSourcePaused).toHaveBeenCalledWith(failing, 5, expect.stringMatching(/HTTP 500/));

    t += 24 * 3600_000;
    const hitsBefore = site.hits('/fail/feed.xml').length;
    const later = await poller.poll();
    expect(later.paused).toEqual([failing]);
    await poller.poll();
    expect(site.hits('/fail/feed.xml')).toHaveLength(hitsBefore);
    expect(onSourcePaused).toHaveBeenCalledTimes(1);
    expect(poller.status()[1]).toMatchObject({ failures: 0, paused: false });
    await store.close();
  });

  it('resets the failures after a success and runs again after resume', async () => {
    let t = 0;
    const store = await createArticleStore({ log });
    const importer = createImporter({ store, lexicon, log, fetch: { addressPolicy: site.access } });
    const failing = `${site.base}/fail/feed.xml`;
    const onSourcePaused = vi.fn();
    const poller = createFeedPoller({ importer, sources: [failing], log, onSourcePaused, now: () => new Date(t), maxFailures: 2, baseBackoffMs: 1000 });
    await poller.poll();
    expect(poller.status()[0]!.failures).toBe(1);
    site.controls.failStatus = 200;
    t += 1000;
    const ok = await poller.poll();
    expect(ok.results[0]!.summary).toMatchObject({ new: 3 });
    expect(poller.status()[0]).toMatchObject({ failures: 0, paused: false });
    site.controls.failStatus = 503;
    await poller.poll();
    t += 1000;
    await poller.poll();
    expect(poller.status()[0]!.paused).toBe(true);
    expect(onSourcePaused).toHaveBeenCalledWith(failing, 2, expect.stringMatching(/HTTP 503/));
    site.controls.failStatus = 200;
    expect(poller.resume(failing)).toBe(true);
    expect(poller.resume('https://khong-phai-nguon.vn/')).toBe(false);
    expect((await poller.poll()).results).toHaveLength(1);
    expect(poller.status()[0]).toMatchObject({ failures: 0, paused: false });
    await store.close();
  });

  it('pauses a FEEDS source on an internal address at once, logs it once as an operator error and tells staff once', async () => {
    const store = await createArticleStore({ log });
    const { log: captured, lines } = capturingLogger('warn');
    // The production default: no address policy given.
    const importer = createImporter({ store, lexicon, log });
    const onSourcePaused = vi.fn();
    const internal = `${site.base}/feed.rss`;
    const poller = createFeedPoller({ importer, sources: [internal], log: captured, onSourcePaused });
    const first = await poller.poll();
    expect(first.results[0]!.summary.source.forbidden).toBe('address');
    expect(poller.status()[0]).toMatchObject({ failures: 1, paused: true });
    expect((await poller.poll()).paused).toEqual([internal]);
    expect(lines.map((l) => [l.level, l.url, l.rule])).toEqual([[50, internal, 'address']]);
    expect(onSourcePaused).toHaveBeenCalledTimes(1);
    expect(onSourcePaused).toHaveBeenCalledWith(internal, 1, expect.stringMatching(/internal address refused/));
    expect(site.requests).toEqual([]);
    await store.close();
  });

  it('does not run two rounds at once', async () => {
    const store = await createArticleStore({ log });
    const importer = createImporter({ store, lexicon, log, fetch: { addressPolicy: site.access } });
    const poller = createFeedPoller({ importer, sources: [`${site.base}/feed.rss`], log });
    const [a, b] = await Promise.all([poller.poll(), poller.poll()]);
    expect(a).toBe(b);
    expect(site.hits('/feed.rss')).toHaveLength(1);
    await store.close();
  });
});
