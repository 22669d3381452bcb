/**
 * Inference path on onnxruntime-node: the encoder (+ head) exported by onnx-export.ts, run with
 * ONNX Runtime on the CPU (intra-op threads 2 by default). No Python and no libtorch needed.
 *
 * What is kept: `encodeRaw` returns every real token of every text, special tokens ([CLS]/[SEP],
 * <s>/</s>) included; only padding is removed (no markers: the bare encoder). `encodeTokens`
 * follows the model's interaction settings for the role (interaction.ts): for xlir heads every
 * non-padding token; for ColBERT / PyLate checkpoints the [Q]/[D] marker, query augmentation with
 * [MASK] (all augmented vectors kept) and the documents' punctuation dropped. Texts are batched
 * after sorting by token length, so a batch pads little; results come back in input order.
 *
 * ONNX on disk (`fromFolder`): the graph is written to DIR/onnx/model.onnx (beside tokenizer.json,
 * where transformers.js and other runtimes look for it) with DIR/onnx/model.onnx.xlir.json
 * recording the model hash, the exporter version and the file's sha256. A later load that finds
 * both matching opens the file directly (no weights decoded, no export); anything else is
 * exported again and replaced atomically. A read-only folder is not an error: the graph then
 * stays in memory.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as OrtTypes from "onnxruntime-node";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { maxSequenceLength } from "./config.js";
import { fileSha256 } from "../data/io.js";
import { writeFileAtomic } from "../data/atomic.js";
import { inspectHfFolder, loadHfFolder, type HfModel, type HfModelInfo } from "./hf.js";
import { notLateInteraction } from "./layouts.js";
import {
  PLAIN_INTERACTION,
  encodeForRole,
  roleLength,
  type InteractionSettings,
  type Role,
} from "./interaction.js";
import { exportEncoderOnnx } from "./onnx-export.js";
import { createOnnxSession } from "./onnx-device.js";
import type { EncoderConfig, HeadConfig, RetrievalEncoder, TokenVectors } from "./types.js";

const ort = createRequire(import.meta.url)("onnxruntime-node") as typeof OrtTypes;

export interface OnnxEncoderOptions {
  /** ONNX Runtime intra-op threads (default 2). */
  threads?: number;
  /** Longest sequence in tokens, specials included (default min(512, model maximum)). */
  maxLength?: number;
  /** Texts per ONNX Runtime call (default 32). */
  batchSize?: number;
  /** fromFolder: write / reuse DIR/onnx/model.onnx (default true). */
  onnxCache?: boolean;
  /** cpu (default), cuda or cuda:N: ONNX Runtime's CUDA execution provider when installed, else the CPU (see onnx-device.ts). */
  device?: string;
}

/** Bumped whenever onnx-export.ts changes the graph it writes (invalidates files written before). */
export const ONNX_EXPORTER_VERSION = 2;

export const ONNX_FILES = { dir: "onnx", model: "model.onnx", record: "model.onnx.xlir.json" } as const;

/** Where fromFolder found its graph: reused from disk, exported and written, or exported in memory only. */
export type OnnxSource = "reused" | "written" | "memory";

const SESSION_OPTIONS = (threads: number): OrtTypes.InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  logSeverityLevel: 3,
});

/** The ONNX file of `dir` when its record matches the model hash, the exporter version and the file's sha256. */
async function reusableOnnx(dir: string, hash: string): Promise<string | null> {
  const file = path.join(dir, ONNX_FILES.dir, ONNX_FILES.model);
  try {
    const rec = JSON.parse(await fs.readFile(path.join(dir, ONNX_FILES.dir, ONNX_FILES.record), "utf8")) as {
      model_hash?: unknown;
      exporter?: unknown;
      sha256?: unknown;
    };
    if (rec.model_hash !== hash || rec.exporter !== ONNX_EXPORTER_VERSION) return null;
    return (await fileSha256(file)) === rec.sha256 ? file : null;
  } catch {
    return null;
  }
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
  /** Attention mask of the real positions (0 on unattended augmentation tokens). */
  attend: number[];
  /** 1 where the token's vector is output. */
  keep: number[];
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
      throw new XlirError(
        "USAGE",
        `max length ${opts.maxLength} is outside 2..${limit} (the model's position table allows ${limit} tokens)`,
      );
    }
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new XlirError("USAGE", `batch size must be a positive integer, got ${opts.batchSize}`);
  }

  /** The folder it was loaded from, when it was. */
  dir?: string;
  /** Where the graph came from (see ONNX_FILES). */
  onnxSource: OnnxSource = "memory";
  /** sha256 of the tokenizer.json this encoder tokenises with. */
  tokenizerHash?: string;
  /** For a student with its own tokenizer: the tokenizer.json sha256 of the index encoder. */
  indexTokenizerHash?: string;
  /** Query/document processing (markers, augmentation, skiplist). */
  interaction: InteractionSettings = PLAIN_INTERACTION;

  /**
   * Loads an HF folder in any layout (see loadHfFolder) and opens an ORT session on its graph:
   * DIR/onnx/model.onnx when it is valid for this model, else a fresh export, written there.
   */
  static async fromFolder(dir: string, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    if (opts.onnxCache === false) return OnnxEncoder.fromModel(await loadHfFolder(dir), opts);
    const info = await inspectHfFolder(dir);
    const file = await reusableOnnx(dir, info.hash);
    if (file) {
      const session = await createOnnxSession(
        ort,
        new Uint8Array(await fs.readFile(file)),
        SESSION_OPTIONS(opts.threads ?? 2),
        opts.device,
      );
      const enc = OnnxEncoder.wrap(session, info, opts);
      enc.onnxSource = "reused";
      return enc;
    }
    const m = await loadHfFolder(dir);
    const bytes = OnnxEncoder.export(m);
    let source: OnnxSource = "memory";
    try {
      await OnnxEncoder.writeOnnx(dir, m.hash, bytes);
      source = "written";
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EACCES" && code !== "EROFS" && code !== "EPERM") throw e;
    }
    const enc = await OnnxEncoder.fromBytes(bytes, m, opts);
    enc.onnxSource = source;
    return enc;
  }

  /** Writes DIR/onnx/model.onnx and its record (model hash, exporter version, sha256), each atomically. */
  static async writeOnnx(dir: string, hash: string, bytes: Uint8Array): Promise<string> {
    const out = path.join(dir, ONNX_FILES.dir);
    await fs.mkdir(out, { recursive: true });
    const file = path.join(out, ONNX_FILES.model);
    const record = {
      model_hash: hash,
      exporter: ONNX_EXPORTER_VERSION,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
    };
    await fs.rm(path.join(out, ONNX_FILES.record), { force: true }); // never a record beside another file
    await writeFileAtomic(file, bytes);
    await writeFileAtomic(path.join(out, ONNX_FILES.record), JSON.stringify(record, null, 2) + "\n");
    return file;
  }

  private static export(m: HfModel): Uint8Array {
    return exportEncoderOnnx({
      config: m.config,
      weights: m.weights,
      head: m.head,
      headWeights: m.headWeights,
      hash: m.hash,
    });
  }

  /** Same from an already loaded model (weights may come from training); the graph stays in memory. */
  static async fromModel(m: HfModel, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    return OnnxEncoder.fromBytes(OnnxEncoder.export(m), m, opts);
  }

  private static async fromBytes(
    bytes: Uint8Array,
    m: HfModelInfo,
    opts: OnnxEncoderOptions,
  ): Promise<OnnxEncoder> {
    const session = await createOnnxSession(ort, bytes, SESSION_OPTIONS(opts.threads ?? 2), opts.device);
    return OnnxEncoder.wrap(session, m, opts);
  }

  private static wrap(
    session: OrtTypes.InferenceSession,
    m: HfModelInfo,
    opts: OnnxEncoderOptions,
  ): OnnxEncoder {
    const enc = new OnnxEncoder(session, m.config, m.tokenizer, m.head, m.hash, opts);
    enc.indexHash = m.indexHash;
    enc.dir = m.dir;
    enc.tokenizerHash = m.tokenizerHash;
    enc.indexTokenizerHash = m.indexTokenizerHash;
    enc.interaction = m.interaction ?? PLAIN_INTERACTION;
    const limit = maxSequenceLength(m.config);
    for (const role of ["query", "document"] as const) {
      const n = roleLength(enc.interaction[role], enc.maxLength);
      if (n > limit)
        throw new XlirError(
          "CONFIG",
          `${role} length ${n} of the checkpoint exceeds the model's ${limit} positions`,
        );
    }
    return enc;
  }

  private tokenize(texts: readonly string[], role: Role | null): Row[] {
    return texts.map((t, i) => {
      if (t.trim() === "") throw new XlirError("BAD_INPUT", `text ${i + 1} is empty`);
      if (role === null) {
        const r = this.tokenizer.encodeOne(t, this.maxLength);
        const ones = r.ids.map(() => 1);
        return { ...r, attend: ones, keep: ones };
      }
      return encodeForRole(this.tokenizer, this.interaction[role], t, this.maxLength);
    });
  }

  /**
   * Runs rows in length-sorted batches; `visit(row index, hidden [len*H], head output or null)`.
   * Head output per text: colbert [len*dim]; pooled [dim].
   */
  private async run(
    rows: Row[],
    wantHead: boolean,
    visit: (i: number, hidden: Float32Array, head: Float32Array | null) => void,
  ): Promise<void> {
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
          mask[b * L + t] = BigInt(rows[r].attend[t]);
        });
      });
      const feeds = {
        input_ids: new ort.Tensor("int64", ids, [B, L]),
        attention_mask: new ort.Tensor("int64", mask, [B, L]),
      };
      const fetch = wantHead ? ["last_hidden_state", "head_output"] : ["last_hidden_state"];
      const out = await this.session.run(feeds, fetch);
      const hidden = out.last_hidden_state.data as Float32Array; // [B, L, H]
      const headOut = wantHead ? (out.head_output.data as Float32Array) : null;
      idx.forEach((r, b) => {
        const len = rows[r].ids.length;
        const h = hidden.slice(b * L * H, (b * L + len) * H);
        let y: Float32Array | null = null;
        if (headOut)
          y =
            this.head!.kind === "colbert"
              ? headOut.slice(b * L * this.dim, (b * L + len) * this.dim)
              : headOut.slice(b * this.dim, (b + 1) * this.dim);
        visit(r, h, y);
      });
      for (const t of Object.values(out)) t.dispose?.();
    }
  }

  /** Last hidden state of every real token (special tokens included), before any head. */
  async encodeRaw(texts: readonly string[]): Promise<RawEncoding> {
    const rows = this.tokenize(texts, null);
    const hidden: Float32Array[] = new Array(rows.length);
    await this.run(rows, false, (i, h) => (hidden[i] = h));
    return {
      tokens: rows.map((r) => r.tokens),
      ids: rows.map((r) => r.ids),
      hidden,
      truncated: rows.map((r) => r.truncated),
    };
  }

  private needHead(kind: HeadConfig["kind"]): void {
    if (!this.head) {
      const e = notLateInteraction(this.dir ?? "the model folder");
      throw new XlirError("CONFIG", `${e.message}; only raw hidden states are available (encode --raw)`);
    }
    if (this.head.kind !== kind)
      throw new XlirError(
        "CONFIG",
        `this model has a ${this.head.kind} head; ${kind} output needs a ${kind} head`,
      );
  }

  /** ColBERT vectors of the role's kept tokens (see the file comment), concatenated in input order. */
  async encodeTokens(texts: readonly string[], role: Role = "document"): Promise<TokenVectors> {
    return (await this.encodeTokensDetailed(texts, role)).vectors;
  }

  /** encodeTokens plus the kept tokens, their ids and truncation flags (for the CLI). */
  async encodeTokensDetailed(
    texts: readonly string[],
    role: Role = "document",
  ): Promise<{ vectors: TokenVectors; tokens: string[][]; ids: number[][]; truncated: boolean[] }> {
    this.needHead("colbert");
    const rows = this.tokenize(texts, role);
    const per: Float32Array[] = new Array(rows.length);
    const d = this.dim;
    await this.run(rows, true, (i, _h, y) => {
      const keep = rows[i].keep;
      const out = new Float32Array(keep.reduce((a, k) => a + k, 0) * d);
      let row = 0;
      keep.forEach((k, t) => {
        if (k) out.set(y!.subarray(t * d, (t + 1) * d), d * row++);
      });
      per[i] = out;
    });
    const offsets = new Int32Array(rows.length + 1);
    per.forEach((v, i) => (offsets[i + 1] = offsets[i] + v.length / d));
    const vectors = new Float32Array(offsets[rows.length] * d); // [totalTokens, dim]
    per.forEach((v, i) => vectors.set(v, offsets[i] * d));
    const kept = <T>(xs: T[], keep: number[]) => xs.filter((_, t) => keep[t]);
    return {
      vectors: { dim: d, vectors, offsets },
      tokens: rows.map((r) => kept(r.tokens, r.keep)),
      ids: rows.map((r) => kept(r.ids, r.keep)),
      truncated: rows.map((r) => r.truncated),
    };
  }

  /** One L2-normalised vector per text from the pooled head: [texts * dim]. */
  async encodePooled(
    texts: readonly string[],
    _role: "query" | "document" = "document",
  ): Promise<Float32Array> {
    this.needHead("pooled");
    const rows = this.tokenize(texts, null);
    const out = new Float32Array(rows.length * this.dim);
    await this.run(rows, true, (i, _h, y) => out.set(y!, i * this.dim));
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
