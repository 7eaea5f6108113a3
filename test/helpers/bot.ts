import { join } from 'node:path';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type ConversationOptions } from '../../src/assistant/conversation.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createStores } from '../../src/store/stores.js';
import { silentLogger } from './logger.js';
import { ROOT } from './shared.js';

/** The bundled data (data/) indexed, with its lexicon and an answer engine: what most channel tests talk to. */
export async function bundledBot(extraPaths: string[] = []) {
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const { items } = await loadContent([join(ROOT, 'data'), ...extraPaths]);
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  const engine = createAnswerEngine({ index, lexicon });
  /** A fresh conversation core (in-memory stores) over that index. */
  const newConversation = async (extra: Partial<ConversationOptions> = {}) =>
    createConversation({ engine, index, lexicon, stores: await createStores({ log: silentLogger() }), log: silentLogger(), ...extra });
  return { lexicon, index, engine, newConversation };
}
