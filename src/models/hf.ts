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
 * validated before any tensor is decoded. Writing a folder is hf-save.ts.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { canonicalName, expectedHeadShapes, expectedWeightShapes, parseHfConfig } from "./config.js";
import { PLAIN_INTERACTION, type InteractionSettings, type RoleSettings } from "./interaction.js";
import { colbertHead } from "./layout-colbert.js";
import { pylateHead } from "./layout-pylate.js";
import { detectLayout, notLateInteraction, type ModelLayout } from "./layouts.js";
import { SafetensorsFile } from "./safetensors.js";
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

export const RoleSchema = z.strictObject({
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

export async function exists(file: string): Promise<boolean> {
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
          const shapes = expectedHeadShapes(config, head);
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
