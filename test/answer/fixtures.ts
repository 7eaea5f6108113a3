/** Made-up articles and the real lexicon, for the tests of each stage of the answer pipeline. */
import { join } from 'node:path';
import type { DecisionFeatures } from '../../src/answer/decide.js';
import { DEFAULT_TUNING, type EngineTuning } from '../../src/answer/tuning.js';
import type { SearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { ROOT } from '../helpers/shared.js';

export const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
export const tuning: EngineTuning = DEFAULT_TUNING;

/** A made-up article. */
export function article(id: string, title: string, sentences: string[], extra: Partial<SearchDoc> = {}): SearchDoc {
  return { id, type: 'article', title, summary: '', body: sentences.join(' '), source: 'test', ...extra };
}

/** An index of the given documents and a few unrelated ones, so that term weights are not degenerate. */
export function indexOf(docs: SearchDoc[], unrelated = 10): ArticleIndex {
  const index = ArticleIndex.create();
  for (const d of docs) index.upsert(d);
  for (let i = 0; i < unrelated; i++)
    index.upsert(article(`khac-${i}`, `Hội thao ngành điện số ${i}`, [`Hội thao công nhân ngành điện lần thứ ${i} diễn ra sôi nổi.`]));
  return index;
}

/** Decision features of a well-covered answer with the right shape, with `over` changed. */
export const features = (over: Partial<DecisionFeatures>): DecisionFeatures => ({
  found: true,
  coverage: 0.6,
  sentence: 0.6,
  quoteCoverage: 0.5,
  focusInQuote: 1,
  focusInDocument: 1,
  margin: 0.2,
  shapeFound: true,
  placeAgrees: true,
  yearAgrees: true,
  namesAgree: true,
  termRarity: 2,
  contentTerms: 4,
  focusTerms: 1,
  exactness: 1,
  countFound: false,
  distinct: 0,
  quoteScore: 0.6,
  yearGap: 0,
  slotAsked: false,
  valueInQuote: false,
  valueNearAnchor: false,
  rareMissing: 0,
  rareMissingQuote: 0,
  othersInQuote: 1,
  othersInDocument: 1,
  quoteLength: 20,
  contactAsked: false,
  pairsInQuote: 1,
  pairsInDocument: 1,
  titleCoverage: 0.5,
  personal: false,
  kinds: [],
  ...over,
});
