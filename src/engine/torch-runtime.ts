/**
 * libtorch's process-wide state: the global random generator, the thread counts and the version.
 */
import { defaultThreads, native } from "./torch-native.js";

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
