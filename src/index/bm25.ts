/**
 * BM25 inverted index (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework"),
 * scored as Lucene >= 8 / Anserini do:
 *
 *   score(q, d) = sum_{t in q} qtf(t) * idf(t) * tf(t,d) / (tf(t,d) + k1 * (1 - b + b * dl(d) / avgdl))
 *   idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
 *
 * N documents, df(t) documents containing t, tf(t,d) occurrences of t in d, dl(d) the number of
 * analysed tokens of d (title + text), avgdl = sum dl / N, qtf(t) occurrences of t in the
 * analysed query (Anserini boosts a repeated query term by its count). Defaults k1 = 0.9,
 * b = 0.4 (Anserini). Differences from Lucene: no (k1 + 1) numerator factor (Lucene dropped it
 * in 8.0 too: rank-equivalent); document lengths are exact by default (Lucene stores them as a
 * lossy one-byte norm: `lengthNorm: "lucene"` reproduces it, avgdl stays exact as in Lucene);
 * arithmetic is float64 (Lucene: float32), so scores are not bit-identical to Anserini's.
 *
 * Storage: compressed sparse rows by term: offsets [V+1], postDocs [P], postTfs [P] (doc
 * indices ascending within a term), docLens [N]. Persistence: ./bm25-store.ts.
 */
import { XlirError } from "../errors.js";
import type { Analyzer, AnalyzerSpec } from "../text/analyzer.js";
import { analyzerFromSpec, getAnalyzer } from "../text/analyzers/registry.js";
import { GrowableInts } from "../util/growable.js";
import { LENGTH_NORMS, normalisedLength } from "./bm25-norms.js";
import type { LengthNorm } from "./bm25-norms.js";
import { topK } from "./bm25-topk.js";

export interface Bm25Params {
  k1: number;
  b: number;
  /** dl used in the formula: "exact" (default) or "lucene" (Lucene's lossy one-byte norm, see bm25-norms.ts). */
  lengthNorm: LengthNorm;
}
export const BM25_DEFAULTS: Readonly<Bm25Params> = { k1: 0.9, b: 0.4, lengthNorm: "exact" };

export interface CorpusDocument {
  id: string;
  title?: string;
  text: string;
}

export interface ScoredDoc {
  docno: string;
  score: number;
}

export interface Bm25BuildOptions extends Partial<Bm25Params> {
  /** An analyser, its spec, or a language code (default "en"). */
  analyzer?: Analyzer | AnalyzerSpec | string;
}

/** The arrays of an index (see the module comment for shapes). */
export interface Bm25Data {
  terms: string[]; // [V]
  docnos: string[]; // [N]
  offsets: Uint32Array; // [V+1]
  postDocs: Uint32Array; // [P]
  postTfs: Uint32Array; // [P]
  docLens: Uint32Array; // [N]
}

/**
 * The analyser named by a language code, built from a spec, or given as is (default English).
 *
 * @example
 * ```ts
 * import { toAnalyzer } from "xlir";
 * const en = toAnalyzer("en");
 * console.assert(toAnalyzer(en) === en && toAnalyzer(undefined).family === en.family);
 * const fromSpec = toAnalyzer({ lang: "en", options: { stopwords: "none" } });
 * console.assert(fromSpec.analyze("the cats").length === 2 && en.analyze("the cats").length === 1);
 * ```
 */
export function toAnalyzer(a: Analyzer | AnalyzerSpec | string | undefined): Analyzer {
  if (a === undefined) return getAnalyzer("en");
  if (typeof a === "string") return getAnalyzer(a);
  if ("analyze" in a) return a;
  return analyzerFromSpec(a);
}

function checkParams(p: Bm25Params): void {
  if (!(Number.isFinite(p.k1) && p.k1 >= 0))
    throw new XlirError("CONFIG", `bm25 k1=${p.k1}: expected a number >= 0`);
  if (!(Number.isFinite(p.b) && p.b >= 0 && p.b <= 1))
    throw new XlirError("CONFIG", `bm25 b=${p.b}: expected a number in [0, 1]`);
  if (!LENGTH_NORMS.includes(p.lengthNorm))
    throw new XlirError(
      "CONFIG",
      `bm25 lengthNorm='${String(p.lengthNorm)}': expected ${LENGTH_NORMS.join(" or ")}`,
    );
}

/** Adds documents one at a time; `finish()` freezes them into a Bm25Index. */
/**
 * @example
 * ```ts
 * import { Bm25Builder } from "xlir";
 * const b = new Bm25Builder({ analyzer: "en" });
 * b.add({ id: "d1", text: "hello world" });
 * console.assert(b.finish().docCount === 1);
 * ```
 */
export class Bm25Builder {
  readonly analyzer: Analyzer;
  readonly params: Bm25Params;
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly docnos: string[] = [];
  private readonly seen = new Set<string>();
  private readonly docLens = new GrowableInts((n) => new Uint32Array(n));
  private readonly docStart = new GrowableInts((n) => new Uint32Array(n)); // [N+1] start of each doc's (term, tf) pairs
  private readonly pairTerms = new GrowableInts((n) => new Uint32Array(n));
  private readonly pairTfs = new GrowableInts((n) => new Uint32Array(n));

  constructor(options: Bm25BuildOptions = {}) {
    this.analyzer = toAnalyzer(options.analyzer);
    this.params = {
      k1: options.k1 ?? BM25_DEFAULTS.k1,
      b: options.b ?? BM25_DEFAULTS.b,
      lengthNorm: options.lengthNorm ?? BM25_DEFAULTS.lengthNorm,
    };
    checkParams(this.params);
    this.docStart.push(0);
  }

  add(doc: CorpusDocument): void {
    if (typeof doc.id !== "string" || doc.id.length === 0)
      throw new XlirError("BAD_INPUT", `document ${this.docnos.length + 1} has no id`);
    if (this.seen.has(doc.id))
      throw new XlirError("BAD_INPUT", `document id '${doc.id}' occurs twice in the corpus`);
    this.seen.add(doc.id);
    const text = doc.title ? `${doc.title}\n${doc.text ?? ""}` : (doc.text ?? "");
    const tokens = this.analyzer.analyze(text);
    const counts = new Map<number, number>();
    for (const t of tokens) {
      let id = this.termIds.get(t);
      if (id === undefined) {
        id = this.terms.length;
        this.termIds.set(t, id);
        this.terms.push(t);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, tf] of counts) {
      this.pairTerms.push(id);
      this.pairTfs.push(tf);
    }
    this.docnos.push(doc.id);
    this.docLens.push(tokens.length);
    this.docStart.push(this.pairTerms.length);
  }

  /** Counting sort of the (doc, term, tf) pairs by term: O(P + V). */
  finish(): Bm25Index {
    const V = this.terms.length,
      P = this.pairTerms.length,
      N = this.docnos.length;
    const offsets = new Uint32Array(V + 1);
    for (let i = 0; i < P; i++) offsets[this.pairTerms.buf[i] + 1]++;
    for (let t = 0; t < V; t++) offsets[t + 1] += offsets[t];
    const fill = offsets.slice(0, V);
    const postDocs = new Uint32Array(P),
      postTfs = new Uint32Array(P);
    for (let d = 0; d < N; d++) {
      for (let i = this.docStart.buf[d]; i < this.docStart.buf[d + 1]; i++) {
        const at = fill[this.pairTerms.buf[i]]++;
        postDocs[at] = d;
        postTfs[at] = this.pairTfs.buf[i];
      }
    }
    const data: Bm25Data = {
      terms: this.terms,
      docnos: this.docnos,
      offsets,
      postDocs,
      postTfs,
      docLens: this.docLens.buf.slice(0, N),
    };
    return new Bm25Index(data, this.analyzer, this.params);
  }
}

/**
 * @example
 * ```ts
 * import { Bm25Index } from "xlir";
 * const index = Bm25Index.build([
 *   { id: "d1", title: "Printing", text: "print a document" },
 *   { id: "d2", title: "Saving", text: "save a file" },
 * ]);
 * console.assert(index.search("printing documents", 10)[0].docno === "d1");
 * ```
 */
export class Bm25Index {
  readonly data: Bm25Data;
  readonly analyzer: Analyzer;
  readonly params: Bm25Params;
  private readonly termIds: Map<string, number>;
  private readonly norms: Float64Array; // [N] k1 * (1 - b + b * dl / avgdl)
  private readonly acc: Float64Array; // [N] score accumulator, zero between searches
  private readonly touched: Uint32Array; // [N] docs with a non-zero accumulator
  readonly avgDocLength: number;

  constructor(data: Bm25Data, analyzer: Analyzer, params: Bm25Params) {
    checkParams(params);
    this.data = data;
    this.analyzer = analyzer;
    this.params = params;
    this.termIds = new Map(data.terms.map((t, i) => [t, i]));
    if (this.termIds.size !== data.terms.length)
      throw new XlirError("CORRUPT", "bm25 vocabulary holds a term twice");
    const N = data.docnos.length;
    let total = 0;
    for (let d = 0; d < N; d++) total += data.docLens[d];
    this.avgDocLength = N > 0 ? total / N : 0;
    const avg = this.avgDocLength > 0 ? this.avgDocLength : 1;
    this.norms = new Float64Array(N);
    for (let d = 0; d < N; d++) {
      const dl = normalisedLength(data.docLens[d], params.lengthNorm);
      this.norms[d] = params.k1 * (1 - params.b + (params.b * dl) / avg);
    }
    this.acc = new Float64Array(N);
    this.touched = new Uint32Array(N);
  }

  /** Builds an index from a corpus in one pass. */
  static build(docs: Iterable<CorpusDocument>, options: Bm25BuildOptions = {}): Bm25Index {
    const builder = new Bm25Builder(options);
    for (const d of docs) builder.add(d);
    return builder.finish();
  }

  /** Same as build, for a streamed corpus (e.g. a JSONL reader). */
  static async buildAsync(
    docs: AsyncIterable<CorpusDocument> | Iterable<CorpusDocument>,
    options: Bm25BuildOptions = {},
  ): Promise<Bm25Index> {
    const builder = new Bm25Builder(options);
    for await (const d of docs) builder.add(d);
    return builder.finish();
  }

  get docCount(): number {
    return this.data.docnos.length;
  }
  get termCount(): number {
    return this.data.terms.length;
  }
  get postingCount(): number {
    return this.data.postDocs.length;
  }

  /** Document frequency of an index term (already analysed), 0 when unknown. */
  df(term: string): number {
    const t = this.termIds.get(term);
    return t === undefined ? 0 : this.data.offsets[t + 1] - this.data.offsets[t];
  }

  /** idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) for an analysed term. */
  idf(term: string): number {
    const df = this.df(term);
    return Math.log(1 + (this.docCount - df + 0.5) / (df + 0.5));
  }

  /** Analyses the query with the index's analyser and returns the top k (trec_eval order). */
  search(query: string, k = 1000): ScoredDoc[] {
    return this.searchTerms(this.analyzer.analyze(query), k);
  }

  /** Scores already-analysed query terms (repeats count as qtf); unknown terms contribute 0. */
  searchTerms(terms: readonly string[], k = 1000): ScoredDoc[] {
    const qtf = new Map<number, number>();
    for (const t of terms) {
      const id = this.termIds.get(t);
      if (id !== undefined) qtf.set(id, (qtf.get(id) ?? 0) + 1);
    }
    if (qtf.size === 0 || k <= 0) return [];
    const { offsets, postDocs, postTfs } = this.data;
    const N = this.docCount;
    const acc = this.acc,
      norms = this.norms,
      touched = this.touched;
    let count = 0;
    for (const [t, q] of qtf) {
      const start = offsets[t],
        end = offsets[t + 1];
      const df = end - start;
      const w = q * Math.log(1 + (N - df + 0.5) / (df + 0.5));
      for (let i = start; i < end; i++) {
        const d = postDocs[i],
          tf = postTfs[i];
        if (acc[d] === 0) touched[count++] = d;
        acc[d] += (w * tf) / (tf + norms[d]);
      }
    }
    const best = topK(touched, count, acc, this.data.docnos, k);
    const out = best.map((d) => ({ docno: this.data.docnos[d], score: acc[d] }));
    for (let i = 0; i < count; i++) acc[touched[i]] = 0;
    return out;
  }

  /** Searches many queries; returns qid -> ranked list, in the input order of queries. */
  searchBatch(queries: Iterable<{ id: string; text: string }>, k = 1000): Map<string, ScoredDoc[]> {
    const out = new Map<string, ScoredDoc[]>();
    for (const q of queries) out.set(q.id, this.search(q.text, k));
    return out;
  }
}
