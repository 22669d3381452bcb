/**
 * `xlir bench scale`: a large synthetic late-interaction collection indexed in parts as
 * multi-plaid, each part in its own child process (as on separate machines), then searched
 * through the parts manifest in another child; recall@10 against exhaustive exact MaxSim on a
 * sample of queries (a third child streams every passage). Peak RSS of every child is
 * `process.resourceUsage().maxRSS`.
 *
 * The collection is generated, never stored as float32: passage p is a pure function of (seed, p)
 * so that every process regenerates exactly the passages it needs. Passage lengths are lognormal
 * (median `medianTokens`, sigma 0.6, clipped to [minTokens, maxTokens]: MS MARCO / Wikipedia-
 * paragraph-like, mean ~1.2 x median); each passage draws 1-3 topics among `topics` unit centres
 * and each token is normalise(centre + spread * g), the centre its passage's topic (75%) or one of
 * 32 frequent "function word" centres (25%); g is standard normal noise from a seeded pool.
 * Queries (`queryTokens` tokens) take the topics of a random target passage.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenVectors } from "../models/types.js";
import { writeVectorIndexFrom } from "../index/write.js";
import { maxSimAll } from "../index/exact.js";
import { assembleParts, partDir } from "../index/parts.js";
import { PLAID_DEFAULTS, type BucketMode } from "../index/plaid-codec.js";
import { openVectorIndex } from "../index/registry.js";
import { TopK } from "../index/topk.js";
import type { ChunkSource, VectorChunk } from "../index/types.js";
import { mixSeed, Mulberry32 } from "../util/random.js";
import { recallAtK } from "./bench.js";

export interface ScaleBenchOptions {
  passages: number;
  parts: number;
  dim: number;
  medianTokens: number;
  minTokens: number;
  maxTokens: number;
  topics: number;
  spread: number;
  queries: number;
  queryTokens: number;
  nbits: number;
  /** Residual buckets (see BUCKET_MODES in index/plaid-codec.ts). */
  buckets: BucketMode;
  /** Centroids per part (default: ColBERTv2's rule on the part's tokens, at most 4096). */
  centroids?: number;
  kmeansIterations: number;
  /** k-means training points per centroid. */
  pointsPerCentroid: number;
  nprobe: number;
  candidates: number;
  k: number;
  /** Part children run at once. */
  concurrency: number;
  seed: number;
  /** Work folder (default: a temporary folder, removed at the end). */
  dir?: string;
}

export const SCALE_BENCH_DEFAULTS: ScaleBenchOptions = {
  passages: 1_000_000,
  parts: 4,
  dim: 128,
  medianTokens: 48,
  minTokens: 8,
  maxTokens: 180,
  topics: 4096,
  spread: 0.045,
  queries: 50,
  queryTokens: 32,
  nbits: 2,
  buckets: PLAID_DEFAULTS.buckets,
  kmeansIterations: 4,
  pointsPerCentroid: 16,
  nprobe: 4,
  candidates: 256,
  k: 10,
  concurrency: 2,
  seed: 7,
};

const POOL = 1 << 16;
const FREQUENT = 32;
const PASSAGES_PER_CHUNK = 2048;

function gauss(r: Mulberry32): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** The deterministic synthetic collection (see the module comment). */
export class SyntheticCollection {
  readonly centres: Float32Array; // [topics, dim]
  private readonly pool: Float32Array; // [POOL + dim] standard normal

  constructor(readonly o: ScaleBenchOptions) {
    const r = new Mulberry32(mixSeed(o.seed, 1));
    this.centres = new Float32Array(o.topics * o.dim);
    for (let i = 0; i < this.centres.length; i++) this.centres[i] = gauss(r);
    for (let t = 0; t < o.topics; t++) normalise(this.centres, t * o.dim, o.dim);
    this.pool = new Float32Array(POOL + o.dim);
    for (let i = 0; i < this.pool.length; i++) this.pool[i] = gauss(r);
  }

  /** Length and topics of passage p, and its generator positioned at its first token. */
  private header(p: number): { r: Mulberry32; length: number; topics: number[] } {
    const o = this.o;
    const r = new Mulberry32(mixSeed(o.seed, 2, p));
    const length = Math.max(
      o.minTokens,
      Math.min(o.maxTokens, Math.round(Math.exp(Math.log(o.medianTokens) + 0.6 * gauss(r)))),
    );
    const topics = Array.from({ length: 1 + r.int(3) }, () => FREQUENT + r.int(o.topics - FREQUENT));
    return { r, length, topics };
  }

  length(p: number): number {
    return this.header(p).length;
  }

  private token(out: Float32Array, at: number, z: number, r: Mulberry32): void {
    const d = this.o.dim;
    const off = r.int(POOL);
    const s = this.o.spread;
    for (let j = 0; j < d; j++) out[at + j] = this.centres[z * d + j] + s * this.pool[off + j];
    normalise(out, at, d);
  }

  /** Token rows of passage p into `out` at row `row`; returns its length. */
  passage(p: number, out: Float32Array, row: number): number {
    const { r, length, topics } = this.header(p);
    for (let t = 0; t < length; t++) {
      const z = r.next() < 0.25 ? r.int(FREQUENT) : topics[r.int(topics.length)];
      this.token(out, (row + t) * this.o.dim, z, r);
    }
    return length;
  }

  /** Query j: queryTokens rows drawn from the topics of a random target passage. -> [queryTokens, dim]. */
  query(j: number): Float32Array {
    const o = this.o;
    const r = new Mulberry32(mixSeed(o.seed, 3, j));
    const { topics } = this.header(r.int(o.passages));
    const out = new Float32Array(o.queryTokens * o.dim);
    for (let t = 0; t < o.queryTokens; t++)
      this.token(out, t * o.dim, r.next() < 0.1 ? r.int(FREQUENT) : topics[r.int(topics.length)], r);
    return out;
  }

  queries(): TokenVectors {
    const o = this.o;
    const vectors = new Float32Array(o.queries * o.queryTokens * o.dim);
    for (let j = 0; j < o.queries; j++) vectors.set(this.query(j), j * o.queryTokens * o.dim);
    return {
      dim: o.dim,
      vectors,
      offsets: Int32Array.from({ length: o.queries + 1 }, (_, i) => i * o.queryTokens),
    };
  }

  /** Chunks of the passages listed (ascending ids), generated on demand. */
  *chunks(ids: (i: number) => number, count: number): Generator<VectorChunk> {
    const d = this.o.dim;
    for (let c0 = 0; c0 < count; c0 += PASSAGES_PER_CHUNK) {
      const n = Math.min(PASSAGES_PER_CHUNK, count - c0);
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + this.length(ids(c0 + i));
      const vectors = new Float32Array(offsets[n] * d);
      const docnos: string[] = [];
      for (let i = 0; i < n; i++) {
        this.passage(ids(c0 + i), vectors, offsets[i]);
        docnos.push(docno(ids(c0 + i)));
      }
      yield { vectors, offsets, docnos };
    }
  }
}

function normalise(x: Float32Array, at: number, d: number): void {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[at + j] * x[at + j];
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < d; j++) x[at + j] *= inv;
}

const docno = (p: number): string => `p${String(p).padStart(8, "0")}`;

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function dirBytes(dir: string): number {
  let sum = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    sum += f.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return sum;
}

/** Child job: index part `part` (passages p with p mod parts = part) as multi-plaid. */
async function indexPart(o: ScaleBenchOptions, dir: string, part: number): Promise<Record<string, number>> {
  const t0 = performance.now();
  const gen = new SyntheticCollection(o);
  const count = Math.floor((o.passages - part + o.parts - 1) / o.parts);
  const ids = (i: number): number => part + i * o.parts;
  let tokens = 0;
  for (let i = 0; i < count; i++) tokens += gen.length(ids(i));
  const docnos = Array.from({ length: count }, (_, i) => docno(ids(i)));
  const source: ChunkSource = {
    dim: o.dim,
    docCount: count,
    vectorCount: tokens,
    chunks: () => gen.chunks(ids, count),
  };
  const centroids = o.centroids ?? Math.min(4096, 2 ** Math.floor(Math.log2(16 * Math.sqrt(tokens))));
  const out = partDir(dir, { index: part, count: o.parts });
  const { structureSeconds } = await writeVectorIndexFrom(out, "multi-plaid", "synthetic", source, docnos, {
    options: {
      nbits: o.nbits,
      buckets: o.buckets,
      centroids,
      kmeansIterations: o.kmeansIterations,
      pointsPerCentroid: o.pointsPerCentroid,
      nprobe: o.nprobe,
      candidates: o.candidates,
      seed: o.seed,
    },
    buildParams: { part, partCount: o.parts, partRule: "record position mod partCount" },
    createdBy: "xlir bench scale",
  });
  return {
    part,
    passages: count,
    tokens,
    centroids,
    seconds: (performance.now() - t0) / 1000,
    codecSeconds: structureSeconds,
    indexBytes: dirBytes(out),
    peakRssMb: peakRssMb(),
  };
}

/** Child job: search the parted index with the sample queries. */
async function searchParts(o: ScaleBenchOptions, dir: string): Promise<Record<string, unknown>> {
  const gen = new SyntheticCollection(o);
  const q = gen.queries();
  const t0 = performance.now();
  const index = await openVectorIndex(dir, { nprobe: o.nprobe, candidates: o.candidates });
  const openSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const hits = await index.search(q, o.k);
  const seconds = (performance.now() - t1) / 1000;
  index.close();
  return {
    openSeconds,
    seconds,
    qps: o.queries / seconds,
    peakRssMb: peakRssMb(),
    hits: hits.map((h) => h.map((x) => x.docno)),
  };
}

/** Child job: exact MaxSim top-k of the sample queries over every passage, streamed. */
async function exactTopK(o: ScaleBenchOptions): Promise<Record<string, unknown>> {
  const gen = new SyntheticCollection(o);
  const q = gen.queries();
  const t0 = performance.now();
  const heaps = Array.from({ length: o.queries }, () => new TopK(o.k));
  for (const c of gen.chunks((i) => i, o.passages)) {
    const n = c.offsets.length - 1;
    const scores = await maxSimAll(q, c.vectors, c.offsets, o.dim); // [nq, n]
    const first = Number(c.docnos[0].slice(1));
    for (let j = 0; j < o.queries; j++)
      for (let i = 0; i < n; i++) heaps[j].push(first + i, scores[j * n + i]);
  }
  // TopK without tie ranks breaks ties by id (larger first) = docno descending here.
  return {
    seconds: (performance.now() - t0) / 1000,
    peakRssMb: peakRssMb(),
    hits: heaps.map((h) => h.sorted().map((x) => docno(x.id))),
  };
}

type Job =
  | { job: "index"; o: ScaleBenchOptions; dir: string; part: number }
  | { job: "search"; o: ScaleBenchOptions; dir: string }
  | { job: "exact"; o: ScaleBenchOptions };

function runChild(job: Job): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--scale-job", JSON.stringify(job)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (code) => {
      if (code !== 0)
        reject(new Error(`scale bench child (${job.job}) exited with ${code}: ${err.slice(-2000)}`));
      else {
        const r = JSON.parse(out.trim().split("\n").pop() as string) as Record<string, unknown>;
        // progress on stderr (stdout holds only the final JSON): what each child measured, as it ends
        const { hits: _hits, ...stats } = r;
        process.stderr.write(`scale bench: ${job.job} done ${JSON.stringify(stats)}\n`);
        resolve(r);
      }
    });
  });
}

/** Runs the benchmark; one JSON-serialisable object. */
export async function runScaleBench(opts: Partial<ScaleBenchOptions>): Promise<Record<string, unknown>> {
  const o = { ...SCALE_BENCH_DEFAULTS, ...opts };
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "xlir-bench-scale-"));
  const t0 = performance.now();
  try {
    const parts: Array<Record<string, unknown>> = [];
    const queue = Array.from({ length: o.parts }, (_, i) => i);
    const exactRun = runChild({ job: "exact", o });
    await Promise.all(
      Array.from({ length: Math.max(1, o.concurrency) }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift())
          parts.push(await runChild({ job: "index", o, dir, part: i }));
      }),
    );
    parts.sort((a, b) => (a.part as number) - (b.part as number));
    const ta = performance.now();
    await assembleParts(dir);
    const assembleSeconds = (performance.now() - ta) / 1000;
    const search = await runChild({ job: "search", o, dir });
    const exact = await exactRun;
    const tokens = parts.reduce((a, p) => a + (p.tokens as number), 0);
    const float32Bytes = tokens * o.dim * 4;
    const indexBytes = dirBytes(dir);
    const { hits: approxHits, ...searchStats } = search;
    const { hits: exactHits, ...exactStats } = exact;
    return {
      benchmark: "scale",
      options: { ...o, dir: o.dir ?? "(temporary)" },
      collection: { passages: o.passages, tokens, meanTokens: tokens / o.passages, float32Bytes },
      index: {
        kind: "multi-plaid",
        parts,
        assembleSeconds,
        indexBytes,
        sizeRatioVsFloat32: float32Bytes / indexBytes,
        maxPartPeakRssMb: Math.max(...parts.map((p) => p.peakRssMb as number)),
      },
      search: searchStats,
      exact: {
        ...exactStats,
        note: "exhaustive MaxSim over every passage, streamed by generation in a separate child (runs while the parts are indexed)",
      },
      recallAt10: recallAtK(exactHits as string[][], approxHits as string[][], o.k),
      totalSeconds: (performance.now() - t0) / 1000,
      node: process.version,
    };
  } finally {
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--scale-job" && process.argv[1] === fileURLToPath(import.meta.url)) {
  const job = JSON.parse(process.argv[3]) as Job;
  const run =
    job.job === "index"
      ? indexPart(job.o, job.dir, job.part)
      : job.job === "search"
        ? searchParts(job.o, job.dir)
        : exactTopK(job.o);
  run.then(
    (r) => process.stdout.write(JSON.stringify(r) + "\n"),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
