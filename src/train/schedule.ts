/**
 * Learning-rate schedules, as pure functions of the 0-based update index t (so resume needs only t).
 */
import { XlirError } from "../errors.js";

export interface WarmupLinearOptions {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor of the decay (default 0). */
  minLr?: number;
}

/**
 * Linear warm-up then linear decay (BERT / HF `get_linear_schedule_with_warmup`, shifted so no update
 * gets lr 0): lr(t) = peak·(t+1)/W for t < W, then max(min, peak·(T−t)/(T−W)) for W ≤ t < T.
 * @example
 * ```ts
 * import { warmupLinear } from "xlir";
 * const o = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 };
 * console.assert(Math.abs(warmupLinear(9, o) - 1e-3) < 1e-15 && Math.abs(warmupLinear(55, o) - 5e-4) < 1e-15);
 * ```
 */
export function warmupLinear(t: number, o: WarmupLinearOptions): number {
  const { peakLr, warmupSteps: W, totalSteps: T } = o;
  const min = o.minLr ?? 0;
  if (!(T > 0) || W < 0 || W > T)
    throw new XlirError(
      "CONFIG",
      `schedule: need 0 <= warmupSteps (${W}) <= totalSteps (${T}), totalSteps > 0`,
    );
  if (t < W) return (peakLr * (t + 1)) / W;
  if (T === W) return peakLr;
  return Math.max(min, (peakLr * (T - t)) / (T - W));
}

/** A schedule bound to its options: t -> lr. */
/**
 * @example
 * ```ts
 * import { warmupLinearSchedule } from "xlir";
 * const lr = warmupLinearSchedule({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 });
 * console.assert(Math.abs(lr(0) - 1e-4) < 1e-15);
 * ```
 */
export function warmupLinearSchedule(o: WarmupLinearOptions): (t: number) => number {
  warmupLinear(0, o); // validate once
  return (t) => warmupLinear(t, o);
}
