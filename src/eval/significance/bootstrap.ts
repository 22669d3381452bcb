/** Bootstrap confidence interval of a mean. */
import { XlirError } from "../../errors.js";
import { mulberry32 } from "../../util/random.js";

export interface BootstrapOptions {
  /** resamples (default 10,000). */
  samples?: number;
  seed: number;
  /** confidence level (default 0.95). */
  level?: number;
}

export interface ConfidenceInterval {
  mean: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap CI of the mean (Efron & Tibshirani 1993, ch. 13): B resamples of the n values
 * with replacement, means sorted, low/high = the (alpha/2, 1 - alpha/2) quantiles with linear
 * interpolation between order statistics (numpy's default), alpha = 1 - level. values: [n].
 * @example
 * ```ts
 * import { bootstrapCI } from "xlir";
 * const ci = bootstrapCI([0.2, 0.4, 0.6, 0.8], { seed: 7, samples: 1000 });
 * console.assert(Math.abs(ci.mean - 0.5) < 1e-12 && ci.low < 0.5 && ci.high > 0.5);
 * ```
 */
export function bootstrapCI(values: readonly number[], options: BootstrapOptions): ConfidenceInterval {
  const n = values.length;
  const B = options.samples ?? 10000;
  const level = options.level ?? 0.95;
  if (n === 0) throw new XlirError("BAD_INPUT", "bootstrap needs at least one value");
  if (!(level > 0 && level < 1))
    throw new XlirError("USAGE", `confidence level must be in (0, 1), got ${level}`);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  const rand = mulberry32(options.seed);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)];
    means[b] = s / n;
  }
  means.sort();
  const alpha = 1 - level;
  return { mean, low: quantile(means, alpha / 2), high: quantile(means, 1 - alpha / 2) };
}

/** Quantile q of sorted x: [m], linear interpolation at position q * (m - 1). */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
