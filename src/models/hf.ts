/**
 * Hugging Face model folders: config.json, model.safetensors or a sharded checkpoint
 * (model.safetensors.index.json + shards; F32/F16/BF16 weights, read tensor by tensor), tokenizer.json
 * (+ tokenizer_config.json), and a head in one of the layouts of layouts.ts: xlir's own
 * (xlir.json + xlir_head.safetensors), ColBERT / ColBERTv2 (artifact.metadata + `linear.weight`),
 * PyLate / sentence-transformers (modules.json + 1_Dense/), or none (a bare encoder).
 *
 * Weight names are returned without the `bert.` / `roberta.` prefix; only the encoder's expected
 * tensors are decoded (pooler, MLM head, buffers and anything else are skipped, never held in
 * memory). Every expected weight must exist with its expected shape, and every shard header is
 * validated before any tensor is decoded.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { canonicalName, expectedWeightShapes, parseHfConfig, toHfConfig } from "./config.js";
import {
  PLAIN_INTERACTION,
  isPlainInteraction,
  type InteractionSettings,
  type RoleSettings,
} from "./interaction.js";
import { colbertHead, detectLayout, notLateInteraction, pylateHead, type ModelLayout } from "./layouts.js";
import { SafetensorsFile, serializeSafetensors, type TensorToWrite } from "./safetensors.js";
import type { EncoderConfig, HeadConfig, NamedWeights } from "./types.js";
import { WeightFiles } from "./weights-files.js";

export const HF_FILES = {
  config: "config.json",
  weights: "model.safetensors",
  tokenizer: "tokenizer.json",
  tokenizerConfig: "tokenizer_config.json",
  head: "xlir.json",
  headWeights: "xlir_head.safetensors",
} as const;

const RoleSchema = z.strictObject({
  prefix_id: z.number().int().nonnegative().nullable(),
  length: z.number().int().positive().nullable(),
  expansion_id: z.number().int().nonnegative().nullable(),
  attend_expansion: z.boolean(),
  skip_ids: z.array(z.number().int().nonnegative()),
  max_length: z.number().int().positive().nullable(),
});

const HeadSchema = z.strictObject({
  kind: z.enum(["colbert", "pooled"]),
  dim: z.number().int().positive().nullable(),
  pooling: z.enum(["cls", "mean"]),
  /** Whether the head's linear layer has a bias (default true). */
  bias: z.boolean().optional(),
  /** A student's teacher: the encoder whose document indexes this query encoder searches. */
  index_encoder: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "a sha256 model hash")
    .optional(),
  /** sha256 of this folder's tokenizer.json (provenance). */
  tokenizer_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** sha256 of the tokenizer.json of the index encoder (the teacher), when it differs from this one. */
  index_tokenizer_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Query/document processing (markers, augmentation, skiplist) kept from a ColBERT / PyLate origin. */
  interaction: z.strictObject({ query: RoleSchema, document: RoleSchema }).optional(),
});

/** A loaded folder without its weights (see inspectHfFolder). */
export interface HfModelInfo {
  /** The folder it was loaded from. */
  dir?: string;
  layout: ModelLayout;
  config: EncoderConfig;
  tokenizer: TextTokenizer;
  head: HeadConfig | null;
  /** Query/document processing of the head (markers, augmentation, skiplist); plain for xlir heads. */
  interaction: InteractionSettings;
  /** sha256 (hex) over config.json, the weights (index file + shards), tokenizer.json and the head/layout files, in that order. */
  hash: string;
  /** sha256 of tokenizer.json. */
  tokenizerHash: string;
  /** For a distilled student: the hash of the teacher whose indexes it searches (xlir.json `index_encoder`). */
  indexHash?: string;
  /** For a student with its own tokenizer: the teacher's tokenizer.json sha256. */
  indexTokenizerHash?: string;
}

export interface HfModel extends HfModelInfo {
  weights: NamedWeights;
  headWeights: NamedWeights | null;
}

const DROPPED = [/^pooler\./, /^cls\./, /^lm_head\./, /^embeddings\.position_ids$/];

async function readBytes(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new XlirError("NOT_FOUND", `${file}: no such file (${what})`);
    throw new XlirError("BAD_INPUT", `${file}: cannot read (${(e as Error).message})`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Checks a name -> shape table against weights; throws MISMATCH naming the first offending tensor.
 * @example
 * ```ts
 * import { checkShapes, XlirError } from "xlir";
 * const weights = new Map([["w", { dtype: "F32" as const, shape: [2, 3], data: new Float32Array(6) }]]);
 * checkShapes(weights, new Map([["w", [2, 3]]]), "demo.safetensors"); // passes
 * let err: unknown;
 * try {
 *   checkShapes(weights, new Map([["w", [3, 2]]]), "demo.safetensors");
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "MISMATCH" && err.message.includes("[2, 3]"));
 * ```
 */
export function checkShapes(weights: NamedWeights, expected: Map<string, number[]>, file: string): void {
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (!w)
      throw new XlirError(
        "MISMATCH",
        `${file}: missing weight '${name}' (expected shape [${shape.join(", ")}])`,
      );
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new XlirError(
        "MISMATCH",
        `${file}: weight '${name}' has shape [${w.shape.join(", ")}], expected [${shape.join(", ")}] from config.json`,
      );
    }
  }
}

function headShapes(head: HeadConfig, hidden: number): Map<string, number[]> {
  const m = new Map<string, number[]>([["linear.weight", [head.dim as number, hidden]]]);
  if (head.bias !== false) m.set("linear.bias", [head.dim as number]);
  return m;
}

function roleFromJson(r: z.infer<typeof RoleSchema>): RoleSettings {
  return {
    prefixId: r.prefix_id,
    length: r.length,
    expansionId: r.expansion_id,
    attendExpansion: r.attend_expansion,
    skipIds: r.skip_ids,
    maxLength: r.max_length,
  };
}

function roleToJson(r: RoleSettings): z.infer<typeof RoleSchema> {
  return {
    prefix_id: r.prefixId,
    length: r.length,
    expansion_id: r.expansionId,
    attend_expansion: r.attendExpansion,
    skip_ids: r.skipIds,
    max_length: r.maxLength,
  };
}

/**
 * Loads a Hugging Face BERT / XLM-R folder in any supported layout (see layouts.ts), weights included.
 * @example
 * ```ts
 * import { loadHfFolder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * console.assert(m.config.hiddenSize === 32 && m.hash.length === 64);
 * ```
 */
export async function loadHfFolder(dir: string): Promise<HfModel> {
  return (await readFolder(dir, true)) as HfModel;
}

/**
 * Everything but the weights: config, tokenizer, head, interaction and the hash (the weight files
 * are streamed through the hash, not decoded). Enough to reuse an ONNX export written earlier.
 * @example
 * ```ts
 * import { inspectHfFolder, loadHfFolder } from "xlir";
 * const info = await inspectHfFolder("test/fixtures/tiny-colbert");
 * console.assert(info.layout === "colbert" && info.head?.dim === 16 && !("weights" in info));
 * console.assert(info.interaction.query.length === 12); // query_maxlen of artifact.metadata
 * // the same hash as a full load, without decoding a weight
 * console.assert(info.hash === (await loadHfFolder("test/fixtures/tiny-colbert")).hash);
 * ```
 */
export async function inspectHfFolder(dir: string): Promise<HfModelInfo> {
  return readFolder(dir, false);
}

/**
 * Throws (CONFIG, naming what is missing) unless the model has a late-interaction (colbert) head.
 * @example
 * ```ts
 * import { inspectHfFolder, requireLateInteraction, XlirError } from "xlir";
 * const teacher = await inspectHfFolder("test/fixtures/tiny-bert"); // xlir.json: colbert head
 * requireLateInteraction(teacher, "tiny-bert");
 * const bare = await inspectHfFolder("test/fixtures/tiny-bert-sharded"); // no head
 * let code = "";
 * try {
 *   requireLateInteraction(bare, "tiny-bert-sharded");
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(bare.head === null && code === "CONFIG");
 * ```
 */
export function requireLateInteraction(m: HfModelInfo, dir: string): void {
  if (!m.head) throw notLateInteraction(dir);
  if (m.head.kind !== "colbert")
    throw new XlirError(
      "CONFIG",
      `${dir}: has a ${m.head.kind} head (single vectors), a late-interaction teacher needs a colbert head`,
    );
}

async function readFolder(dir: string, withWeights: boolean): Promise<HfModelInfo | HfModel> {
  const st = await fs.stat(dir).catch(() => null);
  if (!st || !st.isDirectory()) throw new XlirError("NOT_FOUND", `${dir}: no such model folder`);
  const f = (n: string) => path.join(dir, n);
  const configBytes = await readBytes(f(HF_FILES.config), "model config");
  let rawConfig: Record<string, unknown>;
  try {
    rawConfig = JSON.parse(configBytes.toString("utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new XlirError("BAD_INPUT", `${f(HF_FILES.config)}: not valid JSON (${(e as Error).message})`);
  }
  const config = parseHfConfig(rawConfig, f(HF_FILES.config));
  const files = await WeightFiles.open(dir);
  try {
    const tokBytes = await readBytes(f(HF_FILES.tokenizer), "tokenizer");
    const tokenizer = await TextTokenizer.fromFile(f(HF_FILES.tokenizer));
    const layout = await detectLayout(dir, rawConfig, new Set(files.entries.keys()));
    // Every tensor is validated (all shard headers) before anything is decoded; only expected names are kept.
    const expected = expectedWeightShapes(config);
    const hash = createHash("sha256");
    hash.update(configBytes);
    await files.hashInto(hash);
    hash.update(tokBytes);
    let head: HeadConfig | null = null;
    let headWeights: NamedWeights | null = null;
    let interaction: InteractionSettings = PLAIN_INTERACTION;
    let indexHash: string | undefined;
    let indexTokenizerHash: string | undefined;
    let colbertLinear = false;
    if (layout === "xlir") {
      const headBytes = await readBytes(f(HF_FILES.head), "head config");
      let raw: unknown;
      try {
        raw = JSON.parse(headBytes.toString("utf8"));
      } catch (e) {
        throw new XlirError("BAD_INPUT", `${f(HF_FILES.head)}: not valid JSON (${(e as Error).message})`);
      }
      const r = HeadSchema.safeParse(raw);
      if (!r.success)
        throw new XlirError(
          "CONFIG",
          `${f(HF_FILES.head)}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      head = {
        kind: r.data.kind,
        dim: r.data.dim,
        pooling: r.data.pooling,
        ...(r.data.bias === false ? { bias: false } : {}),
      };
      indexHash = r.data.index_encoder;
      indexTokenizerHash = r.data.index_tokenizer_sha256;
      if (r.data.interaction)
        interaction = {
          query: roleFromJson(r.data.interaction.query),
          document: roleFromJson(r.data.interaction.document),
        };
      if (head.kind === "colbert" && head.dim === null)
        throw new XlirError("CONFIG", `${f(HF_FILES.head)}: a colbert head needs a dim`);
      hash.update(headBytes);
      if (head.dim !== null) {
        const hwFile = f(HF_FILES.headWeights);
        const hw = await SafetensorsFile.open(hwFile).catch((e: unknown) => {
          if (e instanceof XlirError && e.code === "NOT_FOUND")
            throw new XlirError("NOT_FOUND", `${hwFile}: no such file (head weights named by xlir.json)`);
          throw e;
        });
        try {
          const shapes = headShapes(head, config.hiddenSize);
          for (const [name, shape] of shapes) {
            const e = hw.entries.get(name);
            if (!e || e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
              throw new XlirError(
                "MISMATCH",
                `${hwFile}: weight '${name}' ${e ? `has shape [${e.shape.join(", ")}]` : "is missing"}, expected [${shape.join(", ")}] (dim ${head.dim} in xlir.json, hidden_size ${config.hiddenSize})`,
              );
            }
          }
          await hw.stream((c) => hash.update(c));
          if (withWeights) {
            headWeights = new Map();
            for (const name of shapes.keys()) headWeights.set(name, await hw.read(name));
          }
        } finally {
          await hw.close();
        }
      }
    } else if (layout === "colbert" || layout === "pylate") {
      const lh =
        layout === "colbert"
          ? await colbertHead(
              dir,
              tokenizer,
              config.hiddenSize,
              files.entries.get("linear.weight")?.entry.shape,
            )
          : await pylateHead(dir, tokenizer, config.hiddenSize, withWeights);
      for (const b of lh.hashParts) hash.update(b);
      head = lh.head;
      interaction = lh.interaction;
      headWeights = lh.headWeights;
      colbertLinear = lh.headInModelWeights;
    }
    const info: HfModelInfo = {
      dir,
      layout,
      config,
      tokenizer,
      head,
      interaction,
      hash: hash.digest("hex"),
      tokenizerHash: createHash("sha256").update(tokBytes).digest("hex"),
      ...(indexHash ? { indexHash } : {}),
      ...(indexTokenizerHash ? { indexTokenizerHash } : {}),
    };
    if (!withWeights) {
      // shapes are checked from the headers alone
      checkHeaderShapes(files, expected);
      return info;
    }
    const raw = await files.read((name) => {
      if (colbertLinear && name === "linear.weight") return true;
      const bare = canonicalName(name);
      return !DROPPED.some((r) => r.test(bare)) && expected.has(bare);
    });
    const weights: NamedWeights = new Map();
    for (const [name, t] of raw) {
      if (colbertLinear && name === "linear.weight") headWeights = new Map([["linear.weight", t]]);
      else weights.set(canonicalName(name), t);
    }
    checkShapes(weights, expected, files.name);
    return { ...info, weights, headWeights };
  } finally {
    await files.close();
  }
}

/** checkShapes on the safetensors headers (nothing decoded). */
function checkHeaderShapes(files: WeightFiles, expected: Map<string, number[]>): void {
  const shapes: NamedWeights = new Map();
  for (const [name, { entry }] of files.entries)
    shapes.set(canonicalName(name), { dtype: entry.dtype, shape: entry.shape, data: new Float32Array(0) });
  checkShapes(shapes, expected, files.name);
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
  /** For a student with its own tokenizer: the teacher's tokenizer.json sha256 (recorded in xlir.json). */
  indexTokenizerHash?: string;
  /** Query/document processing to keep (markers, augmentation, skiplist); omitted when plain. */
  interaction?: InteractionSettings;
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
    return {
      tokenizer_class: "BertTokenizer",
      model_max_length: maxLen,
      do_lower_case: true,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    };
  }
  return {
    tokenizer_class: "XLMRobertaTokenizer",
    model_max_length: maxLen,
    bos_token: "<s>",
    eos_token: "</s>",
    cls_token: "<s>",
    sep_token: "</s>",
    pad_token: "<pad>",
    unk_token: "<unk>",
    mask_token: "<mask>",
  };
}

/**
 * Writes a complete HF folder (config.json with HF field names, model.safetensors, tokenizer.json,
 * tokenizer_config.json, and xlir.json + xlir_head.safetensors when a head is given) into
 * `dir.tmp-*`, then swaps it in with renames, so `dir` is never seen half written.
 * An existing `dir` is replaced as a whole.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { loadHfFolder, saveHfFolder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const dir = join(mkdtempSync(join(tmpdir(), "xlir-ex-")), "copy");
 * await saveHfFolder(dir, { config: m.config, weights: m.weights, tokenizerJson: m.tokenizer.json, head: m.head, headWeights: m.headWeights });
 * const back = await loadHfFolder(dir); // round trip
 * const name = "encoder.layer.1.output.dense.weight";
 * console.assert(JSON.stringify(back.config) === JSON.stringify(m.config) && back.head?.dim === m.head?.dim);
 * console.assert(back.weights.get(name)!.data.every((v, i) => v === m.weights.get(name)!.data[i]));
 * rmSync(join(dir, ".."), { recursive: true, force: true });
 * ```
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
    await fs.writeFile(
      path.join(tmp, HF_FILES.weights),
      serializeSafetensors(toWritable(opts.weights, opts.dtype), { format: "pt" }),
    );
    const tokBytes = Buffer.from(JSON.stringify(opts.tokenizerJson));
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizer), tokBytes);
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizerConfig), j(tokenizerConfigFor(opts.config)));
    if (opts.head) {
      const h = opts.head;
      const tokSha = createHash("sha256").update(tokBytes).digest("hex");
      const headJson = {
        kind: h.kind,
        dim: h.dim,
        pooling: h.pooling,
        ...(h.bias === false ? { bias: false } : {}),
        ...(opts.indexEncoderHash ? { index_encoder: opts.indexEncoderHash } : {}),
        tokenizer_sha256: tokSha,
        ...(opts.indexTokenizerHash && opts.indexTokenizerHash !== tokSha
          ? { index_tokenizer_sha256: opts.indexTokenizerHash }
          : {}),
        ...(opts.interaction && !isPlainInteraction(opts.interaction)
          ? {
              interaction: {
                query: roleToJson(opts.interaction.query),
                document: roleToJson(opts.interaction.document),
              },
            }
          : {}),
      };
      await fs.writeFile(path.join(tmp, HF_FILES.head), j(headJson));
      if (h.dim !== null) {
        if (!opts.headWeights)
          throw new XlirError(
            "MISMATCH",
            `head with dim ${h.dim} needs headWeights (linear.weight${h.bias === false ? "" : ", linear.bias"})`,
          );
        const shapes = headShapes(h, opts.config.hiddenSize);
        checkShapes(opts.headWeights, shapes, "head weights to save");
        const kept: NamedWeights = new Map([...shapes.keys()].map((n) => [n, opts.headWeights!.get(n)!]));
        await fs.writeFile(
          path.join(tmp, HF_FILES.headWeights),
          serializeSafetensors(toWritable(kept, "F32"), { format: "pt" }),
        );
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
