import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { Bm25Index } from "../../src/index/bm25.js";
import { loadBm25, readBm25Manifest, saveBm25 } from "../../src/index/bm25-store.js";

// Generic analyser: lower-cased words, no stopwords, no stemming -> arithmetic by hand.
const corpus = [
  { id: "d1", text: "apple banana apple" }, // dl 3
  { id: "d2", title: "Banana", text: "cherry" }, // dl 2 (title + text)
  { id: "d3", text: "cherry cherry cherry date" }, // dl 4
];
const idx = Bm25Index.build(corpus, { analyzer: "generic" });
// N = 3, avgdl = 9 / 3 = 3, k1 = 0.9, b = 0.4: norm(d) = 0.9 * (1 - 0.4 + 0.4 * dl / 3)
const norm = (dl: number): number => 0.9 * (0.6 + (0.4 * dl) / 3);
const TOL = 1e-12;

describe("BM25 scoring", () => {
  it("one rare term: idf(df=1) * tf / (tf + norm)", () => {
    const r = idx.search("apple", 10);
    expect(r.map((x) => x.docno)).toEqual(["d1"]);
    expect(r[0].score).toBeCloseTo((Math.log(1 + 2.5 / 1.5) * 2) / (2 + norm(3)), 12);
  });
  it("two terms with df = 2 each", () => {
    const idf2 = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    const r = idx.search("Banana CHERRY", 10);
    const expected = new Map([
      ["d1", (idf2 * 1) / (1 + norm(3))],
      ["d2", (idf2 * 1) / (1 + norm(2)) + (idf2 * 1) / (1 + norm(2))],
      ["d3", (idf2 * 3) / (3 + norm(4))],
    ]);
    expect(r.map((x) => x.docno)).toEqual(["d2", "d3", "d1"]);
    for (const x of r) expect(Math.abs(x.score - expected.get(x.docno)!)).toBeLessThan(TOL);
  });
  it("a repeated query term counts twice (qtf)", () => {
    const once = idx.search("date", 1)[0].score;
    expect(idx.search("date date", 1)[0].score).toBeCloseTo(2 * once, 12);
    expect(once).toBeCloseTo((Math.log(1 + 2.5 / 1.5) * 1) / (1 + norm(4)), 12);
  });
  it("k limits the list", () => {
    expect(idx.search("banana cherry", 2).map((x) => x.docno)).toEqual(["d2", "d3"]);
    expect(idx.search("banana cherry", 0)).toEqual([]);
  });
  it("empty query, stopword-only or unknown words: no results, no crash", () => {
    expect(idx.search("", 10)).toEqual([]);
    expect(idx.search("  ,.; ", 10)).toEqual([]);
    expect(idx.search("zebra", 10)).toEqual([]);
    expect(idx.search("zebra apple", 10).map((x) => x.docno)).toEqual(["d1"]);
  });
  it("ties: score descending, then docno descending (trec_eval)", () => {
    const t = Bm25Index.build(
      ["a", "c", "b", "aa"].map((id) => ({ id, text: "same words" })),
      { analyzer: "generic" },
    );
    const r = t.search("words", 10);
    expect(r.map((x) => x.docno)).toEqual(["c", "b", "aa", "a"]);
    expect(new Set(r.map((x) => x.score)).size).toBe(1);
    // heap path with k < candidates keeps the same order
    expect(t.search("words", 2).map((x) => x.docno)).toEqual(["c", "b"]);
  });
  it("repeated searches give identical results (accumulators are reset)", () => {
    const a = idx.search("banana cherry apple", 10);
    idx.search("cherry", 10);
    expect(idx.search("banana cherry apple", 10)).toEqual(a);
  });
  it("refuses duplicate ids and bad parameters", () => {
    expect(() =>
      Bm25Index.build([
        { id: "x", text: "a" },
        { id: "x", text: "b" },
      ]),
    ).toThrow(/twice/);
    expect(() => Bm25Index.build([], { b: 2 })).toThrow(XlirError);
  });
  it("an empty corpus searches to nothing", () => {
    expect(Bm25Index.build([]).search("anything", 10)).toEqual([]);
  });
});

describe("BM25 persistence", () => {
  const root = mkdtempSync(join(tmpdir(), "xlir-bm25-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("round trip gives identical results and a manifest", async () => {
    const dir = join(root, "idx");
    await saveBm25(idx, dir);
    const m = await readBm25Manifest(dir);
    expect(m).toMatchObject({ kind: "bm25", k1: 0.9, b: 0.4, docCount: 3, termCount: 4, totalLength: 9 });
    const back = await loadBm25(dir, { analyzer: "generic" });
    for (const q of ["apple", "banana cherry", "date cherry apple"])
      expect(back.search(q, 10)).toEqual(idx.search(q, 10));
    // saving again replaces the folder atomically
    const en = Bm25Index.build(corpus, { analyzer: "en", k1: 1.2, b: 0.75 });
    await saveBm25(en, dir);
    expect((await loadBm25(dir)).params).toEqual({ k1: 1.2, b: 0.75, lengthNorm: "exact" });
  });
  it("refuses an index built with another analyser", async () => {
    const dir = join(root, "mm");
    await saveBm25(idx, dir);
    await expect(loadBm25(dir, { analyzer: "en" })).rejects.toMatchObject({ code: "MISMATCH" });
  });
  it("refuses corrupt or truncated files", async () => {
    const dir = join(root, "bad");
    await saveBm25(idx, dir);
    const p = join(dir, "postings.bin");
    const buf = readFileSync(p);
    buf[buf.length - 1] ^= 0xff;
    writeFileSync(p, buf);
    await expect(loadBm25(dir)).rejects.toMatchObject({ code: "CORRUPT" });
    writeFileSync(p, buf.subarray(0, buf.length - 4));
    await expect(loadBm25(dir)).rejects.toMatchObject({ code: "CORRUPT" });
    writeFileSync(join(dir, "manifest.json"), "{not json");
    await expect(loadBm25(dir)).rejects.toMatchObject({ code: "CORRUPT" });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ kind: "multivector" }));
    await expect(loadBm25(dir)).rejects.toMatchObject({ code: "MISMATCH" });
    await expect(loadBm25(join(root, "nothing"))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
  it("refuses to overwrite a folder that is not an index", async () => {
    const dir = join(root, "mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "precious.txt"), "x");
    await expect(saveBm25(idx, dir)).rejects.toMatchObject({ code: "USAGE" });
  });
});
