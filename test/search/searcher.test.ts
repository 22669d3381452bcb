import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readAllCorpus, readAllQueries } from "../../src/data/corpus.js";
import { XlirError } from "../../src/errors.js";
import { formatRun, readRun, writeRun } from "../../src/eval/run.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { Bm25Index } from "../../src/index/bm25.js";
import { saveBm25 } from "../../src/index/bm25-store.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { Searcher } from "../../src/search/searcher.js";
import { toyCorpus } from "../index/hash-encoder.js";

const root = await mkdtemp(join(tmpdir(), "xlir-search-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("TREC runs and query files", () => {
  it("formats qid Q0 docno rank score tag in trec_eval order (score desc, docno desc on ties)", () => {
    const run = new Map([
      [
        "q1",
        [
          { docno: "b", score: 2 },
          { docno: "a", score: 1.5 },
        ],
      ],
      ["q2", []],
    ]);
    expect(formatRun(run, "sys", 8)).toBe("q1 Q0 b 1 2.0000000 sys\nq1 Q0 a 2 1.5000000 sys\n");
    expect(() => formatRun(run, "bad tag", 8)).toThrow(XlirError);
    const unsorted = new Map([
      [
        "q3",
        [
          { docno: "a", score: 1 },
          { docno: "c", score: 3 },
          { docno: "b", score: 1 },
        ],
      ],
    ]);
    expect(formatRun(unsorted, "t", 8)).toBe(
      "q3 Q0 c 1 3.0000000 t\nq3 Q0 b 2 1.0000000 t\nq3 Q0 a 3 1.0000000 t\n",
    );
  });

  it("writes runs atomically, gzip when the name ends in .gz, leaving no temporary file", async () => {
    const dir = await mkdtemp(join(root, "w-"));
    const run = new Map([
      [
        "q1",
        [
          { docno: "b", score: 2 },
          { docno: "a", score: 1.5 },
        ],
      ],
    ]);
    await writeRun(join(dir, "r.run.gz"), run, "sys", 8);
    expect(gunzipSync(await readFile(join(dir, "r.run.gz"))).toString("utf8")).toBe(
      "q1 Q0 b 1 2.0000000 sys\nq1 Q0 a 2 1.5000000 sys\n",
    );
    expect((await readRun(join(dir, "r.run.gz"))).get("q1")).toEqual([
      { docno: "b", score: 2 },
      { docno: "a", score: 1.5 },
    ]);
    expect(await readdir(dir)).toEqual(["r.run.gz"]);
  });

  it("reads TSV queries and refuses lines without a tab with file:line", async () => {
    const f = join(root, "q.tsv");
    await writeFile(f, "q1\triver bank\n\nq2\tmusic\n");
    expect(await readAllQueries(f, { format: "tsv" })).toEqual([
      { qid: "q1", text: "river bank" },
      { qid: "q2", text: "music" },
    ]);
    await writeFile(f, "q1\triver\nq2 music\n");
    await expect(readAllQueries(f, { format: "tsv" })).rejects.toThrow(`${f}:2`);
  });

  it("reads JSONL corpora and refuses duplicates and missing text with file:line", async () => {
    const f = join(root, "c.jsonl");
    await writeFile(f, '{"id":"a","title":"T","text":"x"}\n{"id":"b","text":"y"}\n');
    expect(await readAllCorpus(f, { format: "jsonl" })).toEqual([
      { id: "a", title: "T", text: "x" },
      { id: "b", title: "", text: "y" },
    ]);
    await writeFile(f, '{"id":"a","text":"x"}\n{"id":"a","text":"y"}\n');
    await expect(readAllCorpus(f, { format: "jsonl" })).rejects.toThrow(`${f}:2: duplicate`);
    await writeFile(f, '{"id":"a"}\n');
    await expect(readAllCorpus(f, { format: "jsonl" })).rejects.toThrow(`${f}:1: no text field`);
  });
});

describe("end to end through the ONNX encoder (test/fixtures tiny models)", () => {
  const docs = toyCorpus(80);
  it("tiny-bert: build multi + multi-exact, search, write a run; approximate equals exact on this corpus", async () => {
    const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert", { maxLength: 64 });
    try {
      await buildVectorIndex({
        kind: "multi-exact",
        out: join(root, "tb-exact"),
        encoder: enc,
        docs,
        shardSize: 30,
      });
      await buildVectorIndex({ kind: "multi", out: join(root, "tb-ann"), encoder: enc, docs, shardSize: 30 });
      const qs = docs.slice(0, 10).map((d, i) => ({ qid: `q${i}`, text: d.title }));
      const exact = await (await Searcher.open(join(root, "tb-exact"), enc)).search(qs, 10);
      const ann = await (await Searcher.open(join(root, "tb-ann"), enc)).search(qs, 10);
      let shared = 0;
      for (const q of qs) {
        const truth = new Set(exact.get(q.qid)?.map((h) => h.docno));
        shared += (ann.get(q.qid) ?? []).filter((h) => truth.has(h.docno)).length;
      }
      expect(shared / 100).toBeGreaterThanOrEqual(0.95);
      // MaxSim of a query against itself as a document is at least the score of any other document for
      // a query made of the document's own title: the title's document must rank in the top 10 for most.
      const found = qs.filter((q, i) => exact.get(q.qid)?.some((h) => h.docno === docs[i].id)).length;
      expect(found).toBeGreaterThanOrEqual(5);
      const out = join(root, "run.txt");
      await writeRun(out, exact, "tb", 8);
      const lines = (await readFile(out, "utf8")).trim().split("\n");
      expect(lines).toHaveLength(100);
      expect(lines[0]).toMatch(/^q0 Q0 d\d{4} 1 [-\d.]+ tb$/);
    } finally {
      await enc.dispose();
    }
  });

  it("tiny-xlmr as the query encoder is refused on a tiny-bert index with both hashes named", async () => {
    const bert = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
    const xlmr = await OnnxEncoder.fromFolder("test/fixtures/tiny-xlmr");
    try {
      const err = await Searcher.open(join(root, "tb-exact"), xlmr).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XlirError);
      expect((err as XlirError).code).toBe("MISMATCH");
      expect((err as XlirError).message).toContain(bert.hash);
      expect((err as XlirError).message).toContain(xlmr.hash);
      expect((err as XlirError).message).toContain(join(root, "tb-exact"));
    } finally {
      await bert.dispose();
      await xlmr.dispose();
    }
  });

  it("BM25 indexes are searched through the same Searcher without an encoder", async () => {
    const dir = join(root, "bm25");
    await saveBm25(Bm25Index.build(docs), dir);
    const s = await Searcher.open(dir, null);
    expect(s.summary.kind).toBe("bm25");
    const run = await s.search([{ qid: "q", text: docs[5].title }], 5);
    expect(run.get("q")?.length).toBeGreaterThan(0);
    const hits = run.get("q") ?? [];
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
  });
});
