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
 *
 * This file detects the layout and holds what the layouts share; each layout's head reader is a
 * file of its own (layout-colbert.ts, layout-pylate.ts); hf.ts reads the xlir layout's xlir.json itself.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import type { InteractionSettings } from "./interaction.js";
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

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

export async function readJson(file: string): Promise<{ bytes: Buffer; json: Record<string, unknown> }> {
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

export function tokenId(tok: TextTokenizer, token: string, file: string, what: string): number {
  const id = tok.tokenToId(token);
  if (id === undefined)
    throw new XlirError(
      "MISMATCH",
      `${file}: ${what} ${JSON.stringify(token)} is not a token of tokenizer.json`,
    );
  return id;
}

/** The [MASK] token: tokenizer_config.json `mask_token`, else [MASK] / <mask>. */
export async function maskId(dir: string, tok: TextTokenizer): Promise<number | null> {
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

export const num = (v: unknown, file: string, key: string, dflt: number): number => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new XlirError("CONFIG", `${file}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
};
export const bool = (v: unknown, file: string, key: string, dflt: boolean): boolean => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean")
    throw new XlirError("CONFIG", `${file}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
};
export const str = (v: unknown, file: string, key: string, dflt: string): string => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string")
    throw new XlirError("CONFIG", `${file}: "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
};
