/** Invariants and edge cases of the typed-array OT solvers (no reference library needed). */
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { emd, sinkhorn, sinkhornUnbalanced } from "../../src/ot/index.js";
import { randomOtProblem } from "../../src/ot/random.js";

const uniform = (k: number): Float64Array => new Float64Array(k).fill(1 / k);

describe("sinkhorn invariants", () => {
  it("log and plain agree at moderate epsilon (plan within 1e-9)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = randomOtProblem(seed, { maxSize: 24 });
      const lg = sinkhorn(p.a, p.b, p.cost, { epsilon: 0.5, tolerance: 1e-12, maxIterations: 5000 });
      const pl = sinkhorn(p.a, p.b, p.cost, {
        epsilon: 0.5,
        tolerance: 1e-12,
        maxIterations: 5000,
        method: "plain",
      });
      expect(lg.converged && pl.converged).toBe(true);
      for (let k = 0; k < lg.plan.length; k++) expect(Math.abs(lg.plan[k] - pl.plan[k])).toBeLessThan(1e-9);
    }
  });

  it("never NaN at epsilon 1e-3 with large costs (log domain), and the cost approaches EMD", () => {
    const p = randomOtProblem(7, { m: 20, n: 30 });
    const big = p.cost.map((c) => c * 1000); // costs up to ~8000: exp(-C/eps) underflows in the plain domain
    const r = sinkhorn(p.a, p.b, big, { epsilon: 1e-3, maxIterations: 200 });
    expect(r.plan.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.cost)).toBe(true);
    const small = sinkhorn(p.a, p.b, p.cost, { epsilon: 5e-3, maxIterations: 50000, tolerance: 1e-6 });
    const exact = emd(p.a, p.b, p.cost);
    expect(small.converged).toBe(true);
    expect(Math.abs(small.cost - exact.cost)).toBeLessThan(5e-3 * Math.log(600)); // entropic gap <= eps log(mn)
    expect(small.cost).toBeGreaterThanOrEqual(exact.cost - 1e-9);
  });

  it("plain domain underflow is reported as not converged, not hidden", () => {
    const p = randomOtProblem(7, { m: 20, n: 30 });
    const r = sinkhorn(
      p.a,
      p.b,
      p.cost.map((c) => c * 1000),
      { epsilon: 1e-3, method: "plain" },
    );
    expect(r.converged).toBe(false);
    expect(r.plan.every(Number.isFinite)).toBe(true);
  });

  it("too few iterations: converged false and marginalError above the tolerance", () => {
    const p = randomOtProblem(3, { m: 30, n: 30 });
    const r = sinkhorn(p.a, p.b, p.cost, { epsilon: 0.005, maxIterations: 5, tolerance: 1e-9 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(5);
    expect(r.marginalError).toBeGreaterThan(1e-9);
  });

  it("1x1: the whole mass moves, cost = C", () => {
    const r = sinkhorn([1], [1], [0.7], { epsilon: 0.1 });
    expect(r.plan[0]).toBeCloseTo(1, 12);
    expect(r.cost).toBeCloseTo(0.7, 12);
    expect(r.converged).toBe(true);
    const e = emd([1], [1], [0.7]);
    expect(e.plan[0]).toBe(1);
  });

  it("1x64 and 64x1: the plan is the other marginal (exact in one iteration)", () => {
    const p = randomOtProblem(5, { m: 1, n: 64 });
    for (const method of ["log", "plain"] as const) {
      const r = sinkhorn(p.a, p.b, p.cost, { epsilon: 0.01, method });
      expect(r.converged).toBe(true);
      for (let j = 0; j < 64; j++) expect(Math.abs(r.plan[j] - p.b[j])).toBeLessThan(1e-12);
      const t = sinkhorn(p.b, p.a, p.cost, { epsilon: 0.01, method });
      for (let i = 0; i < 64; i++) expect(Math.abs(t.plan[i] - p.b[i])).toBeLessThan(1e-12);
    }
    const e = emd(p.a, p.b, p.cost);
    for (let j = 0; j < 64; j++) expect(Math.abs(e.plan[j] - p.b[j])).toBeLessThan(1e-15);
  });

  it("identical embeddings (cost 1 - cos with zero diagonal): cost near 0, plan near diagonal", () => {
    const k = 16;
    const cost = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) cost[i * k + j] = i === j ? 0 : 1;
    const r = sinkhorn(uniform(k), uniform(k), cost, { epsilon: 0.01 });
    expect(r.cost).toBeLessThan(1e-30); // off-diagonal mass ~ exp(-1/0.01)
    expect(emd(uniform(k), uniform(k), cost).cost).toBe(0);
  });

  it("zero entries in a marginal are allowed; plan rows stay zero", () => {
    const a = [0.5, 0, 0.5];
    const b = [0.25, 0.75];
    const cost = [0, 1, 1, 0, 0.5, 0.5];
    for (const method of ["log", "plain"] as const) {
      const r = sinkhorn(a, b, cost, { epsilon: 0.1, method });
      expect(r.plan[2]).toBe(0);
      expect(r.plan[3]).toBe(0);
      expect(r.converged).toBe(true);
    }
  });
});

describe("input validation (clear XlirError)", () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    [
      "all-zero marginal",
      () => sinkhorn([0, 0], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.1 }),
      /a is all zero/,
    ],
    [
      "negative weight",
      () => sinkhorn([1.5, -0.5], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.1 }),
      /a\[1\] = -0.5 is negative/,
    ],
    [
      "cost length",
      () => sinkhorn([0.5, 0.5], [0.5, 0.5], [0, 1, 1], { epsilon: 0.1 }),
      /cost has 3 entries; expected m \* n = 2 \* 2 = 4/,
    ],
    [
      "unequal masses",
      () => sinkhorn([1, 1], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.1 }),
      /total masses differ/,
    ],
    ["NaN cost", () => sinkhorn([1], [1], [NaN], { epsilon: 0.1 }), /cost\[0\] is NaN/],
    ["infinite cost", () => emd([1], [1], [Infinity]), /cost\[0\] is Infinity/],
    ["epsilon 0", () => sinkhorn([1], [1], [0], { epsilon: 0 }), /epsilon = 0/],
    [
      "unknown method",
      () => sinkhorn([1], [1], [0], { epsilon: 0.1, method: "exact" as "log" }),
      /method 'exact'/,
    ],
    ["empty", () => emd([], [1], []), /non-empty/],
    [
      "unbalanced rho",
      () => sinkhornUnbalanced([1], [1], [0], { epsilon: 0.1, marginalRelaxation: -1 }),
      /marginalRelaxation/,
    ],
  ];
  for (const [name, f, msg] of bad) {
    it(name, () => {
      expect(f).toThrow(XlirError);
      expect(f).toThrow(msg);
    });
  }
});

describe("emd", () => {
  it("is optimal: no cheaper plan among Sinkhorn with tiny epsilon, and matches a hand example", () => {
    // 2x2: moving a=(0.6,0.4) to b=(0.5,0.5) with C=[[0,1],[1,0]]: keep 0.5 and 0.4 in place, move 0.1.
    const r = emd([0.6, 0.4], [0.5, 0.5], [0, 1, 1, 0]);
    expect(Array.from(r.plan)).toEqual([0.5, 0.1, 0, 0.4].map((x) => expect.closeTo(x, 15)));
    expect(r.cost).toBeCloseTo(0.1, 15);
  });

  it("solves 300x300 with exact marginals", () => {
    const p = randomOtProblem(11, { m: 300, n: 300 });
    const r = emd(p.a, p.b, p.cost);
    expect(r.converged).toBe(true);
    expect(r.marginalError).toBeLessThan(1e-12);
    let nz = 0;
    for (const x of r.plan) if (x > 0) nz++;
    expect(nz).toBeLessThanOrEqual(599); // a basic solution
  });
});

describe("sinkhornUnbalanced", () => {
  it("approaches balanced Sinkhorn for large marginalRelaxation", () => {
    const p = randomOtProblem(9, { m: 10, n: 12 });
    const bal = sinkhorn(p.a, p.b, p.cost, { epsilon: 0.1, tolerance: 1e-12 });
    const unb = sinkhornUnbalanced(p.a, p.b, p.cost, {
      epsilon: 0.1,
      marginalRelaxation: 1e6,
      tolerance: 1e-12,
      maxIterations: 100000,
    });
    for (let k = 0; k < bal.plan.length; k++) expect(Math.abs(bal.plan[k] - unb.plan[k])).toBeLessThan(1e-4);
  });
  it("accepts unequal masses", () => {
    const r = sinkhornUnbalanced([2, 1], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.1, marginalRelaxation: 1 });
    expect(r.converged).toBe(true);
    expect(r.plan.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
  });
});

describe("fast log-domain iterations", () => {
  it("equal the literal log-domain transcription (plans within 1e-12, same iterations), eps 1e-3..10", async () => {
    const { sinkhornLog } = await import("../../src/ot/sinkhorn.js");
    const { sinkhornLogAbsorbed } = await import("../../src/ot/sinkhorn-absorbed.js");
    const { checkProblem } = await import("../../src/ot/validate.js");
    for (let seed = 100; seed < 140; seed++) {
      const p = randomOtProblem(seed, { maxSize: 40 });
      const q = checkProblem("t", p.a, p.b, p.cost, 1e-6);
      const eps = [1e-3, 1e-2, 0.1, 1, 10][seed % 5];
      const x = sinkhornLog(q, eps, 300, 1e-9);
      const y = sinkhornLogAbsorbed(q, eps, 300, 1e-9);
      expect(y.iterations).toBe(x.iterations);
      expect(y.converged).toBe(x.converged);
      for (let k = 0; k < x.plan.length; k++) expect(Math.abs(x.plan[k] - y.plan[k])).toBeLessThan(1e-12);
    }
  });
});
