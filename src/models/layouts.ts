/**
 * Folder layouts of late-interaction checkpoints, detected from the files present:
 *
 *   xlir     config.json, model.safetensors, tokenizer.json, xlir.json (+ xlir_head.safetensors)
 *   pylate   sentence-transformers layout: modules.json listing a Transformer at the root and one or
 *            more Dense modules (`1_Dense/config.json` + `1_Dense/model.safetensors`: linear.weight
 *            [out, in], linear.bias when bias), config_sentence_transformers.json (query_prefix,
 *            document_prefix, query_length, document_length, do_query_expansion,
 *            attend_to_expansion_tokens, skiplist_words)
 *   colbert  Stanford ColBERT / ColBERTv2: an HF BERT folder (architectures ["HF_ColBERT"]) whose
 *            weights hold `linear.weight` [dim, hidden] (no bias), settings in artifact.metadata
 *            (query_token_id, doc_token_id, query_maxlen, doc_maxlen, dim, attend_to_mask_tokens,
 *            mask_punctuation, similarity)
 *   hf       a bare encoder (no head): a student's starting point, not a teacher
 *
 * Settings missing from a checkpoint's config take the defaults of the library that wrote it
 * (ColBERT: [unused0]/[unused1], 32, 220, no attention to masks, punctuation masked; PyLate:
 * "[Q] "/"[D] ", 32, 180, expansion on, no attention to it, string.punctuation).
 * A chain of Dense modules (identity activations) is folded into one linear map:
 * y = W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import type { InteractionSettings, RoleSettings } from "./interaction.js";
import { readSafetensors } from "./safetensors.js";
import type { HeadConfig, NamedWeights } from "./types.js";

export type ModelLayout = "hf" | "xlir" | "colbert" | "pylate";

export const LAYOUT_FILES = {
  colbertMetadata: "artifact.metadata",
  modules: "modules.json",
  stConfig: "config_sentence_transformers.json",
} as const;

/** Python's string.punctuation, the default skiplist of ColBERT and PyLate. */
export const PUNCTUATION = [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];

/** What a layout adds to the encoder. */
export interface LayoutHead {
  layout: Exclude<ModelLayout, "xlir" | "hf">;
  head: HeadConfig;
  interaction: InteractionSettings;
  /** Bytes of the layout's own files, in a fixed order (part of the model hash). */
  hashParts: Buffer[];
  /** ColBERT: the head weight is `linear.weight` inside the model's weights. */
  headInModelWeights: boolean;
  /** PyLate: the folded Dense weights (linear.weight, linear.bias when any Dense has a bias). */
  headWeights: NamedWeights | null;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function readJson(file: string): Promise<{ bytes: Buffer; json: Record<string, unknown> }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    throw new XlirError("NOT_FOUND", `${file}: no such file`);
  }
  try {
    const json = JSON.parse(bytes.toString("utf8")) as unknown;
    if (typeof json !== "object" || json === null || Array.isArray(json))
      throw new Error("not a JSON object");
    return { bytes, json: json as Record<string, unknown> };
  } catch (e) {
    throw new XlirError("BAD_INPUT", `${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Which layout `dir` has (xlir.json wins, then modules.json, then ColBERT's marks).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { detectLayout } from "xlir";
 * console.assert((await detectLayout("test/fixtures/tiny-bert", {}, new Set())) === "xlir");
 * console.assert((await detectLayout("test/fixtures/tiny-pylate", {}, new Set())) === "pylate");
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-")); // no layout files at all
 * console.assert((await detectLayout(dir, {}, new Set())) === "hf");
 * console.assert((await detectLayout(dir, { architectures: ["HF_ColBERT"] }, new Set())) === "colbert");
 * console.assert((await detectLayout(dir, {}, new Set(["linear.weight"]))) === "colbert");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function detectLayout(
  dir: string,
  rawConfig: Record<string, unknown>,
  weightNames: ReadonlySet<string>,
): Promise<ModelLayout> {
  if (await exists(path.join(dir, "xlir.json"))) return "xlir";
  if (await exists(path.join(dir, LAYOUT_FILES.modules))) return "pylate";
  const arch = Array.isArray(rawConfig.architectures) ? rawConfig.architectures : [];
  if (
    (await exists(path.join(dir, LAYOUT_FILES.colbertMetadata))) ||
    arch.includes("HF_ColBERT") ||
    weightNames.has("linear.weight")
  )
    return "colbert";
  return "hf";
}

/**
 * The error for a folder that has no late-interaction head in any supported layout.
 * @example
 * ```ts
 * import { notLateInteraction, XlirError } from "xlir";
 * const e = notLateInteraction("models/bare");
 * console.assert(e instanceof XlirError && e.code === "CONFIG" && e.message.startsWith("models/bare is not a late-interaction model"));
 * ```
 */
export function notLateInteraction(dir: string): XlirError {
  return new XlirError(
    "CONFIG",
    `${dir} is not a late-interaction model: it has neither xlir.json (+ xlir_head.safetensors), nor ColBERT's artifact.metadata / 'linear.weight' in its weights, ` +
      `nor modules.json with a Dense module (PyLate / sentence-transformers: 1_Dense/config.json + 1_Dense/model.safetensors)`,
  );
}

function tokenId(tok: TextTokenizer, token: string, file: string, what: string): number {
  const id = tok.tokenToId(token);
  if (id === undefined)
    throw new XlirError(
      "MISMATCH",
      `${file}: ${what} ${JSON.stringify(token)} is not a token of tokenizer.json`,
    );
  return id;
}

/** The [MASK] token: tokenizer_config.json `mask_token`, else [MASK] / <mask>. */
async function maskId(dir: string, tok: TextTokenizer): Promise<number | null> {
  let named: string | undefined;
  try {
    const cfg = JSON.parse(await fs.readFile(path.join(dir, "tokenizer_config.json"), "utf8")) as {
      mask_token?: unknown;
    };
    const m = cfg.mask_token;
    named =
      typeof m === "string"
        ? m
        : typeof (m as { content?: unknown } | null)?.content === "string"
          ? (m as { content: string }).content
          : undefined;
  } catch {
    named = undefined;
  }
  for (const t of [named, "[MASK]", "<mask>"]) {
    if (t === undefined) continue;
    const id = tok.tokenToId(t);
    if (id !== undefined) return id;
  }
  return null;
}

const num = (v: unknown, file: string, key: string, dflt: number): number => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new XlirError("CONFIG", `${file}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
};
const bool = (v: unknown, file: string, key: string, dflt: boolean): boolean => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean")
    throw new XlirError("CONFIG", `${file}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
};
const str = (v: unknown, file: string, key: string, dflt: string): string => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string")
    throw new XlirError("CONFIG", `${file}: "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
};

/**
 * ColBERT / ColBERTv2 folder (see the file comment). `linearShape` is the shape of `linear.weight` in the weights.
 * @example
 * ```ts
 * import { colbertHead, TextTokenizer, XlirError } from "xlir";
 * const dir = "test/fixtures/tiny-colbert"; // artifact.metadata: dim 16, query_maxlen 12, doc_maxlen 20
 * const tok = await TextTokenizer.fromFile(`${dir}/tokenizer.json`);
 * const h = await colbertHead(dir, tok, 32, [16, 32]);
 * console.assert(h.head.dim === 16 && h.head.bias === false && h.headInModelWeights);
 * console.assert(h.interaction.query.length === 12 && h.interaction.document.maxLength === 20);
 * console.assert(h.interaction.query.prefixId === tok.tokenToId("[unused0]"));
 * console.assert(h.interaction.document.skipIds.includes(tok.tokenToId(",")!)); // punctuation masked
 * const err = await colbertHead(dir, tok, 32, [8, 32]).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "MISMATCH"); // linear.weight disagrees with dim
 * ```
 */
export async function colbertHead(
  dir: string,
  tok: TextTokenizer,
  hiddenSize: number,
  linearShape: number[] | undefined,
): Promise<LayoutHead> {
  const metaFile = path.join(dir, LAYOUT_FILES.colbertMetadata);
  let meta: Record<string, unknown> = {};
  const hashParts: Buffer[] = [];
  if (await exists(metaFile)) {
    const r = await readJson(metaFile);
    meta =
      typeof r.json.config === "object" && r.json.config !== null
        ? (r.json.config as Record<string, unknown>)
        : r.json;
    hashParts.push(r.bytes);
  }
  if (!linearShape)
    throw new XlirError(
      "MISMATCH",
      `${dir}: a ColBERT checkpoint needs the projection 'linear.weight' [dim, ${hiddenSize}] in its weights; it has none`,
    );
  const dim = num(meta.dim, metaFile, "dim", linearShape[0]);
  if (linearShape.length !== 2 || linearShape[0] !== dim || linearShape[1] !== hiddenSize) {
    throw new XlirError(
      "MISMATCH",
      `${dir}: 'linear.weight' has shape [${linearShape.join(", ")}], expected [${dim}, ${hiddenSize}] (dim from ${LAYOUT_FILES.colbertMetadata}, hidden_size from config.json)`,
    );
  }
  const similarity = str(meta.similarity, metaFile, "similarity", "cosine");
  if (similarity !== "cosine")
    throw new XlirError(
      "UNSUPPORTED",
      `${metaFile}: similarity "${similarity}" is not supported (only "cosine")`,
    );
  const mask = await maskId(dir, tok);
  if (mask === null)
    throw new XlirError("MISMATCH", `${dir}: the tokenizer has no [MASK] token for query augmentation`);
  const skipIds = bool(meta.mask_punctuation, metaFile, "mask_punctuation", true)
    ? [
        ...new Set(
          PUNCTUATION.map((p) => tok.encodeOne(p, 8, false).ids[0]).filter(
            (id): id is number => id !== undefined,
          ),
        ),
      ]
    : [];
  /** The id of a role's marker token, named by `key` in artifact.metadata (default `dflt`). */
  const marker = (key: string, dflt: string, what: string): number =>
    tokenId(tok, str(meta[key], metaFile, key, dflt), metaFile, what);
  const query: RoleSettings = {
    prefixId: marker("query_token_id", "[unused0]", "query marker"),
    length: num(meta.query_maxlen, metaFile, "query_maxlen", 32),
    expansionId: mask,
    attendExpansion: bool(meta.attend_to_mask_tokens, metaFile, "attend_to_mask_tokens", false),
    skipIds: [],
    maxLength: null,
  };
  const document: RoleSettings = {
    prefixId: marker("doc_token_id", "[unused1]", "document marker"),
    length: null,
    expansionId: null,
    attendExpansion: false,
    skipIds,
    maxLength: num(meta.doc_maxlen, metaFile, "doc_maxlen", 220),
  };
  return {
    layout: "colbert",
    head: { kind: "colbert", dim, pooling: "cls", bias: false },
    interaction: { query, document },
    hashParts,
    headInModelWeights: true,
    headWeights: null,
  };
}

interface StModule {
  idx?: number;
  name?: string;
  path: string;
  type: string;
}

/**
 * PyLate / sentence-transformers folder (see the file comment).
 * @example
 * ```ts
 * import { pylateHead, TextTokenizer } from "xlir";
 * const dir = "test/fixtures/tiny-pylate"; // Dense 32 -> 24 (no bias), then Dense 24 -> 16 (bias)
 * const tok = await TextTokenizer.fromFile(`${dir}/tokenizer.json`);
 * const h = await pylateHead(dir, tok, 32, true);
 * // the two Dense modules are folded into one linear map [16, 32] + bias [16]
 * console.assert(h.head.dim === 16 && h.head.bias === true);
 * console.assert(h.headWeights!.get("linear.weight")!.shape.join() === "16,32" && h.headWeights!.get("linear.bias")!.data.length === 16);
 * console.assert(h.interaction.query.length === 12 && h.interaction.query.prefixId === tok.tokenToId("[Q] "));
 * const noWeights = await pylateHead(dir, tok, 32, false);
 * console.assert(noWeights.headWeights === null && noWeights.head.bias === true);
 * ```
 */
export async function pylateHead(
  dir: string,
  tok: TextTokenizer,
  hiddenSize: number,
  withWeights: boolean,
): Promise<LayoutHead> {
  const modFile = path.join(dir, LAYOUT_FILES.modules);
  let modBytes: Buffer;
  try {
    modBytes = await fs.readFile(modFile);
  } catch {
    throw new XlirError("NOT_FOUND", `${modFile}: no such file`);
  }
  let list: unknown;
  try {
    list = JSON.parse(modBytes.toString("utf8"));
  } catch (err) {
    throw new XlirError("BAD_INPUT", `${modFile}: not valid JSON (${(err as Error).message})`);
  }
  if (
    !Array.isArray(list) ||
    !list.every(
      (m) =>
        typeof m === "object" &&
        m !== null &&
        typeof (m as StModule).path === "string" &&
        typeof (m as StModule).type === "string",
    )
  ) {
    throw new XlirError(
      "BAD_INPUT",
      `${modFile}: expected a list of modules {"idx", "name", "path", "type"}`,
    );
  }
  const modules = list as StModule[];
  const hashParts: Buffer[] = [modBytes];
  if (modules.length === 0 || !modules[0].type.endsWith("Transformer") || modules[0].path !== "") {
    throw new XlirError(
      "UNSUPPORTED",
      `${modFile}: the first module must be a Transformer stored at the folder root (path ""), got ${JSON.stringify(modules[0] ?? null)}`,
    );
  }
  const dense = modules.slice(1);
  if (dense.length === 0)
    throw new XlirError(
      "CONFIG",
      `${modFile}: no Dense module (1_Dense/) after the Transformer: not a late-interaction (PyLate) model`,
    );
  const bad = dense.find((m) => !m.type.endsWith(".Dense"));
  if (bad)
    throw new XlirError(
      "UNSUPPORTED",
      `${modFile}: module ${JSON.stringify(bad.type)} (path ${bad.path}) is not supported; a PyLate model is a Transformer followed by Dense modules`,
    );
  let W: Float32Array | null = null; // folded [out, hidden]
  let bias: Float32Array | null = null;
  let inDim = hiddenSize;
  let out = hiddenSize;
  for (const m of dense) {
    const cfgFile = path.join(dir, m.path, "config.json");
    const { bytes, json: c } = await readJson(cfgFile);
    hashParts.push(bytes);
    const i = num(c.in_features, cfgFile, "in_features", 0);
    const o = num(c.out_features, cfgFile, "out_features", 0);
    const hasBias = bool(c.bias, cfgFile, "bias", true);
    const act = str(
      c.activation_function,
      cfgFile,
      "activation_function",
      "torch.nn.modules.linear.Identity",
    );
    if (!act.endsWith("Identity"))
      throw new XlirError(
        "UNSUPPORTED",
        `${cfgFile}: activation_function "${act}" is not supported (PyLate's Dense is linear: Identity)`,
      );
    if (bool(c.use_residual, cfgFile, "use_residual", false))
      throw new XlirError("UNSUPPORTED", `${cfgFile}: use_residual is not supported`);
    if (i !== out)
      throw new XlirError("MISMATCH", `${cfgFile}: in_features ${i}, but the module before outputs ${out}`);
    const wFile = path.join(dir, m.path, "model.safetensors");
    if (!(await exists(wFile)))
      throw new XlirError(
        (await exists(path.join(dir, m.path, "pytorch_model.bin"))) ? "UNSUPPORTED" : "NOT_FOUND",
        `${wFile}: no such file (Dense weights must be safetensors)`,
      );
    hashParts.push(await fs.readFile(wFile));
    if (withWeights) {
      const { tensors } = await readSafetensors(wFile);
      const w = tensors.get("linear.weight");
      if (!w || w.shape.length !== 2 || w.shape[0] !== o || w.shape[1] !== i)
        throw new XlirError(
          "MISMATCH",
          `${wFile}: expected 'linear.weight' [${o}, ${i}], got ${w ? `[${w.shape.join(", ")}]` : "none"}`,
        );
      const b = tensors.get("linear.bias");
      if (hasBias && (!b || b.shape.length !== 1 || b.shape[0] !== o))
        throw new XlirError("MISMATCH", `${wFile}: expected 'linear.bias' [${o}] (bias: true in ${cfgFile})`);
      // fold: W' = Wm W, b' = Wm b + bm
      if (W === null) {
        W = w.data;
        bias = hasBias ? b!.data : null;
      } else {
        const nw = new Float32Array(o * inDim);
        for (let r = 0; r < o; r++)
          for (let k = 0; k < i; k++) {
            const a = w.data[r * i + k];
            if (a !== 0) for (let cix = 0; cix < inDim; cix++) nw[r * inDim + cix] += a * W[k * inDim + cix];
          }
        let nb: Float32Array | null = null;
        if (bias || hasBias) {
          nb = new Float32Array(o);
          for (let r = 0; r < o; r++) {
            let s = hasBias ? b!.data[r] : 0;
            if (bias) for (let k = 0; k < i; k++) s += w.data[r * i + k] * bias[k];
            nb[r] = s;
          }
        }
        W = nw;
        bias = nb;
      }
    }
    out = o;
  }
  inDim = hiddenSize;
  const stFile = path.join(dir, LAYOUT_FILES.stConfig);
  let st: Record<string, unknown> = {};
  if (await exists(stFile)) {
    const r = await readJson(stFile);
    st = r.json;
    hashParts.push(r.bytes);
  }
  const mask = await maskId(dir, tok);
  const prefix = (key: string, dflt: string, file: string): number | null => {
    const p = str(st[key], file, key, dflt);
    return p === "" ? null : tokenId(tok, p, file, key);
  };
  const expansion = bool(st.do_query_expansion, stFile, "do_query_expansion", true);
  if (expansion && mask === null)
    throw new XlirError("MISMATCH", `${dir}: query expansion needs a [MASK] token, the tokenizer has none`);
  const words =
    st.skiplist_words === undefined || st.skiplist_words === null ? PUNCTUATION : st.skiplist_words;
  if (!Array.isArray(words) || !words.every((w) => typeof w === "string"))
    throw new XlirError("CONFIG", `${stFile}: "skiplist_words" must be a list of strings`);
  const unk = tok.unkId;
  // PyLate maps skiplist words with convert_tokens_to_ids: a word that is no token becomes [UNK]
  const skipIds = [
    ...new Set(words.map((w) => tok.tokenToId(w) ?? unk).filter((id): id is number => id !== undefined)),
  ];
  const query: RoleSettings = {
    prefixId: prefix("query_prefix", "[Q] ", stFile),
    length: expansion ? num(st.query_length, stFile, "query_length", 32) : null,
    expansionId: expansion ? mask : null,
    attendExpansion:
      expansion && bool(st.attend_to_expansion_tokens, stFile, "attend_to_expansion_tokens", false),
    skipIds: [],
    maxLength: expansion ? null : num(st.query_length, stFile, "query_length", 32),
  };
  const document: RoleSettings = {
    prefixId: prefix("document_prefix", "[D] ", stFile),
    length: null,
    expansionId: null,
    attendExpansion: false,
    skipIds,
    maxLength: num(st.document_length, stFile, "document_length", 180),
  };
  const headWeights: NamedWeights | null = withWeights
    ? new Map([
        ["linear.weight", { dtype: "F32" as const, shape: [out, inDim], data: W as unknown as Float32Array }],
      ])
    : null;
  if (headWeights && bias) headWeights.set("linear.bias", { dtype: "F32", shape: [out], data: bias });
  const anyBias = headWeights ? bias !== null : await anyDenseBias(dir, dense);
  return {
    layout: "pylate",
    head: { kind: "colbert", dim: out, pooling: "cls", bias: anyBias },
    interaction: { query, document },
    hashParts,
    headInModelWeights: false,
    headWeights,
  };
}

async function anyDenseBias(dir: string, dense: StModule[]): Promise<boolean> {
  for (const m of dense) {
    const c = (await readJson(path.join(dir, m.path, "config.json"))).json;
    if (c.bias === undefined || c.bias === true) return true;
  }
  return false;
}
