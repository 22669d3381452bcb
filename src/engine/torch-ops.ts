/**
 * Tensor creation and multi-input ops over the libtorch binding (the single-input ops are methods
 * of `Tensor`; the network layers and losses are in torch-nn.ts). Random ops use libtorch's global
 * generator: seed it with `manualSeed` (torch-runtime.ts).
 */
import { fromHandle, Tensor } from "./torch.js";
import { native, type DType, type NumericArray } from "./torch-native.js";

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
