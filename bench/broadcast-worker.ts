/**
 * The sending process of `npm run bench -- broadcast`: the bot's real digest path (SQLite stores in the
 * given DATA_DIR, journaled broadcaster, Telegram channel over telegraf) pointed at the bench's fake API.
 * It resumes an interrupted broadcast first, like the service does at start, then runs the 07:00 slot.
 * Usage (spawned by bench/broadcast.ts): tsx bench/broadcast-worker.ts <dataDir> <apiRoot> <rate> <concurrency> <untilMs>
 */
import pino from 'pino';
import { createTelegramChannel } from '../src/channels/telegram/channel.js';
import type { Channel, ChannelId } from '../src/core/chat.js';
import type { SearchDoc } from '../src/content/types.js';
import { createBroadcaster } from '../src/digest/broadcaster.js';
import { createDigestService, type DigestService } from '../src/digest/digest.js';
import { vnClock } from '../src/digest/time.js';
import { createBroadcastStore } from '../src/store/broadcasts.js';
import { createSqliteLease } from '../src/store/lock.js';
import { createSqliteAdapter } from '../src/store/sqlite.js';
import { createSubscriptionStore } from '../src/store/subscriptions.js';

/** Today's items of the bench digest: a few dated articles (same in every run, so resumed messages match). */
export function benchDocs(untilMs: number): SearchDoc[] {
  return Array.from({ length: 6 }, (_, i) => ({
    id: `bench-${i}`,
    type: 'article' as const,
    title: `Ủy ban MTTQ tỉnh tổ chức hoạt động số ${i + 1} vì người nghèo`,
    summary: 'Trao quà, xây nhà Đại đoàn kết và vận động ủng hộ Quỹ Vì người nghèo ở khu dân cư.',
    body: 'x',
    url: `https://mattran.org.vn/bench-${i}.html`,
    publishedAt: new Date(untilMs - (i + 1) * 3_600_000).toISOString(),
    source: 'bench',
  }));
}

async function main(): Promise<void> {
  const [dataDir, apiRoot, rate, concurrency, untilMs] = process.argv.slice(2);
  const log = pino({ level: 'warn' }, pino.destination(2));
  const adapter = () => createSqliteAdapter(dataDir!);
  const subscriptions = await createSubscriptionStore({ adapter, log });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: '1:BENCH', apiRoot: apiRoot!, log, sendTimeoutMs: 5000 })]]);
  let digest: DigestService | undefined;
  const broadcaster = createBroadcaster({
    store: broadcasts,
    channels,
    log,
    pace: { telegram: { ratePerSecond: Number(rate), concurrency: Number(concurrency), perChatGapMs: 1000 } },
    progressEveryMs: 60_000,
    onGone: (r, reason) => digest!.gone(r, reason),
    onDelivered: (id, r) => digest!.delivered(id, r),
  });
  const until = new Date(Number(untilMs));
  const docs = benchDocs(until.getTime());
  digest = createDigestService({
    docs: () => docs,
    subscriptions,
    broadcasts,
    broadcaster,
    hasChannel: (id) => channels.has(id),
    maxTextLength: () => 4096,
    log,
    lease: await createSqliteLease(await adapter()),
    instanceId: 'bench-worker',
  });
  // What the service does at start: resume whatever a crash interrupted.
  for (const id of await broadcasts.running()) {
    const spec = await broadcasts.get(id);
    const report = await digest.runSlot(String(spec!.params.day), Number(spec!.params.hour), until);
    process.stdout.write(`${JSON.stringify({ resumed: id, report })}\n`);
  }
  const { day } = vnClock(until);
  const report = await digest.runSlot(day, 7, until);
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ report, cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)) })}\n`);
  await Promise.all([subscriptions.close(), broadcasts.close()]);
}

await main();
