/**
 * A generic training loop that resumes exactly where a killed run stopped.
 *
 * Update t (0-based) consumes micro-batches batches(t·A + k), k < A (A = accumulate), each loss
 * scaled by 1/A before backward; then optional gradient clipping to `clipNorm`, the learning rate
 * schedule(t), one AdamW step, gradients dropped. libtorch's generator is re-seeded before every
 * micro-batch from (seed, t·A + k), so dropout is a pure function of the position too. A checkpoint
 * after update t stores the parameters, AdamW state, step, data position and loss history: a fresh
 * loop started from it performs the same remaining updates as the uninterrupted run.
 */
import { existsSync } from "node:fs";
import { clipGradNorm, manualSeed, tidy, type AdamW, type Tensor } from "../engine/index.js";
import { XlirError } from "../errors.js";
import { loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.js";
import { mixSeed } from "./prng.js";

export interface TrainProgress {
  step: number; // updates done
  steps: number;
  loss: number;
  lr: number;
  gradNorm: number | null;
  ms: number; // wall time of this update
}

export interface TrainLoopOptions<B> {
  /** Total optimizer updates. */
  steps: number;
  /** Parameters saved in checkpoints (name, tensor), e.g. `encoder.namedParameters()`. */
  params: [string, Tensor][];
  optimizer: AdamW;
  /** Micro-batch at stream position i; must be a pure function of i (see SeededShuffler). */
  batches: (i: number) => B;
  /** Forward pass: returns the scalar loss of one micro-batch (the loop runs backward). */
  stepFn: (batch: B, step: number) => Tensor;
  seed: number;
  /** Resolved configuration; its hash is stored in checkpoints and checked on resume. */
  config: unknown;
  /** Micro-batches per update (gradient accumulation, default 1). */
  accumulate?: number;
  /** Clip the global gradient L2 norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Learning rate of update t (default: the optimizer's current rate). */
  schedule?: (t: number) => number;
  checkpointPath?: string;
  /** Save a checkpoint every this many updates (and after the last one). */
  checkpointEvery?: number;
  /** Resume from checkpointPath when it exists (default true). */
  resume?: boolean;
  /** Stop (as if killed) after this many updates in total; for tests and time-boxed runs. */
  stopAfter?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainResult {
  /** Loss of every update, including those before a resume. */
  losses: number[];
  step: number;
  resumedFrom: number | null;
}

/** Runs (or resumes) the loop; see the file comment for the exact semantics. */
export function trainLoop<B>(o: TrainLoopOptions<B>): TrainResult {
  const A = o.accumulate ?? 1;
  if (!Number.isInteger(A) || A < 1) throw new XlirError("CONFIG", `accumulate must be a positive integer, got ${A}`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new XlirError("CONFIG", `steps must be a non-negative integer, got ${o.steps}`);
  let state: TrainState = { step: 0, position: 0, seed: o.seed, losses: [] };
  let resumedFrom: number | null = null;
  if (o.checkpointPath && (o.resume ?? true) && existsSync(o.checkpointPath)) {
    state = loadCheckpoint(o.checkpointPath, { params: o.params, optimizer: o.optimizer, config: o.config });
    if (state.seed !== o.seed) throw new XlirError("MISMATCH", `${o.checkpointPath}: checkpoint seed ${state.seed}, this run ${o.seed}`);
    resumedFrom = state.step;
  }
  const end = Math.min(o.steps, o.stopAfter ?? Infinity);
  const save = (): void => {
    if (o.checkpointPath) saveCheckpoint(o.checkpointPath, { params: o.params, optimizer: o.optimizer, state, config: o.config });
  };
  while (state.step < end) {
    const t = state.step;
    const t0 = performance.now();
    const lr = o.schedule ? o.schedule(t) : o.optimizer.getLr();
    if (o.schedule) o.optimizer.setLr(lr);
    let loss = 0;
    for (let k = 0; k < A; k++) {
      const pos = t * A + k;
      manualSeed(mixSeed(o.seed, pos));
      loss += tidy(() => {
        const l = o.stepFn(o.batches(pos), t);
        (A === 1 ? l : l.mul(1 / A)).backward();
        return l.item();
      });
    }
    loss /= A;
    const gradNorm = o.clipNorm !== undefined ? clipGradNorm(o.optimizer.params, o.clipNorm) : null;
    o.optimizer.step();
    o.optimizer.zeroGrad();
    state = { ...state, step: t + 1, position: (t + 1) * A, losses: [...state.losses, loss] };
    o.onProgress?.({ step: state.step, steps: o.steps, loss, lr, gradNorm, ms: performance.now() - t0 });
    if (o.checkpointEvery && state.step % o.checkpointEvery === 0) save();
  }
  if (o.checkpointPath && state.step === o.steps && resumedFrom !== o.steps) save();
  return { losses: state.losses, step: state.step, resumedFrom };
}
