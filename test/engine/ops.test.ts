/**
 * Every bound op against PyTorch 1.13 (test/golden/engine/ops.json from scripts/dev/torch_op_goldens.py):
 * value and gradient of sum(op(x) * W) within 1e-5 (absolute + relative), float64 unless `_f32`.
 * On a GPU (XLIR_DEVICE=cuda, scripts/device-check.sh) within 1e-4: CUDA kernels sum in other orders.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "./torch-skip.js";
import {
  cat,
  crossEntropy,
  einsum,
  embedding,
  layerNorm,
  linear,
  liveTensors,
  manualSeed,
  mseLoss,
  rand,
  randn,
  stack,
  tensor,
  tidy,
  where,
  getDevice,
  type DType,
  type Tensor,
} from "../../src/engine/index.js";

interface Enc {
  shape: number[];
  dtype: DType;
  data: number[];
}
interface Case {
  name: string;
  inputs: Enc[];
  output: Enc;
  weight: Enc | null;
  grads: (Enc | null)[];
}
const golden = JSON.parse(readFileSync(new URL("../golden/engine/ops.json", import.meta.url), "utf8")) as {
  torch_version: string;
  cases: Case[];
  random: { seed: number; randn_2x3: number[][]; rand_4: number[] };
};

type Op = (...x: Tensor[]) => Tensor;
const OPS: Record<string, Op> = {
  neg: (a) => a.neg(),
  exp: (a) => a.exp(),
  log: (a) => a.log(),
  sqrt: (a) => a.sqrt(),
  rsqrt: (a) => a.rsqrt(),
  tanh: (a) => a.tanh(),
  sigmoid: (a) => a.sigmoid(),
  relu: (a) => a.relu(),
  abs: (a) => a.abs(),
  erf: (a) => a.erf(),
  gelu: (a) => a.gelu(),
  gelu_tanh: (a) => a.gelu("tanh"),
  gelu_f32: (a) => a.gelu(),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.pow(b),
  maximum: (a, b) => a.maximum(b),
  minimum: (a, b) => a.minimum(b),
  add_s: (a) => a.add(2.5),
  mul_s: (a) => a.mul(-1.5),
  div_s: (a) => a.div(4),
  pow_s: (a) => a.pow(3),
  rsub_s: (a) => a.rsub(1),
  clamp: (a) => a.clamp(-0.5, 0.7),
  clamp_min: (a) => a.clamp(0.1),
  sum_all: (a) => a.sum(),
  sum_dim: (a) => a.sum(1, true),
  mean_dims: (a) => a.mean([0, 2]),
  amax: (a) => a.amax(-1),
  amin: (a) => a.amin(1, true),
  logsumexp: (a) => a.logsumexp(-1),
  logsumexp_2d: (a) => a.logsumexp([1, 2], true),
  max_values: (a) => a.max(1).values,
  norm: (a) => a.norm(2, -1),
  norm_all: (a) => a.norm(),
  normalize: (a) => a.normalize(-1),
  softmax: (a) => a.softmax(-1),
  softmax_f32: (a) => a.softmax(-1),
  log_softmax: (a) => a.logSoftmax(0),
  cumsum: (a) => a.cumsum(1),
  transpose: (a) => a.transpose(0, 2),
  permute: (a) => a.permute(1, 2, 0),
  reshape: (a) => a.reshape(6, 4),
  narrow: (a) => a.narrow(1, 1, 3),
  select: (a) => a.select(0, 2),
  index_select: (a, i) => a.indexSelect(0, i),
  gather: (a, i) => a.gather(1, i),
  expand: (a) => a.expand(3, 4),
  unsqueeze: (a) => a.unsqueeze(1),
  cat: (a, b) => cat([a, b], 0),
  stack: (a, b) => stack([a, b], 1),
  einsum: (a, b) => einsum("bid,bjd->bij", a, b),
  matmul: (a, b) => a.matmul(b),
  matmul_f32: (a, b) => a.matmul(b),
  bmm: (a, b) => a.bmm(b),
  linear: (x, w, b) => linear(x, w, b),
  layer_norm: (x, w, b) => layerNorm(x, [6], w, b, 1e-5),
  embedding: (w, i) => embedding(w, i),
  masked_fill: (a, m) => a.maskedFill(m, -1e9),
  where: (c, a, b) => where(c, a, b),
  cross_entropy: (x, t) => crossEntropy(x, t),
  cross_entropy_sum_ls: (x, t) => crossEntropy(x, t, "sum", 0.1),
  mse_loss: (a, b) => mseLoss(a, b),
  eq: (a, b) => a.eq(b),
  gt: (a, b) => a.gt(b),
  lt_s: (a) => a.lt(0.2),
  to_f32: (a) => a.to("float32"),
};

function make(e: Enc): Tensor {
  if (e.dtype === "int64") return tensor(BigInt64Array.from(e.data.map((v) => BigInt(v))), e.shape);
  if (e.dtype === "bool") return tensor(Uint8Array.from(e.data), e.shape, "bool");
  return tensor(Float64Array.from(e.data), e.shape, e.dtype);
}

function expectClose(actual: Float64Array, expected: number[], tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > tol * (1 + Math.abs(expected[i]))) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, PyTorch ${expected[i]} (tol ${tol})`);
    }
  }
}

const TOL = NO_TORCH || getDevice() === "cpu" ? 1e-5 : 1e-4;

describe.skipIf(NO_TORCH)(
  torchSuite(`bound ops vs PyTorch ${golden.torch_version} on ${NO_TORCH ? "-" : getDevice()}`),
  () => {
    it("covers every golden case with an op", () => {
      for (const c of golden.cases) expect(OPS[c.name], c.name).toBeTypeOf("function");
    });

    for (const c of golden.cases) {
      it(`${c.name}: value and gradient within ${TOL}`, () => {
        const before = liveTensors();
        tidy(() => {
          const ins = c.inputs.map((e) => {
            const t = make(e);
            return e.dtype === "float32" || e.dtype === "float64" ? t.requireGrad() : t;
          });
          const y = OPS[c.name](...ins);
          expect(y.shape).toEqual(c.output.shape);
          expect(y.dtype).toBe(c.output.dtype);
          expectClose(y.toFloat64(), c.output.data, TOL, `${c.name} value`);
          if (c.weight) {
            y.mul(make(c.weight)).sum().backward();
            c.grads.forEach((g, i) => {
              if (g === null) return;
              const grad = ins[i].grad;
              expect(grad, `${c.name} grad ${i}`).not.toBeNull();
              expectClose(grad!.toFloat64(), g.data, TOL, `${c.name} grad ${i}`);
            });
          }
        });
        expect(liveTensors()).toBe(before); // the scope freed everything
      });
    }

    it("seeded randn/rand reproduce PyTorch's CPU generator exactly (1e-7)", () => {
      tidy(() => {
        manualSeed(golden.random.seed);
        expectClose(randn([2, 3]).toFloat64(), golden.random.randn_2x3.flat(), 1e-7, "randn");
        expectClose(rand([4]).toFloat64(), golden.random.rand_4, 1e-7, "rand");
      });
    });
  },
);
