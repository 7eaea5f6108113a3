import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildJobs, type Jobs } from '../../src/app/jobs.js';
import { buildSearch, type Search } from '../../src/app/search.js';
import { buildStorage, type Storage } from '../../src/app/storage.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import { loadConfig } from '../../src/config.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import { createMetrics } from '../../src/metrics.js';
import { vnDay } from '../../src/store/append-log.js';
import { startFakeTelegram } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { subscriber } from '../helpers/subscribers.js';
import { ROOT } from '../helpers/shared.js';

/** A Vietnam wall-clock time. */
const at = (iso: string) => new Date(`${iso}+07:00`);

let dir: string;
let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
let storage: Storage;
let search: Search;
let jobs: Jobs;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-daily-jobs-'));
  // Chat 9 blocked the bot.
  fake = await startFakeTelegram({
    onSend: (call) =>
      call.body.chat_id === '9' ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } } : undefined,
  });
  const config = loadConfig({ DATA_DIR: dir, CONTENT_DIR: join(ROOT, 'data'), INSTANCE_ID: 'daily-jobs', TELEGRAM_SEND_RATE: '200' });
  const log = silentLogger();
  const metrics = createMetrics();
  storage = await buildStorage(config, { log, metrics });
  search = await buildSearch(config, { articles: storage.articles, changes: storage.changes, log, metrics });
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: '123456:TEST-daily-jobs', apiRoot: fake.baseUrl, log })]]);
  jobs = await buildJobs(config, { storage, search, channels, instanceId: 'daily-jobs', log, metrics });
});
afterEach(async () => {
  await jobs.stop();
  search.stop();
  await storage.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('daily figures from the jobs', () => {
  it('a digest run counts its deliveries and failures on the Vietnam day they happen; the subscriber count leaves out the chat that blocked the bot', async () => {
    search.index.upsert({
      id: 'fresh-1',
      type: 'article',
      kind: 'article',
      title: 'Hội nghị Ủy ban MTTQ tỉnh Quảng Trị',
      summary: 'Tóm tắt',
      body: 'Nội dung',
      publishedAt: '2026-11-27T06:00:00',
      province: 'Quảng Trị',
      source: 't',
    });
    await storage.subscriptions.put(subscriber('1'));
    await storage.subscriptions.put(subscriber('2', { provinces: ['Quảng Trị'] }));
    await storage.subscriptions.put(subscriber('9'));
    await storage.subscriptions.put(subscriber('4', { channel: 'zalo', hour: 18 }));

    const report = await jobs.digest.tick(at('2026-11-27T07:00:05'));
    expect(report).toMatchObject({ total: 3, sent: 2, blocked: 1 });
    // Counted on the Vietnam day the sends happened (today), as they happen: the last write may follow the report by a moment.
    const today = vnDay(new Date().toISOString());
    let day = (await storage.daily.days(today, today))[0]!;
    for (let i = 0; i < 50 && day.counts.digestDelivered + day.counts.digestFailed < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      day = (await storage.daily.days(today, today))[0]!;
    }
    expect(day.counts).toMatchObject({ digestDelivered: 2, digestFailed: 1 });

    const snapshot = await jobs.snapshotSubscribers(at('2026-11-27T21:50:00'));
    expect(snapshot).toEqual({
      at: '2026-11-27T14:50:00.000Z',
      total: 3,
      byChannel: { telegram: 2, zalo: 1 },
      byProvince: { 'cả nước': 2, 'Quảng Trị': 1 },
    });
    expect((await storage.daily.days('2026-11-27', '2026-11-27'))[0]!.subscribers).toEqual(snapshot);
  });
});
