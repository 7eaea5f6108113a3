import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation } from '../../src/assistant/conversation.js';
import { messages } from '../../src/copy/messages.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStores } from '../../src/store/stores.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stores on SQLite', () => {
  it('keeps chat state and feedback in a WAL-mode file across a restart', async () => {
    const first = await createStores({ adapter: () => createSqliteAdapter(dir), log: silentLogger() });
    await first.chats.set('telegram:1', { lastQuestion: 'Quỹ Vì người nghèo là gì?', lastAt: 1 });
    await first.feedback.set('telegram:1:a', { channel: 'telegram', chatId: '1', question: 'q', sourceIds: ['x'], vote: 'up', at: 'now' });
    await first.close();
    const adapter = await createSqliteAdapter(dir);
    expect(await adapter.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    await adapter.disconnect();
    const second = await createStores({ adapter: () => createSqliteAdapter(dir), log: silentLogger() });
    expect(await second.chats.get('telegram:1')).toEqual({ lastQuestion: 'Quỹ Vì người nghèo là gì?', lastAt: 1 });
    expect((await second.feedback.get('telegram:1:a'))?.vote).toBe('up');
    expect(await second.chats.get('telegram:2')).toBeUndefined();
    await second.close();
  });
});

describe('a store that is down', () => {
  it('still answers, says plainly when feedback could not be saved, and logs what was not stored', async () => {
    const down = {
      get: async () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error')),
      set: async () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error')),
      delete: async () => false,
      clear: async () => undefined,
      on: () => down,
      opts: {},
      namespace: undefined as string | undefined,
    };
    const { log, lines } = capturingLogger();
    const stores = await createStores({ adapter: () => down as never, log });
    const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
    const { items } = await loadContent([join(ROOT, 'data')]);
    const index = ArticleIndex.create();
    for (const item of items) index.upsert(toSearchDoc(item));
    const conversation = createConversation({ engine: createAnswerEngine({ index, lexicon }), index, lexicon, stores, log });
    const msg = (text: string, callbackData?: string) => ({
      channel: 'telegram' as const,
      chatId: '1',
      userId: '1',
      text,
      callbackData,
      receivedAt: new Date(),
    });
    const [answer] = await conversation.handle(msg('Chủ tịch MTTQ tỉnh Quảng Bình là ai?'));
    expect(answer!.text).toContain('Phạm Thị Hân');
    const [unanswered] = await conversation.handle(msg('cách làm bánh chưng'));
    expect(unanswered!.text).toMatch(/chưa có thông tin/);
    expect(lines.some((l) => l.msg === 'could not record an unanswered question' && JSON.stringify(l).includes('bánh chưng'))).toBe(true);
    // The answer the vote is for is in the chat state, which could not be read: the store is busy, not the button old.
    const [vote] = await conversation.handle(msg('', 'fb:up:zzz'));
    expect(vote!.text).toBe(messages.storeUnavailable);
  });
});
