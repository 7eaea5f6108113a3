import type Keyv from 'keyv';

/** YYYY-MM-DD in Vietnam (UTC+7) of an ISO instant. */
export function vnDay(iso: string): string {
  return new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The Vietnam day after `day` (YYYY-MM-DD). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * An append-only log in keyv without scanning: entries go into per-day chunks of at most 200, with a
 * per-day count, so appending writes one short list and reading the latest n reads a few chunks. The first
 * day written is remembered, so old days can be dropped and every day walked without a key scan.
 * Appends, removals and expiry are serialised in this process.
 */
export class AppendLog<T extends { at: string }> {
  private chain: Promise<unknown> = Promise.resolve();
  private knownFirst: string | undefined;
  constructor(
    private readonly kv: Keyv<unknown>,
    private readonly chunkSize = 200,
  ) {}

  private serial<R>(fn: () => Promise<R>): Promise<R> {
    const next = this.chain.catch(() => undefined).then(fn);
    this.chain = next;
    return next;
  }

  /** Add an entry under the Vietnam day of its `at`. */
  append(entry: T): Promise<void> {
    return this.serial(async () => {
      const day = vnDay(entry.at);
      const count = ((await this.kv.get(`n:${day}`)) as number | undefined) ?? 0;
      const chunkKey = `c:${day}:${Math.floor(count / this.chunkSize)}`;
      const chunk = ((await this.kv.get(chunkKey)) as T[] | undefined) ?? [];
      await this.kv.set(chunkKey, [...chunk, entry]);
      await this.kv.set(`n:${day}`, count + 1);
      if (this.knownFirst === undefined || day < this.knownFirst) {
        const first = (await this.kv.get('first')) as string | undefined;
        if (first === undefined || day < first) await this.kv.set('first', day);
        this.knownFirst = first === undefined || day < first ? day : first;
      }
    });
  }

  /** The latest `n` entries, newest first, looking back at most `days` days from `now`. */
  async latest(n: number, now: Date, days = 30): Promise<T[]> {
    await this.chain.catch(() => undefined);
    const out: T[] = [];
    for (let d = 0; d < days && out.length < n; d++) {
      const day = vnDay(new Date(now.getTime() - d * 86_400_000).toISOString());
      const count = ((await this.kv.get(`n:${day}`)) as number | undefined) ?? 0;
      for (let c = Math.ceil(count / this.chunkSize) - 1; c >= 0 && out.length < n; c--) {
        const chunk = ((await this.kv.get(`c:${day}:${c}`)) as T[] | undefined) ?? [];
        out.push(
          ...chunk
            .slice()
            .reverse()
            .slice(0, n - out.length),
        );
      }
    }
    return out;
  }

  /** How many entries a Vietnam day holds (entries removed later still count). */
  async countOn(day: string): Promise<number> {
    return ((await this.kv.get(`n:${day}`)) as number | undefined) ?? 0;
  }

  /** Every chunk key from the first day written up to `lastDay` (inclusive), day by day. */
  private async *chunks(lastDay: string): AsyncGenerator<{ day: string; key: string }> {
    const first = (await this.kv.get('first')) as string | undefined;
    if (first === undefined) return;
    for (let day = first; day <= lastDay; day = nextDay(day)) {
      const count = ((await this.kv.get(`n:${day}`)) as number | undefined) ?? 0;
      for (let c = 0; c < Math.ceil(count / this.chunkSize); c++) yield { day, key: `c:${day}:${c}` };
    }
  }

  /** Every entry `matches` picks, on every day up to `now`, oldest first. */
  async findWhere(matches: (entry: T) => boolean, now: Date): Promise<T[]> {
    await this.chain.catch(() => undefined);
    const found: T[] = [];
    for await (const { key } of this.chunks(vnDay(now.toISOString()))) found.push(...(((await this.kv.get(key)) as T[] | undefined) ?? []).filter(matches));
    return found;
  }

  /**
   * Take out every entry `matches` picks, on every day up to `now`; the days' counts stay (they count what
   * was recorded, not who). Resolves with the entries taken out.
   */
  removeWhere(matches: (entry: T) => boolean, now: Date): Promise<T[]> {
    return this.serial(async () => {
      const removed: T[] = [];
      for await (const { key } of this.chunks(vnDay(now.toISOString()))) {
        const chunk = ((await this.kv.get(key)) as T[] | undefined) ?? [];
        const kept = chunk.filter((e) => !matches(e));
        if (kept.length === chunk.length) continue;
        removed.push(...chunk.filter(matches));
        await this.kv.set(key, kept);
      }
      return removed;
    });
  }

  /**
   * Delete every day before the Vietnam day of `before`, chunks and counts; resolves with the entries
   * deleted (so that records they point to can be deleted too).
   */
  expireBefore(before: Date): Promise<T[]> {
    return this.serial(async () => {
      const cutoff = vnDay(before.toISOString());
      const first = (await this.kv.get('first')) as string | undefined;
      if (first === undefined || first >= cutoff) return [];
      const dropped: T[] = [];
      for (let day = first; day < cutoff; day = nextDay(day)) {
        const count = ((await this.kv.get(`n:${day}`)) as number | undefined) ?? 0;
        if (count === 0) continue;
        const keys = Array.from({ length: Math.ceil(count / this.chunkSize) }, (_, c) => `c:${day}:${c}`);
        for (const chunk of await this.kv.getMany(keys)) dropped.push(...((chunk as T[] | undefined) ?? []));
        await this.kv.deleteMany([...keys, `n:${day}`]);
      }
      await this.kv.set('first', cutoff);
      this.knownFirst = cutoff;
      return dropped;
    });
  }
}
