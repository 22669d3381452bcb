/** Batched Sinkhorn on the libtorch engine equals the typed-array solver on every problem of a padded batch. */
import { describe, expect, it } from "vitest";
import { isTorchAvailable, liveTensors, noGrad, tensor, tidy } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { sinkhorn, sinkhornBatched } from "../../src/ot/index.js";
import { randomOtProblem, type RandomOtProblem } from "../../src/ot/random.js";

/** Pads problems into cost [B, M, N] (padding cost 0.5), a [B, M], b [B, N] (padding weight 0). */
function pad(problems: RandomOtProblem[]): {
  cost: Float64Array;
  a: Float64Array;
  b: Float64Array;
  M: number;
  N: number;
} {
  const M = Math.max(...problems.map((p) => p.m));
  const N = Math.max(...problems.map((p) => p.n));
  const B = problems.length;
  const cost = new Float64Array(B * M * N).fill(0.5);
  const a = new Float64Array(B * M);
  const b = new Float64Array(B * N);
  problems.forEach((p, k) => {
    a.set(p.a, k * M);
    b.set(p.b, k * N);
    for (let i = 0; i < p.m; i++)
      for (let j = 0; j < p.n; j++) cost[k * M * N + i * N + j] = p.cost[i * p.n + j];
  });
  return { cost, a, b, M, N };
}

describe.skipIf(!isTorchAvailable())("sinkhornBatched (libtorch)", () => {
  it("equals sinkhorn() on each problem of a padded float64 batch (plan within 1e-12; same iterations)", () => {
    const sizes: Array<[number, number]> = [
      [1, 1],
      [1, 64],
      [64, 1],
      [12, 7],
      [30, 32],
      [5, 40],
      [64, 64],
      [2, 3],
    ];
    const problems = sizes.map(([m, n], k) => randomOtProblem(500 + k, { m, n }));
    const { cost, a, b, M, N } = pad(problems);
    const B = problems.length;
    for (const eps of [0.01, 0.1, 1]) {
      const before = liveTensors();
      const { plan, res } = tidy(() => {
        const r = noGrad(() =>
          sinkhornBatched(tensor(cost, [B, M, N]), tensor(a, [B, M]), tensor(b, [B, N]), {
            epsilon: eps,
            maxIterations: 300,
            tolerance: 1e-9,
          }),
        );
        const { plan: planTensor, ...rest } = r;
        return { plan: planTensor.toFloat64(), res: rest }; // the plan tensor is freed by tidy
      });
      expect(liveTensors()).toBe(before); // no leaks
      problems.forEach((p, k) => {
        const ref = sinkhorn(p.a, p.b, p.cost, { epsilon: eps, maxIterations: 300, tolerance: 1e-9 });
        expect(res.iterations[k], `problem ${k} eps ${eps}`).toBe(ref.iterations);
        expect(res.converged[k]).toBe(ref.converged);
        let d = 0;
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            const x = plan[k * M * N + i * N + j];
            const y = i < p.m && j < p.n ? ref.plan[i * p.n + j] : 0;
            d = Math.max(d, Math.abs(x - y));
          }
        expect(d, `problem ${k} eps ${eps}`).toBeLessThan(1e-12);
      });
      expect(res.convergedFraction).toBe(res.converged.filter(Boolean).length / B);
    }
  });

  it("float32 at eps 0.01 stays finite and matches float64 within 1e-5", () => {
    const problems = [randomOtProblem(1, { m: 20, n: 33 }), randomOtProblem(2, { m: 33, n: 9 })];
    const { cost, a, b, M, N } = pad(problems);
    const run = (dtype: "float32" | "float64") =>
      tidy(() =>
        noGrad(() =>
          sinkhornBatched(
            tensor(cost, [2, M, N], dtype),
            tensor(a, [2, M], dtype),
            tensor(b, [2, N], dtype),
            { epsilon: 0.01, maxIterations: 50 },
          ).plan.toFloat64(),
        ),
      );
    const p32 = run("float32");
    const p64 = run("float64");
    expect(p32.every(Number.isFinite)).toBe(true);
    let d = 0;
    for (let k = 0; k < p32.length; k++) d = Math.max(d, Math.abs(p32[k] - p64[k]));
    expect(d).toBeLessThan(1e-5);
  });

  it("an all-padding problem is a clear error", () => {
    const f = () =>
      tidy(() =>
        sinkhornBatched(
          tensor(new Float64Array(2 * 2 * 2), [2, 2, 2]),
          tensor([0.5, 0.5, 0, 0], [2, 2]),
          tensor([0.5, 0.5, 0.5, 0.5], [2, 2]),
          { epsilon: 0.1 },
        ),
      );
    expect(f).toThrow(XlirError);
    expect(f).toThrow(/problem 1 has no real rows/);
  });
});
