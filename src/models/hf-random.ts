/**
 * A random BERT / XLM-R model in HF layout, with a synthetic word-level tokenizer (tokens "w0".."wN"
 * as whole words), for benchmarks and tests that need a model of a given size without files.
 */
import { createHash } from "node:crypto";
import { TextTokenizer } from "../text/tokenizer.js";
import { expectedWeightShapes } from "./config.js";
import { PLAIN_INTERACTION } from "./interaction.js";
import type { HfModel } from "./hf.js";
import type { Architecture, EncoderConfig, NamedWeights } from "./types.js";
import { mulberry32 } from "../util/random.js";

export interface RandomModelOptions {
  architecture?: Architecture; // default bert
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  maxPositions?: number; // default 514 (xlm-roberta) / 512 (bert)
  seed?: number; // default 0
  /** Standard deviation of the random weights (default 0.02, HF's initializer_range). */
  std?: number;
}

const SPECIALS = {
  bert: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
  "xlm-roberta": ["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
};

/** Word-level tokenizer.json: specials first, then "w5".."w<vocab-1>" (word i has id i). */
export function syntheticTokenizerJson(architecture: Architecture, vocab: number): Record<string, unknown> {
  const sp = SPECIALS[architecture];
  const words = Object.fromEntries([
    ...sp.map((t, i) => [t, i] as const),
    ...Array.from({ length: vocab - sp.length }, (_, k) => [`w${k + sp.length}`, k + sp.length] as const),
  ]);
  const bert = architecture === "bert";
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: sp.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: bert
      ? { type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2] }
      : {
          type: "RobertaProcessing",
          sep: ["</s>", 2],
          cls: ["<s>", 0],
          trim_offsets: true,
          add_prefix_space: false,
        },
    decoder: null,
    model: {
      type: "WordPiece",
      unk_token: bert ? "[UNK]" : "<unk>",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: words,
    },
  };
}

/** Builds the random model; weights ~ N(0, std^2) (Box-Muller), LayerNorm weights 1, biases 0. */
export function randomHfModel(o: RandomModelOptions): HfModel {
  const architecture = o.architecture ?? "bert";
  const padTokenId = architecture === "bert" ? 0 : 1;
  const config: EncoderConfig = {
    architecture,
    vocabSize: o.vocab,
    hiddenSize: o.hidden,
    numLayers: o.layers,
    numHeads: o.heads,
    intermediateSize: o.ffn,
    maxPositions: o.maxPositions ?? (architecture === "bert" ? 512 : 514),
    typeVocabSize: architecture === "bert" ? 2 : 1,
    layerNormEps: architecture === "bert" ? 1e-12 : 1e-5,
    padTokenId,
    hiddenAct: "gelu",
    positionOffset: architecture === "bert" ? 0 : padTokenId + 1,
  };
  const rnd = mulberry32(o.seed ?? 0);
  const std = o.std ?? 0.02;
  const weights: NamedWeights = new Map();
  for (const [name, shape] of expectedWeightShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.includes("LayerNorm.weight")) data.fill(1);
    else if (!name.endsWith(".bias"))
      for (let i = 0; i < data.length; i++)
        data[i] = std * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    weights.set(name, { dtype: "F32", shape, data });
  }
  const tokJson = syntheticTokenizerJson(architecture, o.vocab);
  const hash = createHash("sha256").update(JSON.stringify({ o, architecture })).digest("hex");
  const tokenizerHash = createHash("sha256").update(JSON.stringify(tokJson)).digest("hex");
  return {
    layout: "hf",
    config,
    weights,
    tokenizer: TextTokenizer.fromJson(tokJson),
    head: null,
    headWeights: null,
    interaction: PLAIN_INTERACTION,
    hash,
    tokenizerHash,
  };
}

/** n texts of `words` random vocabulary words each (seeded), for a model from randomHfModel. */
export function randomTexts(n: number, words: number, vocab: number, seed = 1): string[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: words }, () => `w${5 + Math.floor(rnd() * (vocab - 5))}`).join(" "),
  );
}
