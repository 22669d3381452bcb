/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter 2019; the update of torch.optim.AdamW) over
 * parameter groups, its state kept by the binding (native/xlir_optim.cc). Per parameter p with
 * gradient g at step t:
 *   p <- p - lr·wd·p;  m <- b1·m + (1-b1)·g;  v <- b2·v + (1-b2)·g²
 *   p <- p - lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * The state can be read out as plain arrays (for checkpoints) and written back (resume).
 */
import { Tensor, tidy } from "./torch.js";
import { tensor } from "./torch-ops.js";
import {
  native,
  type AdamWMode,
  type AdamWStateEntry,
  type Handle,
  type OptimHandle,
} from "./torch-native.js";

export interface ParamGroup {
  params: Tensor[];
  lr: number;
  weightDecay: number;
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  amsgrad: boolean;
  /**
   * Update each contiguous float CPU parameter in one fused pass over memory (same formula and state
   * as the ~8 tensor ops per parameter of torch::optim::AdamW); parameters on a GPU are updated with
   * libtorch's multi-tensor (foreach) ops. Default true. false: `foreach` or per-parameter ops.
   */
  fused: boolean;
  /** When not fused: multi-tensor ops over each group (true) or ~8 ops per parameter (false, default). */
  foreach: boolean;
}

/** One parameter's state as plain data: float32 moments in the parameter's shape. */
export interface SavedAdamWState {
  step: number;
  shape: number[];
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

/**
 * AdamW over parameter groups, its state in the binding (update: see the file comment).
 * @example
 * ```ts
 * import { AdamW, tensor, tidy } from "xlir";
 * const w = tensor([0], [1]).requireGrad(); // a parameter: lives outside any scope
 * const opt = new AdamW([{ params: [w], lr: 0.1, weightDecay: 0 }]);
 * tidy(() => w.sub(3).pow(2).sum().backward()); // gradient 2 (w - 3) = -6
 * opt.step(); // the first step moves by lr against the gradient's sign: m_hat / sqrt(v_hat) = g / |g|
 * console.assert(Math.abs(w.item() - 0.1) < 1e-6 && opt.getState()[0]!.step === 1);
 * opt.free();
 * w.free();
 * ```
 */
export class AdamW {
  #h: OptimHandle | null;
  readonly groups: ParamGroup[];
  readonly fused: boolean;
  /** How `step` updates: fused, foreach or ops (see AdamWOptions). */
  readonly mode: AdamWMode;

  constructor(groups: ParamGroup[], options: Partial<AdamWOptions> = {}) {
    const o: AdamWOptions = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      amsgrad: options.amsgrad ?? false,
      fused: options.fused ?? true,
      foreach: options.foreach ?? false,
    };
    this.groups = groups;
    this.fused = o.fused;
    this.mode = o.fused ? "fused" : o.foreach ? "foreach" : "ops";
    this.#h = native().adamwNew(
      groups.map((g) => ({ params: g.params.map((p) => p.handle), lr: g.lr, weightDecay: g.weightDecay })),
      o,
    );
  }

  private get handle(): OptimHandle {
    if (this.#h === null) throw new Error("optimizer was already freed");
    return this.#h;
  }

  /** Every parameter, groups in order (the order of `getState`). */
  get params(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }
  /** One update from the accumulated gradients (runs without autograd). */
  step(): void {
    native().adamwStep(this.handle, this.mode);
  }
  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    native().adamwZeroGrad(this.handle);
  }
  /** Sets the learning rate of one group, or of every group. */
  setLr(lr: number, group?: number): void {
    native().adamwSetLr(this.handle, lr, group);
  }
  getLr(group = 0): number {
    return native().adamwGetLr(this.handle, group);
  }
  /** The state of every parameter (null before its first update), copied out. */
  getState(): (SavedAdamWState | null)[] {
    return tidy(() =>
      native()
        .adamwGetState(this.handle)
        .map((e) => {
          if (e === null) return null;
          const ea = new Tensor(e.expAvg);
          const eq = new Tensor(e.expAvgSq);
          if (e.maxExpAvgSq) new Tensor(e.maxExpAvgSq);
          return { step: e.step, shape: ea.shape, expAvg: ea.toFloat32(), expAvgSq: eq.toFloat32() };
        }),
    );
  }
  /** Restores a state returned by `getState` (same parameters, same order). */
  setState(state: (SavedAdamWState | null)[]): void {
    tidy(() => {
      const entries: (AdamWStateEntry<Handle> | null)[] = state.map((s) =>
        s === null
          ? null
          : {
              step: s.step,
              expAvg: tensor(s.expAvg, s.shape).handle,
              expAvgSq: tensor(s.expAvgSq, s.shape).handle,
            },
      );
      native().adamwSetState(this.handle, entries);
    });
  }
  free(): void {
    if (this.#h !== null) native().adamwFree(this.#h);
    this.#h = null;
  }
}
