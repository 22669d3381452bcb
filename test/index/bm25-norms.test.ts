import { describe, expect, it } from "vitest";
import { Bm25Index } from "../../src/index/bm25.js";
import { byteToLength, lengthToByte, normalisedLength } from "../../src/index/bm25-norms.js";

describe("Lucene one-byte length norm", () => {
  it("lengths below 24 are exact, then 4 significant bits of (dl - 24), rounded down", () => {
    for (let dl = 0; dl < 24; dl++) expect(lengthToByte(dl)).toBe(dl);
    // 173 - 24 = 149 = 0b1001_0101 -> keep 0b1001 << 4 = 144 -> 24 + 144 = 168
    expect(normalisedLength(173, "lucene")).toBe(168);
    // 300 - 24 = 276 = 0b1_0001_0100 -> 0b1000 << 5 = 256 -> 280
    expect(normalisedLength(300, "lucene")).toBe(280);
    // 31 - 24 = 7 < 8: subnormal, exact; 32 - 24 = 8 = 0b1000 << 0: exact
    expect(normalisedLength(31, "lucene")).toBe(31);
    expect(normalisedLength(32, "lucene")).toBe(32);
    expect(lengthToByte(0x7fffffff)).toBe(255);
    expect(normalisedLength(173, "exact")).toBe(173);
  });
  it("is monotone, never above dl, within 1/8 relative below, and byteToLength inverts on codes", () => {
    let prev = -1;
    for (let dl = 0; dl < 200_000; dl += dl < 1000 ? 1 : 97) {
      const n = normalisedLength(dl, "lucene");
      expect(n).toBeGreaterThanOrEqual(prev);
      expect(n).toBeLessThanOrEqual(dl);
      expect(dl - n).toBeLessThanOrEqual(Math.max(0, dl - 24) / 8 + 1e-9);
      prev = n;
    }
    for (let c = 0; c < 256; c++) expect(lengthToByte(byteToLength(c))).toBe(c);
  });
  it("changes BM25 scores only through dl", () => {
    const words = Array.from({ length: 172 }, (_, i) => `w${i}`).join(" ");
    const docs = [
      { id: "a", text: `apple ${words}` },
      { id: "b", text: "apple pear" },
    ];
    const exact = Bm25Index.build(docs, { analyzer: "generic" });
    const lucene = Bm25Index.build(docs, { analyzer: "generic", lengthNorm: "lucene" });
    // avgdl = (173 + 2) / 2 = 87.5 in both; doc a: dl 173 (exact) vs 168 (lucene)
    const idf = Math.log(1 + (2 - 2 + 0.5) / (2 + 0.5));
    const score = (dl: number): number => (idf * 1) / (1 + 0.9 * (0.6 + (0.4 * dl) / 87.5));
    expect(exact.search("apple", 2).find((x) => x.docno === "a")!.score).toBeCloseTo(score(173), 12);
    expect(lucene.search("apple", 2).find((x) => x.docno === "a")!.score).toBeCloseTo(score(168), 12);
    expect(() => Bm25Index.build(docs, { lengthNorm: "nope" as "exact" })).toThrow(/lengthNorm/);
  });
});
