/**
 * Writing an index folder: the kind's writer over a source of chunks (vectors, offsets, HNSW graph
 * or compressed codes), then docnos.json, then manifest.json last, so a folder with a manifest is
 * complete. The encoder-driven build (build.ts) and in-memory vectors (benchmarks, tests) both
 * come through here.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { vectorKind } from "./registry.js";
import { DOCNOS, ensureDir, writeAtomic, writeManifest } from "./storage.js";
import {
  INDEX_FORMAT_VERSION,
  type ChunkSource,
  type IndexManifest,
  type VectorBuildOptions,
  type VectorChunk,
} from "./types.js";
import { xlirVersion } from "../util/version.js";

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
export async function finishIndex(
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
