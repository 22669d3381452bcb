/**
 * The search facade: an index folder (any vector kind, or BM25) plus, for vector kinds, the query
 * encoder. Refuses an index built by an encoder the query encoder does not belong to.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { XlirError } from "../errors.js";
import type { RetrievalEncoder, TokenVectors } from "../models/types.js";
import { Bm25Index } from "../index/bm25.js";
import { loadBm25 } from "../index/bm25-store.js";
import { openVectorIndex } from "../index/registry.js";
import { compareHits } from "../index/topk.js";
import type { DocHit, VectorBuildOptions, VectorIndex } from "../index/types.js";
import type { QueryRecord } from "../data/corpus.js";
import type { Run } from "../eval/types.js";

/**
 * A query encoder may search an index built by another encoder it was trained against (a student
 * distilled from the teacher that built the index) by declaring the teacher's hash as `indexHash`.
 */
export type QueryEncoder = RetrievalEncoder & { readonly indexHash?: string };

export interface SearcherOptions extends VectorBuildOptions {
  /** Queries per encoder call (default 32); queries are sorted by length so padding stays short. */
  queryBatch?: number;
  /** How error messages name the query encoder (e.g. "the query model models/student-eu"). */
  modelName?: string;
}

/** A short description of an index for /health and logs. */
export interface IndexSummary {
  dir: string;
  kind: string;
  docCount: number;
  dim: number | null;
  encoderHash: string | null;
}

/** Reads only the `kind` field of DIR/manifest.json. */
export async function indexKindOf(dir: string): Promise<string> {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) throw new XlirError("NOT_FOUND", `${dir}: not an xlir index (no manifest.json); build one with 'xlir index'`);
  try {
    const m = JSON.parse(await readFile(path, "utf8")) as { kind?: unknown };
    if (typeof m.kind !== "string") throw new Error("no 'kind' field");
    return m.kind;
  } catch (err) {
    throw new XlirError("CORRUPT", `${path}: ${(err as Error).message}`);
  }
}

/**
 * Checks that `encoder` may query an index built by `indexHash`; the message says how to fix it.
 * Accepted: the encoder that built the index; a student distilled from it (the student declares
 * the index encoder as `indexHash`); and, for an index a document-side student built, the teacher
 * it was distilled from (`queryEncoderHash`, recorded in the index manifest's buildParams).
 */
export function checkEncoder(dir: string, indexHash: string, encoder: QueryEncoder, modelName = "the query model", queryEncoderHash?: string): void {
  if (encoder.hash === indexHash || encoder.indexHash === indexHash) return;
  if (queryEncoderHash !== undefined && encoder.hash === queryEncoderHash) return;
  throw new XlirError(
    "MISMATCH",
    `index ${dir} was built by encoder ${indexHash}, but ${modelName} has hash ${encoder.hash}` +
      (encoder.indexHash ? ` (and searches indexes of ${encoder.indexHash})` : "") +
      (queryEncoderHash ? ` (the index accepts queries of ${queryEncoderHash})` : "") +
      `; search with the model that built the index (or a student distilled from it), or rebuild the index with this model`,
  );
}

export class Searcher {
  private constructor(
    readonly summary: IndexSummary,
    private readonly vector: VectorIndex | null,
    private readonly bm25: Bm25Index | null,
    private readonly encoder: QueryEncoder | null,
    private readonly queryBatch: number,
  ) {}

  /** Opens an index; vector kinds need the query encoder, BM25 ignores it. */
  static async open(dir: string, encoder: QueryEncoder | null, opts: SearcherOptions = {}): Promise<Searcher> {
    const kind = await indexKindOf(dir);
    const queryBatch = opts.queryBatch ?? 32;
    if (kind === "bm25") {
      const bm25 = await loadBm25(dir);
      return new Searcher({ dir, kind, docCount: bm25.docCount, dim: null, encoderHash: null }, null, bm25, null, queryBatch);
    }
    const index = await openVectorIndex(dir, opts);
    const m = index.manifest;
    if (!encoder) throw new XlirError("USAGE", `index ${dir} is a ${kind} vector index: give the query encoder (--model DIR)`);
    const q = m.buildParams?.queryEncoderHash;
    checkEncoder(dir, m.encoderHash, encoder, opts.modelName, typeof q === "string" ? q : undefined);
    if (encoder.dim !== m.dim) throw new XlirError("MISMATCH", `index ${dir} holds ${m.dim}-d vectors, the query encoder produces ${encoder.dim}-d vectors`);
    return new Searcher({ dir, kind, docCount: m.docCount, dim: m.dim, encoderHash: m.encoderHash }, index, null, encoder, queryBatch);
  }

  /** Encodes one batch of query texts in the form the index needs. -> TokenVectors (pooled: one row each). */
  private async encode(texts: string[]): Promise<TokenVectors> {
    const enc = this.encoder as QueryEncoder;
    const index = this.vector as VectorIndex;
    if (index.queryForm === "tokens") return enc.encodeTokens(texts, "query");
    const vectors = await enc.encodePooled(texts, "query"); // [n, dim]
    return { dim: enc.dim, vectors, offsets: Int32Array.from({ length: texts.length + 1 }, (_, i) => i) };
  }

  /** Top-k documents for every query: qid -> hits (score desc, docno desc on ties). */
  async search(queries: readonly QueryRecord[], k: number): Promise<Run> {
    if (!Number.isInteger(k) || k < 1) throw new XlirError("USAGE", `k must be a positive integer, got ${k}`);
    const results = new Map<string, DocHit[]>();
    if (this.bm25) {
      for (const q of queries) results.set(q.qid, this.bm25.search(q.text, k).map((h) => ({ docno: h.docno, score: h.score })).sort(compareHits));
    } else {
      const order = queries.map((_, i) => i).sort((a, b) => queries[a].text.length - queries[b].text.length);
      for (let b0 = 0; b0 < order.length; b0 += this.queryBatch) {
        const ids = order.slice(b0, b0 + this.queryBatch);
        const tv = await this.encode(ids.map((i) => queries[i].text));
        const hits = await (this.vector as VectorIndex).search(tv, k);
        ids.forEach((id, j) => results.set(queries[id].qid, hits[j]));
      }
    }
    // Keep the input order of queries.
    return new Map(queries.map((q) => [q.qid, results.get(q.qid) ?? []]));
  }

  /** Top-k documents for one query text. */
  async searchText(text: string, k: number): Promise<DocHit[]> {
    return (await this.search([{ qid: "q", text }], k)).get("q") ?? [];
  }

  close(): void {
    this.vector?.close();
  }
}
