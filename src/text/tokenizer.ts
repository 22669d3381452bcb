/**
 * Batched tokenisation from a Hugging Face `tokenizer.json` (WordPiece, Unigram, BPE) through
 * @huggingface/tokenizers (pure TS), with truncation, padding and attention masks.
 *
 * Truncation: a text whose encoding (special tokens included) is longer than maxLength keeps its
 * first tokens and its trailing special tokens ([SEP] or </s>), so it still ends like the model
 * expects: [CLS] w1 .. w_{L-2} [SEP].
 * Empty texts (empty or only white space) are refused with BAD_INPUT naming the text (1-based);
 * callers reading files map that to the line.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { XlirError } from "../errors.js";

export interface EncodeBatchOptions {
  /** Longest sequence, special tokens included. */
  maxLength: number;
  addSpecialTokens?: boolean; // default true
  /** Round the padded length up to a multiple of this (never beyond maxLength). */
  padToMultipleOf?: number;
}

/** A padded batch: B texts, each padded to L = longest in the batch (<= maxLength). */
export interface TokenBatch {
  ids: Int32Array; // [B * L] row-major, padding = padId
  mask: Uint8Array; // [B * L] 1 real token, 0 padding
  batch: number; // B
  length: number; // L
  tokens: string[][]; // per text, without padding
  truncated: boolean[];
}

/**
 * Rows of token ids in one padded batch: ids [B * L] row-major with `padId` after each row, mask
 * 1 on real tokens; L is the longest row unless `length` (at least that) is given.
 * @example
 * ```ts
 * import { padIdRows } from "xlir";
 * const b = padIdRows([[0, 5, 2], [0, 2]], 1);
 * console.assert(b.length === 3 && b.ids.join() === "0,5,2,0,2,1" && b.mask.join() === "1,1,1,1,1,0");
 * ```
 */
export function padIdRows(
  rows: readonly ArrayLike<number>[],
  padId: number,
  length?: number,
): { ids: Int32Array; mask: Uint8Array; batch: number; length: number } {
  const L = length ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
  const B = rows.length;
  const ids = new Int32Array(B * L).fill(padId);
  const mask = new Uint8Array(B * L);
  rows.forEach((r, b) => {
    ids.set(r, b * L);
    mask.fill(1, b * L, b * L + r.length);
  });
  return { ids, mask, batch: B, length: L };
}

/**
 * @example
 * ```ts
 * import { TextTokenizer } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const b = tok.encodeBatch(["hello world", "the fox"], { maxLength: 8 });
 * console.assert(b.batch === 2 && b.tokens[0].join(" ") === "[CLS] hello world [SEP]");
 * ```
 */
export class TextTokenizer {
  readonly padId: number;
  readonly padToken: string;
  private readonly tok: Tokenizer;
  private readonly specialIds: Set<number>;

  private constructor(
    readonly json: Record<string, unknown>,
    config: Record<string, unknown>,
  ) {
    try {
      this.tok = new Tokenizer(json, config);
    } catch (e) {
      throw new XlirError("BAD_INPUT", `tokenizer.json cannot be loaded: ${(e as Error).message}`);
    }
    this.specialIds = new Set(
      [...this.tok.get_added_tokens_decoder().values()].filter((t) => t.special).map((t) => t.id),
    );
    const padding = json.padding as { pad_id?: number; pad_token?: string } | null | undefined;
    const candidates = [padding?.pad_token, "[PAD]", "<pad>"].filter(
      (t): t is string => typeof t === "string",
    );
    let padId: number | undefined = padding?.pad_id;
    let padToken = padding?.pad_token;
    for (const c of candidates) {
      if (padId !== undefined) break;
      const id = this.tok.token_to_id(c);
      if (id !== undefined) {
        padId = id;
        padToken = c;
      }
    }
    this.padId = padId ?? 0;
    this.padToken = padToken ?? this.tok.id_to_token(this.padId) ?? "";
  }

  /** Loads `tokenizer.json` (and `tokenizer_config.json` beside it when present). */
  static async fromFile(file: string): Promise<TextTokenizer> {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch {
      throw new XlirError("NOT_FOUND", `${file}: no such file`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new XlirError("BAD_INPUT", `${file}: not valid JSON (${(e as Error).message})`);
    }
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(
        await fs.readFile(path.join(path.dirname(file), "tokenizer_config.json"), "utf8"),
      ) as Record<string, unknown>;
    } catch {
      config = {};
    }
    try {
      return TextTokenizer.fromJson(json as Record<string, unknown>, config);
    } catch (e) {
      if (e instanceof XlirError) throw new XlirError(e.code, `${file}: ${e.message}`);
      throw e;
    }
  }

  /** Builds from a parsed tokenizer.json object (+ optional tokenizer_config.json object). */
  static fromJson(json: Record<string, unknown>, config: Record<string, unknown> = {}): TextTokenizer {
    if (typeof json !== "object" || json === null || typeof json.model !== "object") {
      throw new XlirError("BAD_INPUT", "tokenizer.json has no 'model' section");
    }
    return new TextTokenizer(json, config);
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    return this.tok.get_vocab(true).size;
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** The unknown token's id (WordPiece/BPE `unk_token`, Unigram `unk_id`), when the model has one. */
  get unkId(): number | undefined {
    const m = this.json.model as { unk_token?: unknown; unk_id?: unknown };
    if (typeof m.unk_id === "number") return m.unk_id;
    return typeof m.unk_token === "string" ? this.tok.token_to_id(m.unk_token) : undefined;
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** One text -> ids and tokens (with special tokens unless told otherwise), truncated to maxLength. */
  encodeOne(
    text: string,
    maxLength: number,
    addSpecialTokens = true,
  ): { ids: number[]; tokens: string[]; truncated: boolean } {
    const enc = this.tok.encode(text, { add_special_tokens: addSpecialTokens });
    let { ids, tokens } = enc;
    const truncated = ids.length > maxLength;
    if (truncated) {
      let tail = 0; // trailing special tokens kept
      while (tail < ids.length && tail < maxLength && this.specialIds.has(ids[ids.length - 1 - tail])) tail++;
      if (tail === maxLength) tail = 0;
      const head = maxLength - tail;
      ids = [...ids.slice(0, head), ...ids.slice(ids.length - tail)];
      tokens = [...tokens.slice(0, head), ...tokens.slice(tokens.length - tail)];
    }
    return { ids, tokens, truncated };
  }

  /** Tokenises, truncates and pads a batch: ids/mask are [B, L] row-major. */
  encodeBatch(texts: readonly string[], opts: EncodeBatchOptions): TokenBatch {
    const { maxLength, addSpecialTokens = true, padToMultipleOf } = opts;
    if (!Number.isInteger(maxLength) || maxLength < 1)
      throw new XlirError("USAGE", `maxLength must be a positive integer, got ${maxLength}`);
    const rows = texts.map((t, i) => {
      if (t.trim() === "") throw new XlirError("BAD_INPUT", `text ${i + 1} is empty`);
      return this.encodeOne(t, maxLength, addSpecialTokens);
    });
    let L = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
    if (padToMultipleOf && padToMultipleOf > 1)
      L = Math.min(maxLength, Math.ceil(L / padToMultipleOf) * padToMultipleOf);
    return {
      ...padIdRows(
        rows.map((r) => r.ids),
        this.padId,
        L,
      ),
      tokens: rows.map((r) => r.tokens),
      truncated: rows.map((r) => r.truncated),
    };
  }
}
