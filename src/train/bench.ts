/**
 * Training-step benchmark of the libtorch engine: forward + backward + AdamW of a random BERT-layout
 * encoder with a ColBERT head on one fixed random batch, loss = MSE(token vectors, fixed random
 * target). scripts/dev/torch_bench_train.py runs the identical step in PyTorch.
 */
import { availableParallelism } from "node:os";
import {
  getDevice,
  getThreads,
  manualSeed,
  mseLoss,
  randn,
  setDevice,
  setThreads,
  synchronize,
  tensor,
  tidy,
  torchVersion,
  type ProcessGroup,
} from "../engine/index.js";
import { TorchEncoder } from "../models/torch-encoder.js";
import type { EncoderConfig } from "../models/types.js";
import { rankSlice } from "./loop.js";
import { createAdamW } from "./optimizer.js";
import { median } from "../util/stats.js";
import { Mulberry32 } from "../util/random.js";

/** The random encoder and batch a training benchmark times. */
export interface BenchShape {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  seq: number;
  batch: number;
  vocab: number;
  steps: number;
}

/** The random BERT-layout encoder a training benchmark builds for `shape` (max positions >= seq, at least 512). */
export function benchEncoderConfig(shape: BenchShape): EncoderConfig {
  return {
    architecture: "bert",
    vocabSize: shape.vocab,
    hiddenSize: shape.hidden,
    numLayers: shape.layers,
    numHeads: shape.heads,
    intermediateSize: shape.ffn,
    maxPositions: Math.max(512, shape.seq),
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    padTokenId: 0,
    hiddenAct: "gelu",
    positionOffset: 0,
  };
}

export interface TrainBenchOptions extends BenchShape {
  /** Untimed steps first (default 3). */
  warmup?: number;
  /** ColBERT head dimension (default 128). */
  dim?: number;
  /** libtorch intra-op threads / OpenBLAS threads (default: the engine's defaults). */
  threads?: number;
  blasThreads?: number;
  /** Machine peak in GFLOP/s for the fraction reported (default 156: 2 Zen 3 cores, AVX2 FMA, 2.445 GHz). */
  peakGflops?: number;
  /** Device of the model and batch (cpu, cuda, cuda:N; default: the engine's current device). */
  device?: string;
  /** Data-parallel: this rank's group; `batch` is the global batch (a multiple of the world size). */
  group?: ProcessGroup;
}

export interface TrainBenchResult {
  backend: "libtorch";
  torch_version: string;
  /** Where the step ran, e.g. "cpu" or "cuda:0" (step times wait for the device to finish). */
  device: string;
  step_ms_median: number;
  step_ms_p90: number;
  step_ms_min: number;
  /** Process CPU time (user + system, all threads) per step: less sensitive to other load than wall time. */
  cpu_ms_median: number;
  steps: number;
  config: Omit<TrainBenchOptions, "threads" | "blasThreads" | "peakGflops" | "group" | "device">;
  /** Data-parallel ranks (1: one process); threads are per rank. */
  world_size: number;
  /** Global-batch texts per second at the median step. */
  examples_per_s: number;
  /** Median time of the gradient allreduce inside a step (0 with one rank). */
  allreduce_ms_median: number;
  threads: { torch: number; blas: number };
  /** libgomp's idle policy in effect (the engine sets PASSIVE unless the environment says otherwise). */
  omp_wait_policy: string | null;
  cores: number;
  params: number;
  gflop_per_step: number;
  gflops_at_median: number;
  peak_gflops: number;
  peak_fraction: number;
  /** Peak resident memory of the process (MB). */
  peak_rss_mb: number;
}

/**
 * Matmul FLOPs of one training step (backward counted as 2x forward):
 * 3 · 2·B·L·[layers·(4H² + 2H·F + 2·L·H) + H·dim].
 */
export function trainStepFlops(o: TrainBenchOptions): number {
  const { batch: B, seq: L, hidden: H, ffn: F, layers } = o;
  const dim = o.dim ?? 128;
  return 3 * 2 * B * L * (layers * (4 * H * H + 2 * H * F + 2 * L * H) + H * dim);
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Runs the benchmark; see the file comment. */
export function benchTrain(o: TrainBenchOptions): TrainBenchResult {
  if (o.threads !== undefined || o.blasThreads !== undefined)
    setThreads({ torch: o.threads, blas: o.blasThreads });
  if (o.device !== undefined) setDevice(o.device, "--device");
  const device = getDevice();
  const dim = o.dim ?? 128;
  const config = benchEncoderConfig(o);
  const enc = TorchEncoder.random(config, { kind: "colbert", dim, pooling: "cls" }, 0).train();
  const named = enc.namedParameters();
  const params = named.reduce((s, [, p]) => s + p.numel, 0);
  const opt = createAdamW(named, { lr: 1e-4 });
  const rng = new Mulberry32(1);
  const allIds = Int32Array.from({ length: o.batch * o.seq }, () => 1 + rng.int(o.vocab - 1));
  manualSeed(0);
  const allTarget = randn([o.batch, o.seq, dim]);
  // this rank's rows of the global batch (all rows with one process)
  const W = o.group?.worldSize ?? 1;
  const rows = rankSlice(
    Array.from({ length: o.batch }, (_, i) => i),
    o.group?.rank ?? 0,
    W,
  );
  const b = rows.length;
  const ids = new Int32Array(b * o.seq);
  rows.forEach((r, i) => ids.set(allIds.subarray(r * o.seq, (r + 1) * o.seq), i * o.seq));
  const mask = new Int32Array(b * o.seq).fill(1);
  const rowIndex = tensor(rows, [b], "int64");
  const target = allTarget.indexSelect(0, rowIndex);
  rowIndex.free();
  allTarget.free();
  if (o.group && W > 1)
    o.group.broadcast(
      named.map(([, p]) => p),
      0,
    );
  const reduceMs: number[] = [];
  const step = (): void => {
    tidy(() => {
      const v = enc.tokenVectors(ids, mask, b, o.seq); // [b, L, dim]
      mseLoss(v, target).backward();
    });
    if (o.group && W > 1) {
      const r0 = performance.now();
      o.group.allreduceGrads(opt.params, true);
      reduceMs.push(performance.now() - r0);
    }
    opt.step();
    opt.zeroGrad();
    synchronize(); // CUDA runs asynchronously: a step ends when the device is done (no-op on the CPU)
  };
  const warm = o.warmup ?? 3;
  for (let i = 0; i < warm; i++) step();
  reduceMs.length = 0;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  target.free();
  opt.free();
  enc.free();
  const sorted = [...times].sort((a, b) => a - b);
  const stepMs = median(times);
  const flop = trainStepFlops(o);
  const peak = o.peakGflops ?? 156;
  const gflops = flop / (stepMs / 1000) / 1e9;
  const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    backend: "libtorch",
    torch_version: torchVersion(),
    device,
    step_ms_median: round(stepMs),
    step_ms_p90: round(quantile(sorted, 0.9)),
    step_ms_min: round(sorted[0] ?? NaN),
    cpu_ms_median: round(median(cpu)),
    steps: o.steps,
    world_size: W,
    examples_per_s: round(o.batch / (stepMs / 1000), 1),
    allreduce_ms_median: reduceMs.length ? round(median(reduceMs)) : 0,
    config: {
      layers: o.layers,
      hidden: o.hidden,
      heads: o.heads,
      ffn: o.ffn,
      seq: o.seq,
      batch: o.batch,
      vocab: o.vocab,
      steps: o.steps,
      warmup: warm,
      dim,
    },
    threads: getThreads(),
    omp_wait_policy: process.env.OMP_WAIT_POLICY ?? null,
    cores: availableParallelism(),
    params,
    gflop_per_step: round(flop / 1e9, 3),
    gflops_at_median: round(gflops),
    peak_gflops: peak,
    peak_fraction: round(gflops / peak, 3),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
