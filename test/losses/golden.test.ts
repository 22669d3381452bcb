/**
 * The contrastive loss against an independent PyTorch implementation (scripts/dev/loss_goldens.py,
 * written from the formula, not from xlir's code): value and gradient w.r.t. the student tokens,
 * float64, late and pooled scores, symmetric, with duplicates of an English sentence masked.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTorchAvailable, tensor, tidy } from "../../src/engine/index.js";
import { getLoss } from "../../src/losses/index.js";

interface Golden {
  shape: { B: number; m: number; n: number; d: number };
  student: number[];
  teacher: number[];
  studentMask: number[];
  teacherMask: number[];
  englishIds: number[];
  cases: Array<{
    options: { score: string; temperature: number; symmetric: boolean; dedupe: boolean };
    value: number;
    grad: number[];
  }>;
}

const golden = JSON.parse(readFileSync("test/golden/losses/contrastive.json", "utf8")) as Golden;

describe.skipIf(!isTorchAvailable())("contrastive loss = PyTorch reference (float64)", () => {
  const { B, m, n, d } = golden.shape;
  for (const c of golden.cases) {
    const { dedupe, ...options } = c.options;
    it(`${JSON.stringify(c.options)}: value and gradient within 1e-10`, () => {
      const got = tidy(() => {
        const s = tensor(Float64Array.from(golden.student), [B, m, d], "float64").requireGrad();
        const out = getLoss("contrastive").compute(
          {
            student: s,
            studentMask: tensor(Float64Array.from(golden.studentMask), [B, m], "float64"),
            teacher: tensor(Float64Array.from(golden.teacher), [B, n, d], "float64"),
            teacherMask: tensor(Float64Array.from(golden.teacherMask), [B, n], "float64"),
            ...(dedupe ? { englishIds: golden.englishIds } : {}),
          },
          options,
        );
        out.loss.backward();
        return { value: out.loss.item(), grad: s.grad!.toFloat64() };
      });
      expect(Math.abs(got.value - c.value)).toBeLessThan(1e-10);
      let worst = 0;
      for (let k = 0; k < c.grad.length; k++) worst = Math.max(worst, Math.abs(got.grad[k] - c.grad[k]));
      expect(worst).toBeLessThan(1e-10);
    });
  }
});
