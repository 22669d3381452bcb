/**
 * How a late-interaction model turns a text into token vectors for each role (query, document):
 * the marker token inserted after the first token ([CLS] [Q] ... / [CLS] [D] ...), query
 * augmentation (padding to a fixed length with [MASK] tokens whose vectors all take part in
 * scoring, attended to or not), and the document tokens dropped before scoring (punctuation).
 *
 * ColBERT (Khattab & Zaharia 2020; ColBERTv2) and PyLate follow the same recipe; xlir's own head
 * uses none of it (PLAIN_INTERACTION): every real token, specials included, is one vector.
 *
 * For a text of tokens t_1..t_k (after the tokenizer's [CLS] ... [SEP]) and marker m:
 *   ids  = [CLS] m t_1 .. t_k [SEP] (truncated so that the whole fits `length` / maxLength)
 *   query with augmentation to Lq: ids ++ [MASK] * (Lq - |ids|); attend = 1 on real tokens,
 *     attendExpansion on the masks; keep = 1 everywhere (Lq vectors)
 *   document: attend = 1; keep_i = ids_i not in skipIds
 */
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";

/** Processing of one role. */
export interface RoleSettings {
  /** Token inserted after the first token ([CLS]); null: none. */
  prefixId: number | null;
  /** Query augmentation: every text padded to exactly this many tokens with `expansionId`; null: none. */
  length: number | null;
  /** Token of the augmentation padding ([MASK]); required when `length` is set. */
  expansionId: number | null;
  /** Whether the other tokens attend to the augmentation tokens. */
  attendExpansion: boolean;
  /** Token ids whose vectors are dropped (ColBERT's punctuation skiplist of documents). */
  skipIds: number[];
  /** The checkpoint's own length limit for this role (doc_maxlen / document_length); null: none. */
  maxLength: number | null;
}

export interface InteractionSettings {
  query: RoleSettings;
  document: RoleSettings;
}

export type Role = "query" | "document";

const PLAIN_ROLE: RoleSettings = {
  prefixId: null,
  length: null,
  expansionId: null,
  attendExpansion: false,
  skipIds: [],
  maxLength: null,
};

/** xlir's own head: no markers, no augmentation, nothing dropped. */
export const PLAIN_INTERACTION: InteractionSettings = { query: PLAIN_ROLE, document: PLAIN_ROLE };

/**
 * Whether neither role inserts a marker, augments or drops tokens (xlir's own head).
 * @example
 * ```ts
 * import { inspectHfFolder, isPlainInteraction, PLAIN_INTERACTION } from "xlir";
 * console.assert(isPlainInteraction(PLAIN_INTERACTION));
 * const colbert = await inspectHfFolder("test/fixtures/tiny-colbert"); // [Q]/[D] markers, augmentation
 * console.assert(!isPlainInteraction(colbert.interaction));
 * ```
 */
export function isPlainInteraction(s: InteractionSettings): boolean {
  const plain = (r: RoleSettings) => r.prefixId === null && r.length === null && r.skipIds.length === 0;
  return plain(s.query) && plain(s.document);
}

/** One text prepared for a role. */
export interface RoleEncoding {
  ids: number[];
  tokens: string[];
  /** Attention mask of the real (non-padding) positions: 1 attended, 0 not (unattended augmentation). */
  attend: number[];
  /** 1 where the token's vector is part of the output. */
  keep: number[];
  truncated: boolean;
}

/**
 * Longest sequence a role uses: the augmentation length for augmented queries, else the smaller
 * of the caller's limit and the checkpoint's own limit for that role.
 * @example
 * ```ts
 * import { PLAIN_INTERACTION, roleLength } from "xlir";
 * const plain = PLAIN_INTERACTION.document;
 * console.assert(roleLength(plain, 64) === 64);
 * console.assert(roleLength({ ...plain, maxLength: 20 }, 64) === 20 && roleLength({ ...plain, maxLength: 20 }, 8) === 8);
 * console.assert(roleLength({ ...plain, length: 12, expansionId: 4 }, 64) === 12); // augmented queries: always 12
 * ```
 */
export function roleLength(s: RoleSettings, maxLength: number): number {
  if (s.length !== null) return s.length;
  return s.maxLength !== null ? Math.min(s.maxLength, maxLength) : maxLength;
}

/**
 * Tokenises one text for `role` (see the file comment).
 * @example
 * ```ts
 * import { encodeForRole, inspectHfFolder } from "xlir";
 * const m = await inspectHfFolder("test/fixtures/tiny-colbert");
 * const q = m.interaction.query; // ColBERT: [Q] marker, [MASK] augmentation to 12 tokens
 * const r = encodeForRole(m.tokenizer, q, "hello world", 64);
 * console.assert(r.ids.length === 12 && r.ids[1] === q.prefixId);
 * console.assert(r.tokens.slice(0, 5).join(" ") === "[CLS] [unused0] hello world [SEP]" && r.tokens[11] === "[MASK]");
 * console.assert(r.attend.join("") === "111110000000" && r.keep.every((k) => k === 1)); // masks not attended, all kept
 * ```
 */
export function encodeForRole(
  tokenizer: TextTokenizer,
  s: RoleSettings,
  text: string,
  maxLength: number,
): RoleEncoding {
  const L = roleLength(s, maxLength);
  const withPrefix = s.prefixId !== null;
  if (L < (withPrefix ? 3 : 2))
    throw new XlirError("USAGE", `length ${L} is too short for a marker and the special tokens`);
  const r = tokenizer.encodeOne(text, withPrefix ? L - 1 : L);
  let ids = r.ids;
  let tokens = r.tokens;
  if (withPrefix) {
    ids = [ids[0], s.prefixId as number, ...ids.slice(1)];
    tokens = [tokens[0], tokenizer.idToToken(s.prefixId as number) ?? `<${s.prefixId}>`, ...tokens.slice(1)];
  }
  const attend = ids.map(() => 1);
  if (s.length !== null) {
    if (s.expansionId === null)
      throw new XlirError("CONFIG", "query augmentation needs an expansion token ([MASK])");
    const pad = s.length - ids.length;
    const expTok = tokenizer.idToToken(s.expansionId) ?? `<${s.expansionId}>`;
    for (let i = 0; i < pad; i++) {
      ids.push(s.expansionId);
      tokens.push(expTok);
      attend.push(s.attendExpansion ? 1 : 0);
    }
  }
  const skip = s.skipIds.length ? new Set(s.skipIds) : null;
  const keep = ids.map((id) => (skip && skip.has(id) ? 0 : 1));
  return { ids, tokens, attend, keep, truncated: r.truncated };
}

/** A padded batch for a role: ids/attend/keep are [B, L] row-major, 0 (and padId) on padding. */
export interface RoleBatch {
  ids: Int32Array;
  attend: Uint8Array;
  keep: Uint8Array;
  batch: number;
  length: number;
  /** Kept tokens per text. */
  kept: number[];
  tokens: string[][];
  truncated: boolean[];
}

/**
 * Tokenises and pads a batch for a role (empty texts refused naming the 1-based text).
 * @example
 * ```ts
 * import { encodeRoleBatch, inspectHfFolder } from "xlir";
 * const m = await inspectHfFolder("test/fixtures/tiny-colbert");
 * const b = encodeRoleBatch(m.tokenizer, m.interaction.document, ["hello, world!", "the fox"], 64);
 * // [CLS] [D] hello , world ! [SEP] | [CLS] [D] the fox [SEP] + padding; punctuation is not kept
 * console.assert(b.batch === 2 && b.length === 7 && b.kept.join() === "5,5");
 * console.assert(b.keep.slice(0, 7).join("") === "1110101" && b.ids[13] === m.tokenizer.padId && b.attend[13] === 0);
 * ```
 */
export function encodeRoleBatch(
  tokenizer: TextTokenizer,
  s: RoleSettings,
  texts: readonly string[],
  maxLength: number,
): RoleBatch {
  const rows = texts.map((t, i) => {
    if (t.trim() === "") throw new XlirError("BAD_INPUT", `text ${i + 1} is empty`);
    return encodeForRole(tokenizer, s, t, maxLength);
  });
  const B = rows.length;
  const L = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
  const ids = new Int32Array(B * L).fill(tokenizer.padId);
  const attend = new Uint8Array(B * L);
  const keep = new Uint8Array(B * L);
  rows.forEach((r, b) => {
    ids.set(r.ids, b * L);
    attend.set(r.attend, b * L);
    keep.set(r.keep, b * L);
  });
  return {
    ids,
    attend,
    keep,
    batch: B,
    length: L,
    kept: rows.map((r) => r.keep.reduce((a, k) => a + k, 0)),
    tokens: rows.map((r) => r.tokens),
    truncated: rows.map((r) => r.truncated),
  };
}

/**
 * Copies the kept rows of a [B, L, dim] output into one [sum kept, dim] array (texts in batch order).
 * @returns vectors and the per-text kept counts
 * @example
 * ```ts
 * import { gatherKept } from "xlir";
 * // B = 2 texts, L = 2 positions, dim = 2: vectors [1,1] [2,2] | [3,3] [4,4]
 * const out = Float32Array.of(1, 1, 2, 2, 3, 3, 4, 4);
 * const r = gatherKept(out, Uint8Array.of(1, 0, 1, 1), 2, 2, 2);
 * console.assert(r.counts.join() === "1,2" && Array.from(r.vectors).join() === "1,1,3,3,4,4");
 * ```
 */
export function gatherKept(
  out: Float32Array,
  keep: Uint8Array,
  B: number,
  L: number,
  dim: number,
): { vectors: Float32Array; counts: number[] } {
  const counts = new Array<number>(B).fill(0);
  for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) counts[b] += keep[b * L + t];
  const vectors = new Float32Array(counts.reduce((a, c) => a + c, 0) * dim);
  let row = 0;
  for (let k = 0; k < B * L; k++) {
    if (!keep[k]) continue;
    vectors.set(out.subarray(k * dim, (k + 1) * dim), row * dim);
    row++;
  }
  return { vectors, counts };
}
