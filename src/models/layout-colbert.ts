/**
 * The ColBERT / ColBERTv2 layout (layouts.ts): the projection `linear.weight` inside the model's
 * weights, the settings in artifact.metadata.
 */
import * as path from "node:path";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import type { RoleSettings } from "./interaction.js";
import {
  bool,
  exists,
  LAYOUT_FILES,
  maskId,
  num,
  PUNCTUATION,
  readJson,
  str,
  tokenId,
  type LayoutHead,
} from "./layouts.js";

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
