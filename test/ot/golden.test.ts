/**
 * Golden tests against POT 0.8 (test/golden/ot/pot_goldens.json, written by
 * scripts/dev/ot_goldens.py). Problems are regenerated from their seeds; POT's plans are rebuilt
 * from its stored dual potentials (Sinkhorn) or non-zeros (EMD).
 * Tolerance: every plan entry and every cost within 1e-6 absolute (float64).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emd, sinkhorn, sinkhornUnbalanced, type OtResult } from "../../src/ot/index.js";
import { randomOtProblem } from "../../src/ot/random.js";

interface SinkhornGolden {
  cost: number;
  iterations: number;
  converged: boolean;
  u: number[];
  v: number[];
}
interface GoldenCase {
  seed: number;
  m: number;
  n: number;
  checksum: number;
  epsilon: number;
  maxIterations: number;
  tolerance: number;
  log: SinkhornGolden;
  plain: SinkhornGolden;
  emd: { cost: number; i: number[]; j: number[]; value: number[] };
  unbalanced?: {
    epsilon: number;
    marginalRelaxation: number;
    cost: number;
    iterations: number;
    converged: boolean;
    logu: number[];
    logv: number[];
  };
}
const golden = JSON.parse(
  readFileSync(new URL("../golden/ot/pot_goldens.json", import.meta.url), "utf8"),
) as {
  meta: Record<string, string>;
  cases: GoldenCase[];
};
const TOL = 1e-6;

function maxDiff(x: Float64Array, y: Float64Array): number {
  let d = 0;
  for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k] - y[k]));
  return d;
}

function marginals(plan: Float64Array, m: number, n: number): { row: Float64Array; col: Float64Array } {
  const row = new Float64Array(m);
  const col = new Float64Array(n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      row[i] += plan[i * n + j];
      col[j] += plan[i * n + j];
    }
  return { row, col };
}

function l2(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += (x[k] - y[k]) ** 2;
  return Math.sqrt(s);
}

const worst = { log: 0, plain: 0, emd: 0, unbalanced: 0, cost: 0 };

describe(`POT ${golden.meta.pot} goldens (numpy ${golden.meta.numpy})`, () => {
  it("has at least 200 problems with m, n in 1..64 and epsilon in 1e-3..10", () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(200);
    const eps = golden.cases.map((c) => c.epsilon);
    expect(Math.min(...eps)).toBe(1e-3);
    expect(Math.max(...eps)).toBe(10);
    expect(golden.cases.some((c) => !c.log.converged)).toBe(true); // non-convergence is exercised
  });

  for (const c of golden.cases) {
    it(`seed ${c.seed}: ${c.m}x${c.n}, eps ${c.epsilon}, ${c.maxIterations} it, tol ${c.tolerance}`, () => {
      const p = randomOtProblem(c.seed);
      expect([p.m, p.n]).toEqual([c.m, c.n]);
      let checksum = 0;
      for (const arr of [p.a, p.b, p.cost]) for (const x of arr) checksum += x;
      expect(checksum).toBe(c.checksum); // the generator reproduces POT's inputs bit for bit

      for (const method of ["log", "plain"] as const) {
        const g = c[method];
        const r: OtResult = sinkhorn(p.a, p.b, p.cost, {
          epsilon: c.epsilon,
          maxIterations: c.maxIterations,
          tolerance: c.tolerance,
          method,
        });
        const ref = new Float64Array(c.m * c.n);
        for (let i = 0; i < c.m; i++)
          for (let j = 0; j < c.n; j++) {
            const k = Math.exp(-p.cost[i * c.n + j] / c.epsilon);
            ref[i * c.n + j] =
              method === "log"
                ? Math.exp(-p.cost[i * c.n + j] / c.epsilon + g.u[i] + g.v[j])
                : g.u[i] * k * g.v[j];
          }
        const d = maxDiff(r.plan, ref);
        worst[method] = Math.max(worst[method], d);
        worst.cost = Math.max(worst.cost, Math.abs(r.cost - g.cost));
        expect(d, `${method} plan`).toBeLessThan(TOL);
        expect(Math.abs(r.cost - g.cost), `${method} cost`).toBeLessThan(TOL);
        expect(r.converged, `${method} converged`).toBe(g.converged);
        expect(r.iterations, `${method} iterations`).toBe(g.iterations);
        expect(Number.isNaN(r.cost)).toBe(false);
        if (r.converged) {
          const mg = marginals(r.plan, c.m, c.n);
          expect(l2(mg.col, p.b)).toBeLessThan(c.tolerance); // the criterion asked for
          expect(l2(mg.row, p.a)).toBeLessThan(c.tolerance);
          expect(r.marginalError).toBeLessThan(c.tolerance);
        }
      }

      const e = emd(p.a, p.b, p.cost);
      const ref = new Float64Array(c.m * c.n);
      c.emd.i.forEach((i, t) => (ref[i * c.n + c.emd.j[t]] = c.emd.value[t]));
      const d = maxDiff(e.plan, ref);
      worst.emd = Math.max(worst.emd, d);
      expect(e.converged).toBe(true);
      expect(d, "emd plan").toBeLessThan(TOL);
      expect(Math.abs(e.cost - c.emd.cost), "emd cost").toBeLessThan(TOL);
      expect(e.marginalError).toBeLessThan(1e-12);

      if (c.unbalanced) {
        const g = c.unbalanced;
        const r = sinkhornUnbalanced(p.a, p.b, p.cost, {
          epsilon: g.epsilon,
          marginalRelaxation: g.marginalRelaxation,
          maxIterations: 1000,
          tolerance: 1e-9,
        });
        const uref = new Float64Array(c.m * c.n);
        for (let i = 0; i < c.m; i++)
          for (let j = 0; j < c.n; j++)
            uref[i * c.n + j] = Math.exp(g.logu[i] - p.cost[i * c.n + j] / g.epsilon + g.logv[j]);
        const du = maxDiff(r.plan, uref);
        worst.unbalanced = Math.max(worst.unbalanced, du);
        expect(du, "unbalanced plan").toBeLessThan(TOL);
        expect(Math.abs(r.cost - g.cost), "unbalanced cost").toBeLessThan(TOL);
        expect(r.converged).toBe(g.converged);
      }
    });
  }

  it("reports the largest deviations (all < 1e-6)", () => {
    console.log(
      `max |plan - POT|: log ${worst.log.toExponential(2)}, plain ${worst.plain.toExponential(2)}, emd ${worst.emd.toExponential(2)}, unbalanced ${worst.unbalanced.toExponential(2)}; max |cost - POT| ${worst.cost.toExponential(2)}`,
    );
    expect(Math.max(worst.log, worst.plain, worst.emd, worst.unbalanced, worst.cost)).toBeLessThan(TOL);
  });
});
