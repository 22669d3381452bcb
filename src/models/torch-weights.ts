/**
 * Hugging Face parameter names of BERT / XLM-RoBERTa encoders, and moving weights between
 * `NamedWeights` (plain arrays) and libtorch parameters.
 */
import { XlirError } from "../errors.js";
import { keep, tensor, zeros, ones, randn, manualSeed, noGrad, type Tensor } from "../engine/index.js";
import { canonicalName, expectedWeightShapes } from "./config.js";
export { canonicalName };
import type { EncoderConfig, HeadConfig, NamedWeights, WeightTensor } from "./types.js";

export type ParamDType = "float32" | "float64";

/** Expected shape of every encoder parameter, by HF name (no `bert.`/`roberta.` prefix), in model order. */
export function encoderParamShapes(c: EncoderConfig): Map<string, number[]> {
  return expectedWeightShapes(c);
}

/** Head parameter shapes (`linear.weight` [dim, hidden], `linear.bias` [dim] unless bias: false); empty without a linear layer. */
export function headParamShapes(c: EncoderConfig, head: HeadConfig | null): Map<string, number[]> {
  const m = new Map<string, number[]>();
  if (head && head.dim !== null) {
    m.set("linear.weight", [head.dim, c.hiddenSize]);
    if (head.bias !== false) m.set("linear.bias", [head.dim]);
  }
  return m;
}

/** Builds trainable parameters (requires_grad, outside every memory scope) from named weights; missing names or wrong shapes are refused. */
export function loadParams(
  shapes: Map<string, number[]>,
  weights: NamedWeights,
  what: string,
  dtype: ParamDType,
): Map<string, Tensor> {
  const byName = new Map<string, WeightTensor>();
  for (const [k, v] of weights) byName.set(canonicalName(k), v);
  const out = new Map<string, Tensor>();
  for (const [name, shape] of shapes) {
    const w = byName.get(name);
    if (!w) {
      for (const t of out.values()) t.free();
      throw new XlirError(
        "MISMATCH",
        `${what}: weight '${name}' is missing (expected shape [${shape.join(", ")}])`,
      );
    }
    if (w.shape.length !== shape.length || w.shape.some((s, i) => s !== shape[i])) {
      for (const t of out.values()) t.free();
      throw new XlirError(
        "MISMATCH",
        `${what}: weight '${name}' has shape [${w.shape.join(", ")}], the config expects [${shape.join(", ")}]`,
      );
    }
    out.set(name, keep(tensor(w.data, shape, dtype)).requireGrad());
  }
  return out;
}

/**
 * Random parameters as Hugging Face initialises them: linear and embedding weights ~ N(0, 0.02²),
 * the padding row of the word embeddings zero, biases 0, LayerNorm weight 1. Seeds libtorch's generator.
 */
export function randomParams(
  shapes: Map<string, number[]>,
  seed: number,
  dtype: ParamDType,
  padRow: number | null,
): Map<string, Tensor> {
  manualSeed(seed);
  const out = new Map<string, Tensor>();
  noGrad(() => {
    for (const [name, shape] of shapes) {
      let t: Tensor;
      if (name.endsWith("LayerNorm.weight")) t = ones(shape, dtype);
      else if (name.endsWith(".bias")) t = zeros(shape, dtype);
      else {
        const r = randn(shape, dtype);
        t = r.mul(0.02);
        r.free();
      }
      if (
        name === "embeddings.word_embeddings.weight" &&
        padRow !== null &&
        padRow >= 0 &&
        padRow < shape[0]
      ) {
        const row = t.narrow(0, padRow, 1);
        const z = zeros([1, shape[1]], dtype);
        row.copy(z);
        row.free();
        z.free();
      }
      out.set(name, keep(t).requireGrad());
    }
  });
  return out;
}

/** Parameters back to plain float32 `NamedWeights` (for the safetensors writer). */
export function exportParams(params: Map<string, Tensor>, prefix = ""): NamedWeights {
  const out: NamedWeights = new Map();
  for (const [name, t] of params)
    out.set(prefix + name, { dtype: "F32", shape: t.shape, data: t.toFloat32() });
  return out;
}
