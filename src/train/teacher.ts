/**
 * The English teacher: a late-interaction encoder trained with InfoNCE on English-only
 * (query, document) pairs, in-batch negatives, query and document through the same encoder
 * (ColBERT style). Pairs whose documents are identical are not each other's negatives.
 */
import { tensor, type ProcessGroup, type Tensor } from "../engine/index.js";
import { getLoss } from "../losses/registry.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { BucketSampler } from "./buckets.js";
import { loopSettings, type OptimSettings } from "./distill.js";
import { rankSlice, trainLoop, type TrainProgress, type TrainResult } from "./loop.js";
import { createAdamW } from "./optimizer.js";

export interface TeacherPair {
  query: string;
  document: string;
  /** Equal for identical documents (they are then not each other's negatives). */
  documentId: number;
}

export interface TeacherTrainingOptions {
  encoder: TorchEncoder;
  tokenizer: TextTokenizer;
  pairs: readonly TeacherPair[];
  optim: OptimSettings;
  maxQueryLength: number;
  maxDocLength: number;
  temperature: number;
  seed: number;
  config: unknown;
  checkpointPath?: string;
  stopAfter?: number;
  /**
   * Data-parallel training: this rank's process group; each rank encodes its shard of every
   * global batch, and its in-batch negatives are that shard's documents (see trainLoop).
   */
  group?: ProcessGroup;
  onProgress?: (p: TrainProgress) => void;
}

/**
 * Trains the teacher in place (resuming from `checkpointPath` when it exists).
 * @example
 * ```ts
 * import { loadHfFolder, TorchEncoder, trainTeacher } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const encoder = TorchEncoder.fromHfModel(m).unfreeze();
 * const r = trainTeacher({
 *   encoder, tokenizer: m.tokenizer,
 *   pairs: [
 *     { query: "the fox", document: "a fox ran", documentId: 0 },
 *     { query: "coffee", document: "the cafe", documentId: 1 },
 *   ],
 *   optim: { steps: 2, batchSize: 2, learningRate: 1e-3, warmupSteps: 1, weightDecay: 0, clipNorm: 1, accumulate: 1, checkpointEvery: 0 },
 *   maxQueryLength: 8, maxDocLength: 16, temperature: 0.05, seed: 1, config: {},
 * });
 * // InfoNCE over 2 in-batch candidates: finite, non-negative; the encoder is back in eval mode
 * console.assert(r.step === 2 && r.losses.every((l) => Number.isFinite(l) && l >= 0) && !encoder.training);
 * encoder.free();
 * ```
 */
export function trainTeacher(o: TeacherTrainingOptions): TrainResult {
  const contrastive = getLoss("contrastive");
  // bucket by document length (the longer side dominates the cost), queries follow
  const lengths = o.pairs.map((p) =>
    p.query.trim() === "" || p.document.trim() === ""
      ? 0
      : Math.min(o.maxDocLength, Math.ceil(p.document.length / 4) + 2),
  );
  const sampler = new BucketSampler(lengths, o.optim.batchSize, o.seed);
  const optimizer = createAdamW(o.encoder.namedParameters(), {
    lr: o.optim.learningRate,
    weightDecay: o.optim.weightDecay,
  });
  o.encoder.train();
  try {
    return trainLoop<number[]>({
      params: o.encoder.namedParameters(),
      optimizer,
      batches: (i) => sampler.batch(i),
      stepFn: (items) => {
        const pairs = items.map((i) => o.pairs[i]);
        const q = o.tokenizer.encodeBatch(
          pairs.map((p) => p.query),
          { maxLength: o.maxQueryLength },
        );
        const d = o.tokenizer.encodeBatch(
          pairs.map((p) => p.document),
          { maxLength: o.maxDocLength },
        );
        const Q = o.encoder.tokenVectors(q.ids, q.mask, q.batch, q.length); // [B, Lq, D]
        const D = o.encoder.tokenVectors(d.ids, d.mask, d.batch, d.length); // [B, Ld, D]
        const result = contrastive.compute(
          {
            student: Q,
            studentMask: tensor(q.mask, [q.batch, q.length], "float32"),
            teacher: D,
            teacherMask: tensor(d.mask, [d.batch, d.length], "float32"),
            englishIds: pairs.map((p) => p.documentId),
          },
          { temperature: o.temperature },
        );
        return result.loss as Tensor;
      },
      ...loopSettings(o.optim, o),
      distributed: o.group && { group: o.group, shard: rankSlice },
      onProgress: o.onProgress,
    });
  } finally {
    o.encoder.eval();
    optimizer.free();
  }
}
