/**
 * Hugging Face `config.json` <-> EncoderConfig for BERT-family encoders.
 *
 * HF configs carry many keys xlir does not use (torch_dtype, transformers_version, id2label ...);
 * those are accepted and ignored, since rejecting them would refuse every real checkpoint. The keys
 * xlir reads are validated by type and range. `position_embedding_type` other than "absolute" is
 * refused (UNSUPPORTED).
 */
import { z } from "zod";
import { XlirError } from "../errors.js";
import type { Architecture, EncoderConfig, HeadConfig } from "./types.js";

/** model_type values accepted, mapped to the architecture xlir runs ("roberta" has XLM-R's layout). */
export const SUPPORTED_MODEL_TYPES: Record<string, Architecture> = {
  bert: "bert",
  "xlm-roberta": "xlm-roberta",
  roberta: "xlm-roberta",
};

const posInt = z.number().int().positive();
const HfConfigSchema = z.looseObject({
  model_type: z.string(),
  vocab_size: posInt,
  hidden_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  intermediate_size: posInt,
  max_position_embeddings: posInt,
  type_vocab_size: z.number().int().nonnegative().default(2),
  layer_norm_eps: z.number().positive().default(1e-12),
  pad_token_id: z.number().int().nonnegative().optional(),
  hidden_act: z.string().default("gelu"),
  position_embedding_type: z.string().default("absolute"),
});

/**
 * Parses a config.json object; `file` names the source in errors.
 * @example
 * ```ts
 * import { parseHfConfig, XlirError } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "xlm-roberta",
 *   vocab_size: 100,
 *   hidden_size: 32,
 *   num_hidden_layers: 2,
 *   num_attention_heads: 4,
 *   intermediate_size: 64,
 *   max_position_embeddings: 66,
 * });
 * // XLM-R defaults: pad id 1, positions start after it (offset 2), GELU
 * console.assert(c.architecture === "xlm-roberta" && c.padTokenId === 1 && c.positionOffset === 2);
 * console.assert(c.hiddenAct === "gelu" && c.typeVocabSize === 2 && c.layerNormEps === 1e-12);
 * let code = "";
 * try {
 *   parseHfConfig({ model_type: "gpt2" }, "gpt2/config.json");
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "UNSUPPORTED");
 * ```
 */
export function parseHfConfig(raw: unknown, file = "config.json"): EncoderConfig {
  const mt = (raw as { model_type?: unknown } | null)?.model_type;
  const supported = Object.keys(SUPPORTED_MODEL_TYPES).join(", ");
  if (typeof mt !== "string")
    throw new XlirError("CONFIG", `${file}: missing "model_type" (supported: ${supported})`);
  const architecture = SUPPORTED_MODEL_TYPES[mt];
  if (!architecture)
    throw new XlirError(
      "UNSUPPORTED",
      `${file}: model_type "${mt}" is not supported (supported: ${supported})`,
    );
  const r = HfConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new XlirError("CONFIG", `${file}: ${issues}`);
  }
  const c = r.data;
  if (c.position_embedding_type !== "absolute") {
    throw new XlirError(
      "UNSUPPORTED",
      `${file}: position_embedding_type "${c.position_embedding_type}" is not supported (only "absolute")`,
    );
  }
  if (c.hidden_size % c.num_attention_heads !== 0) {
    throw new XlirError(
      "CONFIG",
      `${file}: hidden_size ${c.hidden_size} is not a multiple of num_attention_heads ${c.num_attention_heads}`,
    );
  }
  const acts: Record<string, EncoderConfig["hiddenAct"]> = {
    gelu: "gelu",
    gelu_new: "gelu_new",
    relu: "relu",
  };
  const hiddenAct = acts[c.hidden_act];
  if (!hiddenAct)
    throw new XlirError(
      "UNSUPPORTED",
      `${file}: hidden_act "${c.hidden_act}" is not supported (supported: ${Object.keys(acts).join(", ")})`,
    );
  const padTokenId = c.pad_token_id ?? (architecture === "bert" ? 0 : 1);
  return {
    architecture,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    intermediateSize: c.intermediate_size,
    maxPositions: c.max_position_embeddings,
    typeVocabSize: c.type_vocab_size,
    layerNormEps: c.layer_norm_eps,
    padTokenId,
    hiddenAct,
    positionOffset: architecture === "xlm-roberta" ? padTokenId + 1 : 0,
  };
}

/**
 * Longest input (in tokens, specials included) the position table allows.
 * @example
 * ```ts
 * import { parseHfConfig, maxSequenceLength } from "xlir";
 * const base = { vocab_size: 100, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };
 * // BERT uses every position; XLM-R's positions start at pad id + 1 = 2, so 514 rows hold 512 tokens
 * console.assert(maxSequenceLength(parseHfConfig({ ...base, model_type: "bert", max_position_embeddings: 512 })) === 512);
 * console.assert(maxSequenceLength(parseHfConfig({ ...base, model_type: "xlm-roberta", max_position_embeddings: 514 })) === 512);
 * ```
 */
export function maxSequenceLength(c: EncoderConfig): number {
  return c.maxPositions - c.positionOffset;
}

/**
 * EncoderConfig -> config.json with HF field names, loadable by transformers' AutoModel.
 * @example
 * ```ts
 * import { parseHfConfig, toHfConfig } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 100,
 *   hidden_size: 8,
 *   num_hidden_layers: 1,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 32,
 *   hidden_act: "relu",
 * });
 * const hf = toHfConfig(c);
 * console.assert(hf.model_type === "bert" && (hf.architectures as string[])[0] === "BertModel");
 * console.assert(JSON.stringify(parseHfConfig(hf)) === JSON.stringify(c)); // round trip
 * ```
 */
export function toHfConfig(c: EncoderConfig): Record<string, unknown> {
  const xlmr = c.architecture === "xlm-roberta";
  return {
    architectures: [xlmr ? "XLMRobertaModel" : "BertModel"],
    model_type: xlmr ? "xlm-roberta" : "bert",
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    intermediate_size: c.intermediateSize,
    hidden_act: c.hiddenAct,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: c.maxPositions,
    type_vocab_size: c.typeVocabSize,
    initializer_range: 0.02,
    layer_norm_eps: c.layerNormEps,
    pad_token_id: c.padTokenId,
    ...(xlmr ? { bos_token_id: 0, eos_token_id: 2 } : {}),
    position_embedding_type: "absolute",
    torch_dtype: "float32",
  };
}

/**
 * Expected weight names and shapes (HF names without the `bert.`/`roberta.` prefix).
 * Pooler weights are optional and not listed.
 * @example
 * ```ts
 * import { expectedWeightShapes, parseHfConfig } from "xlir";
 * const c = parseHfConfig({
 *   model_type: "bert",
 *   vocab_size: 100,
 *   hidden_size: 8,
 *   num_hidden_layers: 2,
 *   num_attention_heads: 2,
 *   intermediate_size: 16,
 *   max_position_embeddings: 32,
 * });
 * const shapes = expectedWeightShapes(c);
 * console.assert(shapes.size === 5 + 2 * 16); // 5 embedding tensors, 16 per layer
 * console.assert(shapes.get("embeddings.word_embeddings.weight")!.join() === "100,8");
 * console.assert(shapes.get("encoder.layer.1.intermediate.dense.weight")!.join() === "16,8");
 * ```
 */
export function expectedWeightShapes(c: EncoderConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const m = new Map<string, number[]>([
    ["embeddings.word_embeddings.weight", [c.vocabSize, H]],
    ["embeddings.position_embeddings.weight", [c.maxPositions, H]],
    ["embeddings.token_type_embeddings.weight", [c.typeVocabSize, H]],
    ["embeddings.LayerNorm.weight", [H]],
    ["embeddings.LayerNorm.bias", [H]],
  ]);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `encoder.layer.${l}.`;
    for (const n of [
      "attention.self.query",
      "attention.self.key",
      "attention.self.value",
      "attention.output.dense",
    ]) {
      m.set(`${p}${n}.weight`, [H, H]);
      m.set(`${p}${n}.bias`, [H]);
    }
    m.set(`${p}attention.output.LayerNorm.weight`, [H]);
    m.set(`${p}attention.output.LayerNorm.bias`, [H]);
    m.set(`${p}intermediate.dense.weight`, [c.intermediateSize, H]);
    m.set(`${p}intermediate.dense.bias`, [c.intermediateSize]);
    m.set(`${p}output.dense.weight`, [H, c.intermediateSize]);
    m.set(`${p}output.dense.bias`, [H]);
    m.set(`${p}output.LayerNorm.weight`, [H]);
    m.set(`${p}output.LayerNorm.bias`, [H]);
  }
  return m;
}

/**
 * Expected shape of the retrieval head's parameters (`linear.weight` [dim, hidden], `linear.bias`
 * [dim] unless bias: false); empty without a linear layer.
 */
export function expectedHeadShapes(c: EncoderConfig, head: HeadConfig | null): Map<string, number[]> {
  const m = new Map<string, number[]>();
  if (head && head.dim !== null) {
    m.set("linear.weight", [head.dim, c.hiddenSize]);
    if (head.bias !== false) m.set("linear.bias", [head.dim]);
  }
  return m;
}

/**
 * Canonical HF name: strips a `bert.` / `roberta.` prefix and maps old `gamma`/`beta` LayerNorm names.
 * @example
 * ```ts
 * import { canonicalName } from "xlir";
 * console.assert(canonicalName("bert.embeddings.LayerNorm.gamma") === "embeddings.LayerNorm.weight");
 * console.assert(canonicalName("roberta.encoder.layer.0.output.LayerNorm.beta") === "encoder.layer.0.output.LayerNorm.bias");
 * console.assert(canonicalName("linear.weight") === "linear.weight");
 * ```
 */
export function canonicalName(name: string): string {
  let n = name.replace(/^(bert|roberta)\./, "");
  n = n.replace(/LayerNorm\.gamma$/, "LayerNorm.weight").replace(/LayerNorm\.beta$/, "LayerNorm.bias");
  return n;
}
