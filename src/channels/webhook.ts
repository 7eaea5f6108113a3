import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two secrets of any length (webhook secret headers). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** Remembers recent keys so that a replayed update is processed once, in bounded memory. */
export class RecentKeys<K = string> {
  private readonly keys = new Set<K>();
  constructor(private readonly capacity = 10_000) {}
  /** True the first time a key is seen. */
  add(key: K): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as K);
    return true;
  }
}
