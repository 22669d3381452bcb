/** Small descriptive statistics shared by benchmarks and reports. */

/**
 * Median of `xs`: the middle value of the sorted copy, or the mean of the two middle values when
 * the count is even; NaN for an empty list. `xs` is not modified.
 * @example
 * ```ts
 * import { median } from "xlir";
 * console.assert(median([3, 1, 2]) === 2 && median([4, 1, 3, 2]) === 2.5 && Number.isNaN(median([])));
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
