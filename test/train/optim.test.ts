/**
 * AdamW + gradient clipping vs torch.optim.AdamW (golden, 1e-10 in float64), optimizer state
 * round trip, the warm-up/decay schedule by hand arithmetic, parameter grouping, and the seeded
 * data order.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { AdamW, clipGradNorm, tensor, tidy, type Tensor } from "../../src/engine/index.js";
import {
  createAdamW,
  epochPermutation,
  isNoDecay,
  SeededShuffler,
  warmupLinear,
} from "../../src/train/index.js";

interface Enc {
  shape: number[];
  data: number[];
}
const golden = JSON.parse(readFileSync(new URL("../golden/engine/ops.json", import.meta.url), "utf8")) as {
  adamw: {
    init: Enc[];
    c0: Enc;
    c1: Enc;
    lrs: number[];
    betas: number[];
    eps: number;
    weight_decay: number[];
    clip: number;
    norms: number[];
    after: Enc[][];
    state_p0: { step: number; exp_avg: Enc; exp_avg_sq: Enc };
  };
};
const f64 = (e: Enc): Tensor => tensor(Float64Array.from(e.data), e.shape, "float64");
function maxDiff(a: Float64Array | Float32Array, b: number[]): number {
  return b.reduce((m, v, i) => Math.max(m, Math.abs(a[i] - v)), 0);
}

describe.skipIf(NO_TORCH)(torchSuite("AdamW"), () => {
  for (const mode of ["fused", "foreach", "ops"] as const)
    it(`two groups, per-step lr and clipping match torch.optim.AdamW for 4 steps (1e-10), ${mode}`, () => {
      const g = golden.adamw;
      const p0 = f64(g.init[0]).requireGrad();
      const p1 = f64(g.init[1]).requireGrad();
      const c0 = f64(g.c0);
      const c1 = f64(g.c1);
      const opt = new AdamW(
        [
          { params: [p0], lr: 0.1, weightDecay: g.weight_decay[0] },
          { params: [p1], lr: 0.1, weightDecay: g.weight_decay[1] },
        ],
        {
          beta1: g.betas[0],
          beta2: g.betas[1],
          eps: g.eps,
          fused: mode === "fused",
          foreach: mode === "foreach",
        },
      );
      expect(opt.mode).toBe(mode);
      g.lrs.forEach((lr, s) => {
        opt.setLr(lr);
        expect(opt.getLr(1)).toBe(lr);
        tidy(() => p0.mul(c0).pow(2).sum().add(p1.mul(c1).sum()).backward());
        expect(Math.abs(clipGradNorm([p0, p1], g.clip) - g.norms[s])).toBeLessThan(1e-10);
        opt.step();
        opt.zeroGrad();
        expect(maxDiff(p0.toFloat64(), g.after[s][0].data)).toBeLessThan(1e-10);
        expect(maxDiff(p1.toFloat64(), g.after[s][1].data)).toBeLessThan(1e-10);
      });
      expect(p0.grad).toBeNull();
      const st = opt.getState();
      expect(st[0]!.step).toBe(g.state_p0.step);
      expect(maxDiff(st[0]!.expAvg, g.state_p0.exp_avg.data)).toBeLessThan(1e-6); // state is copied out as float32
      expect(maxDiff(st[0]!.expAvgSq, g.state_p0.exp_avg_sq.data)).toBeLessThan(1e-6);
      // state round trip into a fresh optimizer: the next step is identical
      const q0 = p0.clone().detach().requireGrad();
      const q1 = p1.clone().detach().requireGrad();
      const opt2 = new AdamW(
        [
          { params: [q0], lr: 0.01, weightDecay: 0.01 },
          { params: [q1], lr: 0.01, weightDecay: 0 },
        ],
        { beta1: 0.9, beta2: 0.98, eps: 1e-6 },
      );
      opt2.setState(st.map((s) => s && { ...s, expAvg: s.expAvg, expAvgSq: s.expAvgSq }));
      expect(opt2.getState()[1]!.step).toBe(4);
      expect(() => opt2.setState([null])).toThrow(/2 parameters/);
      for (const [p, o] of [
        [p0, opt],
        [q0, opt2],
      ] as const) {
        tidy(() => p.pow(2).sum().backward());
        o.step();
      }
      expect(maxDiff(q0.toFloat64(), [...p0.toFloat64()])).toBeLessThan(1e-6);
      for (const t of [p0, p1, c0, c1, q0, q1]) t.free();
      opt.free();
      opt2.free();
    });

  for (const other of ["fused", "foreach"] as const)
    it(`${other} step equals the per-parameter ops (torch::optim::AdamW's sequence) in float32 (1e-6 over 5 steps, with and without amsgrad)`, () => {
      for (const amsgrad of [false, true]) {
        const make = () => [
          tensor(
            Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)),
            [30, 10],
          ).requireGrad(),
          tensor([0.5, -1, 2], [3]).requireGrad(),
        ];
        const [a0, a1] = make();
        const [b0, b1] = make();
        const oa = new AdamW(
          [
            { params: [a0], lr: 0.01, weightDecay: 0.1 },
            { params: [a1], lr: 0.02, weightDecay: 0 },
          ],
          { fused: other === "fused", foreach: other === "foreach", amsgrad },
        );
        const ob = new AdamW(
          [
            { params: [b0], lr: 0.01, weightDecay: 0.1 },
            { params: [b1], lr: 0.02, weightDecay: 0 },
          ],
          { fused: false, amsgrad },
        );
        for (let s = 0; s < 5; s++) {
          for (const [x0, x1, o] of [
            [a0, a1, oa],
            [b0, b1, ob],
          ] as const) {
            tidy(() => x0.pow(3).sum().add(x1.exp().sum()).backward());
            o.step();
            o.zeroGrad();
          }
        }
        expect(maxDiff(a0.toFloat32(), [...b0.toFloat32()])).toBeLessThan(1e-6);
        expect(maxDiff(a1.toFloat32(), [...b1.toFloat32()])).toBeLessThan(1e-6);
        expect(
          maxDiff(a0.toFloat32(), [...Float32Array.from({ length: 300 }, (_, i) => Math.sin(i))]),
        ).toBeGreaterThan(1e-3);
        expect(oa.getState()[0]!.step).toBe(5);
        for (const t of [a0, a1, b0, b1]) t.free();
        oa.free();
        ob.free();
      }
    });

  it("createAdamW: decay on weights and embeddings, none on biases and LayerNorm, frozen parameters left out", () => {
    expect(isNoDecay("encoder.layer.0.attention.output.LayerNorm.weight")).toBe(true);
    expect(isNoDecay("encoder.layer.0.intermediate.dense.bias")).toBe(true);
    expect(isNoDecay("embeddings.word_embeddings.weight")).toBe(false);
    const w = tensor([1, 2], [2]).requireGrad();
    const b = tensor([3], [1]).requireGrad();
    const frozen = tensor([4], [1]);
    const opt = createAdamW(
      [
        ["x.dense.weight", w],
        ["x.dense.bias", b],
        ["y.weight", frozen],
      ],
      { lr: 0.5 },
    );
    expect(opt.groups.map((g) => g.params.length)).toEqual([1, 1]);
    expect(opt.groups.map((g) => g.weightDecay)).toEqual([0.01, 0]);
    expect(opt.params).toEqual([w, b]);
    opt.free();
    for (const t of [w, b, frozen]) t.free();
  });
});

describe("schedule and data order (no native code)", () => {
  it("warm-up then linear decay: hand-computed values", () => {
    const o = { peakLr: 1, warmupSteps: 4, totalSteps: 10 };
    // t < 4: (t+1)/4; t >= 4: (10 - t)/6
    expect([0, 1, 3, 4, 7, 9].map((t) => warmupLinear(t, o))).toEqual([0.25, 0.5, 1, 1, 0.5, 1 / 6]);
    expect(warmupLinear(9, { ...o, minLr: 0.3 })).toBe(0.3);
    expect(() => warmupLinear(0, { peakLr: 1, warmupSteps: 11, totalSteps: 10 })).toThrow(/warmupSteps/);
  });

  it("epoch permutations are permutations, pure in (seed, epoch), and differ across epochs and seeds", () => {
    const a = epochPermutation(3, 0, 50);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochPermutation(3, 0, 50)).toEqual(a);
    expect(epochPermutation(3, 1, 50)).not.toEqual(a);
    expect(epochPermutation(4, 0, 50)).not.toEqual(a);
    const s = new SeededShuffler(7, 1);
    // batch 3 of size 3 covers stream positions 9..11 = epoch 1, offsets 2..4
    expect(s.batch(3, 3)).toEqual([...epochPermutation(1, 1, 7).subarray(2, 5)]);
    expect(s.position(9)).toEqual({ epoch: 1, offset: 2 });
    // every epoch visits every example exactly once
    const seen = new Set(Array.from({ length: 7 }, (_, k) => s.at(14 + k)));
    expect(seen.size).toBe(7);
  });
});
