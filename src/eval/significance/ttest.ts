/** Two-sided paired t-test (what scipy.stats.ttest_rel computes). */
import { createRequire } from "node:module";
import { XlirError } from "../../errors.js";

interface JStat {
  studentt: { cdf(x: number, dof: number): number };
}
const jstatModule = createRequire(import.meta.url)("jstat") as JStat & { jStat?: JStat };
const jStat: JStat = jstatModule.jStat ?? jstatModule;

export interface PairedTestResult {
  /** two-sided p-value. */
  p: number;
  /** test statistic (t for the t-test, observed mean difference for randomisation). */
  statistic: number;
  /** number of pairs. */
  n: number;
}

/**
 * Paired t-test of a vs b: d_i = a_i - b_i, t = mean(d) / (sd(d) / sqrt(n)) with sd using n - 1,
 * p = 2 * (1 - F_{n-1}(|t|)) with F the Student t CDF (jStat.studentt.cdf). a, b: [n], n >= 2.
 * All d equal: t undefined; p = 1 when every d_i = 0, else p = 0 (a constant non-zero shift; scipy
 * returns NaN for both). Reference: scipy.stats.ttest_rel.
 * @example
 * ```ts
 * import { pairedTTest } from "xlir";
 * const r = pairedTTest([0.5, 0.6, 0.7, 0.8], [0.4, 0.45, 0.65, 0.6]);
 * console.assert(r.n === 4 && r.p > 0 && r.p < 0.1 && r.statistic > 0);
 * ```
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTestResult {
  const n = a.length;
  if (n !== b.length)
    throw new XlirError("MISMATCH", `paired t-test needs equal lengths, got ${n} and ${b.length}`);
  if (n < 2) throw new XlirError("BAD_INPUT", `paired t-test needs at least 2 pairs, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] - b[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = a[i] - b[i] - mean;
    ss += e * e;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (sd === 0) return { p: mean === 0 ? 1 : 0, statistic: mean === 0 ? 0 : Math.sign(mean) * Infinity, n };
  const t = mean / (sd / Math.sqrt(n));
  const p = 2 * jStat.studentt.cdf(-Math.abs(t), n - 1);
  return { p: Math.min(1, p), statistic: t, n };
}
