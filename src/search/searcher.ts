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

/**
 * Reads only the `kind` field of DIR/manifest.json.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, XlirError, indexKindOf, saveBm25 } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * await saveBm25(Bm25Index.build([{ id: "d1", text: "red fox" }]), join(dir, "bm25"));
 * console.assert((await indexKindOf(join(dir, "bm25"))) === "bm25");
 * const err = await indexKindOf(join(dir, "nothing")).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "NOT_FOUND");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function indexKindOf(dir: string): Promise<string> {
  const path = join(dir, "manifest.json");
  if (!existsSync(path))
    throw new XlirError(
      "NOT_FOUND",
      `${dir}: not an xlir index (no manifest.json); build one with 'xlir index'`,
    );
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
 *
 * @example
 * ```ts
 * import { OnnxEncoder, XlirError, checkEncoder } from "xlir";
 * const encoder = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * checkEncoder("idx", encoder.hash, encoder); // the encoder that built the index: accepted
 * checkEncoder("idx", "teacher", encoder, "the student", encoder.hash); // the index accepts this encoder's queries
 * let err: unknown;
 * try {
 *   checkEncoder("idx", "another-encoder", encoder, "models/tiny-bert");
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "MISMATCH" && err.message.includes("models/tiny-bert"));
 * await encoder.dispose();
 * ```
 */
export function checkEncoder(
  dir: string,
  indexHash: string,
  encoder: QueryEncoder,
  modelName = "the query model",
  queryEncoderHash?: string,
): void {
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

/**
 * An opened index (vector or BM25) that several Searchers may share: open it once, then call
 * `Searcher.fromIndex(opened, encoder)` per query encoder (e.g. the teacher and every student over
 * the teacher's index). Its owner closes it with `close()` when every searcher is done.
 */
export interface OpenedIndex {
  readonly summary: IndexSummary;
  readonly vector: VectorIndex | null;
  readonly bm25: Bm25Index | null;
  close(): void;
}

/**
 * Opens an index folder once (vector kinds, parts folders, BM25) without a query encoder.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, Searcher, openIndex, saveBm25, writeVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * await saveBm25(Bm25Index.build([{ id: "d1", text: "red fox" }, { id: "d2", text: "blue sea" }]), join(dir, "bm25"));
 * const bm25 = await openIndex(join(dir, "bm25"));
 * console.assert(bm25.summary.kind === "bm25" && bm25.summary.docCount === 2 && bm25.vector === null);
 * // one opened index shared by several searchers; its owner closes it
 * const [a, b] = [Searcher.fromIndex(bm25, null), Searcher.fromIndex(bm25, null)];
 * console.assert((await a.searchText("fox", 1))[0].docno === "d1" && (await b.searchText("sea", 1))[0].docno === "d2");
 * bm25.close();
 * const data = { kind: "single", encoderHash: "demo", dim: 2, vectors: Float32Array.of(1, 0), offsets: Int32Array.of(0, 1), docnos: ["a"] };
 * await writeVectorIndex(join(dir, "single"), data);
 * const single = await openIndex(join(dir, "single"));
 * console.assert(single.summary.dim === 2 && single.summary.encoderHash === "demo" && single.vector !== null);
 * single.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function openIndex(dir: string, opts: VectorBuildOptions = {}): Promise<OpenedIndex> {
  const kind = await indexKindOf(dir);
  if (kind === "bm25") {
    const bm25 = await loadBm25(dir);
    return {
      summary: { dir, kind, docCount: bm25.docCount, dim: null, encoderHash: null },
      vector: null,
      bm25,
      close: () => {},
    };
  }
  const vector = await openVectorIndex(dir, opts);
  const m = vector.manifest;
  return {
    summary: { dir, kind, docCount: m.docCount, dim: m.dim, encoderHash: m.encoderHash },
    vector,
    bm25: null,
    close: () => vector.close(),
  };
}

/**
 * Searches one index: BM25 from query text, vector kinds through the query encoder (checked against the index's encoder).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, OnnxEncoder, Searcher, XlirError, buildVectorIndex, saveBm25 } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const docs = [
 *   { id: "d1", title: "", text: "the red fox runs" },
 *   { id: "d2", title: "", text: "the blue sea is deep" },
 * ];
 * await saveBm25(Bm25Index.build(docs), join(dir, "bm25"));
 * const lexical = await Searcher.open(join(dir, "bm25"), null); // BM25 needs no encoder
 * const run = await lexical.search([{ qid: "q1", text: "deep sea" }, { qid: "q2", text: "foxes" }], 10);
 * console.assert(run.get("q1")![0].docno === "d2" && run.get("q2")![0].docno === "d1");
 * lexical.close();
 * // a vector index needs the query encoder that built it (or a student of it)
 * const encoder = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * await buildVectorIndex({ kind: "multi-exact", out: join(dir, "dense"), encoder, docs });
 * const noEncoder = await Searcher.open(join(dir, "dense"), null).catch((e: unknown) => e);
 * console.assert(noEncoder instanceof XlirError && noEncoder.code === "USAGE");
 * const dense = await Searcher.open(join(dir, "dense"), encoder);
 * const hits = await dense.searchText("red fox", 2);
 * console.assert(hits.length === 2 && hits[0].score >= hits[1].score);
 * dense.close();
 * await encoder.dispose();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class Searcher {
  private constructor(
    readonly summary: IndexSummary,
    private readonly vector: VectorIndex | null,
    private readonly bm25: Bm25Index | null,
    private readonly encoder: QueryEncoder | null,
    private readonly queryBatch: number,
    /** Whether close() closes the index (false when it was shared through fromIndex). */
    private readonly ownsIndex: boolean,
  ) {}

  /** Opens an index; vector kinds need the query encoder, BM25 ignores it. */
  static async open(
    dir: string,
    encoder: QueryEncoder | null,
    opts: SearcherOptions = {},
  ): Promise<Searcher> {
    const kind = await indexKindOf(dir);
    if (kind !== "bm25" && !encoder)
      throw new XlirError(
        "USAGE",
        `index ${dir} is a ${kind} vector index: give the query encoder (--model DIR)`,
      );
    const opened = await openIndex(dir, opts);
    try {
      return Searcher.create(opened, encoder, opts, true);
    } catch (err) {
      opened.close();
      throw err;
    }
  }

  /**
   * A searcher over an index opened once with `openIndex` (vectors are read once, however many
   * encoders search it). Closing this searcher leaves the index open; close the OpenedIndex itself.
   */
  static fromIndex(opened: OpenedIndex, encoder: QueryEncoder | null, opts: SearcherOptions = {}): Searcher {
    return Searcher.create(opened, encoder, opts, false);
  }

  private static create(
    opened: OpenedIndex,
    encoder: QueryEncoder | null,
    opts: SearcherOptions,
    owns: boolean,
  ): Searcher {
    const queryBatch = opts.queryBatch ?? 32;
    const { summary, vector } = opened;
    if (!vector) return new Searcher(summary, null, opened.bm25, null, queryBatch, owns);
    const m = vector.manifest;
    const dir = summary.dir;
    if (!encoder)
      throw new XlirError(
        "USAGE",
        `index ${dir} is a ${summary.kind} vector index: give the query encoder (--model DIR)`,
      );
    const q = m.buildParams?.queryEncoderHash;
    checkEncoder(dir, m.encoderHash, encoder, opts.modelName, typeof q === "string" ? q : undefined);
    if (encoder.dim !== m.dim)
      throw new XlirError(
        "MISMATCH",
        `index ${dir} holds ${m.dim}-d vectors, the query encoder produces ${encoder.dim}-d vectors`,
      );
    return new Searcher(summary, vector, null, encoder, queryBatch, owns);
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
      for (const q of queries)
        results.set(
          q.qid,
          this.bm25
            .search(q.text, k)
            .map((h) => ({ docno: h.docno, score: h.score }))
            .sort(compareHits),
        );
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
    if (this.ownsIndex) this.vector?.close();
  }
}
