import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchDoc } from '../content/types.js';
import { ALL_TERM_KINDS, foldToken, indexTerms, type TermKinds } from './analyzer.js';

/** Weight of each field in a document's score; each field is scored with its own BM25 length normalisation. */
const FIELD_BOOSTS = { title: 2.5, summary: 1.5, body: 1 } as const;

/** Bump when the analyzer, the fields or the snapshot layout change: older snapshots are then rebuilt. */
export const INDEX_FORMAT = 'mattran-index-v9';

/** A posting packs the document number and its quantised weighted term frequency into one integer. */
const TF_BITS = 8;
const TF_MAX = (1 << TF_BITS) - 1;
/** Documents addressable with 8 bits left for the frequency in a 31-bit small integer. */
const MAX_DOCUMENTS = 2 ** (31 - TF_BITS) - 1;

/** A candidate from the index with its BM25 score (coordinated: see {@link Scoring.coordination}). */
export interface Candidate {
  doc: SearchDoc;
  score: number;
  /** Share (0..1, idf-weighted) of the looked-up terms the document has in any scored field (boost above 0). */
  matched: number;
}

/** Options of one index lookup. */
export interface LookupOptions {
  /** term → weight (multiplies the term's BM25 contribution). */
  weights: Map<string, number>;
  /** Terms that may match with one edit (typos): their known neighbours are looked up instead. */
  fuzzy?: Set<string>;
  /** Multiplier per candidate document (province, year). */
  boostDocument?: (doc: SearchDoc) => number;
  limit: number;
  /** BM25 parameters and field weights; the defaults when left out. */
  scoring?: Partial<Scoring>;
}

/** BM25 parameters and the weight of each field. */
export interface Scoring {
  k1: number;
  b: number;
  fieldBoosts: Record<keyof typeof FIELD_BOOSTS, number>;
  /**
   * A document's score is multiplied by its share of the looked-up terms (idf-weighted) to this power: a long
   * article that has all the question's words in one side paragraph comes before one that repeats a few of them.
   */
  coordination: number;
  /**
   * In an index whose documents average at most this many terms (syllables and pairs, all fields) nothing is
   * coordinated; from there the exponent grows to {@link coordination} at twice this average. BM25's length
   * normalisation hides a fact stated once in a long news article, not in a collection of paragraphs; every
   * document of one index gets the same exponent.
   */
  coordinationLength: number;
}

/**
 * BM25's inverse document frequency of a term found in df of n documents. Removed documents count in df until
 * compaction, so df is capped at n: the idf stays above 0 and a term never pushes a document down.
 */
export function idf(df: number, n: number): number {
  const d = Math.min(Math.max(df, 0), n);
  return Math.log(1 + (n - d + 0.5) / (d + 0.5));
}

export const DEFAULT_SCORING: Scoring = { k1: 1.2, b: 0.75, fieldBoosts: FIELD_BOOSTS, coordination: 2.5, coordinationLength: 700 };

interface SnapshotMeta {
  format: string;
  key: string;
  ids: (string | null)[];
  /** Per field, the length of each document. */
  lengths: number[][];
  kinds: TermKinds;
  terms: number;
}

/** Keeps the `limit` best (score, doc) pairs seen. */
class TopK {
  private readonly scores: number[] = [];
  private readonly docs: number[] = [];
  constructor(private readonly limit: number) {}
  /** Keep the pair if it is among the best so far; false when it is not. */
  offer(score: number, doc: number): boolean {
    const n = this.scores.length;
    if (n === this.limit && score <= this.scores[n - 1]!) return false;
    let i = n === this.limit ? n - 1 : n;
    while (i > 0 && this.scores[i - 1]! < score) {
      this.scores[i] = this.scores[i - 1]!;
      this.docs[i] = this.docs[i - 1]!;
      i -= 1;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
    return true;
  }
  /** The score a pair must beat to be kept. */
  get threshold(): number {
    return this.scores.length === this.limit ? this.scores[this.limit - 1]! : -Infinity;
  }
  entries(): [number, number][] {
    return this.docs.map((d, i) => [d, this.scores[i]!]);
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Terms one edit away (deletion, substitution, insertion, transposition) from a folded term. */
function editNeighbours(term: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i <= term.length; i++) {
    if (i < term.length) out.add(term.slice(0, i) + term.slice(i + 1));
    if (i < term.length - 1) out.add(term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2));
    for (const c of ALPHABET) {
      if (i < term.length) out.add(term.slice(0, i) + c + term.slice(i + 1));
      out.add(term.slice(0, i) + c + term.slice(i));
    }
  }
  out.delete(term);
  return [...out];
}

/**
 * The in-memory index over articles and programs: a compact inverted index of folded syllables and pairs.
 *
 * @remarks
 * MiniSearch was the first choice and remains the baseline of every figure. With the pair terms that make
 * Vietnamese retrieval good it held ~49 KB of heap per news article (a Map per term and field, an entry per
 * posting): ~2.9 GB for 58k articles, out of memory before a snapshot could be written. Here a posting is one
 * small integer (document number and term frequency) in a plain array, or in one shared Uint32Array per field
 * after compaction or a snapshot load; removal marks the document and {@link ArticleIndex.compact} drops its
 * postings. Each field (title, summary, body) is scored with BM25 and its own length normalisation, like
 * MiniSearch, and the field scores are summed with {@link FIELD_BOOSTS}.
 */
export class ArticleIndex {
  private readonly termIds = new Map<string, number>();
  private readonly fields: FieldPostings[] = FIELD_NAMES.map(() => new FieldPostings());
  private readonly ids: (string | null)[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly docs = new Map<string, SearchDoc>();
  private removed = 0;
  private scores = new Float64Array(0);
  /** Per document, during a lookup: the weight of the query terms it has, and the last query term counted. */
  private matchedWeight = new Float64Array(0);
  private lastCounted = new Float64Array(0);
  private lookups = 0;
  private kinds: TermKinds = ALL_TERM_KINDS;

  /** An empty index. */
  static create(kinds: TermKinds = ALL_TERM_KINDS): ArticleIndex {
    const index = new ArticleIndex();
    index.kinds = kinds;
    return index;
  }

  /** Add a document, or replace the one with the same id. */
  upsert(doc: SearchDoc): void {
    this.remove(doc.id);
    const number = this.ids.length;
    if (number > MAX_DOCUMENTS) throw new Error(`index: more than ${MAX_DOCUMENTS} documents`);
    FIELD_NAMES.forEach((field, f) => {
      const tf = new Map<string, number>();
      const terms = indexTerms(doc[field], this.kinds);
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1);
      const postings = this.fields[f]!;
      for (const [term, count] of tf) {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.termIds.size;
          this.termIds.set(term, id);
        }
        postings.append(id, number * 2 ** TF_BITS + Math.min(TF_MAX, count));
      }
      postings.setLength(number, terms.length);
    });
    this.ids.push(doc.id);
    this.numbers.set(doc.id, number);
    this.docs.set(doc.id, doc);
  }

  /** Remove a document; false when it was not there. Its postings stay until {@link compact}. */
  remove(id: string): boolean {
    const number = this.numbers.get(id);
    if (number === undefined) return false;
    this.ids[number] = null;
    for (const field of this.fields) field.forget(number);
    this.numbers.delete(id);
    this.docs.delete(id);
    this.removed += 1;
    if (this.removed > 1000 && this.removed > this.ids.length / 4) this.compact();
    return true;
  }

  /** Merge all postings into one typed array per field, dropping those of removed documents. */
  compact(): void {
    for (const field of this.fields) field.compact(this.termIds.size, (d) => this.ids[d] !== null);
    this.removed = 0;
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
    return this.termIds.size;
  }

  /** How many documents contain the term in their body, or else in any field (removed ones count until compaction). */
  docFrequency(term: string): number {
    const t = this.termIds.get(term);
    if (t === undefined) return 0;
    let df = 0;
    for (const field of this.fields) df = Math.max(df, field.count(t));
    return df;
  }

  /** Best-scoring documents for weighted terms (OR): per-field BM25, summed with the field boosts, then coordinated. */
  lookup(options: LookupOptions): Candidate[] {
    const n = this.ids.length;
    const live = this.docs.size;
    if (n === 0 || live === 0) return [];
    if (this.scores.length < n) {
      const size = Math.max(n, this.scores.length * 2);
      this.scores = new Float64Array(size);
      this.matchedWeight = new Float64Array(size);
      this.lastCounted = new Float64Array(size);
    }
    const { scores, matchedWeight, lastCounted } = this;
    const touched: number[] = [];
    /** Index terms to score: term id, weight, and which query term they stand for. */
    const terms: [number, number, number][] = [];
    /** Per query term: its idf-weighted weight (how much having it counts in the matched share). */
    const queryWeights: number[] = [];
    for (const [term, weight] of options.weights) {
      // A zero weight adds nothing, and a document whose sum stayed 0 would be listed twice below.
      if (!(weight > 0) || !Number.isFinite(weight)) continue;
      const t = this.termIds.get(term);
      if (t !== undefined) {
        terms.push([t, weight, queryWeights.length]);
        queryWeights.push(weight * idf(this.docFrequency(term), live));
      } else if (options.fuzzy?.has(foldToken(term))) {
        let df = 0;
        let near = 0;
        const q = queryWeights.length;
        for (const neighbour of editNeighbours(term)) {
          const id = this.termIds.get(neighbour);
          if (id === undefined) continue;
          terms.push([id, weight * 0.7, q]);
          near += 1;
          df = Math.max(df, this.docFrequency(neighbour));
        }
        if (near > 0) queryWeights.push(0.7 * weight * idf(df, live));
      }
    }
    // Marks of this lookup's query terms are above every earlier lookup's.
    const stamp = this.lookups;
    this.lookups += queryWeights.length + 1;
    const ids = this.ids;
    const { k1, b, fieldBoosts, coordination, coordinationLength } = { ...DEFAULT_SCORING, ...options.scoring };
    const fields = FIELD_NAMES.map((field, f) => {
      const postings = this.fields[f]!;
      return { postings, boost: fieldBoosts[field], avgLength: postings.totalLength / live || 1 };
    }).filter((field) => field.boost !== 0);
    // Term by term, each in every field. Required: the index terms of one query term are consecutive in
    // `terms` (pushed in one block above), since a document's mark only tells whether the last query term
    // counted for it is this one.
    for (const [t, weight, q] of terms) {
      const mark = stamp + q + 1;
      const has = queryWeights[q]!;
      for (const { postings, boost, avgLength } of fields) {
        const df = postings.count(t);
        if (df === 0) continue;
        const w = boost * weight * idf(df, live);
        const { pool, offsets } = postings;
        const acc = { ids, lengths: postings.lengths, avgLength, k1, b, w, mark, has, scores, matchedWeight, lastCounted, touched };
        if (t + 1 < offsets.length) scorePostings(pool, offsets[t]!, offsets[t + 1]!, acc);
        const extra = postings.recent(t);
        if (extra) scorePostings(extra, 0, extra.length, acc);
      }
    }
    let allWeight = 0;
    for (const w of queryWeights) allWeight += w;
    const top = new TopK(options.boostDocument ? options.limit * 3 : options.limit);
    // Never negative: the pruning below relies on coordination only lowering a score.
    const exponent = Math.max(0, coordination) * this.lengthRamp(coordinationLength);
    const matchedOf = keepBest(touched, scores, matchedWeight, allWeight, exponent, top);
    const out: Candidate[] = [];
    for (const [d, score] of top.entries()) {
      const doc = this.docs.get(this.ids[d]!)!;
      out.push({ doc, score: options.boostDocument ? score * options.boostDocument(doc) : score, matched: matchedOf.get(d) ?? 0 });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, options.limit);
  }

  /** 0 when the documents average at most `length` terms in all fields, rising to 1 at twice that (1 when `length` is 0). */
  private lengthRamp(length: number): number {
    if (length <= 0) return 1;
    let total = 0;
    for (const field of this.fields) total += field.totalLength;
    return Math.min(1, Math.max(0, total / Math.max(1, this.docs.size) / length - 1));
  }

  /**
   * Write the index to the directory `dir` (replaced atomically): meta.json, terms.txt, per field the
   * postings and offsets as raw little-endian Uint32 arrays, documents as JSON lines.
   */
  async saveSnapshot(dir: string, key = ''): Promise<void> {
    this.compact();
    const tmp = `${dir}.${process.pid}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const terms = new Array<string>(this.termIds.size);
    for (const [term, id] of this.termIds) terms[id] = term;
    const meta: SnapshotMeta = { format: INDEX_FORMAT, key, ids: this.ids, lengths: this.fields.map((f) => f.lengths), kinds: this.kinds, terms: terms.length };
    await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta));
    await writeFile(join(tmp, 'terms.txt'), terms.join('\n'));
    for (const [f, field] of this.fields.entries()) {
      await writeFile(join(tmp, `offsets-${f}.bin`), bytes(field.offsets));
      await writeFile(join(tmp, `postings-${f}.bin`), bytes(field.pool));
    }
    const lines: string[] = [];
    for (const doc of this.docs.values()) lines.push(JSON.stringify(doc));
    await writeFile(join(tmp, 'docs.jsonl'), lines.join('\n'));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  }

  /** Load a snapshot written by {@link saveSnapshot}; throws when it is missing, damaged or for other content. */
  static async loadSnapshot(dir: string, expectedKey?: string): Promise<ArticleIndex> {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as SnapshotMeta;
    if (meta.format !== INDEX_FORMAT) throw new Error(`${dir}: snapshot format ${meta.format}, expected ${INDEX_FORMAT}`);
    if (expectedKey !== undefined && meta.key !== expectedKey) throw new Error(`${dir}: snapshot is for other content`);
    const [termsText, docsText] = await Promise.all([readFile(join(dir, 'terms.txt'), 'utf8'), readFile(join(dir, 'docs.jsonl'), 'utf8')]);
    const index = ArticleIndex.create(meta.kinds);
    const terms = meta.terms === 0 ? [] : termsText.split('\n');
    if (terms.length !== meta.terms || meta.lengths.length !== FIELD_NAMES.length) throw new Error(`${dir}: snapshot is damaged (sizes do not match)`);
    for (const [i, t] of terms.entries()) index.termIds.set(t, i);
    for (const [f, field] of index.fields.entries()) {
      const offsets = toUint32(await readFile(join(dir, `offsets-${f}.bin`)));
      const pool = toUint32(await readFile(join(dir, `postings-${f}.bin`)));
      if (offsets.length !== meta.terms + 1 || offsets[meta.terms] !== pool.length) throw new Error(`${dir}: snapshot is damaged (postings of field ${f})`);
      field.restore(pool, offsets, meta.lengths[f]!);
    }
    for (let number = 0; number < meta.ids.length; number++) {
      const id = meta.ids[number]!;
      index.ids.push(id);
      if (id === null) {
        for (const field of index.fields) field.forget(number);
        continue;
      }
      index.numbers.set(id, number);
    }
    for (const line of docsText.split('\n')) {
      if (!line) continue;
      const doc = JSON.parse(line) as SearchDoc;
      if (!index.numbers.has(doc.id)) throw new Error(`${dir}: snapshot is damaged (document ${doc.id} not indexed)`);
      index.docs.set(doc.id, doc);
    }
    if (index.numbers.size !== index.docs.size) throw new Error(`${dir}: snapshot is damaged (document count)`);
    return index;
  }
}

/** What {@link scorePostings} adds one term's postings to: the lookup's running sums, and the term's weights. */
interface Accumulator {
  ids: (string | null)[];
  lengths: number[];
  avgLength: number;
  k1: number;
  b: number;
  /** The term's weight in this field: boost × query weight × idf. */
  w: number;
  /** This query term's mark in `lastCounted`. */
  mark: number;
  /** What having the query term adds to a document's matched weight. */
  has: number;
  scores: Float64Array;
  matchedWeight: Float64Array;
  lastCounted: Float64Array;
  touched: number[];
}

/**
 * Add the BM25 score of `list[from..end)`, a term's postings in one field, to each document's sum. The hot loop of
 * every question, in a function of its own so that the engine optimises it once: inside the long lookup it was
 * compiled on the fly and thrown away again at nearly every question, at several times the cost per posting.
 */
function scorePostings(list: ArrayLike<number>, from: number, end: number, acc: Accumulator): void {
  const { ids, lengths, avgLength, k1, b, w, mark, has, scores, matchedWeight, lastCounted, touched } = acc;
  for (let i = from; i < end; i++) {
    const v = list[i]!;
    const d = v >>> TF_BITS;
    if (ids[d] === null) continue;
    const tf = v & TF_MAX;
    const norm = k1 * (1 - b + (b * lengths[d]!) / avgLength);
    if (scores[d] === 0) touched.push(d);
    scores[d]! += (w * tf * (k1 + 1)) / (tf + norm);
    if (lastCounted[d] !== mark) {
      lastCounted[d] = mark;
      matchedWeight[d]! += has;
    }
  }
}

/**
 * Offer each touched document's coordinated score to `top`, and clear its sums for the next lookup; the share of
 * the question each kept document matched. A loop of every question, out of the lookup for the reason given at
 * {@link scorePostings}.
 */
function keepBest(touched: number[], scores: Float64Array, matchedWeight: Float64Array, allWeight: number, exponent: number, top: TopK): Map<number, number> {
  const matchedOf = new Map<number, number>();
  // The threshold changes only when a score is offered.
  let threshold = top.threshold;
  for (let i = 0; i < touched.length; i++) {
    const d = touched[i]!;
    const score = scores[d]!;
    // Coordination only lowers a score: one that cannot be kept as it is needs no power.
    if (score > threshold) {
      const matched = allWeight > 0 ? Math.min(1, matchedWeight[d]! / allWeight) : 0;
      if (top.offer(exponent === 0 ? score : score * matched ** exponent, d)) matchedOf.set(d, matched);
      threshold = top.threshold;
    }
    scores[d] = 0;
    matchedWeight[d] = 0;
  }
  return matchedOf;
}

const FIELD_NAMES = Object.keys(FIELD_BOOSTS) as (keyof typeof FIELD_BOOSTS)[];

function bytes(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function toUint32(b: Buffer): Uint32Array {
  if (b.byteLength % 4 !== 0) throw new Error('snapshot is damaged (odd postings size)');
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The postings of one field: compacted ones in a typed array, recent ones in plain arrays. */
class FieldPostings {
  /** Postings added since the last compaction, per term id. */
  private extra: (number[] | undefined)[] = [];
  /** Compacted postings: `pool[offsets[t]..offsets[t+1]]` for term id t. */
  pool: Uint32Array = new Uint32Array(0);
  offsets: Uint32Array = new Uint32Array(1);
  /** Field length (terms) per document number. */
  lengths: number[] = [];
  totalLength = 0;

  append(term: number, posting: number): void {
    const list = this.extra[term];
    if (list) list.push(posting);
    else this.extra[term] = [posting];
  }

  setLength(doc: number, length: number): void {
    this.lengths[doc] = length;
    this.totalLength += length;
  }

  forget(doc: number): void {
    this.totalLength -= this.lengths[doc] ?? 0;
  }

  count(t: number): number {
    const base = t + 1 < this.offsets.length ? this.offsets[t + 1]! - this.offsets[t]! : 0;
    return base + (this.extra[t]?.length ?? 0);
  }

  /** Postings of term t added since the last compaction. */
  recent(t: number): number[] | undefined {
    return this.extra[t];
  }

  forEach(t: number, fn: (v: number) => void): void {
    if (t + 1 < this.offsets.length) for (let i = this.offsets[t]!, end = this.offsets[t + 1]!; i < end; i++) fn(this.pool[i]!);
    const list = this.extra[t];
    if (list) for (const v of list) fn(v);
  }

  compact(termCount: number, isLive: (doc: number) => boolean): void {
    let total = 0;
    for (let t = 0; t < termCount; t++) total += this.count(t);
    const pool = new Uint32Array(total);
    const offsets = new Uint32Array(termCount + 1);
    let at = 0;
    for (let t = 0; t < termCount; t++) {
      offsets[t] = at;
      this.forEach(t, (v) => {
        if (isLive(Math.floor(v / 2 ** TF_BITS))) pool[at++] = v;
      });
    }
    offsets[termCount] = at;
    this.extra = [];
    this.pool = at === total ? pool : pool.slice(0, at);
    this.offsets = offsets;
  }

  restore(pool: Uint32Array, offsets: Uint32Array, lengths: number[]): void {
    this.pool = pool;
    this.offsets = offsets;
    this.lengths = lengths;
    this.totalLength = lengths.reduce((a, b) => a + b, 0);
  }
}
