/**
 * Types shared by every encoder implementation (libtorch training graph, ONNX Runtime inference path)
 * and by everything that consumes encoders (index, search, server, experiment).
 */

/** Element types of safetensors files that xlir reads; all are decoded to float32 in memory. */
export type WeightDtype = "F32" | "F16" | "BF16" | "F64" | "I64" | "I32";

/** One named weight, decoded to float32 (integer tensors are converted too). Row-major. */
export interface WeightTensor {
  dtype: WeightDtype; // dtype as stored on disk
  shape: number[];
  data: Float32Array;
}

/** Weights by Hugging Face parameter name, e.g. `encoder.layer.0.attention.self.query.weight`. */
export type NamedWeights = Map<string, WeightTensor>;

/** The supported transformer families (Hugging Face `model_type`). */
export type Architecture = "bert" | "xlm-roberta";

/** A normalised view of a Hugging Face `config.json` for BERT-family encoders. */
export interface EncoderConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number; // max_position_embeddings
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
  hiddenAct: "gelu" | "gelu_new" | "relu";
  /** First position id: 0 for BERT, padding_idx + 1 for XLM-RoBERTa. */
  positionOffset: number;
}

/**
 * The retrieval head stacked on the encoder, stored beside the HF files as `xlir.json` (+ head
 * weights `xlir_head.safetensors`: `linear.weight` [dim, hidden], `linear.bias` [dim]).
 * colbert: linear hidden->dim (bias optional), then L2 normalisation of every token (late interaction).
 * pooled: CLS or mean pooling, optional linear, then L2 normalisation (single vector).
 */
export interface HeadConfig {
  kind: "colbert" | "pooled";
  dim: number | null; // null: no linear layer (pooled only)
  pooling: "cls" | "mean";
  /** Whether the linear layer has a bias (absent: true; ColBERT's `linear` has none). */
  bias?: boolean;
}

/** Multi-vector output of a batch: token vectors of every text concatenated. */
export interface TokenVectors {
  dim: number;
  /** [totalTokens * dim], row-major, L2-normalised rows. */
  vectors: Float32Array;
  /** offsets[i]..offsets[i+1] are the token rows of text i; length = texts + 1. */
  offsets: Int32Array;
}

/**
 * What index, search and server need from an encoder, whatever runs it.
 * `hash` identifies the weights + head + tokenizer: an index records it and search refuses another.
 */
export interface RetrievalEncoder {
  readonly hash: string;
  readonly dim: number;
  /** Late-interaction token vectors (padding and, for documents, nothing else removed). */
  encodeTokens(texts: readonly string[], role: "query" | "document"): Promise<TokenVectors>;
  /** One L2-normalised vector per text: [texts * dim]. */
  encodePooled(texts: readonly string[], role: "query" | "document"): Promise<Float32Array>;
  dispose(): Promise<void>;
}
