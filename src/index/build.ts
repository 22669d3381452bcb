/**
 * Building a vector index from a corpus stream: documents are encoded in chunks committed one by
 * one into `OUT.tmp-build/chunks/` (an interrupted build resumes from the last complete chunk),
 * then the kind's writer reads the chunks back one at a time (vectors, offsets, HNSW graph or
 * compressed codes), docnos and the manifest are written, and one rename makes OUT appear.
 * Neither the corpus nor all vectors are held in memory: the corpus is an async stream and the
 * chunks are re-read from disk by the writer.
 *
 * Parts: with `part: { index: i, count: N }` only the documents at record positions p with
 * p mod N = i (0-based, in corpus order) are encoded, into OUT/part-i-of-N; each part can run on
 * its own machine over the same corpus file. When every part of OUT is complete, the parts
 * manifest OUT/manifest.json is written (see parts.ts).
 */
import { existsSync } from "node:fs";
import { readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CorpusDoc } from "../data/corpus.js";
import { XlirError } from "../errors.js";
import type { RetrievalEncoder } from "../models/types.js";
import {
  assembleParts,
  checkSiblingParts,
  partDir,
  partsComplete,
  type PartSpec,
  PART_RULE,
} from "./parts.js";
import { vectorKind } from "./registry.js";
import { DOCNOS, ensureDir, MANIFEST, readManifest, writeAtomic, writeManifest } from "./storage.js";
import {
  INDEX_FORMAT_VERSION,
  type ChunkSource,
  type IndexManifest,
  type VectorBuildOptions,
  type VectorChunk,
} from "./types.js";
import {
  chunkName,
  chunksOf,
  docsHash,
  encodeChunk,
  readChunk,
  readChunkMeta,
  type ChunkMeta,
} from "./build-chunks.js";
import { xlirVersion } from "../util/version.js";

export interface BuildIndexOptions extends VectorBuildOptions {
  kind: string;
  /** The index folder; with `part`, the folder that holds the parts (part-i-of-N/ is written inside). */
  out: string;
  encoder: RetrievalEncoder;
  /** The corpus, in memory or streamed (e.g. `readCorpus(file)`). */
  docs: readonly CorpusDoc[] | AsyncIterable<CorpusDoc>;
  /** Build only part `index` of `count` (record position mod count). */
  part?: PartSpec;
  /** Texts per encoder call (default 32). */
  batchSize?: number;
  /** Documents per committed chunk (default 1024). */
  shardSize?: number;
  /** Recorded in the manifest's buildParams (e.g. maxLength, model folder). */
  extraParams?: Record<string, unknown>;
  createdBy?: string;
  /** Documents of this build (part) encoded so far; total when known (an in-memory corpus without parts). */
  onProgress?: (done: number, total: number | null) => void;
  /** Called after chunk `i` is committed (tests use it to simulate an interruption). */
  afterShard?: (i: number) => void | Promise<void>;
}

export interface BuildStats {
  docs: number;
  vectors: number;
  resumedShards: number;
  encodedShards: number;
  encodeSeconds: number;
  /** Seconds of the kind's structure (HNSW graph, k-means codec). */
  hnswSeconds: number;
  totalSeconds: number;
  docsPerSecond: number;
  /** With `part`: whether this build completed the set and wrote the parts manifest. */
  assembled?: boolean;
}

interface BuildState {
  encoderHash: string;
  queryForm: string;
  dim: number;
  shardSize: number;
  part: string;
}

/** Refuses to build over an existing index; names both encoder hashes when they differ. */
async function checkExistingOut(out: string, encoderHash: string): Promise<void> {
  if (!existsSync(out)) return;
  if (!existsSync(join(out, MANIFEST)))
    throw new XlirError("USAGE", `${out} exists and is not an xlir index; choose another --out`);
  const m = await readManifest(out);
  if (m.encoderHash !== encoderHash) {
    throw new XlirError(
      "MISMATCH",
      `cannot add to index ${out}: it was built with encoder ${m.encoderHash}, the encoder given has hash ${encoderHash}; build a new index with another --out`,
    );
  }
  throw new XlirError(
    "USAGE",
    `${out} already holds an index of ${m.docCount} documents built by this encoder; remove it or choose another --out`,
  );
}

/**
 * Builds (or resumes building) a vector index of `docs` at `out` (or part `part` of it).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { OnnxEncoder, XlirError, buildVectorIndex, openVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const encoder = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * const docs = [
 *   { id: "d1", title: "", text: "red fox" },
 *   { id: "d2", title: "Sea", text: "blue water" },
 *   { id: "d3", title: "", text: "green grass" },
 * ];
 * const out = join(dir, "index");
 * // token vectors of every document (ColBERT late interaction), committed in chunks of 2 documents
 * const { manifest, stats } = await buildVectorIndex({ kind: "multi-exact", out, encoder, docs, shardSize: 2 });
 * console.assert(manifest.docCount === 3 && manifest.vectorCount > 3 && manifest.encoderHash === encoder.hash);
 * console.assert(stats.docs === 3 && stats.encodedShards === 2 && stats.resumedShards === 0);
 * const index = await openVectorIndex(out);
 * console.assert(index.manifest.dim === encoder.dim && index.queryForm === "tokens");
 * index.close();
 * // building over an existing index is refused
 * const again = await buildVectorIndex({ kind: "multi-exact", out, encoder, docs }).catch((e: unknown) => e);
 * console.assert(again instanceof XlirError && again.code === "USAGE");
 * await encoder.dispose();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function buildVectorIndex(
  o: BuildIndexOptions,
): Promise<{ manifest: IndexManifest; stats: BuildStats }> {
  const t0 = performance.now();
  const spec = vectorKind(o.kind);
  const enc = o.encoder;
  const shardSize = o.shardSize ?? 1024;
  const batchSize = o.batchSize ?? 32;
  if (shardSize < 1 || batchSize < 1)
    throw new XlirError("USAGE", "--batch-size and shard size must be >= 1");
  const out = o.part ? partDir(o.out, o.part) : o.out;
  if (o.part) await checkSiblingParts(o.out, o.part, o.kind, enc.hash);
  await checkExistingOut(out, enc.hash);

  const tmp = `${out}.tmp-build`;
  const chunkDir = join(tmp, "chunks");
  const state: BuildState = {
    encoderHash: enc.hash,
    queryForm: spec.queryForm,
    dim: enc.dim,
    shardSize,
    part: o.part ? `${o.part.index}/${o.part.count}` : "all",
  };
  const statePath = join(tmp, "build.json");
  if (existsSync(statePath)) {
    const prev = JSON.parse(await readFile(statePath, "utf8")) as BuildState;
    if (prev.encoderHash !== state.encoderHash) {
      throw new XlirError(
        "MISMATCH",
        `cannot resume the interrupted build in ${tmp}: it was started with encoder ${prev.encoderHash}, the encoder given has hash ${state.encoderHash}; delete ${tmp} to start over`,
      );
    }
    for (const key of ["queryForm", "dim", "shardSize", "part"] as const) {
      if (prev[key] !== state[key]) {
        throw new XlirError(
          "MISMATCH",
          `cannot resume the interrupted build in ${tmp}: its ${key} is ${String(prev[key])}, this build's is ${String(state[key])}; delete ${tmp} to start over`,
        );
      }
    }
  } else {
    await ensureDir(chunkDir);
    await writeAtomic(statePath, JSON.stringify(state, null, 2));
  }
  await ensureDir(chunkDir);

  const total = Array.isArray(o.docs) && !o.part ? (o.docs as readonly CorpusDoc[]).length : null;
  const metas: ChunkMeta[] = [];
  let done = 0;
  let resumed = 0;
  let encoded = 0;
  let encodeMs = 0;
  let rows = 0;
  let s = 0;
  for await (const docs of chunksOf(o.docs, shardSize, o.part)) {
    const hash = docsHash(docs);
    let meta = await readChunkMeta(chunkDir, s);
    if (meta && meta.hash !== hash) {
      throw new XlirError(
        "MISMATCH",
        `cannot resume the interrupted build in ${tmp}: chunk ${s} was encoded from other documents (the corpus changed); delete ${tmp} to start over`,
      );
    }
    if (meta) resumed++;
    else {
      const te = performance.now();
      const part = await encodeChunk(enc, docs, spec.queryForm, batchSize, (n) =>
        o.onProgress?.(done + n, total),
      );
      encodeMs += performance.now() - te;
      if (spec.queryForm === "pooled" && part.offsets[docs.length] !== docs.length) {
        throw new XlirError(
          "INTERNAL",
          `encoder returned ${part.offsets[docs.length]} pooled vectors for ${docs.length} documents`,
        );
      }
      meta = { docnos: docs.map((d) => d.id), hash, rows: part.offsets[docs.length] };
      await writeAtomic(
        join(chunkDir, `${chunkName(s)}.f32`),
        new Uint8Array(part.vectors.buffer, part.vectors.byteOffset, part.vectors.byteLength),
      );
      await writeAtomic(join(chunkDir, `${chunkName(s)}.json`), JSON.stringify(meta));
      await writeAtomic(join(chunkDir, `${chunkName(s)}.off`), new Uint8Array(part.offsets.buffer)); // commit marker
      encoded++;
      await o.afterShard?.(s);
    }
    metas.push(meta);
    rows += meta.rows;
    done += docs.length;
    o.onProgress?.(done, total);
    s++;
  }
  if (done === 0)
    throw new XlirError(
      "BAD_INPUT",
      o.part
        ? `part ${o.part.index}/${o.part.count} of the corpus has no documents`
        : "the corpus has no documents",
    );

  const dim = enc.dim;
  const source: ChunkSource = {
    dim,
    docCount: done,
    vectorCount: rows,
    *chunks() {
      for (let i = 0; i < metas.length; i++) yield readChunk(chunkDir, i, metas[i], dim);
    },
  };
  const buildParams: Record<string, unknown> = { ...o.extraParams, batchSize, shardSize };
  // a document-side student declares the teacher it was distilled from: that teacher may query this index
  const teacherHash = (enc as { indexHash?: string }).indexHash;
  if (teacherHash && buildParams.queryEncoderHash === undefined) buildParams.queryEncoderHash = teacherHash;
  if (o.part)
    Object.assign(buildParams, { part: o.part.index, partCount: o.part.count, partRule: PART_RULE });
  const { manifest, structureSeconds } = await finishIndex(tmp, {
    kind: o.kind,
    encoderHash: enc.hash,
    source,
    docnos: metas.flatMap((m) => m.docnos),
    buildParams,
    createdBy: o.createdBy,
    options: o,
  });
  await rm(chunkDir, { recursive: true, force: true });
  await rm(statePath, { force: true });
  await rename(tmp, out);
  let assembled: boolean | undefined;
  if (o.part) {
    assembled = await partsComplete(o.out, o.part.count);
    if (assembled) await assembleParts(o.out);
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  return {
    manifest,
    stats: {
      docs: done,
      vectors: rows,
      resumedShards: resumed,
      encodedShards: encoded,
      encodeSeconds: encodeMs / 1000,
      hnswSeconds: structureSeconds,
      totalSeconds,
      docsPerSecond: done / totalSeconds,
      ...(assembled === undefined ? {} : { assembled }),
    },
  };
}

/**
 * Files an index folder is expected to hold (for listings and tests).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { indexFiles, writeVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const offsets = Int32Array.of(0, 2, 3); // two documents: 2 and 1 token rows
 * await writeVectorIndex(dir, { kind: "multi-exact", encoderHash: "demo", dim: 2, vectors: new Float32Array(6), offsets, docnos: ["a", "b"] });
 * console.assert((await indexFiles(dir)).join() === "docnos.json,manifest.json,offsets.i32,vectors.f32");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function indexFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

interface FinishData {
  kind: string;
  encoderHash: string;
  source: ChunkSource;
  docnos: string[];
  buildParams?: Record<string, unknown>;
  createdBy?: string;
  options?: VectorBuildOptions;
}

/** Runs the kind's writer over the chunks, then writes docnos.json and (last) manifest.json. */
async function finishIndex(
  dir: string,
  data: FinishData,
): Promise<{ manifest: IndexManifest; structureSeconds: number }> {
  const spec = vectorKind(data.kind);
  const src = data.source;
  if (src.docCount !== data.docnos.length)
    throw new XlirError(
      "INTERNAL",
      `finishIndex: ${data.docnos.length} docnos for ${src.docCount} documents`,
    );
  if (spec.queryForm === "pooled" && src.vectorCount !== src.docCount)
    throw new XlirError(
      "INTERNAL",
      `single-vector kind needs one row per document, got ${src.vectorCount} rows for ${src.docCount}`,
    );
  await ensureDir(dir);
  const w = await spec.write(dir, src, data.options ?? {});
  await writeAtomic(join(dir, DOCNOS), JSON.stringify(data.docnos));
  const manifest: IndexManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    kind: data.kind,
    encoderHash: data.encoderHash,
    dim: src.dim,
    docCount: src.docCount,
    vectorCount: src.vectorCount,
    storage: w.storage,
    buildParams: { ...data.buildParams, ...w.buildParams },
    createdBy: data.createdBy ?? `xlir ${xlirVersion()}`,
    createdAt: new Date().toISOString(),
  };
  await writeManifest(dir, manifest);
  return { manifest, structureSeconds: w.structureSeconds };
}

export interface VectorIndexData {
  kind: string;
  encoderHash: string;
  dim: number;
  /** [T, dim] token rows (multi kinds) or [N, dim] document rows (single kinds). */
  vectors: Float32Array;
  /** [N + 1] document offsets into the rows (single kinds: 0..N). */
  offsets: Int32Array;
  docnos: string[];
  buildParams?: Record<string, unknown>;
  createdBy?: string;
  options?: VectorBuildOptions;
}

/**
 * Writes the files of a vector index into `dir` from vectors in memory (benchmarks, tests): the
 * same kind writers as the encoder-driven build, over one chunk.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { openVectorIndex, writeVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const vectors = Float32Array.of(1, 0, 0, 1, 0.6, 0.8); // [3 documents, 2]
 * const offsets = Int32Array.of(0, 1, 2, 3); // single kinds: one row per document
 * const data = { kind: "single", encoderHash: "demo", dim: 2, vectors, offsets, docnos: ["a", "b", "c"] };
 * const { manifest } = await writeVectorIndex(dir, data);
 * console.assert(manifest.kind === "single" && manifest.docCount === 3 && manifest.storage === "float32");
 * const index = await openVectorIndex(dir);
 * const [hits] = await index.search({ dim: 2, vectors: Float32Array.of(0, 1), offsets: Int32Array.of(0, 1) }, 2);
 * // <(0,1), b> = 1, <(0,1), c> = 0.8, <(0,1), a> = 0
 * console.assert(hits.map((h) => h.docno).join() === "b,c" && Math.abs(hits[1].score - 0.8) < 1e-6);
 * index.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeVectorIndex(
  dir: string,
  data: VectorIndexData,
): Promise<{ manifest: IndexManifest; hnswSeconds: number }> {
  const dim = data.dim;
  const total = data.offsets[data.offsets.length - 1];
  const nDocs = data.docnos.length;
  if (data.offsets.length !== nDocs + 1 || data.vectors.length !== total * dim) {
    throw new XlirError(
      "INTERNAL",
      `writeVectorIndex: ${nDocs} docnos, ${data.offsets.length} offsets, ${data.vectors.length} floats for dim ${dim}`,
    );
  }
  const chunk: VectorChunk = { vectors: data.vectors, offsets: data.offsets, docnos: data.docnos };
  const { manifest, structureSeconds } = await finishIndex(dir, {
    kind: data.kind,
    encoderHash: data.encoderHash,
    source: { dim, docCount: nDocs, vectorCount: total, chunks: () => [chunk] },
    docnos: data.docnos,
    buildParams: data.buildParams,
    createdBy: data.createdBy,
    options: data.options,
  });
  return { manifest, hnswSeconds: structureSeconds };
}

/**
 * Writes a vector index from any chunk source (e.g. generated vectors, a part of a larger collection).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { openVectorIndex, writeVectorIndexFrom } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * // two chunks of token vectors, read one at a time by the kind writer
 * const chunks = [
 *   { vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 2), docnos: ["a"] },
 *   { vectors: Float32Array.of(0, 1), offsets: Int32Array.of(0, 1), docnos: ["b"] },
 * ];
 * const source = { dim: 2, docCount: 2, vectorCount: 3, chunks: () => chunks };
 * const { manifest } = await writeVectorIndexFrom(dir, "multi-exact", "demo", source, ["a", "b"]);
 * console.assert(manifest.docCount === 2 && manifest.vectorCount === 3);
 * const index = await openVectorIndex(dir);
 * const q = { dim: 2, vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 2) }; // one query, 2 tokens
 * const [hits] = await index.search(q, 2);
 * // MaxSim: a = 1 + 1 = 2, b = 0 + 1 = 1
 * console.assert(hits[0].docno === "a" && Math.abs(hits[0].score - 2) < 1e-6 && Math.abs(hits[1].score - 1) < 1e-6);
 * index.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeVectorIndexFrom(
  dir: string,
  kind: string,
  encoderHash: string,
  source: ChunkSource,
  docnos: string[],
  o: { buildParams?: Record<string, unknown>; options?: VectorBuildOptions; createdBy?: string } = {},
): Promise<{ manifest: IndexManifest; structureSeconds: number }> {
  return finishIndex(dir, { kind, encoderHash, source, docnos, ...o });
}
