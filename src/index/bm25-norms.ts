/**
 * Document-length normalisation for BM25.
 *
 * "exact": dl as counted. "lucene": dl passed through Lucene's one-byte norm (Lucene >= 7
 * `SmallFloat.intToByte4` / `byte4ToInt`), which Anserini indexes carry: lengths below 24 are
 * exact; above, 24 + a float with 4 significant bits (3 stored + 1 implicit) of (dl - 24),
 * rounded down. E.g. 173 -> 168, 300 -> 280. Use it to compare scores with Anserini/Lucene runs.
 */
export type LengthNorm = "exact" | "lucene";
export const LENGTH_NORMS: readonly LengthNorm[] = ["exact", "lucene"];

/** Positive integer -> 4-significant-bit code: subnormal below 8, else (shift + 1) << 3 | 3 mantissa bits. */
function toInt4(i: number): number {
  const bits = 32 - Math.clz32(i);
  if (bits < 4) return i;
  const shift = bits - 4;
  return ((i >>> shift) & 0x07) | ((shift + 1) << 3);
}

function fromInt4(code: number): number {
  const mant = code & 0x07;
  const shift = (code >>> 3) - 1;
  return shift === -1 ? mant : (mant | 0x08) * 2 ** shift;
}

/** Codes below this are the length itself: 255 - toInt4(2^31 - 1) = 24. */
const FREE = 255 - toInt4(0x7fffffff);

/**
 * Lucene's byte encoding of a field length (0..255).
 *
 * @example
 * ```ts
 * import { lengthToByte } from "xlir";
 * // below 24 the code is the length itself; above, lengths share codes (4 significant bits of dl - 24)
 * console.assert(lengthToByte(10) === 10 && lengthToByte(24) === 24);
 * console.assert(lengthToByte(168) === lengthToByte(173) && lengthToByte(173) < lengthToByte(184));
 * ```
 */
export function lengthToByte(dl: number): number {
  return dl < FREE ? dl : FREE + toInt4(dl - FREE);
}

/**
 * Decodes lengthToByte: the length Lucene's BM25 scores with.
 *
 * @example
 * ```ts
 * import { byteToLength, lengthToByte } from "xlir";
 * // 173 - 24 = 149 = 0b10010101 keeps its top 4 bits: 0b10010000 = 144, + 24 = 168
 * console.assert(byteToLength(lengthToByte(173)) === 168 && byteToLength(lengthToByte(300)) === 280);
 * console.assert(byteToLength(lengthToByte(23)) === 23);
 * ```
 */
export function byteToLength(code: number): number {
  return code < FREE ? code : FREE + fromInt4(code - FREE);
}

/**
 * The document length BM25 uses under a normalisation.
 *
 * @example
 * ```ts
 * import { normalisedLength } from "xlir";
 * console.assert(normalisedLength(173, "exact") === 173 && normalisedLength(173, "lucene") === 168);
 * ```
 */
export function normalisedLength(dl: number, norm: LengthNorm): number {
  return norm === "lucene" ? byteToLength(lengthToByte(dl)) : dl;
}
