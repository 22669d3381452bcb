/**
 * A generic training loop that resumes exactly where a killed run stopped.
 *
 * Update t (0-based) consumes micro-batches batches(t·A + k), k < A (A = accumulate), each loss
 * scaled by 1/A before backward; then optional gradient clipping to `clipNorm`, the learning rate
 * schedule(t), one AdamW step, gradients dropped. libtorch's generator is re-seeded before every
 * micro-batch from (seed, t·A + k), so dropout is a pure function of the position too. A checkpoint
 * after update t stores the parameters, AdamW state, step, data position and loss history: a fresh
 * loop started from it performs the same remaining updates as the uninterrupted run.
 *
 * Data parallel (`distributed`, W ranks on libtorch's c10d/gloo): every rank runs this loop over
 * the same global micro-batches batches(t·A + k) and computes only its shard of each one
 * (`rankSlice`: rank r takes items r, r+W, r+2W, ... so long and short items spread evenly; the
 * global batch size must be a multiple of W). After the A micro-batches of an update the gradients
 * are averaged over the ranks in one allreduce bucket, then clipped and stepped identically on
 * every rank; the logged loss is the mean of the ranks' losses. For a loss that is a mean of
 * per-example terms (MSE, OT distillation) this is the gradient of the global batch's loss, up to
 * float summation order; a loss with in-batch negatives (contrastive) sees only its rank's shard
 * as negatives, as in PyTorch's DistributedDataParallel. Dropout is seeded from (seed, t·A + k,
 * rank). Parameters are broadcast from rank 0 at the start; only rank 0 writes checkpoints (with
 * the world size, which a resume must match); every rank resumes from the same file and the ranks
 * check that they did.
 */
import { existsSync } from "node:fs";
import {
  clipGradNorm,
  manualSeed,
  tidy,
  type AdamW,
  type ProcessGroup,
  type Tensor,
} from "../engine/index.js";
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
  /** Data-parallel training over a process group (see the file comment); absent: one process. */
  distributed?: DistributedTraining<B>;
}

/** This rank's place in data-parallel training. */
export interface DistributedTraining<B> {
  group: ProcessGroup;
  /** This rank's shard of a global micro-batch; for item lists `(b, r, w) => rankSlice(b, r, w)`. */
  shard: (batch: B, rank: number, worldSize: number) => B;
}

/**
 * Rank r's shard of a global batch: items r, r+W, r+2W, ... (strided, so that length-sorted
 * batches give every rank a similar amount of work). The batch must split evenly (CONFIG error
 * otherwise), so that the mean of the ranks' mean losses is the mean over the global batch.
 * @example
 * ```ts
 * import { rankSlice, XlirError } from "xlir";
 * console.assert(rankSlice([0, 1, 2, 3, 4, 5], 1, 3).join() === "1,4"); // items r, r+W, ...
 * let code = "";
 * try {
 *   rankSlice([0, 1, 2], 0, 2); // 3 items do not split over 2 ranks
 * } catch (e) {
 *   code = (e as XlirError).code;
 * }
 * console.assert(code === "CONFIG");
 * ```
 */
export function rankSlice<T>(items: readonly T[], rank: number, worldSize: number): T[] {
  if (items.length % worldSize !== 0)
    throw new XlirError(
      "CONFIG",
      `a global batch of ${items.length} items does not split evenly over ${worldSize} ranks: use a batch size that is a multiple of the world size`,
    );
  const out: T[] = [];
  for (let i = rank; i < items.length; i += worldSize) out.push(items[i]);
  return out;
}

export interface TrainResult {
  /** Loss of every update, including those before a resume. */
  losses: number[];
  step: number;
  resumedFrom: number | null;
}

/**
 * Runs (or resumes) the loop; see the file comment for the exact semantics.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { AdamW, tensor, trainLoop } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * // fit one weight to 3: loss (w - 3)^2, 4 updates
 * const run = (checkpointPath?: string, stopAfter?: number) => {
 *   const w = tensor([0], [1]).requireGrad();
 *   const optimizer = new AdamW([{ params: [w], lr: 0.5, weightDecay: 0 }]);
 *   const r = trainLoop({
 *     steps: 4, params: [["w", w]], optimizer, seed: 1, config: { lr: 0.5 },
 *     batches: (i) => i, stepFn: () => w.sub(3).pow(2).sum(),
 *     checkpointPath, checkpointEvery: 1, stopAfter,
 *   });
 *   optimizer.free();
 *   w.free();
 *   return r;
 * };
 * const uninterrupted = run();
 * const ckpt = join(dir, "ckpt.safetensors");
 * run(ckpt, 2); // as if killed after 2 updates
 * const resumed = run(ckpt); // a fresh loop picks up the checkpoint
 * console.assert(resumed.resumedFrom === 2 && resumed.step === 4);
 * console.assert(resumed.losses.every((l, t) => Math.abs(l - uninterrupted.losses[t]) < 1e-6));
 * console.assert(uninterrupted.losses[0] === 9 && uninterrupted.losses[3] < 9);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function trainLoop<B>(o: TrainLoopOptions<B>): TrainResult {
  const A = o.accumulate ?? 1;
  if (!Number.isInteger(A) || A < 1)
    throw new XlirError("CONFIG", `accumulate must be a positive integer, got ${A}`);
  if (!Number.isInteger(o.steps) || o.steps < 0)
    throw new XlirError("CONFIG", `steps must be a non-negative integer, got ${o.steps}`);
  const dist = o.distributed;
  const group = dist?.group;
  const W = group?.worldSize ?? 1;
  const rank = group?.rank ?? 0;
  let state: TrainState = { step: 0, position: 0, seed: o.seed, losses: [] };
  let resumedFrom: number | null = null;
  if (o.checkpointPath && (o.resume ?? true) && existsSync(o.checkpointPath)) {
    state = loadCheckpoint(o.checkpointPath, {
      params: o.params,
      optimizer: o.optimizer,
      config: o.config,
      worldSize: W,
    });
    if (state.seed !== o.seed)
      throw new XlirError(
        "MISMATCH",
        `${o.checkpointPath}: checkpoint seed ${state.seed}, this run ${o.seed}`,
      );
    resumedFrom = state.step;
  }
  if (group && W > 1) syncStart(group, o.params, resumedFrom, o.checkpointPath);
  const end = Math.min(o.steps, o.stopAfter ?? Infinity);
  const save = (): void => {
    if (o.checkpointPath && rank === 0)
      saveCheckpoint(o.checkpointPath, {
        params: o.params,
        optimizer: o.optimizer,
        state,
        config: o.config,
        worldSize: W,
      });
  };
  while (state.step < end) {
    const t = state.step;
    const t0 = performance.now();
    const lr = o.schedule ? o.schedule(t) : o.optimizer.getLr();
    if (o.schedule) o.optimizer.setLr(lr);
    let loss = 0;
    for (let k = 0; k < A; k++) {
      const pos = t * A + k;
      manualSeed(W === 1 ? mixSeed(o.seed, pos) : mixSeed(o.seed, pos, rank));
      loss += tidy(() => {
        const global = o.batches(pos);
        const l = o.stepFn(dist && W > 1 ? dist.shard(global, rank, W) : global, t);
        (A === 1 ? l : l.mul(1 / A)).backward();
        return l.item();
      });
    }
    loss /= A;
    if (group && W > 1) {
      // mean gradient over the ranks (one bucket), then the same clip and step everywhere
      group.allreduceGrads(o.optimizer.params, true);
      loss = group.allreduceNumbers([loss], "avg")[0];
    }
    const gradNorm = o.clipNorm !== undefined ? clipGradNorm(o.optimizer.params, o.clipNorm) : null;
    o.optimizer.step();
    o.optimizer.zeroGrad();
    state = { ...state, step: t + 1, position: (t + 1) * A, losses: [...state.losses, loss] };
    o.onProgress?.({ step: state.step, steps: o.steps, loss, lr, gradNorm, ms: performance.now() - t0 });
    if (o.checkpointEvery && state.step % o.checkpointEvery === 0) save();
  }
  if (o.checkpointPath && state.step === o.steps && resumedFrom !== o.steps) save();
  // no rank returns (and perhaps reads the checkpoint) before rank 0 has written it
  if (group && W > 1) group.barrier();
  return { losses: state.losses, step: state.step, resumedFrom };
}

/**
 * Start of a data-parallel run: the ranks must stand at the same step (the same checkpoint, or
 * none), then rank 0's parameters are broadcast so that all ranks start from identical weights.
 */
function syncStart(
  group: ProcessGroup,
  params: [string, Tensor][],
  resumedFrom: number | null,
  checkpointPath: string | undefined,
): void {
  const at = resumedFrom ?? -1;
  const [lo, hi] = [group.allreduceNumbers([at], "min")[0], group.allreduceNumbers([at], "max")[0]];
  if (lo !== hi) {
    const what = (s: number): string => (s < 0 ? "a fresh start" : `step ${s}`);
    throw new XlirError(
      "MISMATCH",
      `ranks disagree on where to start (${what(lo)} .. ${what(hi)}; rank ${group.rank}: ${what(at)}): ` +
        `every rank must see the same checkpoint ${checkpointPath ?? "(none given)"}; put it on a file system all ranks share`,
    );
  }
  tidy(() =>
    group.broadcast(
      params.map(([, p]) => p),
      0,
    ),
  );
}
