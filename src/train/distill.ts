/**
 * Student training on bitext: the student encodes the foreign sentence with its own tokenizer, the
 * frozen teacher's token vectors of the English side come from a cache computed once with the
 * teacher's tokenizer (the two vocabularies may differ: the losses compare [B, m, d] with
 * [B, n, d] under separate masks), and a registered loss (`ot`,
 * `contrastive`, `mse`, `ot+contrastive`) compares them. Same data order, batches, steps and seed
 * for every loss, so students differ only in the loss.
 */
import { XlirError } from "../errors.js";
import { tensor, type ProcessGroup, type Tensor } from "../engine/index.js";
import { getLoss } from "../losses/registry.js";
import type { DistillBatch } from "../losses/types.js";
import { encodeRoleBatch } from "../models/interaction.js";
import type { TokenVectors } from "../models/types.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { BucketSampler } from "./buckets.js";
import type { IdfTable } from "./idf.js";
import { padTokenVectors } from "./encode-cache.js";
import { rankSlice, trainLoop, type TrainLoopOptions, type TrainProgress, type TrainResult } from "./loop.js";
import { createAdamW } from "./optimizer.js";
import { foreignInputs, teacherIdfWeights, type StudentInputs } from "./student-inputs.js";
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
  /**
   * The tokenizer that produced `teacherEnglish` (with `maxLength`); needed only for OT's
   * `marginals: "idf"`, and then only when it differs from `studentTokenizer`. Default: studentTokenizer.
   */
  teacherTokenizer?: TextTokenizer;
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
  /**
   * The foreign lengths and IDF weights computed once for many students
   * (`computeStudentInputs` over these pairs and tokenizers); computed here when absent.
   */
  inputs?: StudentInputs;
  /**
   * A group per pair (e.g. the k-means cluster of its English side): each batch is drawn from one
   * group, so in-batch negatives are topically close (BucketSampler). Default: no groups.
   */
  batchGroups?: ArrayLike<number>;
  onProgress?: (p: TrainProgress & { stats?: Record<string, number> }) => void;
}

/** The trainLoop options that follow from the optimiser settings and the run (shared by teacher and students). */
export function loopSettings(
  optim: OptimSettings,
  run: { seed: number; config: unknown; checkpointPath?: string; stopAfter?: number },
): Pick<
  TrainLoopOptions<unknown>,
  | "steps"
  | "seed"
  | "config"
  | "accumulate"
  | "clipNorm"
  | "schedule"
  | "checkpointPath"
  | "checkpointEvery"
  | "stopAfter"
> {
  return {
    steps: optim.steps,
    seed: run.seed,
    config: run.config,
    accumulate: optim.accumulate,
    clipNorm: optim.clipNorm,
    schedule: warmupLinearSchedule({
      peakLr: optim.learningRate,
      warmupSteps: Math.min(optim.warmupSteps, optim.steps),
      totalSteps: optim.steps,
    }),
    checkpointPath: run.checkpointPath,
    checkpointEvery: optim.checkpointEvery,
    stopAfter: run.stopAfter,
  };
}

interface StudentBatch {
  items: number[];
}

/** Result of `trainStudent`: the loop's result and the loss's stats averaged over this run's steps. */
export interface StudentTrainResult extends TrainResult {
  /**
   * Mean of each stat over the loss evaluations of this call (micro-batches; after a resume, only
   * those since the resume): for OT losses `meanIterations` and `convergedFraction` (Sinkhorn).
   */
  statsMean: Record<string, number>;
}

/** Memoised per (pairs, tokenizer, maxLength): students trained in one process share them. */
const foreignCache = new WeakMap<
  readonly DistillPair[],
  WeakMap<TextTokenizer, Map<number, Pick<StudentInputs, "lengths" | "studentIdf">>>
>();
const teacherCache = new WeakMap<
  readonly DistillPair[],
  WeakMap<TextTokenizer, Map<number, Float32Array[]>>
>();

function memo<V>(
  cache: WeakMap<readonly DistillPair[], WeakMap<TextTokenizer, Map<number, V>>>,
  pairs: readonly DistillPair[],
  tokenizer: TextTokenizer,
  maxLength: number,
  make: () => V,
): V {
  let a = cache.get(pairs);
  if (!a) cache.set(pairs, (a = new WeakMap()));
  let b = a.get(tokenizer);
  if (!b) a.set(tokenizer, (b = new Map()));
  let v = b.get(maxLength);
  if (v === undefined) b.set(maxLength, (v = make()));
  return v;
}

/**
 * The foreign lengths and (when the loss weighs tokens) the IDF weights of both sides: the
 * precomputed ones (`o.inputs`, src/train/student-inputs.ts) or computed here, checked against the
 * pairs and the teacher cache either way.
 */
function studentInputs(
  o: DistillOptions,
  withWeights: boolean,
): { lengths: ArrayLike<number>; idf: { student: IdfTable; teacher: Float32Array[] } | null } {
  const teacherTok = o.teacherTokenizer ?? o.studentTokenizer;
  const given = o.inputs;
  if (given && (given.lengths.length !== o.pairs.length || given.maxLength !== o.maxLength))
    throw new XlirError(
      "MISMATCH",
      `the student inputs hold ${given.lengths.length} foreign lengths at maxLength ${given.maxLength}, this student has ${o.pairs.length} pairs at maxLength ${o.maxLength}`,
    );
  const foreign =
    given ??
    memo(foreignCache, o.pairs, o.studentTokenizer, o.maxLength, () =>
      foreignInputs(
        o.pairs.map((p) => p.foreign),
        o.studentTokenizer,
        o.maxLength,
      ),
    );
  if (!withWeights) return { lengths: foreign.lengths, idf: null };
  const cache = o.teacherEnglish;
  const count = cache.offsets.length - 1;
  const teacher =
    given?.teacherWeights ??
    memo(teacherCache, o.pairs, teacherTok, o.maxLength, () => {
      const english: string[] = [];
      for (const p of o.pairs) english[p.englishIndex] = p.english;
      if (english.length !== count) {
        throw new XlirError(
          "BAD_INPUT",
          `marginals 'idf': the pairs name ${english.length} English sentences, the teacher cache holds ${count}`,
        );
      }
      return teacherIdfWeights(english, teacherTok, o.maxLength);
    });
  if (teacher.length !== count)
    throw new XlirError(
      "MISMATCH",
      `marginals 'idf': the student inputs weigh ${teacher.length} English sentences, the teacher cache holds ${count}`,
    );
  teacher.forEach((row, k) => {
    const n = cache.offsets[k + 1] - cache.offsets[k];
    if (row.length !== n) {
      throw new XlirError(
        "CONFIG",
        `marginals 'idf': English sentence ${k} has ${row.length} tokens under the given teacher tokenizer but ${n} in the teacher cache; pass the teacher's tokenizer (teacherTokenizer) and the maxLength it was encoded with`,
      );
    }
  });
  return { lengths: foreign.lengths, idf: { student: foreign.studentIdf, teacher } };
}

/** Trains `student` in place (resuming from `checkpointPath` when it exists). */
/**
 * @example
 * ```ts
 * import { encodeTokenVectors, loadHfFolder, TorchEncoder, trainStudent } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const teacher = TorchEncoder.fromHfModel(m).freeze();
 * const pairs = [
 *   { foreign: "un cafe", english: "the cafe", englishIndex: 0 },
 *   { foreign: "un fox", english: "the fox", englishIndex: 1 },
 * ];
 * const teacherEnglish = encodeTokenVectors(teacher, m.tokenizer, ["the cafe", "the fox"], { maxLength: 16 });
 * const student = TorchEncoder.fromHfModel(m).unfreeze();
 * const result = trainStudent({
 *   student, studentTokenizer: m.tokenizer, pairs, teacherEnglish,
 *   loss: "ot", lossOptions: { epsilon: 0.05, marginals: "idf" },
 *   optim: { steps: 2, batchSize: 2, learningRate: 1e-3, warmupSteps: 1, weightDecay: 0, clipNorm: 1, accumulate: 1, checkpointEvery: 0 },
 *   maxLength: 16, seed: 13, config: {},
 * });
 * console.assert(result.step === 2 && result.statsMean.convergedFraction >= 0);
 * student.free();
 * teacher.free();
 * ```
 */
export function trainStudent(o: DistillOptions): StudentTrainResult {
  const studentDim = o.student.head?.dim ?? o.student.config.hiddenSize;
  if (o.teacherEnglish.dim !== 0 && studentDim !== o.teacherEnglish.dim) {
    throw new XlirError(
      "MISMATCH",
      `the student's head gives ${studentDim}-d vectors, the teacher's ${o.teacherEnglish.dim}-d: give the student a projection to ${o.teacherEnglish.dim} dimensions`,
    );
  }
  const spec = getLoss(o.loss, o.lossOptions);
  const needs = spec.inputs(o.lossOptions);
  const withEnglish = needs.studentEnglish;
  const { lengths, idf } = studentInputs(o, needs.tokenWeights === true);
  if (o.batchGroups && o.batchGroups.length !== o.pairs.length)
    throw new XlirError("MISMATCH", `${o.batchGroups.length} batch groups for ${o.pairs.length} pairs`);
  const sampler = new BucketSampler(lengths, o.optim.batchSize, o.seed, undefined, o.batchGroups);
  const optimizer = createAdamW(o.student.namedParameters(), {
    lr: o.optim.learningRate,
    weightDecay: o.optim.weightDecay,
  });
  o.student.train();
  let lastStats: Record<string, number> | undefined;
  const statsSum: Record<string, number> = {};
  const statsCount: Record<string, number> = {};
  try {
    const result = trainLoop<StudentBatch>({
      params: o.student.namedParameters(),
      optimizer,
      batches: (i) => ({ items: sampler.batch(i) }),
      stepFn: ({ items }) => {
        const pairs = items.map((i) => o.pairs[i]);
        // the student's own tokenizer and query processing; the teacher's vectors came from its own
        const f = encodeRoleBatch(
          o.studentTokenizer,
          o.student.interaction.query,
          pairs.map((p) => p.foreign),
          o.maxLength,
        );
        const F = o.student.tokenVectors(f.ids, f.attend, f.batch, f.length, f.keep); // [B, m, d]
        const englishIds = pairs.map((p) => p.englishIndex);
        const t = padTokenVectors(o.teacherEnglish, englishIds);
        const dim = o.teacherEnglish.dim;
        const batch: DistillBatch = {
          student: F,
          studentMask: tensor(f.keep, [f.batch, f.length], "float32"),
          teacher: tensor(t.data, [f.batch, t.n, dim], "float32"), // [B, n, d]
          teacherMask: tensor(t.mask, [f.batch, t.n], "float32"),
          englishIds,
        };
        if (idf) {
          batch.studentWeights = tensor(
            idf.student.batchWeights(f.ids, f.keep),
            [f.batch, f.length],
            "float32",
          ); // [B, m]
          const tw = new Float32Array(f.batch * t.n);
          englishIds.forEach((k, b) => tw.set(idf.teacher[k], b * t.n));
          batch.teacherWeights = tensor(tw, [f.batch, t.n], "float32"); // [B, n], 0 on padding
        }
        if (withEnglish) {
          const e = encodeRoleBatch(
            o.studentTokenizer,
            o.student.interaction.query,
            pairs.map((p) => p.english),
            o.maxLength,
          );
          batch.studentEnglish = o.student.tokenVectors(e.ids, e.attend, e.batch, e.length, e.keep); // [B, n', d]
          batch.studentEnglishMask = tensor(e.keep, [e.batch, e.length], "float32");
        }
        const result = spec.compute(batch, o.lossOptions);
        lastStats = result.stats;
        for (const [k, v] of Object.entries(result.stats)) {
          statsSum[k] = (statsSum[k] ?? 0) + v;
          statsCount[k] = (statsCount[k] ?? 0) + 1;
        }
        return result.loss as Tensor;
      },
      ...loopSettings(o.optim, o),
      distributed: o.group && { group: o.group, shard: (b, r, w) => ({ items: rankSlice(b.items, r, w) }) },
      onProgress: (p) => o.onProgress?.({ ...p, stats: lastStats }),
    });
    const statsMean: Record<string, number> = {};
    for (const k of Object.keys(statsSum)) statsMean[k] = statsSum[k] / statsCount[k];
    return { ...result, statsMean };
  } finally {
    o.student.eval();
    optimizer.free();
  }
}
