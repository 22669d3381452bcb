/**
 * Hugging Face parameter names of BERT / XLM-RoBERTa encoders, and moving weights between
 * `NamedWeights` (plain arrays) and libtorch parameters.
 */
import { XlirError } from "../errors.js";
import { keep, tensor, zeros, ones, randn, manualSeed, noGrad, type Tensor } from "../engine/index.js";
import { canonicalName, expectedHeadShapes, expectedWeightShapes } from "./config.js";
export { canonicalName };
import type { EncoderConfig, HeadConfig, NamedWeights, WeightTensor } from "./types.js";

export type ParamDType = "float32" | "float64";

/**
 * Expected shape of every encoder parameter, by HF name (no `bert.`/`roberta.` prefix), in model order.
 * @example
 * ```ts
 * import { encoderParamShapes, parseHfConfig } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 20,
 *   hidden_size: 8,
 *   num_hidden_layers: 1,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 16,
 * });
 * const names = [...encoderParamShapes(c).keys()];
 * console.assert(names.length === 5 + 16 && names[0] === "embeddings.word_embeddings.weight");
 * console.assert(names.at(-1) === "encoder.layer.0.output.LayerNorm.bias"); // model order: the last layer last
 * ```
 */
export function encoderParamShapes(c: EncoderConfig): Map<string, number[]> {
  return expectedWeightShapes(c);
}

/**
 * Head parameter shapes (`linear.weight` [dim, hidden], `linear.bias` [dim] unless bias: false); empty without a linear layer.
 * @example
 * ```ts
 * import { headParamShapes, parseHfConfig } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 20,
 *   hidden_size: 8,
 *   num_hidden_layers: 1,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 16,
 * });
 * const colbert = headParamShapes(c, { kind: "colbert", dim: 4, pooling: "cls" });
 * console.assert(colbert.get("linear.weight")!.join() === "4,8" && colbert.get("linear.bias")!.join() === "4");
 * console.assert(headParamShapes(c, { kind: "colbert", dim: 4, pooling: "cls", bias: false }).size === 1);
 * console.assert(headParamShapes(c, { kind: "pooled", dim: null, pooling: "mean" }).size === 0 && headParamShapes(c, null).size === 0);
 * ```
 */
export function headParamShapes(c: EncoderConfig, head: HeadConfig | null): Map<string, number[]> {
  return expectedHeadShapes(c, head);
}

/**
 * Builds trainable parameters (requires_grad, outside every memory scope) from named weights; missing names or wrong shapes are refused.
 * @example
 * ```ts
 * import { loadParams, XlirError } from "xlir";
 * const shapes = new Map([["linear.weight", [2, 3]]]);
 * const weights = new Map([["linear.weight", { dtype: "F32" as const, shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }]]);
 * const p = loadParams(shapes, weights, "head", "float64");
 * const w = p.get("linear.weight")!;
 * console.assert(w.requiresGrad && w.shape.join() === "2,3" && w.toFloat32()[5] === 6);
 * w.free();
 * let code = "";
 * try {
 *   loadParams(new Map([["linear.weight", [3, 2]]]), weights, "head", "float32");
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "MISMATCH");
 * ```
 */
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
 * the padding row of the word embeddings zero, biases 0, LayerNorm (or layer_norm) weight 1. Seeds libtorch's generator.
 * @example
 * ```ts
 * import { encoderParamShapes, parseHfConfig, randomParams } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 20,
 *   hidden_size: 8,
 *   num_hidden_layers: 1,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 16,
 * });
 * const p = randomParams(encoderParamShapes(c), 7, "float32", 0);
 * const word = p.get("embeddings.word_embeddings.weight")!.toFloat32(); // [20, 8], row 0 = padding
 * console.assert(word.slice(0, 8).every((v) => v === 0) && word.slice(8).every((v) => v !== 0));
 * const sd = Math.sqrt(word.slice(8).reduce((a, v) => a + v * v, 0) / (word.length - 8));
 * console.assert(sd > 0.012 && sd < 0.028); // ~ N(0, 0.02²)
 * console.assert(p.get("embeddings.LayerNorm.weight")!.toFloat32().every((v) => v === 1));
 * console.assert(p.get("encoder.layer.0.output.dense.bias")!.toFloat32().every((v) => v === 0));
 * const again = randomParams(encoderParamShapes(c), 7, "float32", 0); // same seed, same values
 * console.assert(again.get("embeddings.word_embeddings.weight")!.toFloat32().every((v, i) => v === word[i]));
 * for (const t of [...p.values(), ...again.values()]) t.free();
 * ```
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
      if (name.endsWith("LayerNorm.weight") || name.endsWith("layer_norm.weight")) t = ones(shape, dtype);
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

/**
 * Parameters back to plain float32 `NamedWeights` (for the safetensors writer).
 * @example
 * ```ts
 * import { exportParams, headParamShapes, loadParams, parseHfConfig, randomParams } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 20,
 *   hidden_size: 8,
 *   num_hidden_layers: 1,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 16,
 * });
 * const shapes = headParamShapes(c, { kind: "colbert", dim: 4, pooling: "cls" });
 * const p = randomParams(shapes, 1, "float64", null);
 * const w = exportParams(p, "head.");
 * console.assert([...w.keys()].join() === "head.linear.weight,head.linear.bias");
 * console.assert(w.get("head.linear.weight")!.dtype === "F32" && w.get("head.linear.weight")!.shape.join() === "4,8");
 * const q = loadParams(shapes, exportParams(p), "round trip", "float32"); // and back
 * console.assert(q.get("linear.weight")!.toFloat32().every((v, i) => v === w.get("head.linear.weight")!.data[i]));
 * for (const t of [...p.values(), ...q.values()]) t.free();
 * ```
 */
export function exportParams(params: Map<string, Tensor>, prefix = ""): NamedWeights {
  const out: NamedWeights = new Map();
  for (const [name, t] of params)
    out.set(prefix + name, { dtype: "F32", shape: t.shape, data: t.toFloat32() });
  return out;
}
