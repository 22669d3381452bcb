/**
 * Hugging Face model folders: config.json, model.safetensors (HF parameter names), tokenizer.json
 * (+ tokenizer_config.json), and xlir's head beside them (xlir.json + xlir_head.safetensors).
 *
 * Weight names are returned without the `bert.` / `roberta.` prefix; pooler, MLM-head and buffer
 * tensors (pooler.*, cls.*, lm_head.*, embeddings.position_ids) are dropped. Every expected weight
 * must exist with its expected shape.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { expectedWeightShapes, parseHfConfig, toHfConfig } from "./config.js";
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from "./safetensors.js";
import type { EncoderConfig, HeadConfig, NamedWeights } from "./types.js";

export const HF_FILES = {
  config: "config.json",
  weights: "model.safetensors",
  tokenizer: "tokenizer.json",
  tokenizerConfig: "tokenizer_config.json",
  head: "xlir.json",
  headWeights: "xlir_head.safetensors",
} as const;

const HeadSchema = z.strictObject({
  kind: z.enum(["colbert", "pooled"]),
  dim: z.number().int().positive().nullable(),
  pooling: z.enum(["cls", "mean"]),
  /** A student's teacher: the encoder whose document indexes this query encoder searches. */
  index_encoder: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 model hash").optional(),
});

export interface HfModel {
  config: EncoderConfig;
  weights: NamedWeights;
  tokenizer: TextTokenizer;
  head: HeadConfig | null;
  headWeights: NamedWeights | null;
  /** sha256 (hex) over config.json, model.safetensors, tokenizer.json and the head files, in that order. */
  hash: string;
  /** For a distilled student: the hash of the teacher whose indexes it searches (xlir.json `index_encoder`). */
  indexHash?: string;
}

const DROPPED = [/^pooler\./, /^cls\./, /^lm_head\./, /^embeddings\.position_ids$/];

async function readBytes(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new XlirError("NOT_FOUND", `${file}: no such file (${what})`);
    throw new XlirError("BAD_INPUT", `${file}: cannot read (${(e as Error).message})`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

/** Checks a name -> shape table against weights; throws MISMATCH naming the first offending tensor. */
export function checkShapes(weights: NamedWeights, expected: Map<string, number[]>, file: string): void {
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (!w) throw new XlirError("MISMATCH", `${file}: missing weight '${name}' (expected shape [${shape.join(", ")}])`);
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new XlirError("MISMATCH", `${file}: weight '${name}' has shape [${w.shape.join(", ")}], expected [${shape.join(", ")}] from config.json`);
    }
  }
}

/** Loads a Hugging Face BERT / XLM-R folder (and xlir's head when present). */
/**
 * @example
 * ```ts
 * import { loadHfFolder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * console.assert(m.config.hiddenSize === 32 && m.hash.length === 64);
 * ```
 */
export async function loadHfFolder(dir: string): Promise<HfModel> {
  const st = await fs.stat(dir).catch(() => null);
  if (!st || !st.isDirectory()) throw new XlirError("NOT_FOUND", `${dir}: no such model folder`);
  const f = (n: string) => path.join(dir, n);
  const configBytes = await readBytes(f(HF_FILES.config), "model config");
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(configBytes.toString("utf8"));
  } catch (e) {
    throw new XlirError("BAD_INPUT", `${f(HF_FILES.config)}: not valid JSON (${(e as Error).message})`);
  }
  const config = parseHfConfig(rawConfig, f(HF_FILES.config));
  if (!(await exists(f(HF_FILES.weights)))) {
    const bin = await exists(f("pytorch_model.bin"));
    throw new XlirError(bin ? "UNSUPPORTED" : "NOT_FOUND", `${f(HF_FILES.weights)}: no such file` + (bin ? " (pytorch_model.bin is not read; convert it to safetensors)" : ""));
  }
  const weightBytes = await readBytes(f(HF_FILES.weights), "weights");
  const { tensors } = parseSafetensors(weightBytes, f(HF_FILES.weights));
  const weights: NamedWeights = new Map();
  for (const [name, t] of tensors) {
    const bare = name.replace(/^(bert|roberta)\./, "");
    if (DROPPED.some((r) => r.test(bare))) continue;
    weights.set(bare, t);
  }
  checkShapes(weights, expectedWeightShapes(config), f(HF_FILES.weights));
  const tokBytes = await readBytes(f(HF_FILES.tokenizer), "tokenizer");
  const tokenizer = await TextTokenizer.fromFile(f(HF_FILES.tokenizer));

  const hash = createHash("sha256");
  for (const b of [configBytes, weightBytes, tokBytes]) hash.update(b);
  let head: HeadConfig | null = null;
  let headWeights: NamedWeights | null = null;
  let indexHash: string | undefined;
  if (await exists(f(HF_FILES.head))) {
    const headBytes = await readBytes(f(HF_FILES.head), "head config");
    let raw: unknown;
    try {
      raw = JSON.parse(headBytes.toString("utf8"));
    } catch (e) {
      throw new XlirError("BAD_INPUT", `${f(HF_FILES.head)}: not valid JSON (${(e as Error).message})`);
    }
    const r = HeadSchema.safeParse(raw);
    if (!r.success) throw new XlirError("CONFIG", `${f(HF_FILES.head)}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    head = { kind: r.data.kind, dim: r.data.dim, pooling: r.data.pooling };
    indexHash = r.data.index_encoder;
    if (head.kind === "colbert" && head.dim === null) throw new XlirError("CONFIG", `${f(HF_FILES.head)}: a colbert head needs a dim`);
    hash.update(headBytes);
    if (head.dim !== null) {
      const hwBytes = await readBytes(f(HF_FILES.headWeights), "head weights");
      headWeights = parseSafetensors(hwBytes, f(HF_FILES.headWeights)).tensors;
      checkShapes(headWeights, new Map([["linear.weight", [head.dim, config.hiddenSize]], ["linear.bias", [head.dim]]]), f(HF_FILES.headWeights));
      hash.update(hwBytes);
    }
  }
  return { config, weights, tokenizer, head, headWeights, hash: hash.digest("hex"), ...(indexHash ? { indexHash } : {}) };
}

export interface SaveHfOptions {
  config: EncoderConfig;
  weights: NamedWeights;
  /** Parsed tokenizer.json object. */
  tokenizerJson: Record<string, unknown>;
  head?: HeadConfig | null;
  headWeights?: NamedWeights | null;
  /** For a student: the teacher's hash, so that search accepts the teacher's indexes with this model. */
  indexEncoderHash?: string;
  /** Stored dtype of the weights; default: each tensor's own dtype when F16/BF16, else F32. */
  dtype?: "F32" | "F16" | "BF16";
}

function toWritable(weights: NamedWeights, dtype?: "F32" | "F16" | "BF16"): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of weights) {
    const own = t.dtype === "F16" || t.dtype === "BF16" ? t.dtype : "F32";
    out.set(name, { dtype: dtype ?? own, shape: t.shape, data: t.data });
  }
  return out;
}

/** tokenizer_config.json for transformers' AutoTokenizer. */
function tokenizerConfigFor(c: EncoderConfig): Record<string, unknown> {
  const maxLen = c.maxPositions - c.positionOffset;
  if (c.architecture === "bert") {
    return { tokenizer_class: "BertTokenizer", model_max_length: maxLen, do_lower_case: true, cls_token: "[CLS]", sep_token: "[SEP]", pad_token: "[PAD]", unk_token: "[UNK]", mask_token: "[MASK]" };
  }
  return { tokenizer_class: "XLMRobertaTokenizer", model_max_length: maxLen, bos_token: "<s>", eos_token: "</s>", cls_token: "<s>", sep_token: "</s>", pad_token: "<pad>", unk_token: "<unk>", mask_token: "<mask>" };
}

/**
 * Writes a complete HF folder (config.json with HF field names, model.safetensors, tokenizer.json,
 * tokenizer_config.json, and xlir.json + xlir_head.safetensors when a head is given) into
 * `dir.tmp-*`, then swaps it in with renames, so `dir` is never seen half written.
 * An existing `dir` is replaced as a whole.
 */
export async function saveHfFolder(dir: string, opts: SaveHfOptions): Promise<void> {
  checkShapes(opts.weights, expectedWeightShapes(opts.config), "weights to save");
  const abs = path.resolve(dir);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = `${abs}.tmp-${stamp}`;
  await fs.mkdir(tmp);
  try {
    const j = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
    await fs.writeFile(path.join(tmp, HF_FILES.config), j(toHfConfig(opts.config)));
    await fs.writeFile(path.join(tmp, HF_FILES.weights), serializeSafetensors(toWritable(opts.weights, opts.dtype), { format: "pt" }));
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizer), JSON.stringify(opts.tokenizerJson));
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizerConfig), j(tokenizerConfigFor(opts.config)));
    if (opts.head) {
      await fs.writeFile(path.join(tmp, HF_FILES.head), j({ ...opts.head, ...(opts.indexEncoderHash ? { index_encoder: opts.indexEncoderHash } : {}) }));
      if (opts.head.dim !== null) {
        if (!opts.headWeights) throw new XlirError("MISMATCH", `head with dim ${opts.head.dim} needs headWeights (linear.weight, linear.bias)`);
        checkShapes(opts.headWeights, new Map([["linear.weight", [opts.head.dim, opts.config.hiddenSize]], ["linear.bias", [opts.head.dim]]]), "head weights to save");
        await fs.writeFile(path.join(tmp, HF_FILES.headWeights), serializeSafetensors(toWritable(opts.headWeights, "F32"), { format: "pt" }));
      }
    }
    const old = `${abs}.old-${stamp}`;
    const hadOld = await exists(abs);
    if (hadOld) await fs.rename(abs, old);
    await fs.rename(tmp, abs);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
