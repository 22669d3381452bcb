/**
 * Building a vector index from a corpus stream: documents are encoded in chunks committed one by
 * one into `OUT.tmp-build/chunks/` (an interrupted build resumes from the last complete chunk),
 * then the kind's writer (write.ts) reads the chunks back one at a time (vectors, offsets, HNSW
 * graph or compressed codes), docnos and the manifest are written, and one rename makes OUT appear.
 * Neither the corpus nor all vectors are held in memory: the corpus is an async stream and the
 * chunks are re-read from disk by the writer.
 *
 * Parts: with `part: { index: i, count: N }` only the documents at record positions p with
 * p mod N = i (0-based, in corpus order) are encoded, into OUT/part-i-of-N; each part can run on
 * its own machine over the same corpus file. When every part of OUT is complete, the parts
 * manifest OUT/manifest.json is written (see parts.ts).
 */
import { existsSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
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
import { ensureDir, MANIFEST, readManifest, writeAtomic } from "./storage.js";
import { type ChunkSource, type IndexManifest, type VectorBuildOptions } from "./types.js";
import {
  chunkName,
  chunksOf,
  docsHash,
  encodeChunk,
  readChunk,
  readChunkMeta,
  type ChunkMeta,
} from "./build-chunks.js";
import { finishIndex } from "./write.js";

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
