/** A student trained from the tiny BERT fixture's weights (shared by the distillation tests). */
import type { HfModel } from "../../src/models/hf.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { TokenVectors } from "../../src/models/types.js";
import {
  trainStudent,
  type DistillPair,
  type OptimSettings,
  type StudentTrainResult,
} from "../../src/train/distill.js";
import type { StudentInputs } from "../../src/train/student-inputs.js";

/** Three steps of 4 pairs, a short warm-up, no checkpoints. */
export const TINY_OPTIM: OptimSettings = {
  steps: 3,
  batchSize: 4,
  learningRate: 1e-3,
  warmupSteps: 1,
  weightDecay: 0.01,
  clipNorm: 1,
  accumulate: 1,
  checkpointEvery: 0,
};

export function trainTinyStudent(
  model: HfModel,
  o: {
    pairs: readonly DistillPair[];
    teacherEnglish: TokenVectors;
    loss: string;
    lossOptions: Record<string, unknown>;
    optim: OptimSettings;
    maxLength: number;
    inputs?: StudentInputs;
    batchGroups?: ArrayLike<number>;
  },
): StudentTrainResult & { weights: Array<[string, number[]]> } {
  const student = TorchEncoder.fromWeights(
    model.config,
    model.weights,
    model.head,
    model.headWeights,
  ).unfreeze();
  try {
    const r = trainStudent({
      student,
      studentTokenizer: model.tokenizer,
      seed: 13,
      config: { loss: o.loss, lossOptions: o.lossOptions },
      ...o,
    });
    return { ...r, weights: student.namedParameters().map(([n, p]) => [n, [...p.toFloat32()]]) };
  } finally {
    student.free();
  }
}
