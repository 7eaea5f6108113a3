import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { digestText } from '../../src/copy/messages.js';
import { createSubscriptionFlow } from '../../src/assistant/subscribe.js';
import type { Channel, ChannelId, InboundHandler } from '../../src/core/chat.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createDigestService } from '../../src/digest/digest.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore, type SubscriptionStore } from '../../src/store/subscriptions.js';
import { bundledBot } from './bot.js';
import { silentLogger } from './logger.js';

const { engine, index, lexicon } = await bundledBot();

/** Where an instance keeps its state: in memory (one process), or a SQLite file shared with other instances. */
export interface StateDir {
  dir?: string;
}

/** One instance's conversation core with the subscription commands, over in-memory stores or a shared SQLite file. */
export async function subscribingInstance(
  state: StateDir = {},
): Promise<{ conversation: Conversation; subscriptions: SubscriptionStore; lease?: Lease; close(): Promise<void> }> {
  const log = silentLogger();
  const adapter = state.dir ? () => createSqliteAdapter(state.dir!) : undefined;
  const lease = state.dir ? await createSqliteLease(await createSqliteAdapter(state.dir)) : undefined;
  const stores = await createStores({ adapter, log });
  const subscriptions = await createSubscriptionStore({ adapter, log, lease });
  const broadcasts = await createBroadcastStore({ adapter, log });
  const channels = new Map<ChannelId, Channel>();
  const broadcaster = createBroadcaster({ store: broadcasts, channels, log });
  const digest = createDigestService({
    docs: () => index.all(),
    subscriptions,
    broadcasts,
    broadcaster,
    hasChannel: (id) => channels.has(id),
    maxTextLength: () => 2000,
    log,
  });
  const flow = createSubscriptionFlow({ subscriptions, digest, lexicon, pushChannels: new Set<ChannelId>(['telegram', 'zalo']), log });
  const conversation = createConversation({ engine, index, lexicon, stores, flows: [flow], log });
  return {
    conversation,
    subscriptions,
    lease,
    async close() {
      await Promise.all([stores.close(), subscriptions.close(), broadcasts.close()]);
    },
  };
}

/** A fresh directory for a SQLite state file several instances share; `remove()` deletes it. */
export async function sharedStateDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-order-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `handler`, except that a message whose text is `text` waits `ms` first (a slow answer: a busy search, a slow store). */
export function slowOn(text: string, ms: number, handler: InboundHandler): InboundHandler {
  return async (msg) => {
    if (msg.text === text) await new Promise((r) => setTimeout(r, ms));
    return handler(msg);
  };
}

/** The replies to "/dangky" then "/huydangky", handled in that order: subscribed, then unsubscribed. */
export function expectSubscribedThenUnsubscribed(texts: string[]): void {
  expect(texts).toHaveLength(2);
  expect(texts[0]).toContain(digestText.subscribed);
  expect(texts[1]).toContain(digestText.unsubscribed);
}

/**
 * The replies to "/tim <query>" then "1", "2", "3", handled in that order: the list, then the card of each
 * numbered article in turn.
 */
export function expectListThenNumberedCards(texts: string[]): void {
  expect(texts).toHaveLength(4);
  const list = texts[0]!.split('\n');
  for (const n of [1, 2, 3]) {
    const line = list.find((l) => l.startsWith(`${n}. `));
    expect(line, `line ${n} of the list`).toBeDefined();
    // A card starts with the title and date the list showed after the number.
    expect(texts[n]!.split('\n')[0]).toBe(line!.slice(`${n}. `.length));
  }
}
