/**
 * Typed tensors over the libtorch binding, with explicit memory scopes.
 *
 * Every op returns a new `Tensor` that owns a native handle. Inside `tidy(fn)` each new tensor is
 * recorded and freed when `fn` returns, except the tensors found in its return value (a Tensor,
 * or arrays / plain objects / Maps containing tensors), which move to the enclosing scope.
 * Tensors created outside any scope (parameters) live until `free()` (or, as a safety net, GC).
 * `keep(t)` takes a tensor out of every scope. Shapes follow PyTorch's broadcasting rules.
 */
import { native, type DType, type Handle, type NumericArray } from "./torch-native.js";

export type { DType, Reduction, NumericArray } from "./torch-native.js";
export { isTorchAvailable, torchLoadFailure, defaultThreads } from "./torch-native.js";

type Operand = Tensor | number;

const scopes: Set<Tensor>[] = [];

/**
 * A libtorch tensor owning one native handle: ops return new tensors, freed by their `tidy` scope
 * or by `free()` (see the file comment).
 * @example
 * ```ts
 * import { tensor, tidy } from "xlir";
 * tidy(() => {
 *   const x = tensor([1, 2, 3, 4], [2, 2], "float64").requireGrad();
 *   const y = x.mul(x).sum(); // sum of squares
 *   y.backward();
 *   console.assert(y.item() === 30 && x.shape.join() === "2,2");
 *   console.assert(x.grad!.toFloat64().join() === "2,4,6,8"); // dy/dx = 2x
 *   console.assert(x.matmul(x).toFloat64().join() === "7,10,15,22");
 * });
 * ```
 */
export class Tensor {
  #h: Handle | null;

  /** Wraps a raw handle (used by the binding wrappers; records it in the current scope). */
  constructor(h: Handle) {
    this.#h = h;
    const top = scopes[scopes.length - 1];
    if (top) top.add(this);
  }

  /** The raw handle; throws if freed. */
  get handle(): Handle {
    if (this.#h === null) throw new Error("tensor was already freed");
    return this.#h;
  }
  get isFreed(): boolean {
    return this.#h === null;
  }
  /** Releases the native memory now (idempotent). */
  free(): void {
    if (this.#h !== null) native().freeTensor(this.#h);
    this.#h = null;
  }

  get shape(): number[] {
    return native().shape(this.handle);
  }
  get dtype(): DType {
    return native().dtype(this.handle);
  }
  /** The device holding the data, e.g. "cpu" or "cuda:0". */
  get device(): string {
    return native().deviceOf(this.handle);
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    return native().item(this.handle);
  }
  /** Copy of the data on the host, row-major, in the tensor's own element type. */
  toArray(): NumericArray {
    return native().toArray(this.handle);
  }
  /** Copy of the data as float32 (any dtype). */
  toFloat32(): Float32Array {
    const a = this.dtype === "float32" ? this.toArray() : tidy(() => this.to("float32").toArray());
    return a as Float32Array;
  }
  /** Copy of the data as float64 (any dtype). */
  toFloat64(): Float64Array {
    return (
      this.dtype === "float64" ? this.toArray() : tidy(() => this.to("float64").toArray())
    ) as Float64Array;
  }

  // ---- elementwise (broadcasting; the second operand may be a number) ----
  add(o: Operand): Tensor {
    return bin("add", this, o);
  }
  sub(o: Operand): Tensor {
    return bin("sub", this, o);
  }
  mul(o: Operand): Tensor {
    return bin("mul", this, o);
  }
  div(o: Operand): Tensor {
    return bin("div", this, o);
  }
  pow(o: Operand): Tensor {
    return bin("pow", this, o);
  }
  maximum(o: Operand): Tensor {
    return bin("maximum", this, o);
  }
  minimum(o: Operand): Tensor {
    return bin("minimum", this, o);
  }
  eq(o: Operand): Tensor {
    return bin("eq", this, o);
  }
  ne(o: Operand): Tensor {
    return bin("ne", this, o);
  }
  gt(o: Operand): Tensor {
    return bin("gt", this, o);
  }
  lt(o: Operand): Tensor {
    return bin("lt", this, o);
  }
  ge(o: Operand): Tensor {
    return bin("ge", this, o);
  }
  le(o: Operand): Tensor {
    return bin("le", this, o);
  }
  /** s - this */
  rsub(s: number): Tensor {
    return wrap(native().rsub(this.handle, s));
  }
  neg(): Tensor {
    return wrap(native().neg(this.handle));
  }
  exp(): Tensor {
    return wrap(native().exp(this.handle));
  }
  log(): Tensor {
    return wrap(native().log(this.handle));
  }
  sqrt(): Tensor {
    return wrap(native().sqrt(this.handle));
  }
  rsqrt(): Tensor {
    return wrap(native().rsqrt(this.handle));
  }
  tanh(): Tensor {
    return wrap(native().tanh(this.handle));
  }
  sigmoid(): Tensor {
    return wrap(native().sigmoid(this.handle));
  }
  relu(): Tensor {
    return wrap(native().relu(this.handle));
  }
  abs(): Tensor {
    return wrap(native().abs(this.handle));
  }
  erf(): Tensor {
    return wrap(native().erf(this.handle));
  }
  /** GELU: exact x·Φ(x) (erf) by default, or the tanh approximation. */
  gelu(approximate: "none" | "tanh" = "none"): Tensor {
    return wrap(native().gelu(this.handle, approximate));
  }
  clamp(min: number | null, max: number | null = null): Tensor {
    return wrap(native().clamp(this.handle, min, max));
  }
  /** Where mask (bool, broadcast) is true, `value`; else this. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return wrap(native().maskedFill(this.handle, mask.handle, value));
  }
  logicalNot(): Tensor {
    return wrap(native().logicalNot(this.handle));
  }
  logicalAnd(o: Tensor): Tensor {
    return wrap(native().logicalAnd(this.handle, o.handle));
  }

  // ---- reductions (dims omitted: over everything) ----
  sum(dims?: number | number[], keepdim = false): Tensor {
    return red("sum", this, dims, keepdim);
  }
  mean(dims?: number | number[], keepdim = false): Tensor {
    return red("mean", this, dims, keepdim);
  }
  amax(dims?: number | number[], keepdim = false): Tensor {
    return red("amax", this, dims, keepdim);
  }
  amin(dims?: number | number[], keepdim = false): Tensor {
    return red("amin", this, dims, keepdim);
  }
  /** log Σ exp(x) over dims, computed stably (max-shifted). */
  logsumexp(dims?: number | number[], keepdim = false): Tensor {
    return red("logsumexp", this, dims, keepdim);
  }
  /** Max along one dim: values and int64 indices. */
  max(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = native().max(this.handle, dim, keepdim);
    return { values: wrap(v), indices: wrap(i) };
  }
  min(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = native().min(this.handle, dim, keepdim);
    return { values: wrap(v), indices: wrap(i) };
  }
  argmax(dim: number, keepdim = false): Tensor {
    return wrap(native().argmax(this.handle, dim, keepdim));
  }
  topk(k: number, dim = -1, largest = true): { values: Tensor; indices: Tensor } {
    const [v, i] = native().topk(this.handle, k, dim, largest);
    return { values: wrap(v), indices: wrap(i) };
  }
  /** p-norm (||x||_p = (Σ|x|^p)^(1/p)) over dims (omitted: all elements). */
  norm(p = 2, dims?: number | number[], keepdim = false): Tensor {
    return wrap(native().norm(this.handle, p, dims === undefined ? null : toDims(dims), keepdim));
  }
  /** x / max(||x||_p along dim, eps) — L2 normalisation by default. */
  normalize(dim = -1, p = 2, eps = 1e-12): Tensor {
    return wrap(native().normalize(this.handle, p, dim, eps));
  }
  softmax(dim: number): Tensor {
    return wrap(native().softmax(this.handle, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(native().logSoftmax(this.handle, dim));
  }
  cumsum(dim: number): Tensor {
    return wrap(native().cumsum(this.handle, dim));
  }

  // ---- shapes and indexing (views share storage with this tensor) ----
  transpose(d0: number, d1: number): Tensor {
    return wrap(native().transpose(this.handle, d0, d1));
  }
  permute(...dims: number[]): Tensor {
    return wrap(native().permute(this.handle, dims));
  }
  reshape(...shape: number[]): Tensor {
    return wrap(native().reshape(this.handle, shape));
  }
  view(...shape: number[]): Tensor {
    return wrap(native().view(this.handle, shape));
  }
  expand(...shape: number[]): Tensor {
    return wrap(native().expand(this.handle, shape));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native().unsqueeze(this.handle, dim));
  }
  squeeze(dim: number): Tensor {
    return wrap(native().squeeze(this.handle, dim));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native().narrow(this.handle, dim, start, length));
  }
  select(dim: number, index: number): Tensor {
    return wrap(native().select(this.handle, dim, index));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native().indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native().gather(this.handle, dim, index.handle));
  }
  contiguous(): Tensor {
    return wrap(native().contiguous(this.handle));
  }
  clone(): Tensor {
    return wrap(native().clone(this.handle));
  }
  to(dtype: DType): Tensor {
    return wrap(native().to(this.handle, dtype));
  }
  /** Copy on device `name` (cpu, cuda, cuda:N); autograd flows back through the copy. */
  toDevice(name: string): Tensor {
    return wrap(native().toDevice(this.handle, name));
  }

  // ---- linear algebra ----
  /** torch.matmul: batched, broadcasting. [..., n, k] x [..., k, m] -> [..., n, m] */
  matmul(o: Tensor): Tensor {
    return wrap(native().matmul(this.handle, o.handle));
  }
  /** [B, n, k] x [B, k, m] -> [B, n, m] */
  bmm(o: Tensor): Tensor {
    return wrap(native().bmm(this.handle, o.handle));
  }

  // ---- autograd ----
  detach(): Tensor {
    return wrap(native().detach(this.handle));
  }
  get requiresGrad(): boolean {
    return native().requiresGrad(this.handle);
  }
  /** Marks this (leaf) tensor as trainable, in place; returns this. */
  requireGrad(on = true): this {
    native().setRequiresGrad(this.handle, on);
    return this;
  }
  /** Back-propagates from this scalar (or with an explicit output gradient). */
  backward(grad?: Tensor, retainGraph = false): void {
    native().backward(this.handle, grad ? grad.handle : null, retainGraph);
  }
  /** The accumulated gradient (a new handle sharing the gradient's storage), or null. */
  get grad(): Tensor | null {
    const g = native().grad(this.handle);
    return g === null ? null : wrap(g);
  }
  /** Drops the accumulated gradient. */
  zeroGrad(): void {
    native().zeroGrad([this.handle]);
  }
  /** Copies `src` into this tensor in place, outside autograd (weight loading). */
  copy(src: Tensor): this {
    native().copyInto(this.handle, src.handle);
    return this;
  }
}

function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

type BinOp =
  "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "gt" | "lt" | "ge" | "le";
function bin(op: BinOp, a: Tensor, b: Operand): Tensor {
  return wrap(native()[op](a.handle, typeof b === "number" ? b : b.handle));
}

function toDims(d: number | number[]): number[] {
  return typeof d === "number" ? [d] : d;
}

function red(
  op: "sum" | "mean" | "amax" | "amin" | "logsumexp",
  a: Tensor,
  dims: number | number[] | undefined,
  keep: boolean,
): Tensor {
  return wrap(native()[op](a.handle, dims === undefined ? null : toDims(dims), keep));
}

/**
 * Wraps a raw handle as a Tensor in the current scope (for code that calls the binding directly).
 * @example
 * ```ts
 * import { fromHandle, liveTensors, tensor, tidy } from "xlir";
 * const before = liveTensors();
 * const t = tensor([1, 2, 3], [3]); // outside any scope
 * // the wrapper reads the same native tensor and belongs to the scope it is made in
 * const sum = tidy(() => fromHandle(t.handle).sum().item());
 * console.assert(sum === 6 && liveTensors() === before); // the scope freed it
 * ```
 */
export function fromHandle(h: Handle): Tensor {
  return wrap(h);
}

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, out, seen);
}

/**
 * Runs `fn` in a memory scope: every tensor created inside is freed when it returns, except the
 * tensors in its return value, which are handed to the enclosing scope. `fn` must be synchronous.
 * @example
 * ```ts
 * import { liveTensors, tensor, tidy } from "xlir";
 * const before = liveTensors();
 * const x = tidy(() => tensor([1, 2], [2]).mul(2).toFloat32()); // intermediate tensors are freed
 * console.assert(x[1] === 4 && liveTensors() === before);
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) t.free();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error("tidy(fn): fn must be synchronous");
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.free();
  }
  return result;
}

/**
 * Takes tensors out of every scope: they live until freed explicitly. Returns its argument.
 * @example
 * ```ts
 * import { keep, liveTensors, tensor, tidy } from "xlir";
 * const before = liveTensors();
 * const cache = [];
 * tidy(() => {
 *   cache.push(keep(tensor([1, 2], [2]))); // stored, not returned: freed with the scope without keep
 *   tensor([3], [1]); // freed with the scope
 * });
 * console.assert(liveTensors() === before + 1 && tidy(() => cache[0].sum().item()) === 3);
 * cache[0].free();
 * console.assert(liveTensors() === before);
 * ```
 */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Runs `fn` with autograd off (inference, optimizer-free updates); restores the previous mode. */
/**
 * @example
 * ```ts
 * import { noGrad, tensor, tidy } from "xlir";
 * tidy(() => {
 *   const w = tensor([1, 2], [2], "float64").requireGrad();
 *   const y = noGrad(() => w.mul(3));
 *   console.assert(!y.requiresGrad);
 * });
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const prev = native().setGradEnabled(false);
  try {
    return fn();
  } finally {
    native().setGradEnabled(prev);
  }
}

/**
 * Number of native tensors currently alive (for leak tests).
 * @example
 * ```ts
 * import { liveTensors, tensor } from "xlir";
 * const before = liveTensors();
 * const t = tensor([1], [1]);
 * console.assert(liveTensors() === before + 1);
 * t.free();
 * console.assert(liveTensors() === before && t.isFreed);
 * ```
 */
export function liveTensors(): number {
  return native().liveTensors();
}
