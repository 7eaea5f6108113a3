import { createConnection } from 'node:net';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';

/** True when something on host:port answers PING with PONG within a second (the tests' Redis is 127.0.0.1:6379). */
export function redisAnswers(host = '127.0.0.1', port = 6379): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** The commands the tests send on a raw node-redis client. */
export interface RawRedis {
  flushDb(): Promise<unknown>;
  dbSize(): Promise<number>;
  exists(key: string): Promise<number>;
  set(key: string, value: string): Promise<unknown>;
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
}

/** An adapter's raw client. */
export const rawRedis = async (adapter: RedisAdapter): Promise<RawRedis> => (await adapter.getClient()) as unknown as RawRedis;

/** Written into a database a test file owns, so that one holding anyone else's keys is never flushed. */
export const TEST_MARKER = 'mattran-bot:test-database';

/** Why a file cannot use its Redis database `url` (no server, or keys it did not write), or undefined when it can. */
export async function redisSkipReason(url: string, marker = TEST_MARKER): Promise<string | undefined> {
  if (!(await redisAnswers())) return 'no redis-server answers on 127.0.0.1:6379';
  const admin = createRedisAdapter(url);
  try {
    const client = await rawRedis(admin);
    if ((await client.dbSize()) > 0 && !(await client.exists(marker))) return `${url} holds keys this file did not write`;
    return undefined;
  } finally {
    await admin.disconnect();
  }
}

/** Flush the file's database `url` and write its marker; refused (thrown) when it holds keys without the marker. */
export async function claimRedisDatabase(url: string, marker = TEST_MARKER): Promise<void> {
  const admin = createRedisAdapter(url);
  try {
    const client = await rawRedis(admin);
    if ((await client.dbSize()) > 0 && !(await client.exists(marker))) throw new Error(`${url} holds keys this file did not write; not flushing it`);
    await client.flushDb();
    await client.set(marker, '1');
  } finally {
    await admin.disconnect();
  }
}
