/** Input validation shared by the typed-array optimal-transport solvers. */
import { XlirError } from "../errors.js";

/** A checked problem: float64 copies of the marginals and the cost. */
export interface OtProblem {
  m: number;
  n: number;
  a: Float64Array; // [m]
  b: Float64Array; // [n]
  cost: Float64Array; // [m, n] row-major
  massA: number;
  massB: number;
}

function toChecked(name: string, xs: ArrayLike<number>, what: string): Float64Array {
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x))
      throw new XlirError("BAD_INPUT", `${name}[${i}] is ${x}; expected a finite ${what}`);
    out[i] = x;
  }
  return out;
}

/**
 * Checks lengths (a: m > 0, b: n > 0, cost: m * n), non-negative finite marginals with positive
 * total mass, finite costs, and (when `massTolerance` is given) sum(a) = sum(b) within
 * massTolerance * max(sum(a), sum(b)). Throws XlirError("BAD_INPUT") naming the offending value.
 */
export function checkProblem(
  solver: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  cost: ArrayLike<number>,
  massTolerance: number | null,
): OtProblem {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0)
    throw new XlirError(
      "BAD_INPUT",
      `${solver}: marginals must be non-empty (got a of length ${m}, b of length ${n})`,
    );
  if (cost.length !== m * n) {
    throw new XlirError(
      "BAD_INPUT",
      `${solver}: cost has ${cost.length} entries; expected m * n = ${m} * ${n} = ${m * n} (row-major)`,
    );
  }
  const aa = toChecked(`${solver}: a`, a, "non-negative weight");
  const bb = toChecked(`${solver}: b`, b, "non-negative weight");
  const cc = toChecked(`${solver}: cost`, cost, "cost");
  let massA = 0;
  let massB = 0;
  for (let i = 0; i < m; i++) {
    if (aa[i] < 0)
      throw new XlirError(
        "BAD_INPUT",
        `${solver}: a[${i}] = ${aa[i]} is negative; marginals must be non-negative`,
      );
    massA += aa[i];
  }
  for (let j = 0; j < n; j++) {
    if (bb[j] < 0)
      throw new XlirError(
        "BAD_INPUT",
        `${solver}: b[${j}] = ${bb[j]} is negative; marginals must be non-negative`,
      );
    massB += bb[j];
  }
  if (massA <= 0)
    throw new XlirError("BAD_INPUT", `${solver}: marginal a is all zero; expected positive total mass`);
  if (massB <= 0)
    throw new XlirError("BAD_INPUT", `${solver}: marginal b is all zero; expected positive total mass`);
  if (massTolerance !== null && Math.abs(massA - massB) > massTolerance * Math.max(massA, massB)) {
    throw new XlirError(
      "BAD_INPUT",
      `${solver}: total masses differ (sum(a) = ${massA}, sum(b) = ${massB}); expected equal within relative ${massTolerance} (use sinkhornUnbalanced for unequal masses)`,
    );
  }
  return { m, n, a: aa, b: bb, cost: cc, massA, massB };
}

export function checkPositive(solver: string, name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0))
    throw new XlirError("BAD_INPUT", `${solver}: ${name} = ${x}; expected a finite number > 0`);
}

export function checkIterations(solver: string, x: number): void {
  if (!(Number.isInteger(x) && x >= 1))
    throw new XlirError("BAD_INPUT", `${solver}: maxIterations = ${x}; expected an integer >= 1`);
}

/** Transport cost <P, C> and max(||P1 - a||_2, ||P^T1 - b||_2) of a row-major plan. */
export function planStats(p: OtProblem, plan: Float64Array): { cost: number; marginalError: number } {
  const { m, n, a, b, cost } = p;
  const col = new Float64Array(n);
  let total = 0;
  let rowErr = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) {
      const x = plan[off + j];
      row += x;
      col[j] += x;
      total += x * cost[off + j];
    }
    rowErr += (row - a[i]) ** 2;
  }
  let colErr = 0;
  for (let j = 0; j < n; j++) colErr += (col[j] - b[j]) ** 2;
  return { cost: total, marginalError: Math.max(Math.sqrt(rowErr), Math.sqrt(colErr)) };
}
