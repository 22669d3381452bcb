/** Multiple-comparison corrections of p-values (one function per method + registry). */
import { XlirError } from "../../errors.js";

/** Bonferroni: p'_i = min(1, m * p_i). p: [m]. */
/**
 * @example
 * ```ts
 * import { bonferroni } from "xlir";
 * console.assert(bonferroni([0.01, 0.5]).join() === "0.02,1");
 * ```
 */
export function bonferroni(p: readonly number[]): number[] {
  return p.map((x) => Math.min(1, x * p.length));
}

/**
 * Holm-Bonferroni step-down (Holm 1979): sort p ascending p_(1..m); p'_(k) = max_{j<=k} min(1, (m - j + 1) p_(j)),
 * returned in the input order. p: [m].
 * @example
 * ```ts
 * import { holm } from "xlir";
 * const adjusted = holm([0.01, 0.04, 0.03]);
 * console.assert(adjusted[0] === 0.03 && adjusted[2] === 0.06 && adjusted[1] === 0.06);
 * ```
 */
export function holm(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((idx, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p[idx]));
    out[idx] = running;
  });
  return out;
}

export function noCorrection(p: readonly number[]): number[] {
  return [...p];
}

export const CORRECTIONS: Readonly<Record<string, (p: readonly number[]) => number[]>> = {
  holm,
  bonferroni,
  none: noCorrection,
};

export type CorrectionName = "holm" | "bonferroni" | "none";

/**
 * Applies the correction named `name` (a key of CORRECTIONS) to p-values p: [m]; an unknown name is a USAGE error.
 * @example
 * ```ts
 * import { correct, XlirError } from "xlir";
 * console.assert(correct("bonferroni", [0.01, 0.2]).join() === "0.02,0.4" && correct("none", [0.3]).join() === "0.3");
 * let err: unknown;
 * try {
 *   correct("fdr", [0.1]);
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "USAGE");
 * ```
 */
export function correct(name: string, p: readonly number[]): number[] {
  const f = CORRECTIONS[name];
  if (f === undefined)
    throw new XlirError(
      "USAGE",
      `unknown correction '${name}'; known: ${Object.keys(CORRECTIONS).join(", ")}`,
    );
  return f(p);
}
