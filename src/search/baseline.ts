import MiniSearch from 'minisearch';
import type { SearchDoc } from '../content/types.js';

/** MiniSearch with default options: the baseline every figure is compared with. */
export interface BaselineIndex {
  /** Ids of the best documents, best first. */
  search(query: string, limit: number): string[];
  readonly size: number;
  readonly termCount: number;
  toJSON(): unknown;
}

/** Default MiniSearch over title, summary and body. */
export function createBaselineIndex(docs: Iterable<SearchDoc>): BaselineIndex {
  const ms = new MiniSearch<SearchDoc>({ fields: ['title', 'summary', 'body'] });
  for (const doc of docs) ms.add(doc);
  return wrap(ms);
}

function wrap(ms: MiniSearch<SearchDoc>): BaselineIndex {
  return {
    search: (query, limit) =>
      ms
        .search(query)
        .slice(0, limit)
        .map((r) => String(r.id)),
    get size() {
      return ms.documentCount;
    },
    get termCount() {
      return ms.termCount;
    },
    toJSON: () => ms.toJSON(),
  };
}
