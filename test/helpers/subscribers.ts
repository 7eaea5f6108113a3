import type { Subscriber } from '../../src/store/subscriptions.js';

/** A Telegram subscriber of the 7 o'clock digest with no topic or province chosen, created 2026-11-01; `extra` last. */
export const subscriber = (chatId: string, extra: Partial<Subscriber> = {}): Subscriber => ({
  channel: 'telegram',
  chatId,
  topics: [],
  provinces: [],
  hour: 7,
  paused: false,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  ...extra,
});
