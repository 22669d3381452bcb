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
 */
export function setDevice(name: DeviceName, source = "device"): string {
  return selectDevice(native(), name, source);
}

/** The current device, e.g. "cpu" or "cuda:0". */
export function getDevice(): string {
  return native().getDevice();
}

/** What libtorch finds of CUDA (availability, device count, cuDNN, whether its CUDA library is loaded). */
export function cudaInfo(): CudaInfo {
  return native().cudaInfo();
}

/** Waits until the current CUDA device has finished its queued work (no-op on the CPU): for timings. */
export function synchronize(): void {
  native().synchronize();
}

/** Runs `fn` with `name` as the current device, then restores the previous one. */
export function withDevice<T>(name: DeviceName, fn: () => T): T {
  const prev = getDevice();
  setDevice(name);
  try {
    return fn();
  } finally {
    native().setDevice(prev);
  }
}
