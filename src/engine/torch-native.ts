/**
 * Loader and typed signatures of the libtorch N-API addon (native/xlir_torch.cc). Everything here
 * is raw: handles are opaque, nothing is freed automatically. Use `Tensor` from ./torch.js instead.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { XlirError } from "../errors.js";

/** An opaque tensor handle owned by the addon. */
export type Handle = { readonly __torchHandle: unique symbol };
/** An opaque optimizer handle owned by the addon. */
export type OptimHandle = { readonly __optimHandle: unique symbol };

export type DType = "float32" | "float64" | "int64" | "int32" | "bool";
export type Reduction = "mean" | "sum" | "none";
export type NumericArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** One AdamW state entry per parameter; null before the parameter's first update. */
export interface AdamWStateEntry<H> {
  step: number;
  expAvg: H;
  expAvgSq: H;
  maxExpAvgSq?: H;
}

/** What libtorch finds of CUDA (cudaInfo). */
export interface CudaInfo {
  /** torch::cuda::is_available() */
  available: boolean;
  /** torch::cuda::device_count() */
  deviceCount: number;
  cudnn: boolean;
  /** Whether libtorch's CUDA library is loaded at all (false: the binding was built against a CPU-only libtorch). */
  libtorchCuda: boolean;
}

/** fused: one pass per contiguous float CPU parameter (the others as foreach); foreach: multi-tensor ops; ops: per-parameter ops. */
export type AdamWMode = "fused" | "foreach" | "ops";

type U = (a: Handle) => Handle;
type B = (a: Handle, b: Handle | number) => Handle;
type Red = (a: Handle, dims?: number[] | null, keepdim?: boolean) => Handle;

export interface NativeTorch {
  fromArray(data: NumericArray, shape: number[], dtype?: DType): Handle;
  toArray(a: Handle): NumericArray;
  item(a: Handle): number;
  shape(a: Handle): number[];
  dtype(a: Handle): DType;
  to(a: Handle, dtype: DType): Handle;
  zeros(shape: number[], dtype?: DType): Handle;
  ones(shape: number[], dtype?: DType): Handle;
  full(shape: number[], value: number, dtype?: DType): Handle;
  arange(start: number, end: number, step: number, dtype?: DType): Handle;
  randn(shape: number[], dtype?: DType): Handle;
  rand(shape: number[], dtype?: DType): Handle;
  eye(n: number, dtype?: DType): Handle;
  neg: U;
  exp: U;
  log: U;
  sqrt: U;
  rsqrt: U;
  tanh: U;
  sigmoid: U;
  relu: U;
  abs: U;
  erf: U;
  detach: U;
  contiguous: U;
  clone: U;
  gelu(a: Handle, approximate?: "none" | "tanh"): Handle;
  add: B;
  sub: B;
  mul: B;
  div: B;
  pow: B;
  maximum: B;
  minimum: B;
  eq: B;
  ne: B;
  gt: B;
  lt: B;
  ge: B;
  le: B;
  rsub(a: Handle, s: number): Handle;
  logicalAnd(a: Handle, b: Handle): Handle;
  logicalNot(a: Handle): Handle;
  clamp(a: Handle, min: number | null, max: number | null): Handle;
  where(cond: Handle, a: Handle | number, b: Handle | number): Handle;
  maskedFill(a: Handle, mask: Handle, value: number): Handle;
  sum: Red;
  mean: Red;
  amax: Red;
  amin: Red;
  logsumexp: Red;
  max(a: Handle, dim: number, keepdim?: boolean): [Handle, Handle];
  min(a: Handle, dim: number, keepdim?: boolean): [Handle, Handle];
  argmax(a: Handle, dim: number, keepdim?: boolean): Handle;
  topk(a: Handle, k: number, dim: number, largest?: boolean): [Handle, Handle];
  norm(a: Handle, p: number, dims?: number[] | null, keepdim?: boolean): Handle;
  softmax(a: Handle, dim: number): Handle;
  logSoftmax(a: Handle, dim: number): Handle;
  cumsum(a: Handle, dim: number): Handle;
  transpose(a: Handle, d0: number, d1: number): Handle;
  permute(a: Handle, dims: number[]): Handle;
  reshape(a: Handle, shape: number[]): Handle;
  view(a: Handle, shape: number[]): Handle;
  expand(a: Handle, shape: number[]): Handle;
  unsqueeze(a: Handle, dim: number): Handle;
  squeeze(a: Handle, dim: number): Handle;
  narrow(a: Handle, dim: number, start: number, length: number): Handle;
  select(a: Handle, dim: number, index: number): Handle;
  indexSelect(a: Handle, dim: number, index: Handle): Handle;
  gather(a: Handle, dim: number, index: Handle): Handle;
  embedding(weight: Handle, ids: Handle): Handle;
  cat(list: Handle[], dim: number): Handle;
  stack(list: Handle[], dim: number): Handle;
  einsum(equation: string, list: Handle[]): Handle;
  matmul(a: Handle, b: Handle): Handle;
  bmm(a: Handle, b: Handle): Handle;
  linear(x: Handle, w: Handle, b?: Handle | null): Handle;
  layerNorm(x: Handle, normalizedShape: number[], w: Handle | null, b: Handle | null, eps: number): Handle;
  dropout(x: Handle, p: number, train: boolean): Handle;
  normalize(x: Handle, p: number, dim: number, eps: number): Handle;
  crossEntropy(logits: Handle, target: Handle, reduction?: Reduction, labelSmoothing?: number): Handle;
  mseLoss(a: Handle, b: Handle, reduction?: Reduction): Handle;
  setRequiresGrad(a: Handle, on: boolean): void;
  requiresGrad(a: Handle): boolean;
  backward(a: Handle, grad?: Handle | null, retainGraph?: boolean): void;
  grad(a: Handle): Handle | null;
  zeroGrad(list: Handle[]): void;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  clipGradNorm(list: Handle[], maxNorm: number, normType?: number): number;
  copyInto(dst: Handle, src: Handle): void;
  normalInit(dst: Handle, mean: number, std: number): void;
  freeTensor(a: Handle): void;
  isFreed(a: Handle): boolean;
  liveTensors(): number;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setBlasThreads(n: number): boolean;
  getBlasThreads(): number;
  version(): string;
  setDevice(name: string): string;
  getDevice(): string;
  deviceOf(a: Handle): string;
  toDevice(a: Handle, name: string): Handle;
  cudaInfo(): CudaInfo;
  synchronize(): void;
  adamwNew(
    groups: { params: Handle[]; lr: number; weightDecay: number }[],
    options: { beta1: number; beta2: number; eps: number; amsgrad: boolean },
  ): OptimHandle;
  adamwStep(o: OptimHandle, mode?: AdamWMode | boolean): void;
  adamwZeroGrad(o: OptimHandle): void;
  adamwSetLr(o: OptimHandle, lr: number, group?: number): void;
  adamwGetLr(o: OptimHandle, group?: number): number;
  adamwGetState(o: OptimHandle): (AdamWStateEntry<Handle> | null)[];
  adamwSetState(o: OptimHandle, state: (AdamWStateEntry<Handle> | null)[]): void;
  adamwFree(o: OptimHandle): void;
}

const MISSING =
  "the libtorch binding is not built: run `apt-get install libtorch-dev` and `npm run build:native` (or `bash scripts/setup.sh`)";

let cached: NativeTorch | null = null;
let failure: string | null = null;

function candidates(): string[] {
  const override = process.env.XLIR_TORCH_ADDON; // explicit path to xlir_torch.node
  if (override) return [resolve(override)];
  const here = dirname(fileURLToPath(import.meta.url));
  // src/engine -> repo root is ../..; dist/src/engine -> ../../..
  return [
    resolve(here, "../../native/build/Release/xlir_torch.node"),
    resolve(here, "../../../native/build/Release/xlir_torch.node"),
  ];
}

/**
 * Default thread settings: 1 libtorch intra-op thread, OpenBLAS on min(2, cores) (fastest in docs/stack.md).
 * @example
 * ```ts
 * import { defaultThreads } from "xlir";
 * const saved = process.env.XLIR_TORCH_THREADS;
 * process.env.XLIR_TORCH_THREADS = "3";
 * console.assert(defaultThreads().torch === 3);
 * process.env.XLIR_TORCH_THREADS = "many"; // not a positive integer: the default, 1
 * console.assert(defaultThreads().torch === 1 && defaultThreads().blas >= 1);
 * if (saved === undefined) delete process.env.XLIR_TORCH_THREADS;
 * else process.env.XLIR_TORCH_THREADS = saved;
 * ```
 */
export function defaultThreads(): { torch: number; blas: number } {
  const env = (k: string): number | undefined => {
    const v = process.env[k];
    const n = v === undefined ? NaN : Number(v);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  return {
    torch: env("XLIR_TORCH_THREADS") ?? 1,
    blas: env("XLIR_BLAS_THREADS") ?? Math.min(2, availableParallelism()),
  };
}

function tryLoad(): NativeTorch | null {
  if (cached || failure) return cached;
  const path = candidates().find((p) => existsSync(p));
  if (!path) {
    failure = "not found";
    return null;
  }
  // Idle OpenMP workers must sleep, not spin: spinning workers starve OpenBLAS's threads on small
  // machines (2 torch threads went from ~80 ms to 300-500 ms a step). Read by libgomp when it loads.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = "PASSIVE";
  try {
    cached = createRequire(import.meta.url)(path) as NativeTorch;
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    return null;
  }
  const th = defaultThreads();
  cached.setNumThreads(th.torch);
  cached.setBlasThreads(th.blas);
  return cached;
}

/**
 * True when the libtorch binding is built and loads.
 * @example
 * ```ts
 * import { isTorchAvailable, torchLoadFailure, torchVersion } from "xlir";
 * // available exactly when nothing failed to load; then libtorch answers
 * console.assert(isTorchAvailable() === (torchLoadFailure() === null));
 * if (isTorchAvailable()) console.assert(/^\d+\.\d+/.test(torchVersion()));
 * ```
 */
export function isTorchAvailable(): boolean {
  return tryLoad() !== null;
}

let envDevice: { done: boolean; error: XlirError | null } = { done: false, error: null };

/**
 * The addon; throws XlirError NATIVE_MISSING (one clear message) when it is not built or fails to load.
 * On first use the device named by env XLIR_DEVICE (if any) becomes current; a device that cannot be
 * used makes every call throw that error (UNSUPPORTED) rather than run elsewhere.
 */
export function native(): NativeTorch {
  const n = tryLoad();
  if (!n) throw new XlirError("NATIVE_MISSING", MISSING);
  if (!envDevice.done) {
    envDevice = { done: true, error: null };
    const name = process.env.XLIR_DEVICE;
    if (name) {
      try {
        selectDevice(n, name, "XLIR_DEVICE");
      } catch (err) {
        envDevice.error = err instanceof XlirError ? err : new XlirError("UNSUPPORTED", String(err));
      }
    }
  }
  if (envDevice.error) throw envDevice.error;
  return n;
}

const DEVICE_SYNTAX = /^(cpu|cuda(:\d+)?)$/;

/**
 * Makes `name` (cpu, cuda, cuda:N) the device new tensors are created on; returns it normalised
 * ("cuda" -> "cuda:0"). Bad syntax: XlirError USAGE; CUDA asked for but not usable (or N too large):
 * XlirError UNSUPPORTED (exit 7) naming what libtorch found. `source` names the setting in messages.
 */
export function selectDevice(n: NativeTorch, name: string, source = "device"): string {
  if (!DEVICE_SYNTAX.test(name))
    throw new XlirError("USAGE", `${source} '${name}' is not a device: cpu, cuda or cuda:N`);
  if (name !== "cpu") {
    const c = n.cudaInfo();
    const index = name === "cuda" ? 0 : Number(name.slice(5));
    const found =
      `libtorch ${n.version()} reports torch::cuda::is_available() = ${c.available}, ${c.deviceCount} CUDA device(s)` +
      (c.libtorchCuda
        ? ""
        : "; its CUDA library (libtorch_cuda) is not loaded: the binding was built against a CPU-only libtorch");
    if (!c.available || c.deviceCount === 0) {
      throw new XlirError(
        "UNSUPPORTED",
        `${source} '${name}': no usable CUDA device (${found}). Use cpu, or rebuild the binding against a CUDA build of libtorch ` +
          "(LIBTORCH=..., see README 'Building against another libtorch') on a machine with an NVIDIA GPU and driver",
      );
    }
    if (index >= c.deviceCount) {
      throw new XlirError(
        "UNSUPPORTED",
        `${source} '${name}': no such CUDA device (${found}; valid: cuda:0 .. cuda:${c.deviceCount - 1})`,
      );
    }
  }
  return n.setDevice(name);
}

/**
 * Why the binding did not load (for diagnostics), or null when it did.
 * @example
 * ```ts
 * import { isTorchAvailable, ones, tidy, torchLoadFailure, XlirError } from "xlir";
 * const why = torchLoadFailure();
 * if (why === null) console.assert(tidy(() => ones([3]).sum().item()) === 3);
 * else {
 *   let code = "";
 *   try {
 *     ones([3]);
 *   } catch (e) {
 *     code = (e as XlirError).code;
 *   }
 *   console.assert(!isTorchAvailable() && code === "NATIVE_MISSING");
 * }
 * ```
 */
export function torchLoadFailure(): string | null {
  tryLoad();
  return failure;
}
