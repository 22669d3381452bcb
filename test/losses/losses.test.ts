/**
 * Gradient and edge-case tests of the distillation losses on fixed float64 matrices (no model).
 * Tolerances: autograd vs central finite differences (h = 1e-6) within 1e-6 absolute;
 * envelope vs unrolled gradient within 1e-4.
 */
import { describe, expect, it } from "vitest";
import { isTorchAvailable, noGrad, tensor, tidy, type Tensor } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { getLoss, LOSSES, type DistillBatch } from "../../src/losses/index.js";
import { XorShift32 } from "../../src/util/random.js";

interface Raw {
  B: number;
  m: number;
  n: number;
  d: number;
  student: Float64Array;
  teacher: Float64Array;
  studentEnglish: Float64Array;
  ms: Float64Array;
  mt: Float64Array;
}

/** Random tokens; lengths per row in 1..m / 1..n (padding after). */
function rawBatch(
  seed: number,
  B: number,
  m: number,
  n: number,
  d: number,
  lens?: { s: number[]; t: number[] },
): Raw {
  const rng = new XorShift32(seed);
  const r = (k: number) => Float64Array.from({ length: k }, () => rng.next() * 2 - 1);
  const mask = (b: number, L: number, given?: number[]) => {
    const out = new Float64Array(b * L);
    for (let i = 0; i < b; i++) {
      const len = given ? given[i] : 1 + Math.floor(rng.next() * L);
      for (let t = 0; t < len; t++) out[i * L + t] = 1;
    }
    return out;
  };
  return {
    B,
    m,
    n,
    d,
    student: r(B * m * d),
    teacher: r(B * n * d),
    studentEnglish: r(B * n * d),
    ms: mask(B, m, lens?.s),
    mt: mask(B, n, lens?.t),
  };
}

function toBatch(raw: Raw, student: Tensor, extra: Partial<DistillBatch> = {}): DistillBatch {
  const { B, m, n, d } = raw;
  return {
    student,
    studentMask: tensor(raw.ms, [B, m], "float64"),
    teacher: tensor(raw.teacher, [B, n, d], "float64"),
    teacherMask: tensor(raw.mt, [B, n], "float64"),
    studentEnglish: tensor(raw.studentEnglish, [B, n, d], "float64"),
    studentEnglishMask: tensor(raw.mt, [B, n], "float64"),
    ...extra,
  };
}

/** Autograd gradient of the loss w.r.t. the student tokens, and the loss value. */
function autograd(
  raw: Raw,
  name: string,
  options: Record<string, unknown>,
  extra: Partial<DistillBatch> = {},
): { value: number; grad: Float64Array } {
  return tidy(() => {
    const s = tensor(raw.student, [raw.B, raw.m, raw.d], "float64").requireGrad();
    const out = getLoss(name).compute(toBatch(raw, s, extra), options);
    out.loss.backward();
    return { value: out.loss.item(), grad: s.grad!.toFloat64() };
  });
}

function value(
  raw: Raw,
  student: Float64Array,
  name: string,
  options: Record<string, unknown>,
  extra: Partial<DistillBatch> = {},
): number {
  return tidy(() =>
    noGrad(() =>
      getLoss(name)
        .compute(toBatch(raw, tensor(student, [raw.B, raw.m, raw.d], "float64"), extra), options)
        .loss.item(),
    ),
  );
}

/** max |autograd - central differences| over every student coordinate. */
function fdError(
  raw: Raw,
  name: string,
  options: Record<string, unknown>,
  extra: Partial<DistillBatch> = {},
): number {
  const { grad } = autograd(raw, name, options, extra);
  const h = 1e-6;
  let worst = 0;
  for (let k = 0; k < raw.student.length; k++) {
    const x = Float64Array.from(raw.student);
    x[k] += h;
    const up = value(raw, x, name, options, extra);
    x[k] -= 2 * h;
    const down = value(raw, x, name, options, extra);
    worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grad[k]));
  }
  return worst;
}

describe.skipIf(!isTorchAvailable())("distillation losses (libtorch, float64)", () => {
  const raw = rawBatch(42, 3, 4, 5, 6);

  it("ot, unrolled (gradient through 50 fixed iterations): autograd = finite differences within 1e-6", () => {
    expect(
      fdError(raw, "ot", { unrolled: true, iterations: 50, tolerance: 1e-30, epsilon: 0.1 }),
    ).toBeLessThan(1e-6);
  });

  it("ot, squared L2 cost, unrolled: autograd = finite differences within 1e-6", () => {
    expect(
      fdError(raw, "ot", {
        unrolled: true,
        iterations: 30,
        tolerance: 1e-30,
        epsilon: 0.5,
        cost: "sqeuclidean",
      }),
    ).toBeLessThan(1e-6);
  });

  it("ot, envelope gradient (plan constant) = finite differences of the converged entropic value within 1e-6", () => {
    expect(
      fdError(raw, "ot", { value: "entropic", iterations: 5000, tolerance: 1e-13, epsilon: 0.1 }),
    ).toBeLessThan(1e-6);
  });

  it("ot, envelope gradient = unrolled gradient in the limit of many iterations (within 1e-4)", () => {
    const env = autograd(raw, "ot", { value: "entropic", iterations: 2000, tolerance: 1e-13 });
    for (const [its, bound] of [
      [3, Infinity],
      [2000, 1e-4],
    ] as const) {
      const unr = autograd(raw, "ot", {
        value: "entropic",
        unrolled: true,
        iterations: its,
        tolerance: 1e-13,
      });
      let d = 0;
      for (let k = 0; k < env.grad.length; k++) d = Math.max(d, Math.abs(env.grad[k] - unr.grad[k]));
      if (its === 3)
        expect(d).toBeGreaterThan(1e-4); // not converged: they differ, the test can fail
      else expect(d).toBeLessThan(bound);
    }
  });

  it("ot, envelope gradient of the transport value <P*, C> is an approximation (differs from finite differences by eps dH/dC)", () => {
    const err = fdError(raw, "ot", { iterations: 5000, tolerance: 1e-13, epsilon: 0.1 });
    expect(err).toBeGreaterThan(1e-3); // measured 1.3e-2 at eps 0.1: documented, not hidden
    expect(err).toBeLessThan(0.1);
  });

  it("ot with IDF-like marginals and the anchor term: autograd = finite differences within 1e-6", () => {
    const w = Float64Array.from({ length: raw.B * raw.m }, (_, k) => 0.5 + (k % 3));
    const wt = Float64Array.from({ length: raw.B * raw.n }, (_, k) => 1 + (k % 2));
    const extra = () => ({
      studentWeights: tensor(w, [raw.B, raw.m], "float64"),
      teacherWeights: tensor(wt, [raw.B, raw.n], "float64"),
    });
    const opts = { unrolled: true, iterations: 20, tolerance: 1e-30, marginals: "idf", anchor: 0.5 };
    const { grad } = autograd(raw, "ot", opts, extra());
    const h = 1e-6;
    let worst = 0;
    for (let k = 0; k < raw.student.length; k += 5) {
      const x = Float64Array.from(raw.student);
      x[k] += h;
      const up = value(raw, x, "ot", opts, extra());
      x[k] -= 2 * h;
      worst = Math.max(worst, Math.abs((up - value(raw, x, "ot", opts, extra())) / (2 * h) - grad[k]));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("contrastive (late interaction, with a duplicate English sentence): autograd = finite differences within 1e-6", () => {
    expect(fdError(raw, "contrastive", {}, { englishIds: ["x", "y", "x"] })).toBeLessThan(1e-6);
    expect(fdError(raw, "contrastive", { symmetric: true, score: "pooled", temperature: 0.1 })).toBeLessThan(
      1e-6,
    );
  });

  it("mse: autograd = finite differences within 1e-6", () => {
    expect(fdError(raw, "mse", {})).toBeLessThan(1e-6);
    expect(
      fdError(raw, "ot+contrastive", {
        contrastiveWeight: 0.3,
        ot: { unrolled: true, iterations: 10, tolerance: 1e-30 },
      }),
    ).toBeLessThan(1e-6);
  });

  it("contrastive: duplicates are not negatives (hand-computed value)", () => {
    // one token per sentence; d = 2; f_0 = e_0 = e_2 = (1, 0), f_1 = e_1 = (0, 1), f_2 = (1, 0)
    const r: Raw = {
      B: 3,
      m: 1,
      n: 1,
      d: 2,
      student: Float64Array.from([1, 0, 0, 1, 1, 0]),
      teacher: Float64Array.from([1, 0, 0, 1, 1, 0]),
      studentEnglish: new Float64Array(6),
      ms: Float64Array.from([1, 1, 1]),
      mt: Float64Array.from([1, 1, 1]),
    };
    const tau = 0.5;
    const withDup = value(r, r.student, "contrastive", { temperature: tau }, { englishIds: [7, 8, 7] });
    // row 0: logits (2, 0, masked) -> -log(e^2 / (e^2 + 1)); row 1: (0, 2, 0); row 2: (masked, 0, 2)
    const l0 = -Math.log(Math.exp(2) / (Math.exp(2) + 1));
    const l1 = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
    expect(withDup).toBeCloseTo((l0 + l1 + l0) / 3, 10);
    const without = value(r, r.student, "contrastive", { temperature: tau });
    expect(without).toBeCloseTo((-Math.log(Math.exp(2) / (2 * Math.exp(2) + 1)) * 2 + l1) / 3, 10);
  });

  it("one-token sentences: ot = 1 - cos of the pair; 1 x 64: ot = mean of 1 - cos", () => {
    const one = rawBatch(3, 2, 1, 1, 4, { s: [1, 1], t: [1, 1] });
    const v = value(one, one.student, "ot", {});
    const cos = (x: Float64Array, y: Float64Array, o: number) => {
      let xy = 0,
        xx = 0,
        yy = 0;
      for (let k = 0; k < 4; k++) {
        xy += x[o + k] * y[o + k];
        xx += x[o + k] ** 2;
        yy += y[o + k] ** 2;
      }
      return xy / Math.sqrt(xx * yy);
    };
    expect(v).toBeCloseTo((2 - cos(one.student, one.teacher, 0) - cos(one.student, one.teacher, 4)) / 2, 10);
    const wide = rawBatch(4, 1, 1, 64, 4, { s: [1], t: [64] });
    let mean = 0;
    for (let j = 0; j < 64; j++) {
      let xy = 0,
        xx = 0,
        yy = 0;
      for (let k = 0; k < 4; k++) {
        xy += wide.student[k] * wide.teacher[j * 4 + k];
        xx += wide.student[k] ** 2;
        yy += wide.teacher[j * 4 + k] ** 2;
      }
      mean += (1 - xy / Math.sqrt(xx * yy)) / 64;
    }
    expect(value(wide, wide.student, "ot", {})).toBeCloseTo(mean, 10);
    expect(Number.isFinite(value(wide, wide.student, "contrastive", {}))).toBe(true);
  });

  it("identical embeddings: ot cost near 0 (eps 0.01), mse exactly 0", () => {
    const r = rawBatch(5, 2, 6, 6, 8, { s: [6, 4], t: [6, 4] });
    const same: Raw = { ...r, teacher: r.student, studentEnglish: r.student };
    expect(value(same, same.student, "ot", { epsilon: 0.01, iterations: 500 })).toBeLessThan(1e-6);
    expect(value(same, same.student, "mse", {})).toBe(0);
  });

  it("all-padding rows are a clear error", () => {
    const r = rawBatch(6, 2, 3, 3, 4, { s: [2, 0], t: [3, 3] });
    for (const name of Object.keys(LOSSES)) {
      expect(() => value(r, r.student, name, {}), name).toThrow(XlirError);
      expect(() => value(r, r.student, name, {}), name).toThrow(/student: row 1 is all padding/);
    }
  });

  it("registry: unknown loss lists every name; unknown option is rejected", () => {
    expect(() => getLoss("kl")).toThrow(`unknown loss 'kl'; known losses: ${Object.keys(LOSSES).join(", ")}`);
    expect(Object.keys(LOSSES)).toEqual(["ot", "contrastive", "mse", "ot+contrastive"]);
    expect(() => value(raw, raw.student, "ot", { epsilom: 0.1 })).toThrow(
      /unknown option 'epsilom'; allowed options: epsilon/,
    );
  });

  it("ot reports convergence statistics", () => {
    const out = tidy(() => {
      const r = getLoss("ot").compute(toBatch(raw, tensor(raw.student, [3, 4, 6], "float64")), {
        iterations: 200,
      });
      return r.stats;
    });
    expect(out.convergedFraction).toBe(1);
    expect(out.meanIterations).toBeGreaterThan(0);
    expect(out.transport).toBeGreaterThan(0);
  });
});
