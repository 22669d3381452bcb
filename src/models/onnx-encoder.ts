/**
 * Inference path on onnxruntime-node: the encoder (+ head) exported by onnx-export.ts, run with
 * ONNX Runtime on the CPU (intra-op threads 2 by default). No Python and no libtorch needed.
 *
 * What is kept: `encodeRaw` returns every real token of every text, special tokens ([CLS]/[SEP],
 * <s>/</s>) included; only padding is removed. `encodeTokens` likewise keeps special tokens (the
 * ColBERT head's vectors of all non-padding tokens); `role` does not change the computation
 * (no [Q]/[D] markers, no query augmentation). Texts are batched after sorting by token length,
 * so a batch pads little; results come back in input order.
 * The exported graph is cached in memory per instance (it is rebuilt from the weights on load).
 */
import { createRequire } from "node:module";
import type * as OrtTypes from "onnxruntime-node";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { maxSequenceLength } from "./config.js";
import { loadHfFolder, type HfModel } from "./hf.js";
import { exportEncoderOnnx } from "./onnx-export.js";
import type { EncoderConfig, HeadConfig, RetrievalEncoder, TokenVectors } from "./types.js";

const ort = createRequire(import.meta.url)("onnxruntime-node") as typeof OrtTypes;

export interface OnnxEncoderOptions {
  /** ONNX Runtime intra-op threads (default 2). */
  threads?: number;
  /** Longest sequence in tokens, specials included (default min(512, model maximum)). */
  maxLength?: number;
  /** Texts per ONNX Runtime call (default 32). */
  batchSize?: number;
}

/** Per-text output of the encoder before any head: real tokens only. */
export interface RawEncoding {
  tokens: string[][];
  ids: number[][];
  /** hidden[i]: [tokens_i * H] row-major last hidden state. */
  hidden: Float32Array[];
  truncated: boolean[];
}

interface Row {
  ids: number[];
  tokens: string[];
  truncated: boolean;
}

/**
 * @example
 * ```ts
 * import { OnnxEncoder } from "xlir";
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * const tv = await enc.encodeTokens(["hello world"], "query"); // late-interaction token vectors
 * console.assert(tv.dim === enc.dim && tv.offsets.length === 2 && tv.vectors.length === tv.offsets[1] * tv.dim);
 * await enc.dispose();
 * ```
 */
export class OnnxEncoder implements RetrievalEncoder {
  readonly hash: string;
  /** For a distilled student: the teacher whose document indexes this encoder may search. */
  indexHash?: string;
  readonly dim: number;
  readonly maxLength: number;
  readonly batchSize: number;

  private constructor(
    private readonly session: OrtTypes.InferenceSession,
    readonly config: EncoderConfig,
    readonly tokenizer: TextTokenizer,
    readonly head: HeadConfig | null,
    hash: string,
    opts: OnnxEncoderOptions,
  ) {
    this.hash = hash;
    this.dim = head ? (head.dim ?? config.hiddenSize) : config.hiddenSize;
    const limit = maxSequenceLength(config);
    this.maxLength = opts.maxLength ?? Math.min(512, limit);
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2 || this.maxLength > limit) {
      throw new XlirError("USAGE", `max length ${opts.maxLength} is outside 2..${limit} (the model's position table allows ${limit} tokens)`);
    }
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new XlirError("USAGE", `batch size must be a positive integer, got ${opts.batchSize}`);
  }

  /** Loads an HF folder (see loadHfFolder), exports it to ONNX in memory and opens an ORT session. */
  static async fromFolder(dir: string, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    return OnnxEncoder.fromModel(await loadHfFolder(dir), opts);
  }

  /** Same from an already loaded model (weights may come from training). */
  static async fromModel(m: HfModel, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    const bytes = exportEncoderOnnx({ config: m.config, weights: m.weights, head: m.head, headWeights: m.headWeights, hash: m.hash });
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      logSeverityLevel: 3,
    });
    const enc = new OnnxEncoder(session, m.config, m.tokenizer, m.head, m.hash, opts);
    enc.indexHash = m.indexHash;
    return enc;
  }

  private tokenize(texts: readonly string[]): Row[] {
    return texts.map((t, i) => {
      if (t.trim() === "") throw new XlirError("BAD_INPUT", `text ${i + 1} is empty`);
      return this.tokenizer.encodeOne(t, this.maxLength);
    });
  }

  /**
   * Runs rows in length-sorted batches; `visit(row index, hidden [len*H], head output or null)`.
   * Head output per text: colbert [len*dim]; pooled [dim].
   */
  private async run(rows: Row[], wantHead: boolean, visit: (i: number, hidden: Float32Array, head: Float32Array | null) => void): Promise<void> {
    const order = rows.map((_, i) => i).sort((a, b) => rows[a].ids.length - rows[b].ids.length);
    const H = this.config.hiddenSize;
    for (let s = 0; s < order.length; s += this.batchSize) {
      const idx = order.slice(s, s + this.batchSize);
      const B = idx.length;
      const L = Math.max(...idx.map((i) => rows[i].ids.length));
      const ids = new BigInt64Array(B * L).fill(BigInt(this.config.padTokenId)); // [B, L]
      const mask = new BigInt64Array(B * L); // [B, L]
      idx.forEach((r, b) => {
        rows[r].ids.forEach((id, t) => {
          ids[b * L + t] = BigInt(id);
          mask[b * L + t] = 1n;
        });
      });
      const feeds = { input_ids: new ort.Tensor("int64", ids, [B, L]), attention_mask: new ort.Tensor("int64", mask, [B, L]) };
      const fetch = wantHead ? ["last_hidden_state", "head_output"] : ["last_hidden_state"];
      const out = await this.session.run(feeds, fetch);
      const hidden = out.last_hidden_state.data as Float32Array; // [B, L, H]
      const headOut = wantHead ? (out.head_output.data as Float32Array) : null;
      idx.forEach((r, b) => {
        const len = rows[r].ids.length;
        const h = hidden.slice(b * L * H, (b * L + len) * H);
        let y: Float32Array | null = null;
        if (headOut) y = this.head!.kind === "colbert" ? headOut.slice(b * L * this.dim, (b * L + len) * this.dim) : headOut.slice(b * this.dim, (b + 1) * this.dim);
        visit(r, h, y);
      });
      for (const t of Object.values(out)) t.dispose?.();
    }
  }

  /** Last hidden state of every real token (special tokens included), before any head. */
  async encodeRaw(texts: readonly string[]): Promise<RawEncoding> {
    const rows = this.tokenize(texts);
    const hidden: Float32Array[] = new Array(rows.length);
    await this.run(rows, false, (i, h) => (hidden[i] = h));
    return { tokens: rows.map((r) => r.tokens), ids: rows.map((r) => r.ids), hidden, truncated: rows.map((r) => r.truncated) };
  }

  private needHead(kind: HeadConfig["kind"]): void {
    if (!this.head) throw new XlirError("CONFIG", "the model folder has no xlir head (xlir.json); only raw hidden states are available (encode --raw)");
    if (this.head.kind !== kind) throw new XlirError("CONFIG", `this model has a ${this.head.kind} head; ${kind} output needs a ${kind} head`);
  }

  /** ColBERT vectors of every non-padding token (specials kept), concatenated in input order. */
  async encodeTokens(texts: readonly string[], _role: "query" | "document" = "document"): Promise<TokenVectors> {
    return (await this.encodeTokensDetailed(texts)).vectors;
  }

  /** encodeTokens plus the tokens, ids and truncation flags (for the CLI). */
  async encodeTokensDetailed(texts: readonly string[]): Promise<{ vectors: TokenVectors; tokens: string[][]; ids: number[][]; truncated: boolean[] }> {
    this.needHead("colbert");
    const rows = this.tokenize(texts);
    const per: Float32Array[] = new Array(rows.length);
    await this.run(rows, true, (i, _h, y) => (per[i] = y!));
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.ids.length));
    const vectors = new Float32Array(offsets[rows.length] * this.dim); // [totalTokens, dim]
    per.forEach((v, i) => vectors.set(v, offsets[i] * this.dim));
    return { vectors: { dim: this.dim, vectors, offsets }, tokens: rows.map((r) => r.tokens), ids: rows.map((r) => r.ids), truncated: rows.map((r) => r.truncated) };
  }

  /** One L2-normalised vector per text from the pooled head: [texts * dim]. */
  async encodePooled(texts: readonly string[], _role: "query" | "document" = "document"): Promise<Float32Array> {
    this.needHead("pooled");
    const rows = this.tokenize(texts);
    const out = new Float32Array(rows.length * this.dim);
    await this.run(rows, true, (i, _h, y) => out.set(y!, i * this.dim));
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
