/**
 * String order used by trec_eval (`strcmp` on UTF-8 bytes). UTF-8 byte order equals Unicode code point
 * order; JavaScript's `<` compares UTF-16 code units, which differs only when a surrogate pair meets a
 * character in U+E000..U+FFFF, so the fast path is plain comparison.
 * @example
 * ```ts
 * import { compareBytes } from "xlir";
 * console.assert(compareBytes("d10", "d2") < 0 && compareBytes("b", "a") > 0 && compareBytes("x", "x") === 0);
 * // U+1F600 sorts after U+FFFD in UTF-8 bytes, though its first UTF-16 unit (0xD83D) is smaller
 * console.assert(compareBytes("\u{1F600}", "\uFFFD") > 0 && "\u{1F600}" < "\uFFFD");
 * ```
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys && x >= 0xd800 && y >= 0xd800) return xs ? 1 : -1; // surrogate = code point >= U+10000
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Sorts strings in trec_eval (byte) order, returning a new array. */
export function sortBytes(values: Iterable<string>): string[] {
  return [...values].sort(compareBytes);
}
