/**
 * Building a vector index from a corpus: encoding in shards committed one by one into
 * `OUT.tmp-build/` (an interrupted build resumes from the last complete shard), then the final
 * files, the HNSW graph where the kind has one, the manifest, and one rename to OUT.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { CorpusDoc } from "../data/corpus.js";
import { XlirError } from "../errors.js";
import type { RetrievalEncoder } from "../models/types.js";
import { Hnsw, HNSW_DEFAULTS } from "./hnsw.js";
import { vectorKind } from "./registry.js";
import { DOCNOS, ensureDir, f16ToF32, f32ToF16, HNSW, MANIFEST, OFFSETS, readManifest, vectorsFile, writeAtomic, writeManifest } from "./storage.js";
import { INDEX_FORMAT_VERSION, type IndexManifest, type VectorBuildOptions } from "./types.js";
import { xlirVersion } from "../util/version.js";

/** The text a document encoder sees: title and body joined by a space. */
export function docText(d: CorpusDoc): string {
  return d.title ? `${d.title} ${d.text}` : d.text;
}

export interface BuildIndexOptions extends VectorBuildOptions {
  kind: string;
  out: string;
  encoder: RetrievalEncoder;
  docs: readonly CorpusDoc[];
  /** Texts per encoder call (default 32). */
  batchSize?: number;
  /** Documents per committed shard (default 1024). */
  shardSize?: number;
  /** Recorded in the manifest's buildParams (e.g. maxLength, model folder). */
  extraParams?: Record<string, unknown>;
  createdBy?: string;
  onProgress?: (done: number, total: number) => void;
  /** Called after shard `i` is committed (tests use it to simulate an interruption). */
  afterShard?: (i: number) => void | Promise<void>;
}

export interface BuildStats {
  docs: number;
  vectors: number;
  resumedShards: number;
  encodedShards: number;
  encodeSeconds: number;
  hnswSeconds: number;
  totalSeconds: number;
  docsPerSecond: number;
}

interface BuildState {
  encoderHash: string;
  queryForm: string;
  dim: number;
  shardSize: number;
  docCount: number;
  corpusHash: string;
}

function corpusHash(docs: readonly CorpusDoc[]): string {
  const h = createHash("sha256");
  for (const d of docs) h.update(d.id).update("\0").update(docText(d)).update("\n");
  return h.digest("hex").slice(0, 16);
}

function shardName(i: number): string {
  return `shard-${String(i).padStart(5, "0")}`;
}

/** Encodes docs (sorted by length into batches, then restored to input order). -> rows [T, dim], offsets [n + 1]. */
async function encodeShard(enc: RetrievalEncoder, docs: readonly CorpusDoc[], form: "tokens" | "pooled", batchSize: number, onBatch: (n: number) => void): Promise<{ vectors: Float32Array; offsets: Int32Array }> {
  const texts = docs.map(docText);
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const perDoc: Float32Array[] = new Array(docs.length);
  const dim = enc.dim;
  for (let b0 = 0; b0 < order.length; b0 += batchSize) {
    const ids = order.slice(b0, b0 + batchSize);
    const batch = ids.map((i) => texts[i]);
    if (form === "tokens") {
      const tv = await enc.encodeTokens(batch, "document");
      ids.forEach((id, j) => (perDoc[id] = tv.vectors.slice(tv.offsets[j] * dim, tv.offsets[j + 1] * dim)));
    } else {
      const pooled = await enc.encodePooled(batch, "document"); // [batch, dim]
      ids.forEach((id, j) => (perDoc[id] = pooled.slice(j * dim, (j + 1) * dim)));
    }
    onBatch(ids.length);
  }
  const offsets = new Int32Array(docs.length + 1);
  perDoc.forEach((v, i) => (offsets[i + 1] = offsets[i] + v.length / dim));
  const vectors = new Float32Array(offsets[docs.length] * dim);
  perDoc.forEach((v, i) => vectors.set(v, offsets[i] * dim));
  return { vectors, offsets };
}

async function readShard(dir: string, i: number, dim: number, nDocs: number): Promise<{ vectors: Float32Array; offsets: Int32Array } | null> {
  const offPath = join(dir, `${shardName(i)}.off`);
  const vecPath = join(dir, `${shardName(i)}.f32`);
  if (!existsSync(offPath) || !existsSync(vecPath)) return null;
  const ob = await readFile(offPath);
  if (ob.byteLength !== (nDocs + 1) * 4) return null;
  const offsets = new Int32Array(nDocs + 1);
  new Uint8Array(offsets.buffer).set(ob);
  if ((await stat(vecPath)).size !== offsets[nDocs] * dim * 4) return null;
  const vb = await readFile(vecPath);
  const vectors = new Float32Array(offsets[nDocs] * dim);
  new Uint8Array(vectors.buffer).set(vb);
  return { vectors, offsets };
}

/** Refuses to build over an existing index; names both encoder hashes when they differ. */
async function checkExistingOut(out: string, encoderHash: string): Promise<void> {
  if (!existsSync(out)) return;
  if (!existsSync(join(out, MANIFEST))) throw new XlirError("USAGE", `${out} exists and is not an xlir index; choose another --out`);
  const m = await readManifest(out);
  if (m.encoderHash !== encoderHash) {
    throw new XlirError("MISMATCH", `cannot add to index ${out}: it was built with encoder ${m.encoderHash}, the encoder given has hash ${encoderHash}; build a new index with another --out`);
  }
  throw new XlirError("USAGE", `${out} already holds an index of ${m.docCount} documents built by this encoder; remove it or choose another --out`);
}

/** Builds (or resumes building) a vector index of `docs` at `out`. */
export async function buildVectorIndex(o: BuildIndexOptions): Promise<{ manifest: IndexManifest; stats: BuildStats }> {
  const t0 = performance.now();
  const spec = vectorKind(o.kind);
  const enc = o.encoder;
  const shardSize = o.shardSize ?? 1024;
  const batchSize = o.batchSize ?? 32;
  if (shardSize < 1 || batchSize < 1) throw new XlirError("USAGE", "--batch-size and shard size must be >= 1");
  if (o.docs.length === 0) throw new XlirError("BAD_INPUT", "the corpus has no documents");
  await checkExistingOut(o.out, enc.hash);

  const tmp = `${o.out}.tmp-build`;
  const shardDir = join(tmp, "shards");
  const state: BuildState = { encoderHash: enc.hash, queryForm: spec.queryForm, dim: enc.dim, shardSize, docCount: o.docs.length, corpusHash: corpusHash(o.docs) };
  const statePath = join(tmp, "build.json");
  if (existsSync(statePath)) {
    const prev = JSON.parse(await readFile(statePath, "utf8")) as BuildState;
    if (prev.encoderHash !== state.encoderHash) {
      throw new XlirError("MISMATCH", `cannot resume the interrupted build in ${tmp}: it was started with encoder ${prev.encoderHash}, the encoder given has hash ${state.encoderHash}; delete ${tmp} to start over`);
    }
    for (const key of ["queryForm", "dim", "shardSize", "docCount", "corpusHash"] as const) {
      if (prev[key] !== state[key]) {
        throw new XlirError("MISMATCH", `cannot resume the interrupted build in ${tmp}: its ${key} is ${String(prev[key])}, this build's is ${String(state[key])}; delete ${tmp} to start over`);
      }
    }
  } else {
    await ensureDir(shardDir);
    await writeAtomic(statePath, JSON.stringify(state, null, 2));
  }
  await ensureDir(shardDir);

  const nShards = Math.ceil(o.docs.length / shardSize);
  const parts: Array<{ vectors: Float32Array; offsets: Int32Array }> = [];
  let done = 0;
  let resumed = 0;
  let encoded = 0;
  let encodeMs = 0;
  for (let s = 0; s < nShards; s++) {
    const docs = o.docs.slice(s * shardSize, (s + 1) * shardSize);
    let part = await readShard(shardDir, s, enc.dim, docs.length);
    if (part) resumed++;
    else {
      const te = performance.now();
      part = await encodeShard(enc, docs, spec.queryForm, batchSize, (n) => o.onProgress?.(done + n, o.docs.length));
      encodeMs += performance.now() - te;
      if (spec.queryForm === "pooled" && part.offsets[docs.length] !== docs.length) {
        throw new XlirError("INTERNAL", `encoder returned ${part.offsets[docs.length]} pooled vectors for ${docs.length} documents`);
      }
      await writeAtomic(join(shardDir, `${shardName(s)}.f32`), new Uint8Array(part.vectors.buffer, part.vectors.byteOffset, part.vectors.byteLength));
      await writeAtomic(join(shardDir, `${shardName(s)}.off`), new Uint8Array(part.offsets.buffer)); // commit marker
      encoded++;
      await o.afterShard?.(s);
    }
    parts.push(part);
    done += docs.length;
    o.onProgress?.(done, o.docs.length);
  }

  // Concatenate shards.  vectors [T, dim], offsets [N + 1]
  const dim = enc.dim;
  const total = parts.reduce((a, p) => a + p.offsets[p.offsets.length - 1], 0);
  const vectors = new Float32Array(total * dim);
  const offsets = new Int32Array(o.docs.length + 1);
  let row = 0;
  let doc = 0;
  for (const p of parts) {
    vectors.set(p.vectors, row * dim);
    for (let i = 1; i < p.offsets.length; i++) offsets[doc + i] = row + p.offsets[i];
    row += p.offsets[p.offsets.length - 1];
    doc += p.offsets.length - 1;
  }
  const { manifest, hnswSeconds } = await writeVectorIndex(tmp, {
    kind: o.kind, encoderHash: enc.hash, dim, vectors, offsets, docnos: o.docs.map((d) => d.id),
    buildParams: { ...o.extraParams, batchSize, shardSize }, createdBy: o.createdBy, options: o,
  });
  await rename(tmp, o.out);
  await rm(join(o.out, "shards"), { recursive: true, force: true });
  await rm(join(o.out, "build.json"), { force: true });
  const totalSeconds = (performance.now() - t0) / 1000;
  return {
    manifest,
    stats: {
      docs: o.docs.length, vectors: total, resumedShards: resumed, encodedShards: encoded,
      encodeSeconds: encodeMs / 1000, hnswSeconds, totalSeconds, docsPerSecond: o.docs.length / totalSeconds,
    },
  };
}

/** Files an index folder is expected to hold (for listings and tests). */
export async function indexFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
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
 * Writes the files of a vector index into `dir` (vectors, offsets, docnos, HNSW graph where the
 * kind has one, manifest last). Used by the encoder-driven build and by benchmarks on raw vectors.
 */
export async function writeVectorIndex(dir: string, data: VectorIndexData): Promise<{ manifest: IndexManifest; hnswSeconds: number }> {
  const spec = vectorKind(data.kind);
  const o = data.options ?? {};
  const dim = data.dim;
  const total = data.offsets[data.offsets.length - 1];
  const nDocs = data.docnos.length;
  if (data.offsets.length !== nDocs + 1 || data.vectors.length !== total * dim) {
    throw new XlirError("INTERNAL", `writeVectorIndex: ${nDocs} docnos, ${data.offsets.length} offsets, ${data.vectors.length} floats for dim ${dim}`);
  }
  if (spec.queryForm === "pooled" && total !== nDocs) throw new XlirError("INTERNAL", `single-vector kind needs one row per document, got ${total} rows for ${nDocs}`);
  await ensureDir(dir);
  let vectors = data.vectors;
  const storage = o.storage ?? "float32";
  if (storage === "float16") {
    const half = f32ToF16(vectors);
    await writeAtomic(join(dir, vectorsFile(storage)), new Uint8Array(half.buffer));
    vectors = f16ToF32(half); // the graph indexes what search will score
  } else {
    await writeAtomic(join(dir, vectorsFile(storage)), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  }
  if (spec.queryForm === "tokens") await writeAtomic(join(dir, OFFSETS), new Uint8Array(data.offsets.buffer, data.offsets.byteOffset, data.offsets.byteLength));
  await writeAtomic(join(dir, DOCNOS), JSON.stringify(data.docnos));
  const buildParams: Record<string, unknown> = { ...data.buildParams };
  let hnswMs = 0;
  if (spec.approximate) {
    const p = {
      connectivity: o.connectivity ?? HNSW_DEFAULTS.connectivity,
      expansionAdd: o.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
      expansionSearch: o.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
      threads: o.threads ?? 0,
    };
    const th = performance.now();
    Hnsw.build(vectors, total, dim, p).save(join(dir, HNSW));
    hnswMs = performance.now() - th;
    Object.assign(buildParams, { connectivity: p.connectivity, expansionAdd: p.expansionAdd, expansionSearch: p.expansionSearch });
    if (spec.queryForm === "tokens") buildParams.tokenK = o.tokenK ?? 64;
  }
  const manifest: IndexManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    kind: data.kind,
    encoderHash: data.encoderHash,
    dim,
    docCount: nDocs,
    vectorCount: total,
    storage,
    buildParams,
    createdBy: data.createdBy ?? `xlir ${xlirVersion()}`,
    createdAt: new Date().toISOString(),
  };
  await writeManifest(dir, manifest);
  return { manifest, hnswSeconds: hnswMs / 1000 };
}
