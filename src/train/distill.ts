/**
 * Student training on bitext: the student encodes the foreign sentence, the frozen teacher's token
 * vectors of the English side come from a cache computed once, and a registered loss (`ot`,
 * `contrastive`, `mse`, `ot+contrastive`) compares them. Same data order, batches, steps and seed
 * for every loss, so students differ only in the loss.
 */
import { tensor, type ProcessGroup, type Tensor } from "../engine/index.js";
import { getLoss } from "../losses/registry.js";
import type { DistillBatch } from "../losses/types.js";
import type { TokenVectors } from "../models/types.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { BucketSampler } from "./buckets.js";
import { padTokenVectors } from "./encode-cache.js";
import { rankSlice, trainLoop, type TrainLoopOptions, type TrainProgress, type TrainResult } from "./loop.js";
import { createAdamW } from "./optimizer.js";
import { warmupLinearSchedule } from "./schedule.js";

export interface OptimSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  clipNorm: number;
  accumulate: number;
  checkpointEvery: number;
}

export interface DistillPair {
  foreign: string;
  english: string;
  /** Index of the English side in the teacher cache (equal for identical English sentences). */
  englishIndex: number;
}

export interface DistillOptions {
  student: TorchEncoder;
  studentTokenizer: TextTokenizer;
  pairs: readonly DistillPair[];
  /** Teacher token vectors of the distinct English sentences, indexed by `englishIndex`. */
  teacherEnglish: TokenVectors;
  loss: string;
  lossOptions: Readonly<Record<string, unknown>>;
  optim: OptimSettings;
  maxLength: number;
  seed: number;
  /** Resolved configuration stored (hashed) in the checkpoint. */
  config: unknown;
  checkpointPath?: string;
  stopAfter?: number;
  /**
   * Data-parallel training: this rank's process group. Each rank encodes its shard of every global
   * batch of `optim.batchSize` pairs (a multiple of the world size); see trainLoop.
   */
  group?: ProcessGroup;
  onProgress?: (p: TrainProgress & { stats?: Record<string, number> }) => void;
}

/** The trainLoop options that follow from the optimiser settings and the run (shared by teacher and students). */
export function loopSettings(
  optim: OptimSettings,
  run: { seed: number; config: unknown; checkpointPath?: string; stopAfter?: number },
): Pick<TrainLoopOptions<unknown>, "steps" | "seed" | "config" | "accumulate" | "clipNorm" | "schedule" | "checkpointPath" | "checkpointEvery" | "stopAfter"> {
  return {
    steps: optim.steps,
    seed: run.seed,
    config: run.config,
    accumulate: optim.accumulate,
    clipNorm: optim.clipNorm,
    schedule: warmupLinearSchedule({ peakLr: optim.learningRate, warmupSteps: Math.min(optim.warmupSteps, optim.steps), totalSteps: optim.steps }),
    checkpointPath: run.checkpointPath,
    checkpointEvery: optim.checkpointEvery,
    stopAfter: run.stopAfter,
  };
}

interface StudentBatch {
  items: number[];
}

/** Losses that also need the student's encoding of the English side. */
function needsStudentEnglish(loss: string, options: Readonly<Record<string, unknown>>): boolean {
  return loss === "mse" || ((loss === "ot" || loss === "ot+contrastive") && Number(options.anchor ?? 0) > 0);
}

/** Token lengths of the foreign sides, memoised per (pairs, tokenizer, maxLength): students share them. */
const lengthCache = new WeakMap<readonly DistillPair[], WeakMap<TextTokenizer, Map<number, number[]>>>();

function foreignLengths(pairs: readonly DistillPair[], tokenizer: TextTokenizer, maxLength: number): number[] {
  let byTokenizer = lengthCache.get(pairs);
  if (!byTokenizer) lengthCache.set(pairs, (byTokenizer = new WeakMap()));
  let byLength = byTokenizer.get(tokenizer);
  if (!byLength) byTokenizer.set(tokenizer, (byLength = new Map()));
  let lengths = byLength.get(maxLength);
  if (!lengths) {
    lengths = pairs.map((p) => (p.foreign.trim() === "" ? 0 : tokenizer.encodeBatch([p.foreign], { maxLength }).length));
    byLength.set(maxLength, lengths);
  }
  return lengths;
}

/** Trains `student` in place (resuming from `checkpointPath` when it exists). */
export function trainStudent(o: DistillOptions): TrainResult {
  const spec = getLoss(o.loss);
  const withEnglish = needsStudentEnglish(o.loss, o.lossOptions);
  const sampler = new BucketSampler(foreignLengths(o.pairs, o.studentTokenizer, o.maxLength), o.optim.batchSize, o.seed);
  const optimizer = createAdamW(o.student.namedParameters(), { lr: o.optim.learningRate, weightDecay: o.optim.weightDecay });
  o.student.train();
  let lastStats: Record<string, number> | undefined;
  try {
    return trainLoop<StudentBatch>({
      params: o.student.namedParameters(),
      optimizer,
      batches: (i) => ({ items: sampler.batch(i) }),
      stepFn: ({ items }) => {
        const pairs = items.map((i) => o.pairs[i]);
        const f = o.studentTokenizer.encodeBatch(
          pairs.map((p) => p.foreign),
          { maxLength: o.maxLength },
        );
        const F = o.student.tokenVectors(f.ids, f.mask, f.batch, f.length); // [B, m, d]
        const englishIds = pairs.map((p) => p.englishIndex);
        const t = padTokenVectors(o.teacherEnglish, englishIds);
        const dim = o.teacherEnglish.dim;
        const batch: DistillBatch = {
          student: F,
          studentMask: tensor(f.mask, [f.batch, f.length], "float32"),
          teacher: tensor(t.data, [f.batch, t.n, dim], "float32"), // [B, n, d]
          teacherMask: tensor(t.mask, [f.batch, t.n], "float32"),
          englishIds,
        };
        if (withEnglish) {
          const e = o.studentTokenizer.encodeBatch(
            pairs.map((p) => p.english),
            { maxLength: o.maxLength },
          );
          batch.studentEnglish = o.student.tokenVectors(e.ids, e.mask, e.batch, e.length); // [B, n', d]
          batch.studentEnglishMask = tensor(e.mask, [e.batch, e.length], "float32");
        }
        const result = spec.compute(batch, o.lossOptions);
        lastStats = result.stats;
        return result.loss as Tensor;
      },
      ...loopSettings(o.optim, o),
      distributed: o.group && { group: o.group, shard: (b, r, w) => ({ items: rankSlice(b.items, r, w) }) },
      onProgress: (p) => o.onProgress?.({ ...p, stats: lastStats }),
    });
  } finally {
    o.student.eval();
    optimizer.free();
  }
}
