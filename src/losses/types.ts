/** Inputs and outputs shared by the distillation losses (pure functions of embeddings and masks). */
import type { z } from "zod";
import type { Tensor } from "../engine/index.js";

/**
 * One bitext batch of token embeddings (f = foreign sentence, e = its English side).
 * Masks are [B, L] tensors with 1 on real tokens and 0 on padding (any numeric or bool dtype).
 */
export interface DistillBatch {
  /** F = student(f): [B, m, d] token vectors (trainable). */
  student: Tensor;
  studentMask: Tensor; // [B, m]
  /** E = teacher(e): [B, n, d] token vectors (frozen). */
  teacher: Tensor;
  teacherMask: Tensor; // [B, n]
  /** student(e): [B, n', d], for the OT anchor term and the MSE loss's second term. */
  studentEnglish?: Tensor;
  studentEnglishMask?: Tensor; // [B, n']
  /** Per-token marginal weights for OT's `marginals: "idf"`: [B, m] and [B, n], > 0 on real tokens; padding ignored. */
  studentWeights?: Tensor;
  teacherWeights?: Tensor;
  /** Identity of each pair's English sentence: equal ids in one batch are not each other's negatives. */
  englishIds?: readonly (string | number)[];
}

/** A scalar loss (differentiable w.r.t. the student tensors) and numbers worth logging. */
export interface LossResult {
  loss: Tensor; // [] scalar
  stats: Record<string, number>;
}

/** A registered loss: `compute(batch, options)` parses `options` with `schema` (unknown keys and values are rejected). */
export interface LossSpec {
  description: string;
  /** The one zod schema of the loss's options (strict; every field has a default). */
  schema: z.ZodObject;
  /** `schema.parse({})`. */
  defaults: Readonly<Record<string, unknown>>;
  compute(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult;
  /** What the batch must carry besides student/teacher tokens, for these (unparsed) options. */
  inputs(options?: Readonly<Record<string, unknown>>): LossInputs;
}

/** Optional batch fields a loss needs under given options. */
export interface LossInputs {
  /** batch.studentEnglish / studentEnglishMask (OT anchor, MSE English term). */
  studentEnglish: boolean;
  /** batch.studentWeights / teacherWeights (OT `marginals: "idf"`). */
  tokenWeights: boolean;
}
