/**
 * `xlir bench search`: exact vs approximate search on synthetic vectors, single-vector and
 * multi-vector (late interaction). Recall@10 of each approximate search against the exact one,
 * queries per second and build times. Optionally dumps the single-vector data for the faiss script.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TokenVectors } from "../models/types.js";
import { denseTopK } from "../index/exact.js";
import { Hnsw, HNSW_DEFAULTS } from "../index/hnsw.js";
import { MultiVectorIndex } from "../index/multi.js";
import { clusteredVectors, randomOffsets } from "../index/synthetic.js";
import { INDEX_FORMAT_VERSION, type DocHit, type IndexManifest } from "../index/types.js";

export interface SearchBenchOptions {
  vectors: number;
  dim: number;
  clustered: boolean;
  queries: number;
  multiQueries: number;
  queryTokens: number;
  docTokensMin: number;
  docTokensMax: number;
  k: number;
  /** Multi-vector ANN hits per query token; several values are each measured on the same graph. */
  tokenK: number[];
  /** Multi-vector ANN: candidates re-ranked exactly per query; several values are each measured. */
  rerankDepth: number[];
  /** Per-coordinate noise around cluster centres (clustered data), before normalisation. */
  spread: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  parts: Array<"single" | "multi">;
  seed: number;
  dumpDir?: string;
  /** Skip the HNSW part of the single-vector benchmark (for the faiss comparison). */
  exactOnly?: boolean;
}

export const SEARCH_BENCH_DEFAULTS: SearchBenchOptions = {
  vectors: 100_000,
  dim: 128,
  clustered: false,
  queries: 1000,
  multiQueries: 100,
  queryTokens: 16,
  docTokensMin: 20,
  docTokensMax: 60,
  k: 10,
  tokenK: [32, 64, 128],
  rerankDepth: [256, 1024],
  spread: 0.05,
  connectivity: HNSW_DEFAULTS.connectivity,
  expansionAdd: HNSW_DEFAULTS.expansionAdd,
  expansionSearch: HNSW_DEFAULTS.expansionSearch,
  parts: ["single", "multi"],
  seed: 42,
};

/** Mean over queries of |approx top-k ∩ exact top-k| / k. */
export function recallAtK<T>(exact: T[][], approx: T[][], k: number): number {
  let sum = 0;
  exact.forEach((e, i) => {
    const truth = new Set(e.slice(0, k));
    sum += approx[i].slice(0, k).filter((x) => truth.has(x)).length / Math.min(k, Math.max(1, e.length));
  });
  return exact.length ? sum / exact.length : 1;
}

function data(o: SearchBenchOptions, n: number, seed: number): Float32Array {
  return clusteredVectors({
    n,
    dim: o.dim,
    clusters: o.clustered ? Math.max(8, Math.floor(o.vectors / 100)) : 0,
    spread: o.spread,
    seed,
  }).vectors;
}

/** Same cluster centres as the documents (same seed for the centres), fresh noise. */
function queriesLike(o: SearchBenchOptions, n: number): Float32Array {
  // Documents use seed; drawing n + vectors rows with the same seed and keeping the tail gives
  // queries from the same centres without touching the documents.
  const all = clusteredVectors({
    n: o.vectors + n,
    dim: o.dim,
    clusters: o.clustered ? Math.max(8, Math.floor(o.vectors / 100)) : 0,
    spread: o.spread,
    seed: o.seed,
  });
  return all.vectors.slice(o.vectors * o.dim);
}

/** An HNSW graph over the `o.vectors` rows [vectors, dim] with the benchmark's settings, and its build time. */
function buildGraph(o: SearchBenchOptions, rows: Float32Array): { graph: Hnsw; buildSeconds: number } {
  const t = performance.now();
  const graph = Hnsw.build(rows, o.vectors, o.dim, {
    connectivity: o.connectivity,
    expansionAdd: o.expansionAdd,
    expansionSearch: o.expansionSearch,
    threads: 0,
  });
  return { graph, buildSeconds: (performance.now() - t) / 1000 };
}

async function singleBench(o: SearchBenchOptions, docs: Float32Array): Promise<Record<string, unknown>> {
  const q = queriesLike(o, o.queries);
  await denseTopK(q.subarray(0, o.dim), 1, docs, o.vectors, o.dim, o.k); // warm-up (session creation)
  let t = performance.now();
  const exact = await denseTopK(q, o.queries, docs, o.vectors, o.dim, o.k);
  const exactS = (performance.now() - t) / 1000;
  t = performance.now();
  for (let i = 0; i < Math.min(100, o.queries); i++)
    await denseTopK(q.subarray(i * o.dim, (i + 1) * o.dim), 1, docs, o.vectors, o.dim, o.k);
  const oneByOneS = (performance.now() - t) / 1000 / Math.min(100, o.queries);
  if (o.dumpDir) {
    await mkdir(o.dumpDir, { recursive: true });
    await writeFile(
      join(o.dumpDir, "docs.f32"),
      new Uint8Array(docs.buffer, docs.byteOffset, docs.byteLength),
    );
    await writeFile(join(o.dumpDir, "queries.f32"), new Uint8Array(q.buffer, q.byteOffset, q.byteLength));
    await writeFile(
      join(o.dumpDir, "meta.json"),
      JSON.stringify({
        n: o.vectors,
        nq: o.queries,
        dim: o.dim,
        k: o.k,
        xlirExactSeconds: exactS,
        exactIds: exact.map((h) => h.map((x) => x.id)),
      }),
    );
  }
  const exactResult = {
    seconds: exactS,
    qps: o.queries / exactS,
    batch: o.queries,
    singleQueryMs: oneByOneS * 1000,
  };
  if (o.exactOnly) return { exact: exactResult };
  const { graph: g, buildSeconds: buildS } = buildGraph(o, docs);
  t = performance.now();
  const { ids } = g.search(q, o.queries, o.k);
  const annS = (performance.now() - t) / 1000;
  const approx = Array.from({ length: o.queries }, (_, i) =>
    Array.from(ids.subarray(i * o.k, (i + 1) * o.k)),
  );
  return {
    exact: exactResult,
    hnsw: {
      buildSeconds: buildS,
      vectorsPerSecond: o.vectors / buildS,
      seconds: annS,
      qps: o.queries / annS,
      recallAt10: recallAtK(
        exact.map((h) => h.map((x) => x.id)),
        approx,
        o.k,
      ),
    },
  };
}

async function multiBench(o: SearchBenchOptions, tokens: Float32Array): Promise<Record<string, unknown>> {
  const offsets = randomOffsets(o.vectors, o.docTokensMin, o.docTokensMax, o.seed + 1);
  const nd = offsets.length - 1;
  const docnos = Array.from({ length: nd }, (_, i) => `doc${String(i).padStart(6, "0")}`);
  const manifest = (kind: string): IndexManifest => ({
    formatVersion: INDEX_FORMAT_VERSION,
    kind,
    encoderHash: "synthetic",
    dim: o.dim,
    docCount: nd,
    vectorCount: o.vectors,
    storage: "float32",
    buildParams: {},
    createdBy: "bench",
    createdAt: new Date().toISOString(),
  });
  const qv = queriesLike(o, o.multiQueries * o.queryTokens);
  const queries: TokenVectors = {
    dim: o.dim,
    vectors: qv,
    offsets: Int32Array.from({ length: o.multiQueries + 1 }, (_, i) => i * o.queryTokens),
  };
  const exactIndex = new MultiVectorIndex("mem", manifest("multi-exact"), docnos, tokens, offsets, null, 0);
  let t = performance.now();
  const exact: DocHit[][] = [];
  for (let i = 0; i < o.multiQueries; i++) exact.push(...(await exactIndex.search(slice(queries, i), o.k)));
  const exactS = (performance.now() - t) / 1000;
  const { graph: g, buildSeconds: buildS } = buildGraph(o, tokens);
  const key = (h: DocHit[][]) => h.map((x) => x.map((y) => y.docno));
  const sweep: Array<Record<string, number>> = [];
  for (const tokenK of o.tokenK)
    for (const rerankDepth of o.rerankDepth) {
      const approxIndex = new MultiVectorIndex(
        "mem",
        manifest("multi"),
        docnos,
        tokens,
        offsets,
        g,
        tokenK,
        rerankDepth,
      );
      t = performance.now();
      const approx: DocHit[][] = [];
      for (let i = 0; i < o.multiQueries; i++)
        approx.push(...(await approxIndex.search(slice(queries, i), o.k)));
      const approxS = (performance.now() - t) / 1000;
      sweep.push({
        tokenK,
        rerankDepth,
        seconds: approxS,
        qps: o.multiQueries / approxS,
        recallAt10: recallAtK(key(exact), key(approx), o.k),
      });
    }
  return {
    documents: nd,
    tokens: o.vectors,
    queryTokens: o.queryTokens,
    exact: { seconds: exactS, qps: o.multiQueries / exactS },
    approximate: { buildSeconds: buildS, tokensPerSecond: o.vectors / buildS, sweep },
  };
}

function slice(q: TokenVectors, i: number): TokenVectors {
  const a = q.offsets[i];
  const b = q.offsets[i + 1];
  return {
    dim: q.dim,
    vectors: q.vectors.subarray(a * q.dim, b * q.dim),
    offsets: Int32Array.from([0, b - a]),
  };
}

/** Runs the benchmark; one JSON-serialisable object with options, figures and the machine. */
export async function runSearchBench(opts: Partial<SearchBenchOptions>): Promise<Record<string, unknown>> {
  const o = { ...SEARCH_BENCH_DEFAULTS, ...opts };
  const out: Record<string, unknown> = { options: o };
  const t = performance.now();
  const vectors = data(o, o.vectors, o.seed);
  out.generateSeconds = (performance.now() - t) / 1000;
  if (o.parts.includes("single")) out.single = await singleBench(o, vectors);
  if (o.parts.includes("multi")) out.multi = await multiBench(o, vectors);
  return out;
}
