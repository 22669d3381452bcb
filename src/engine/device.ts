/**
 * The engine's device: where new tensors (parameters, batches, the batched Sinkhorn's matrices) are
 * created. Ops run on their inputs' device; numbers reach TypeScript only through `toArray`/`item`,
 * which copy to the host. Random tensors are drawn on the CPU generator and moved, so a seed gives
 * the same initial weights on every device (dropout masks then come from the device's own generator).
 */
import { native, selectDevice, type CudaInfo } from "./torch-native.js";

export type { CudaInfo } from "./torch-native.js";

/** A device name: "cpu", "cuda" (= cuda:0) or "cuda:N". */
export type DeviceName = string;

/**
 * Makes `name` the current device and returns it normalised ("cuda" -> "cuda:0"). Throws XlirError
 * USAGE for a malformed name and UNSUPPORTED (exit 7) when CUDA is asked for but libtorch finds no
 * usable device, naming what it found. Tensors created before keep their device.
 * @example
 * ```ts
 * import { getDevice, setDevice, XlirError } from "xlir";
 * const prev = getDevice();
 * console.assert(setDevice("cpu") === "cpu" && getDevice() === "cpu");
 * let code = "";
 * try {
 *   setDevice("gpu0"); // not cpu, cuda or cuda:N
 * } catch (e) {
 *   code = (e as XlirError).code;
 * }
 * console.assert(code === "USAGE" && getDevice() === "cpu");
 * setDevice(prev);
 * ```
 */
export function setDevice(name: DeviceName, source = "device"): string {
  return selectDevice(native(), name, source);
}

/**
 * The current device, e.g. "cpu" or "cuda:0".
 * @example
 * ```ts
 * import { getDevice, tidy, zeros } from "xlir";
 * // new tensors are created on the current device
 * console.assert(tidy(() => zeros([2]).device) === getDevice());
 * ```
 */
export function getDevice(): string {
  return native().getDevice();
}

/**
 * What libtorch finds of CUDA (availability, device count, cuDNN, whether its CUDA library is loaded).
 * @example
 * ```ts
 * import { cudaInfo, getDevice, setDevice, XlirError } from "xlir";
 * const c = cudaInfo();
 * const prev = getDevice();
 * // "cuda" is usable exactly when libtorch reports a device
 * if (c.available && c.deviceCount > 0) console.assert(setDevice("cuda") === "cuda:0");
 * else {
 *   let code = "";
 *   try {
 *     setDevice("cuda");
 *   } catch (e) {
 *     code = (e as XlirError).code;
 *   }
 *   console.assert(code === "UNSUPPORTED");
 * }
 * setDevice(prev);
 * ```
 */
export function cudaInfo(): CudaInfo {
  return native().cudaInfo();
}

/**
 * Waits until the current CUDA device has finished its queued work (no-op on the CPU): for timings.
 * @example
 * ```ts
 * import { ones, synchronize, tidy } from "xlir";
 * const total = tidy(() => {
 *   const s = ones([64, 64]).matmul(ones([64, 64])).sum();
 *   synchronize(); // on a GPU: waits for the queued matmul, as a timing must
 *   return s.item();
 * });
 * console.assert(total === 64 ** 3);
 * ```
 */
export function synchronize(): void {
  native().synchronize();
}

/**
 * Runs `fn` with `name` as the current device, then restores the previous one.
 * @example
 * ```ts
 * import { getDevice, ones, tidy, withDevice } from "xlir";
 * const before = getDevice();
 * const where = withDevice("cpu", () => tidy(() => ones([2]).device));
 * console.assert(where === "cpu" && getDevice() === before);
 * try {
 *   withDevice("cpu", () => {
 *     throw new Error("boom");
 *   });
 * } catch {
 *   // restored even when fn throws
 * }
 * console.assert(getDevice() === before);
 * ```
 */
export function withDevice<T>(name: DeviceName, fn: () => T): T {
  const prev = getDevice();
  setDevice(name);
  try {
    return fn();
  } finally {
    native().setDevice(prev);
  }
}
