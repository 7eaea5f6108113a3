import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import MiniSearch, { type SearchResult } from 'minisearch';
import type { SearchDoc } from '../content/types.js';
import { indexTerms } from './analyzer.js';

/** Fields searched, and their weight in scoring. */
export const FIELD_BOOSTS = { title: 2.5, summary: 1.5, body: 1 } as const;
const FIELDS = Object.keys(FIELD_BOOSTS);

/** Bump when the analyzer or the fields change: older snapshots are then rebuilt, not misread. */
export const INDEX_FORMAT = 'mattran-index-v1';

/** The one set of MiniSearch options used for every build and every snapshot load. */
export const MINISEARCH_OPTIONS = {
  idField: 'id',
  fields: FIELDS,
  storeFields: [] as string[],
  tokenize: (text: string) => indexTerms(text),
  processTerm: (term: string) => term,
  searchOptions: { boost: { ...FIELD_BOOSTS } },
};

/** A candidate from the index with its BM25 score. */
export interface Candidate {
  doc: SearchDoc;
  score: number;
  /** Query terms found in this document. */
  matched: string[];
}

/** Options of one index lookup. */
export interface LookupOptions {
  /** term → weight (multiplies the term's BM25 contribution). */
  weights: Map<string, number>;
  /** Terms that may match with one edit (absent from the index as written). */
  fuzzy?: Set<string>;
  /** Multiplier per document (province, year); 0 excludes. */
  boostDocument?: (doc: SearchDoc) => number;
  limit: number;
}

interface SnapshotHeader {
  format: string;
  /** Identifies the content the snapshot was built from. */
  key: string;
}

const DOCS_MARK = '"--docs--"';
const SNAPSHOT_CHUNK = 20_000;

/**
 * The in-memory index over articles and programs: MiniSearch for terms, a map for the documents.
 */
export class ArticleIndex {
  private search: MiniSearch<SearchDoc>;
  private readonly docs = new Map<string, SearchDoc>();

  private constructor(search: MiniSearch<SearchDoc>) {
    this.search = search;
  }

  /** An empty index. */
  static create(): ArticleIndex {
    return new ArticleIndex(new MiniSearch<SearchDoc>(MINISEARCH_OPTIONS));
  }

  /**
   * Load a snapshot written by {@link ArticleIndex.saveSnapshot}.
   * @remarks The snapshot is JSON lines (header, index entries in chunks, documents) so that no single
   * string approaches V8's maximum string length on large corpora.
   */
  static async loadSnapshot(file: string, expectedKey?: string): Promise<ArticleIndex> {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let header: (SnapshotHeader & { index: [string, unknown][] }) | undefined;
    const docs: SearchDoc[] = [];
    let section: 'index' | 'docs' = 'index';
    for await (const line of lines) {
      if (!header) {
        header = { ...(JSON.parse(line) as SnapshotHeader), index: [] };
        if (header.format !== INDEX_FORMAT) throw new Error(`${file}: snapshot format ${header.format}, expected ${INDEX_FORMAT}`);
        if (expectedKey !== undefined && header.key !== expectedKey) throw new Error(`${file}: snapshot is for other content`);
        continue;
      }
      if (line === DOCS_MARK) {
        section = 'docs';
        continue;
      }
      if (section === 'index') for (const entry of JSON.parse(line) as [string, unknown][]) header.index.push(entry);
      else docs.push(JSON.parse(line) as SearchDoc);
    }
    if (!header || section !== 'docs') throw new Error(`${file}: snapshot is truncated`);
    const { format: _format, key: _key, ...plain } = header;
    const index = new ArticleIndex(MiniSearch.loadJS<SearchDoc>(plain as never, MINISEARCH_OPTIONS));
    for (const doc of docs) index.docs.set(doc.id, doc);
    if (index.docs.size !== index.search.documentCount) throw new Error(`${file}: snapshot holds ${index.docs.size} documents for ${index.search.documentCount} indexed`);
    return index;
  }

  /** Write the index and its documents to `file` (atomically: a temporary file, then rename). */
  async saveSnapshot(file: string, key = ''): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const out = createWriteStream(tmp);
    const write = async (line: string) => {
      if (!out.write(line + '\n')) await once(out, 'drain');
    };
    const { index: entries, ...rest } = this.search.toJSON() as unknown as { index: [string, unknown][] };
    await write(JSON.stringify({ format: INDEX_FORMAT, key, ...rest }));
    for (let i = 0; i < entries.length; i += SNAPSHOT_CHUNK) await write(JSON.stringify(entries.slice(i, i + SNAPSHOT_CHUNK)));
    await write(DOCS_MARK);
    for (const doc of this.docs.values()) await write(JSON.stringify(doc));
    out.end();
    await once(out, 'finish');
    await rename(tmp, file);
  }

  /** Add a document, or replace the one with the same id. */
  upsert(doc: SearchDoc): void {
    if (this.docs.has(doc.id)) this.search.discard(doc.id);
    this.search.add(doc);
    this.docs.set(doc.id, doc);
  }

  /** Remove a document; false when it was not there. */
  remove(id: string): boolean {
    if (!this.docs.has(id)) return false;
    this.search.discard(id);
    this.docs.delete(id);
    return true;
  }

  /** The document with this id. */
  get(id: string): SearchDoc | undefined {
    return this.docs.get(id);
  }

  /** All documents, in insertion order. */
  all(): IterableIterator<SearchDoc> {
    return this.docs.values();
  }

  /** Number of documents. */
  get size(): number {
    return this.docs.size;
  }

  /** Number of distinct terms. */
  get termCount(): number {
    return this.search.termCount;
  }

  /**
   * How many documents contain the term (in their largest field): a lower bound good enough for idf.
   * @remarks MiniSearch has no public document-frequency API; this reads its index map (pinned minor version).
   */
  docFrequency(term: string): number {
    const fields = (this.search as unknown as { _index: { get(t: string): Map<number, Map<number, number>> | undefined } })._index.get(term);
    if (!fields) return 0;
    let df = 0;
    for (const postings of fields.values()) df = Math.max(df, postings.size);
    return df;
  }

  /** Best-scoring documents for weighted terms (OR). */
  lookup(options: LookupOptions): Candidate[] {
    const terms = [...options.weights.keys()];
    if (terms.length === 0) return [];
    const boostDocument = options.boostDocument;
    const results: SearchResult[] = this.search.search(terms.join(' '), {
      tokenize: (q: string) => q.split(' '),
      processTerm: (t: string) => t,
      boostTerm: (term: string) => options.weights.get(term) ?? 1,
      fuzzy: options.fuzzy && options.fuzzy.size > 0 ? (term: string) => (options.fuzzy!.has(term) ? 1 : false) : false,
      boostDocument: boostDocument
        ? (id: unknown) => {
            const doc = this.docs.get(id as string);
            return doc ? boostDocument(doc) : 0;
          }
        : undefined,
    });
    const out: Candidate[] = [];
    for (const r of results) {
      const doc = this.docs.get(r.id as string);
      if (!doc) continue;
      out.push({ doc, score: r.score, matched: r.queryTerms });
      if (out.length >= options.limit) break;
    }
    return out;
  }
}
