/**
 * Inverse document frequency of token ids over a set of sentences, for the OT loss's
 * `marginals: "idf"`. Smoothed IDF as in scikit-learn's TfidfVectorizer (smooth_idf=True):
 *   idf(t) = ln((N + 1) / (df(t) + 1)) + 1,
 * N = number of sentences, df(t) = number of sentences containing token id t at least once. Every
 * weight is >= 1 (> 0), so no real token gets zero mass; an id never seen gets ln(N + 1) + 1.
 * Special tokens ([CLS], [SEP], <s>, </s>) occur in every sentence and get the smallest weight, 1.
 */
import type { TextTokenizer } from "../text/tokenizer.js";

/**
 * IDF of token ids over N sentences.
 * @example
 * ```ts
 * import { IdfTable } from "xlir";
 * // 3 sentences, token 5 in one of them
 * const idf = new IdfTable(3, new Map([[5, 1]]));
 * console.assert(idf.weight(5) === Math.log(4 / 2) + 1 && idf.weight(9) === Math.log(4) + 1); // 9: never seen
 * const w = idf.batchWeights([5, 9, 0], [1, 1, 0]); // padding gets 0
 * console.assert(w[0] === Math.fround(Math.log(2) + 1) && w[1] === Math.fround(Math.log(4) + 1) && w[2] === 0);
 * ```
 */
export class IdfTable {
  constructor(
    /** Number of sentences N. */
    readonly sentences: number,
    /** df(t) by token id. */
    readonly documentFrequency: ReadonlyMap<number, number>,
  ) {}

  /** idf(t) = ln((N + 1) / (df(t) + 1)) + 1. */
  weight(id: number): number {
    const df = this.documentFrequency.get(id) ?? 0;
    return Math.log((this.sentences + 1) / (df + 1)) + 1;
  }

  /**
   * Weights of a padded batch of token ids: [B * L], idf on real tokens (mask 1), 0 on padding.
   * @param ids [B * L], mask [B * L]
   */
  batchWeights(ids: ArrayLike<number>, mask: ArrayLike<number>): Float32Array {
    const out = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) if (mask[i]) out[i] = this.weight(ids[i]);
    return out;
  }
}

/**
 * Document frequency of every token id over `sentences` (each a list of token ids).
 * @example
 * ```ts
 * import { idfFromTokenIds } from "xlir";
 * const idf = idfFromTokenIds([[0, 5, 2], [0, 7, 2], [0, 5, 5, 2]]);
 * console.assert(idf.weight(0) === 1); // in every sentence: ln(4/4) + 1
 * console.assert(Math.abs(idf.weight(7) - (Math.log(4 / 2) + 1)) < 1e-12);
 * ```
 */
export function idfFromTokenIds(sentences: Iterable<ArrayLike<number>>): IdfTable {
  const df = new Map<number, number>();
  let n = 0;
  for (const ids of sentences) {
    n++;
    const seen = new Set<number>();
    for (let i = 0; i < ids.length; i++) seen.add(ids[i]);
    for (const id of seen) df.set(id, (df.get(id) ?? 0) + 1);
  }
  return new IdfTable(n, df);
}

/**
 * IDF of the token ids `tokenizer` gives `texts` (truncated at `maxLength`, special tokens
 * included, as the encoders see them). Empty texts count as sentences without tokens.
 * @example
 * ```ts
 * import { idfFromTexts, TextTokenizer } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const idf = idfFromTexts(["the fox", "the dog"], tok, 16);
 * console.assert(idf.weight(tok.tokenToId("the")!) === 1 && idf.weight(tok.tokenToId("fox")!) > 1);
 * ```
 */
export function idfFromTexts(
  texts: readonly string[],
  tokenizer: TextTokenizer,
  maxLength: number,
): IdfTable {
  return idfFromTokenIds(texts.map((t) => (t.trim() === "" ? [] : tokenizer.encodeOne(t, maxLength).ids)));
}
