/**
 * multi-plaid settings against exact MaxSim on a real collection, from an existing multi-exact
 * index (no re-encoding of the corpus): for each codec (nbits, buckets, centroids) a multi-plaid
 * index is written from the exact index's vectors, then searched at each (nprobe, candidates);
 * recall@10 against the exact index's top 10, on-disk size ratio against float32, QPS (one
 * process, queries one at a time, query encoding excluded), and the quantisation ceiling
 * (every document decompressed and scored by MaxSim). Prints one JSON line per setting.
 *   node --import tsx scripts/dev/plaid-help-sweep.ts MODEL EXACT_DIR QUERIES OUT CODECS PROBES
 * CODECS: comma-separated nbits:buckets:centroids (centroids 0 = default), e.g. 2:pooled:0,2:per-dim:16384,
 * or dir:PATH for an existing multi-plaid index of the same collection, or requant:NBITS:BUCKETS:PATH
 * for PATH's centroids and codes with residuals quantised again (no k-means)
 * PROBES: comma-separated nprobe:candidates, e.g. 8:256,16:1024
 * The ceiling (exhaustive MaxSim over all decompressed documents) uses the first CEILING_QUERIES
 * queries (environment, default 128; 0 skips it).
 * EXACT_DIR is made by scripts/dev/plaid-help-recall.ts (OUT/exact).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { readAllQueries } from "../../src/data/corpus.js";
import { writeVectorIndex } from "../../src/index/write.js";
import { MultiVectorIndex } from "../../src/index/multi.js";
import { PlaidIndex } from "../../src/index/plaid.js";
import { codesFile } from "../../src/index/plaid-write.js";
import { packResiduals, residualBuckets, type BucketMode } from "../../src/index/plaid-codec.js";
import { Mulberry32 } from "../../src/util/random.js";
import type { IndexManifest } from "../../src/index/types.js";
import type { TokenVectors } from "../../src/models/types.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { recallAtK } from "../../src/search/bench.js";
import { openVectorIndex } from "../../src/index/registry.js";

const [model, exactDir, queriesFile, out, codecList, probeList] = process.argv.slice(2);
if (!probeList) throw new Error("usage: plaid-help-sweep.ts MODEL EXACT_DIR QUERIES OUT CODECS PROBES");
const ceilingQueries = Number(process.env.CEILING_QUERIES ?? 128);
const bytes = (dir: string): number => readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);

// Query token vectors and the exact top 10 are cached in OUT (they do not depend on the codec).
const queries = await readAllQueries(queriesFile, { format: "tsv" });
const cacheFile = join(out, "queries-and-truth.json");
const exactIndex = await openVectorIndex(exactDir);
const ids = (r: Array<Array<{ docno: string }>>) => r.map((h) => h.map((x) => x.docno));
let qv: TokenVectors;
let truth: string[][];
if (existsSync(cacheFile)) {
  const c = JSON.parse(readFileSync(cacheFile, "utf8")) as {
    dim: number;
    vectors: number[];
    offsets: number[];
    truth: string[][];
  };
  qv = { dim: c.dim, vectors: Float32Array.from(c.vectors), offsets: Int32Array.from(c.offsets) };
  truth = c.truth;
} else {
  const enc = await OnnxEncoder.fromFolder(model, {});
  const parts: TokenVectors[] = [];
  for (let i = 0; i < queries.length; i += 64)
    parts.push(
      await enc.encodeTokens(
        queries.slice(i, i + 64).map((q) => q.text),
        "query",
      ),
    );
  await enc.dispose();
  const dim = parts[0].dim;
  const total = parts.reduce((a, p) => a + p.offsets[p.offsets.length - 1], 0);
  qv = { dim, vectors: new Float32Array(total * dim), offsets: new Int32Array(queries.length + 1) };
  let row = 0;
  let qi = 0;
  for (const p of parts) {
    qv.vectors.set(p.vectors, row * dim);
    for (let i = 1; i < p.offsets.length; i++) qv.offsets[++qi] = row + p.offsets[i];
    row += p.offsets[p.offsets.length - 1];
  }
  const t0 = performance.now();
  truth = ids(await exactIndex.search(qv, 10));
  console.error(`exact search: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    cacheFile,
    JSON.stringify({ dim, vectors: Array.from(qv.vectors), offsets: Array.from(qv.offsets), truth }),
  );
}
exactIndex.close();
const em = JSON.parse(readFileSync(join(exactDir, "manifest.json"), "utf8")) as IndexManifest;
const T = em.vectorCount;
const vectors = new Float32Array(readFileSync(join(exactDir, "vectors.f32")).buffer.slice(0)); // dev script: 228 MB
const offsets = new Int32Array(readFileSync(join(exactDir, "offsets.i32")).buffer.slice(0));
const docnos = JSON.parse(readFileSync(join(exactDir, "docnos.json"), "utf8")) as string[];
const float32Bytes = T * em.dim * 4;

/**
 * Same centroids and codes as the multi-plaid index `base` (so no k-means), residual buckets fitted
 * again with `mode` on 16,384 random tokens and every residual packed again at `nbits` bits.
 */
function requantise(base: string, dir: string, nbits: number, mode: BucketMode): void {
  const bm = JSON.parse(readFileSync(join(base, "manifest.json"), "utf8")) as IndexManifest;
  const nc = bm.buildParams.centroids as number;
  const d = bm.dim;
  const centroids = new Float32Array(readFileSync(join(base, "centroids.f32")).buffer.slice(0));
  const codes = new Uint16Array(readFileSync(join(base, codesFile(nc))).buffer.slice(0));
  const rand = new Mulberry32(42);
  const held = Math.min(T, 1 << 14);
  const res = new Float32Array(held * d);
  for (let r = 0; r < held; r++) {
    const t = rand.int(T);
    for (let j = 0; j < d; j++) res[r * d + j] = vectors[t * d + j] - centroids[codes[t] * d + j];
  }
  const { cutoffs, weights } = residualBuckets(res, nbits, mode, d);
  const codec = { dim: d, nbits, centroids, cutoffs, weights };
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(base))
    if (f !== "residuals.bin" && f !== "manifest.json") copyFileSync(join(base, f), join(dir, f));
  writeFileSync(join(dir, "residuals.bin"), packResiduals(codec, vectors, codes, T));
  const m = {
    ...bm,
    buildParams: { ...bm.buildParams, nbits, buckets: mode, cutoffs, weights, requantisedFrom: base },
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m, null, 2));
}

for (const spec of codecList.split(",")) {
  const [nb, buckets, nc] = spec.split(":");
  // "dir:PATH": an existing multi-plaid index of the same collection
  // "requant:nbits:buckets:PATH": PATH's centroids and codes, residuals quantised again
  const dir =
    nb === "dir"
      ? spec.slice(4)
      : nb === "requant"
        ? join(out, `requant-${buckets}-${nc}`)
        : join(out, `sweep-${nb}-${buckets}-${nc}`);
  let buildSeconds = 0;
  if (nb === "requant" && !existsSync(join(dir, "manifest.json"))) {
    const t0 = performance.now();
    requantise(spec.split(":").slice(3).join(":"), dir, Number(buckets), nc as BucketMode);
    buildSeconds = (performance.now() - t0) / 1000;
  } else if (!existsSync(join(dir, "manifest.json"))) {
    const t0 = performance.now();
    await writeVectorIndex(dir, {
      kind: "multi-plaid",
      encoderHash: em.encoderHash,
      dim: em.dim,
      vectors,
      offsets,
      docnos,
      options: {
        nbits: Number(nb),
        buckets: buckets as "pooled" | "pooled-mean" | "per-dim",
        ...(Number(nc) > 0 ? { centroids: Number(nc) } : {}),
      },
    });
    buildSeconds = (performance.now() - t0) / 1000;
  }
  const size = bytes(dir);
  let ceiling: number | null = null;
  for (const probe of probeList.split(",")) {
    const [nprobe, candidates] = probe.split(":").map(Number);
    const plaid = (await openVectorIndex(dir, { nprobe, candidates })) as PlaidIndex;
    const manifest = plaid.manifest;
    if (ceiling === null && ceilingQueries > 0) {
      const all = plaid.decompressDocs(Int32Array.from({ length: docnos.length }, (_, i) => i));
      const mem = new MultiVectorIndex(
        "mem",
        { ...manifest, kind: "multi-exact" },
        docnos,
        all.rows,
        all.offsets,
        null,
        0,
      );
      const nq = Math.min(ceilingQueries, queries.length);
      const sub = { dim: qv.dim, vectors: qv.vectors, offsets: qv.offsets.slice(0, nq + 1) };
      ceiling = recallAtK(truth.slice(0, nq), ids(await mem.search(sub, 10)), 10);
    }
    const t0 = performance.now();
    const run = await plaid.search(qv, 10);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      JSON.stringify({
        nbits: manifest.buildParams.nbits,
        buckets: manifest.buildParams.buckets ?? "pooled",
        dir,
        centroids: manifest.buildParams.centroids,
        nprobe,
        candidates,
        recallAt10: +recallAtK(truth, ids(run), 10).toFixed(4),
        ceilingRecallAt10: ceiling === null ? null : +ceiling.toFixed(4),
        ceilingQueries: Math.min(ceilingQueries, queries.length),
        bytes: size,
        ratioVsFloat32: +(float32Bytes / size).toFixed(2),
        qps: +(queries.length / seconds).toFixed(1),
        buildSeconds: +buildSeconds.toFixed(1),
      }),
    );
    plaid.close();
  }
}
