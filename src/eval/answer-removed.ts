import type { SearchDoc } from '../content/types.js';
import { foldDiacritics } from '../search/analyzer.js';
import type { ArticleIndex } from '../search/article-index.js';
import { normalizeForMatch, type AskSystem, type EvalQuery } from './evaluate.js';

/** Text as answers are looked for in documents: {@link normalizeForMatch}, then without diacritics (đ → d). */
export function foldForMatch(text: string): string {
  return foldDiacritics(normalizeForMatch(text));
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether `needle` occurs in `text` as whole words ("15 hộ" not inside "215 hộ"). Both already folded. */
export function containsWords(text: string, needle: string): boolean {
  if (!needle) return false;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const before = text[at - 1];
    const after = text[at + needle.length];
    if ((before === undefined || !WORD_CHAR.test(before)) && (after === undefined || !WORD_CHAR.test(after))) return true;
  }
  return false;
}

/**
 * What the corpus loses for a question in the "answer removed" evaluation: its relevant documents and every
 * document whose title, summary or body contains one of its expected answers (compared folded: NFC, case,
 * whitespace and diacritics; as whole words). The corpus is folded once; each question scans it.
 */
export function createAnswerDocFinder(docs: Iterable<SearchDoc>): (query: EvalQuery) => Set<string> {
  const folded = [...docs].map((d) => ({ id: d.id, text: foldForMatch([d.title, d.summary, d.body].join('\n')) }));
  return (query) => {
    const needles = query.answers.map(foldForMatch).filter(Boolean);
    const found = new Set(query.relevant);
    for (const { id, text } of folded) if (needles.some((n) => containsWords(text, n))) found.add(id);
    return found;
  };
}

/**
 * Run `fn` over the index without some documents, then put them back (indexed again: milliseconds each). Removal
 * only marks a document: until the index compacts, its postings still count in document frequencies.
 */
export function withoutDocuments<T>(index: ArticleIndex, ids: Iterable<string>, fn: () => T): T {
  const removed: SearchDoc[] = [];
  for (const id of ids) {
    const doc = index.get(id);
    if (doc && index.remove(id)) removed.push(doc);
  }
  try {
    return fn();
  } finally {
    for (const doc of removed) index.upsert(doc);
  }
}

/**
 * A system asked each question over `index` without the documents `removedFor` names for it. Each removal leaves
 * stale postings behind (the put-back document is indexed anew), so the index compacts whenever they reach 1 % of
 * the documents: document frequencies stay within 1 % of the corpus's.
 */
export function answerRemovedSystem(system: AskSystem, index: ArticleIndex, removedFor: (query: EvalQuery) => ReadonlySet<string>): AskSystem {
  let stale = 0;
  return (text, query) => {
    const ids = removedFor(query);
    const reply = withoutDocuments(index, ids, () => system(text, query));
    stale += ids.size;
    if (stale >= Math.max(1, index.size / 100)) {
      index.compact();
      stale = 0;
    }
    return reply;
  };
}

/**
 * The questions as the "answer removed" evaluation scores them: nothing left answers them, so each is expected to
 * get "no information" (no relevant document, no expected answer).
 */
export function asUnanswerable(queries: EvalQuery[]): EvalQuery[] {
  return queries.map((q) => ({ ...q, relevant: [], answers: [] }));
}
