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

/** A scalar (0-d) tensor. */
export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().full([], value, dtype));
}
export function zeros(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().zeros(shape, dtype));
}
export function ones(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().ones(shape, dtype));
}
export function full(shape: number[], value: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().full(shape, value, dtype));
}
/** [start, start+step, ..., < end] */
export function arange(start: number, end: number, step = 1, dtype: DType = "int64"): Tensor {
  return fromHandle(native().arange(start, end, step, dtype));
}
/** Standard normal samples (libtorch's generator; seed with manualSeed). */
export function randn(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().randn(shape, dtype));
}
/** Uniform [0, 1) samples (libtorch's generator; seed with manualSeed). */
export function rand(shape: number[], dtype: DType = "float32"): Tensor {
  return fromHandle(native().rand(shape, dtype));
}
export function eye(n: number, dtype: DType = "float32"): Tensor {
  return fromHandle(native().eye(n, dtype));
}

/** Concatenation along an existing dim. */
export function cat(list: Tensor[], dim = 0): Tensor {
  return fromHandle(
    native().cat(
      list.map((t) => t.handle),
      dim,
    ),
  );
}
/** Stacking along a new dim. */
export function stack(list: Tensor[], dim = 0): Tensor {
  return fromHandle(
    native().stack(
      list.map((t) => t.handle),
      dim,
    ),
  );
}
/** torch.einsum, e.g. `einsum("bid,bjd->bij", q, d)`. */
export function einsum(equation: string, ...list: Tensor[]): Tensor {
  return fromHandle(
    native().einsum(
      equation,
      list.map((t) => t.handle),
    ),
  );
}
/** cond ? a : b elementwise (broadcast; a or b may be numbers). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return fromHandle(
    native().where(cond.handle, typeof a === "number" ? a : a.handle, typeof b === "number" ? b : b.handle),
  );
}

/** Rows of `weight` [V, H] picked by int64 `ids` [...] -> [..., H]; gradient scatters into weight. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return fromHandle(native().embedding(weight.handle, ids.handle));
}
/** y = x W^T + b; x [..., in], W [out, in], b [out] -> [..., out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return fromHandle(native().linear(x.handle, weight.handle, bias ? bias.handle : null));
}
/**
 * Layer normalisation over the last dims of `normalizedShape`:
 * y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as torch.nn.LayerNorm).
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
/** Inverted dropout: zeroes with probability p, scales survivors by 1/(1-p); identity when !train. */
export function dropout(x: Tensor, p: number, train: boolean): Tensor {
  if (!train || p === 0) return x.clone();
  return fromHandle(native().dropout(x.handle, p, train));
}
/**
 * Cross-entropy of logits [N, C] against int64 class ids [N]:
 * -log softmax(logits)[i, target_i], averaged (mean), summed or per row (none).
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  reduction: Reduction = "mean",
  labelSmoothing = 0,
): Tensor {
  return fromHandle(native().crossEntropy(logits.handle, target.handle, reduction, labelSmoothing));
}
/** Mean (or sum / none) of squared differences. */
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = "mean"): Tensor {
  return fromHandle(native().mseLoss(a.handle, b.handle, reduction));
}

/**
 * Rescales the gradients of `params` in place so their joint p-norm is at most maxNorm
 * (g <- g * min(1, maxNorm / (||g|| + 1e-6))); returns the norm before clipping.
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native().clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  );
}
/** Drops the gradients of every tensor. */
export function zeroGrad(params: Tensor[]): void {
  native().zeroGrad(params.map((p) => p.handle));
}

/** Seeds libtorch's global generator (randn, rand, dropout). */
export function manualSeed(seed: number): void {
  native().manualSeed(seed);
}

/**
 * Thread settings. Defaults: 1 libtorch intra-op thread, OpenBLAS min(2, cores) threads
 * (env XLIR_TORCH_THREADS / XLIR_BLAS_THREADS); more of both oversubscribes a small machine.
 */
export function setThreads(opts: { torch?: number; blas?: number }): void {
  if (opts.torch !== undefined) native().setNumThreads(opts.torch);
  if (opts.blas !== undefined) native().setBlasThreads(opts.blas);
}
export function getThreads(): { torch: number; blas: number } {
  return { torch: native().getNumThreads(), blas: native().getBlasThreads() };
}
export function resetThreads(): void {
  setThreads(defaultThreads());
}
/** libtorch version string, e.g. "1.13.0". */
export function torchVersion(): string {
  return native().version();
}
