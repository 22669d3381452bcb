/** Paired randomisation (permutation) test. */
import { XlirError } from "../../errors.js";
import { mulberry32 } from "../../util/random.js";
import type { PairedTestResult } from "./ttest.js";

export interface RandomizationOptions {
  /** number of random sign assignments (>= 1; docs/method.md asks for >= 10,000). */
  permutations: number;
  seed: number;
}

/**
 * Two-sided paired randomisation test (Fisher; Smucker, Allan & Carterette, CIKM 2007): under H0 each
 * pair's difference d_i = a_i - b_i is equally likely to have either sign. For each of P random sign
 * vectors s, count a hit when |mean(s * d)| >= |mean(d)| (1e-12 relative slack for float ties);
 * p = (hits + 1) / (P + 1). a, b: [n].
 * @example
 * ```ts
 * import { pairedRandomization } from "xlir";
 * const r = pairedRandomization([1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0], { permutations: 999, seed: 1 });
 * console.assert(r.p < 0.05); // only 2 of 64 sign patterns are as extreme
 * ```
 */
export function pairedRandomization(
  a: readonly number[],
  b: readonly number[],
  options: RandomizationOptions,
): PairedTestResult {
  const n = a.length;
  if (n !== b.length)
    throw new XlirError("MISMATCH", `randomisation test needs equal lengths, got ${n} and ${b.length}`);
  if (!Number.isInteger(options.permutations) || options.permutations < 1)
    throw new XlirError("USAGE", `permutations must be a positive integer, got ${options.permutations}`);
  const d = new Float64Array(n);
  let obs = 0;
  for (let i = 0; i < n; i++) {
    d[i] = a[i] - b[i];
    obs += d[i];
  }
  const absObs = Math.abs(obs);
  const slack = 1e-12 * Math.max(1, absObs);
  const rand = mulberry32(options.seed);
  let hits = 0;
  for (let p = 0; p < options.permutations; p++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rand() < 0.5 ? d[i] : -d[i];
    if (Math.abs(s) >= absObs - slack) hits++;
  }
  return { p: (hits + 1) / (options.permutations + 1), statistic: n > 0 ? obs / n : 0, n };
}
