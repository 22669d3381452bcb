import { describe, expect, it } from "vitest";
import { Bm25Index } from "../../src/index/bm25.js";
import { loadBm25, saveBm25 } from "../../src/index/bm25-store.js";
import { rankOrder, topK } from "../../src/index/bm25-topk.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("topK", () => {
  it("equals the first k of a full sort (score desc, docno desc) on random data with many ties", () => {
    let s = 7;
    const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const n = 500;
    const scores = Array.from({ length: n }, () => Math.floor(rand() * 20) / 4); // 20 distinct values -> ties
    const docnos = Array.from({ length: n }, (_, i) => `d${(i * 7919) % 1000}`);
    const docs = Array.from({ length: n }, (_, i) => i);
    const full = [...docs].sort((a, b) => rankOrder(scores[a], docnos[a], scores[b], docnos[b]));
    for (const k of [1, 5, 37, 499, 500, 800])
      expect(topK(docs, n, scores, docnos, k)).toEqual(full.slice(0, k));
    expect(topK(docs, 0, scores, docnos, 10)).toEqual([]);
  });
});

describe("BM25 with other analysers", () => {
  it("buildAsync + searchBatch; analyser options survive persistence and are checked on load", async () => {
    async function* docs(): AsyncGenerator<{ id: string; text: string }> {
      yield { id: "k1", text: "ការបញ្ចូលតារាង" };
      yield { id: "k2", text: "ការ\u200bប្រើ\u200bអថេរ" };
    }
    const idx = await Bm25Index.buildAsync(docs(), { analyzer: { lang: "km", options: { ngram: 2 } } });
    const r = idx.searchBatch(
      [
        { id: "q1", text: "តារាង" },
        { id: "q2", text: "អថេរ" },
      ],
      10,
    );
    expect(r.get("q1")![0].docno).toBe("k1"); // the unsegmented run matches through its 2-grams
    expect(r.get("q2")!.map((x) => x.docno)).toEqual(["k2"]);
    const root = mkdtempSync(join(tmpdir(), "xlir-bm25-km-"));
    try {
      await saveBm25(idx, join(root, "i"));
      const back = await loadBm25(join(root, "i"), { analyzer: { lang: "km", options: { ngram: 2 } } });
      expect(back.analyzer.resolved).toEqual({
        stopwords: "none",
        stemmer: "none",
        ngram: 2,
        maxSegment: 12,
      });
      expect(back.search("តារាង", 10)).toEqual(idx.search("តារាង", 10));
      await expect(loadBm25(join(root, "i"), { analyzer: "km" })).rejects.toMatchObject({ code: "MISMATCH" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
