/**
 * Autograd vs central finite differences in float64 for every layer type the encoder and the losses
 * use: linear, layer norm, attention block, GELU, embedding, L2 normalisation, logsumexp, the full
 * encoder layer stack, cross-entropy and a log-domain Sinkhorn step.
 * df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h, h = 1e-6; tolerance |auto - fd| <= 1e-6 + 1e-5·|fd|.
 */
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "./torch-skip.js";
import {
  crossEntropy,
  embedding,
  layerNorm,
  linear,
  manualSeed,
  randn,
  tensor,
  tidy,
  noGrad,
  type Tensor,
} from "../../src/engine/index.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";

/** Checks d f(inputs) / d input_k for every float64 input against finite differences. */
function gradcheck(make: () => Tensor[], f: (xs: Tensor[]) => Tensor, which?: number[]): number {
  let worst = 0;
  tidy(() => {
    const xs = make().map((x) => (x.dtype === "float64" ? x.requireGrad() : x));
    f(xs).backward();
    const targets = which ?? xs.map((_, i) => i).filter((i) => xs[i].dtype === "float64");
    for (const k of targets) {
      const auto = xs[k].grad!.toFloat64();
      const base = xs[k].toFloat64();
      const shape = xs[k].shape;
      const h = 1e-6;
      for (let i = 0; i < base.length; i++) {
        const val = (delta: number): number =>
          noGrad(() =>
            tidy(() => {
              const p = Float64Array.from(base);
              p[i] += delta;
              const args = xs.map((x, j) => (j === k ? tensor(p, shape, "float64") : x));
              return f(args).item();
            }),
          );
        const fd = (val(h) - val(-h)) / (2 * h);
        const err = Math.abs(auto[i] - fd);
        worst = Math.max(worst, err / (1e-6 + 1e-5 * Math.abs(fd)));
        if (err > 1e-6 + 1e-5 * Math.abs(fd))
          throw new Error(`input ${k}[${i}]: autograd ${auto[i]}, finite difference ${fd}`);
      }
    }
  });
  return worst;
}

const r = (...shape: number[]): Tensor => randn(shape, "float64");
/** Random weights so the scalar output depends on every element differently. */
const weighted = (y: Tensor, seed: number): Tensor => {
  manualSeed(seed);
  return y.mul(randn(y.shape, "float64")).sum();
};

describe.skipIf(NO_TORCH)(torchSuite("autograd vs finite differences (float64)"), () => {
  it("linear", () => {
    manualSeed(1);
    expect(
      gradcheck(
        () => [r(2, 3, 4), r(5, 4), r(5)],
        ([x, w, b]) => weighted(linear(x, w, b), 9),
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("layer norm", () => {
    manualSeed(2);
    expect(
      gradcheck(
        () => [r(2, 3, 6), r(6), r(6)],
        ([x, w, b]) => weighted(layerNorm(x, [6], w, b, 1e-5), 9),
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("gelu (exact and tanh)", () => {
    manualSeed(3);
    expect(
      gradcheck(
        () => [r(3, 4)],
        ([x]) => weighted(x.gelu().add(x.gelu("tanh")), 9),
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("embedding (gradient into the table, repeated ids)", () => {
    manualSeed(4);
    const ids = () => tensor(new BigInt64Array([1n, 4n, 1n, 0n]), [2, 2]);
    expect(
      gradcheck(
        () => [r(5, 3), ids()],
        ([w, i]) => weighted(embedding(w, i), 9),
        [0],
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("L2 normalisation", () => {
    manualSeed(5);
    expect(
      gradcheck(
        () => [r(3, 4)],
        ([x]) => weighted(x.normalize(-1), 9),
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("logsumexp", () => {
    manualSeed(6);
    expect(
      gradcheck(
        () => [r(3, 4)],
        ([x]) => weighted(x.mul(5).logsumexp(-1), 9),
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("attention block: softmax(q k^T / sqrt(d) + mask) v with a padded key", () => {
    manualSeed(7);
    const mask = () => tensor(new Float64Array([0, 0, 0, -1e9]), [1, 1, 1, 4], "float64");
    const att = ([q, k, v, m]: Tensor[]): Tensor =>
      weighted(q.matmul(k.transpose(2, 3)).mul(0.5).add(m).softmax(-1).matmul(v), 9);
    expect(
      gradcheck(() => [r(1, 2, 4, 4), r(1, 2, 4, 4), r(1, 2, 4, 4), mask()], att, [0, 1, 2]),
    ).toBeLessThanOrEqual(1);
  });
  it("cross-entropy with label smoothing", () => {
    manualSeed(8);
    const t = () => tensor(new BigInt64Array([2n, 0n, 1n]), [3]);
    expect(
      gradcheck(
        () => [r(3, 4), t()],
        ([x, y]) => crossEntropy(x, y, "mean", 0.1),
        [0],
      ),
    ).toBeLessThanOrEqual(1);
  });
  it("log-domain Sinkhorn iterations (unrolled) on a cost matrix", () => {
    manualSeed(9);
    // f <- eps·log a - eps·lse((g - C)/eps) over j; g likewise; loss <P, C>
    const sink = ([C]: Tensor[]): Tensor => {
      const eps = 0.5;
      const loga = Math.log(1 / 3);
      const logb = Math.log(1 / 4);
      let f = tensor(new Float64Array(3), [3, 1], "float64");
      let g = tensor(new Float64Array(4), [1, 4], "float64");
      for (let it = 0; it < 5; it++) {
        f = g
          .sub(C)
          .div(eps)
          .logsumexp(1, true)
          .mul(-eps)
          .add(eps * loga); // [3, 1]
        g = f
          .sub(C)
          .div(eps)
          .logsumexp(0, true)
          .mul(-eps)
          .add(eps * logb); // [1, 4]
      }
      const P = f.add(g).sub(C).div(eps).exp(); // [3, 4]
      return P.mul(C).sum();
    };
    expect(gradcheck(() => [r(3, 4)], sink)).toBeLessThanOrEqual(1);
  });
  it("whole encoder (2 layers, XLM-R positions, padding) w.r.t. a weight matrix", () => {
    const config = {
      architecture: "xlm-roberta" as const,
      vocabSize: 11,
      hiddenSize: 4,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 6,
      maxPositions: 10,
      typeVocabSize: 1,
      layerNormEps: 1e-5,
      padTokenId: 1,
      hiddenAct: "gelu" as const,
      positionOffset: 2,
    };
    const enc = TorchEncoder.random(config, null, 3, { dtype: "float64", dropout: 0 });
    const w = enc.namedParameters().find(([n]) => n === "encoder.layer.0.attention.self.key.weight")![1];
    const ids = new Int32Array([0, 5, 7, 2, 0, 9, 2, 1]);
    const mask = new Int32Array([1, 1, 1, 1, 1, 1, 1, 0]);
    // the parameter itself is perturbed through copy(): f reads it from the encoder
    let worst = 0;
    tidy(() => {
      manualSeed(10);
      const R = randn([2, 4, 4], "float64");
      const f = (): Tensor => enc.forward(ids, mask, 2, 4).mul(R).sum();
      f().backward();
      const auto = w.grad!.toFloat64();
      const base = w.toFloat64();
      for (let i = 0; i < base.length; i++) {
        const at = (d: number): number =>
          noGrad(() =>
            tidy(() => {
              const p = Float64Array.from(base);
              p[i] += d;
              w.copy(tensor(p, w.shape, "float64"));
              return f().item();
            }),
          );
        const fd = (at(1e-6) - at(-1e-6)) / 2e-6;
        worst = Math.max(worst, Math.abs(auto[i] - fd) / (1e-6 + 1e-5 * Math.abs(fd)));
      }
      w.copy(tensor(base, w.shape, "float64"));
    });
    enc.free();
    expect(worst).toBeLessThanOrEqual(1);
  });
});
