/**
 * Tensor creation and multi-input ops over the libtorch binding (the single-input ops are methods
 * of `Tensor`). Random ops use libtorch's global generator: seed it with `manualSeed`.
 */
import { fromHandle, Tensor } from "./torch.js";
import { defaultThreads, native, type DType, type NumericArray, type Reduction } from "./torch-native.js";

function dtypeOf(data: NumericArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Int32Array) return "int32";
  return "bool";
}

/** A tensor holding a copy of `data` (row-major) with `shape`; optionally converted to `dtype`. */
/**
 * @example
 * ```ts
 * import { tensor, tidy } from "xlir";
 * const sum = tidy(() => tensor([1, 2, 3, 4], [2, 2], "float64").sum().item());
 * console.assert(sum === 10);
 * ```
 */
export function tensor(data: NumericArray | number[], shape: number[], dtype?: DType): Tensor {
  const arr = Array.isArray(data) ? Float64Array.from(data) : data;
  const dt = dtype ?? (Array.isArray(data) ? "float32" : dtypeOf(arr));
  return fromHandle(native().fromArray(arr, shape, dt));
}

/**
 * A scalar (0-d) tensor.
 * @example
 * ```ts
 * import { scalar, tidy } from "xlir";
 * tidy(() => {
 *   const s = scalar(2.5);
 *   console.assert(s.shape.length === 0 && s.dtype === "float32" && s.item() === 2.5);
 * });
 * ```
 */
export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().full([], value, dtype));
}
/**
 * A tensor of zeros with `shape` (default float32).
 * @example
 * ```ts
 * import { tidy, zeros } from "xlir";
 * tidy(() => {
 *   const z = zeros([2, 3], "int64");
 *   console.assert(z.shape.join() === "2,3" && z.dtype === "int64" && z.abs().sum().item() === 0);
 * });
 * ```
 */
export function zeros(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().zeros(shape, dtype));
}
/**
 * A tensor of ones with `shape` (default float32).
 * @example
 * ```ts
 * import { ones, tidy } from "xlir";
 * console.assert(tidy(() => ones([2, 3]).sum().item()) === 6);
 * ```
 */
export function ones(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().ones(shape, dtype));
}
/**
 * A tensor with every element `value`.
 * @example
 * ```ts
 * import { full, tidy } from "xlir";
 * const x = tidy(() => full([2, 2], 7, "float64").toFloat64());
 * console.assert(x.length === 4 && x.every((v) => v === 7));
 * ```
 */
export function full(shape: number[], value: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().full(shape, value, dtype));
}
/**
 * [start, start+step, ..., < end]
 * @example
 * ```ts
 * import { arange, tidy } from "xlir";
 * const r = tidy(() => arange(1, 7, 2).toArray()); // int64: [1, 3, 5]
 * console.assert(Array.from(r, Number).join() === "1,3,5");
 * ```
 */
export function arange(start: number, end: number, step = 1, dtype: DType = "int64"): Tensor {
  return fromHandle(native().arange(start, end, step, dtype));
}
/**
 * Standard normal samples (libtorch's generator; seed with manualSeed).
 * @example
 * ```ts
 * import { manualSeed, randn, tidy } from "xlir";
 * manualSeed(0);
 * const [mean, std] = tidy(() => {
 *   const x = randn([4000], "float64");
 *   const m = x.mean();
 *   return [m.item(), x.sub(m).pow(2).mean().sqrt().item()];
 * });
 * console.assert(Math.abs(mean) < 0.1 && Math.abs(std - 1) < 0.1); // standard normal
 * ```
 */
export function randn(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().randn(shape, dtype));
}
/**
 * Uniform [0, 1) samples (libtorch's generator; seed with manualSeed).
 * @example
 * ```ts
 * import { manualSeed, rand, tidy } from "xlir";
 * manualSeed(0);
 * const [lo, hi, mean] = tidy(() => {
 *   const x = rand([4000], "float64");
 *   return [x.amin().item(), x.amax().item(), x.mean().item()];
 * });
 * console.assert(lo >= 0 && hi < 1 && Math.abs(mean - 0.5) < 0.05); // uniform [0, 1)
 * ```
 */
export function rand(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().rand(shape, dtype));
}
/**
 * The n x n identity matrix.
 * @example
 * ```ts
 * import { eye, tensor, tidy } from "xlir";
 * const y = tidy(() => eye(2).matmul(tensor([1, 2, 3, 4], [2, 2])).toFloat32());
 * console.assert(y.join() === "1,2,3,4"); // I x = x
 * ```
 */
export function eye(n: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().eye(n, dtype));
}

/**
 * Concatenation along an existing dim.
 * @example
 * ```ts
 * import { cat, ones, tidy, zeros } from "xlir";
 * tidy(() => {
 *   const c = cat([ones([2, 3]), zeros([1, 3])], 0);
 *   console.assert(c.shape.join() === "3,3" && c.sum().item() === 6);
 * });
 * ```
 */
export function cat(list: Tensor[], dim = 0): Tensor {
  return fromHandle(
    native().cat(
      list.map((t) => t.handle),
      dim,
    ),
  );
}
/**
 * Stacking along a new dim.
 * @example
 * ```ts
 * import { ones, stack, tidy, zeros } from "xlir";
 * tidy(() => {
 *   const s = stack([ones([2]), zeros([2])], 1); // [[1, 0], [1, 0]]
 *   console.assert(s.shape.join() === "2,2" && s.toFloat32().join() === "1,0,1,0");
 * });
 * ```
 */
export function stack(list: Tensor[], dim = 0): Tensor {
  return fromHandle(
    native().stack(
      list.map((t) => t.handle),
      dim,
    ),
  );
}
/**
 * torch.einsum, e.g. `einsum("bid,bjd->bij", q, d)`.
 * @example
 * ```ts
 * import { einsum, tensor, tidy } from "xlir";
 * const dot = tidy(() => einsum("i,i->", tensor([1, 2, 3], [3]), tensor([4, 5, 6], [3])).item());
 * console.assert(dot === 32); // 4 + 10 + 18
 * ```
 */
export function einsum(equation: string, ...list: Tensor[]): Tensor {
  return fromHandle(
    native().einsum(
      equation,
      list.map((t) => t.handle),
    ),
  );
}
/**
 * cond ? a : b elementwise (broadcast; a or b may be numbers).
 * @example
 * ```ts
 * import { tensor, tidy, where } from "xlir";
 * const relu = tidy(() => {
 *   const x = tensor([-1, 2, -3], [3]);
 *   return where(x.gt(0), x, 0).toFloat32();
 * });
 * console.assert(relu.join() === "0,2,0");
 * ```
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return fromHandle(
    native().where(cond.handle, typeof a === "number" ? a : a.handle, typeof b === "number" ? b : b.handle),
  );
}

/**
 * Rows of `weight` [V, H] picked by int64 `ids` [...] -> [..., H]; gradient scatters into weight.
 * @example
 * ```ts
 * import { embedding, tensor, tidy } from "xlir";
 * const rows = tidy(() => {
 *   const weight = tensor([0, 0, 1, 1, 2, 2], [3, 2]); // row t = [t, t]
 *   return embedding(weight, tensor(BigInt64Array.of(2n, 0n), [2])).toFloat32();
 * });
 * console.assert(rows.join() === "2,2,0,0");
 * ```
 */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return fromHandle(native().embedding(weight.handle, ids.handle));
}
/**
 * y = x W^T + b; x [..., in], W [out, in], b [out] -> [..., out].
 * @example
 * ```ts
 * import { linear, tensor, tidy } from "xlir";
 * const y = tidy(() =>
 *   linear(tensor([1, 2], [1, 2]), tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([0, 0, 1], [3])).toFloat32(),
 * );
 * console.assert(y.join() === "1,2,4"); // [1, 2, 1 + 2 + 1]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return fromHandle(native().linear(x.handle, weight.handle, bias ? bias.handle : null));
}
/**
 * Layer normalisation over the last dims of `normalizedShape`:
 * y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as torch.nn.LayerNorm).
 * @example
 * ```ts
 * import { layerNorm, tensor, tidy } from "xlir";
 * // mean 2, biased variance 1: (x - 2) / 1
 * const y = tidy(() => layerNorm(tensor([1, 3], [1, 2]), [2], null, null).toFloat32());
 * console.assert(Math.abs(y[0] + 1) < 1e-6 && Math.abs(y[1] - 1) < 1e-6);
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps = 1e-12,
): Tensor {
  return fromHandle(
    native().layerNorm(
      x.handle,
      normalizedShape,
      weight ? weight.handle : null,
      bias ? bias.handle : null,
      eps,
    ),
  );
}
/**
 * Inverted dropout: zeroes with probability p, scales survivors by 1/(1-p); identity when !train.
 * @example
 * ```ts
 * import { dropout, manualSeed, ones, tidy } from "xlir";
 * manualSeed(0);
 * const y = tidy(() => dropout(ones([1000]), 0.5, true).toFloat32());
 * const dropped = y.filter((v) => v === 0).length;
 * console.assert(y.every((v) => v === 0 || v === 2) && dropped > 400 && dropped < 600); // survivors scaled by 1/(1-p)
 * console.assert(tidy(() => dropout(ones([4]), 0.5, false).sum().item()) === 4); // identity when not training
 * ```
 */
export function dropout(x: Tensor, p: number, train: boolean): Tensor {
  if (!train || p === 0) return x.clone();
  return fromHandle(native().dropout(x.handle, p, train));
}
/**
 * Cross-entropy of logits [N, C] against int64 class ids [N]:
 * -log softmax(logits)[i, target_i], averaged (mean), summed or per row (none).
 * @example
 * ```ts
 * import { crossEntropy, tensor, tidy } from "xlir";
 * // equal logits over 2 classes: -log(1/2)
 * const l = tidy(() => crossEntropy(tensor([0, 0], [1, 2]), tensor(BigInt64Array.of(0n), [1])).item());
 * console.assert(Math.abs(l - Math.log(2)) < 1e-6);
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  reduction: Reduction = "mean",
  labelSmoothing = 0,
): Tensor {
  return fromHandle(native().crossEntropy(logits.handle, target.handle, reduction, labelSmoothing));
}
/**
 * Mean (or sum / none) of squared differences.
 * @example
 * ```ts
 * import { mseLoss, tensor, tidy } from "xlir";
 * tidy(() => {
 *   const a = tensor([1, 2], [2]);
 *   const b = tensor([1, 4], [2]);
 *   console.assert(mseLoss(a, b).item() === 2 && mseLoss(a, b, "sum").item() === 4);
 * });
 * ```
 */
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = "mean"): Tensor {
  return fromHandle(native().mseLoss(a.handle, b.handle, reduction));
}

/**
 * Rescales the gradients of `params` in place so their joint p-norm is at most maxNorm
 * (g <- g * min(1, maxNorm / (||g|| + 1e-6))); returns the norm before clipping.
 * @example
 * ```ts
 * import { clipGradNorm, tensor, tidy } from "xlir";
 * tidy(() => {
 *   const w = tensor([3, 4], [2], "float64").requireGrad();
 *   w.mul(w).sum().div(2).backward(); // gradient = w = [3, 4], norm 5
 *   const before = clipGradNorm([w], 1);
 *   const g = w.grad!.toFloat64(); // rescaled to norm 1
 *   console.assert(before === 5 && Math.abs(g[0] - 0.6) < 1e-6 && Math.abs(g[1] - 0.8) < 1e-6);
 * });
 * ```
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native().clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  );
}
/**
 * Drops the gradients of every tensor.
 * @example
 * ```ts
 * import { tensor, tidy, zeroGrad } from "xlir";
 * tidy(() => {
 *   const w = tensor([1, 2], [2]).requireGrad();
 *   w.sum().backward();
 *   console.assert(w.grad !== null);
 *   zeroGrad([w]);
 *   console.assert(w.grad === null);
 * });
 * ```
 */
export function zeroGrad(params: Tensor[]): void {
  native().zeroGrad(params.map((p) => p.handle));
}

/**
 * Seeds libtorch's global generator (randn, rand, dropout).
 * @example
 * ```ts
 * import { manualSeed, randn, tidy } from "xlir";
 * manualSeed(42);
 * const a = tidy(() => randn([3]).toFloat32());
 * manualSeed(42);
 * const b = tidy(() => randn([3]).toFloat32());
 * console.assert(a.join() === b.join()); // same seed, same draws
 * ```
 */
export function manualSeed(seed: number): void {
  native().manualSeed(seed);
}

/**
 * Thread settings. Defaults: 1 libtorch intra-op thread, OpenBLAS min(2, cores) threads
 * (env XLIR_TORCH_THREADS / XLIR_BLAS_THREADS); more of both oversubscribes a small machine.
 * @example
 * ```ts
 * import { getThreads, setThreads } from "xlir";
 * const prev = getThreads();
 * setThreads({ torch: 2 });
 * console.assert(getThreads().torch === 2 && getThreads().blas === prev.blas); // blas untouched
 * setThreads(prev);
 * ```
 */
export function setThreads(opts: { torch?: number; blas?: number }): void {
  if (opts.torch !== undefined) native().setNumThreads(opts.torch);
  if (opts.blas !== undefined) native().setBlasThreads(opts.blas);
}
/**
 * The current libtorch intra-op and OpenBLAS thread counts.
 * @example
 * ```ts
 * import { getThreads, setThreads } from "xlir";
 * const prev = getThreads();
 * setThreads({ torch: 1, blas: 1 });
 * console.assert(getThreads().torch === 1 && getThreads().blas === 1);
 * setThreads(prev);
 * ```
 */
export function getThreads(): { torch: number; blas: number } {
  return { torch: native().getNumThreads(), blas: native().getBlasThreads() };
}
/**
 * Back to `defaultThreads()` (env XLIR_TORCH_THREADS / XLIR_BLAS_THREADS, else 1 and min(2, cores)).
 * @example
 * ```ts
 * import { defaultThreads, getThreads, resetThreads, setThreads } from "xlir";
 * const prev = getThreads();
 * setThreads({ torch: 3 });
 * resetThreads();
 * console.assert(getThreads().torch === defaultThreads().torch && getThreads().blas === defaultThreads().blas);
 * setThreads(prev);
 * ```
 */
export function resetThreads(): void {
  setThreads(defaultThreads());
}
/**
 * libtorch version string, e.g. "1.13.0".
 * @example
 * ```ts
 * import { torchVersion } from "xlir";
 * const [major, minor] = torchVersion().split(".").map(Number); // e.g. "1.13.0"
 * console.assert(major >= 1 && Number.isInteger(minor));
 * ```
 */
export function torchVersion(): string {
  return native().version();
}
