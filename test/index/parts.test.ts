import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCorpus, writeCorpusJsonl } from "../../src/data/corpus.js";
import { XlirError } from "../../src/errors.js";
import { formatRun } from "../../src/eval/run.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { PartedIndex } from "../../src/index/parted-index.js";
import { assembleParts, parsePartSpec } from "../../src/index/parts.js";
import { openVectorIndex } from "../../src/index/registry.js";
import { openIndex, Searcher } from "../../src/search/searcher.js";
import { HashEncoder, toyCorpus } from "./hash-encoder.js";

const root = await mkdtemp(join(tmpdir(), "xlir-parts-"));
afterAll(() => rm(root, { recursive: true, force: true }));
const docs = toyCorpus(130);
const corpus = join(root, "corpus.jsonl");
await writeCorpusJsonl(corpus, docs);
// Queries that tie on purpose (the same words in other orders score alike) and ordinary ones.
const queries = [
  { qid: "q1", text: "river mountain" },
  { qid: "q2", text: "music engine library" },
  { qid: "q3", text: "winter garden ocean" },
  { qid: "q4", text: "train" },
  { qid: "q5", text: "planet language school window" },
];

async function expectXlir(p: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(XlirError);
  expect((err as XlirError).code).toBe(code);
  for (const part of parts) expect((err as XlirError).message).toContain(part);
}

async function buildParts(kind: string, out: string, n: number): Promise<void> {
  const enc = new HashEncoder(32);
  // each part streams the whole corpus file, as on separate machines; built in reverse order
  for (let i = n - 1; i >= 0; i--) {
    const { stats } = await buildVectorIndex({
      kind,
      out,
      encoder: enc,
      docs: readCorpus(corpus),
      part: { index: i, count: n },
      shardSize: 7,
    });
    expect(stats.assembled).toBe(i === 0);
  }
}

describe("indexing in parts", () => {
  it("parses i/N and refuses bad specs", () => {
    expect(parsePartSpec("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parsePartSpec("4/4")).toThrow(XlirError);
    expect(() => parsePartSpec("a/4")).toThrow(XlirError);
  });

  it.each(["multi-exact", "single"])(
    "%s: a build in 3 parts searched gives the same run file as one index",
    async (kind) => {
      const enc = new HashEncoder(32);
      const whole = join(root, `whole-${kind}`);
      await buildVectorIndex({ kind, out: whole, encoder: enc, docs: readCorpus(corpus), shardSize: 16 });
      const parted = join(root, `parted-${kind}`);
      await buildParts(kind, parted, 3);
      const m = JSON.parse(await readFile(join(parted, "manifest.json"), "utf8")) as {
        kind: string;
        docCount: number;
        parts: Array<{ name: string; docCount: number; files: Array<{ name: string; sha256: string }> }>;
      };
      expect(m.kind).toBe("parts");
      expect(m.docCount).toBe(130);
      expect(m.parts.map((p) => [p.name, p.docCount])).toEqual([
        ["part-0-of-3", 44],
        ["part-1-of-3", 43],
        ["part-2-of-3", 43],
      ]);
      expect(m.parts[0].files.find((f) => f.name === "docnos.json")?.sha256).toMatch(/^[0-9a-f]{64}$/);
      // part 1 holds record positions 1, 4, 7, ...
      expect(
        JSON.parse(await readFile(join(parted, "part-1-of-3", "docnos.json"), "utf8")).slice(0, 3),
      ).toEqual(["d0001", "d0004", "d0007"]);
      for (const k of [5, 10, 130]) {
        const a = await Searcher.open(whole, enc);
        const b = await Searcher.open(parted, enc);
        expect(formatRun(await b.search(queries, k), "t", 8)).toBe(
          formatRun(await a.search(queries, k), "t", 8),
        );
        a.close();
        b.close();
      }
    },
  );

  it("loads parts one at a time when they exceed the resident budget, with the same results", async () => {
    const enc = new HashEncoder(32);
    const dir = join(root, "parted-multi-exact");
    const resident = await openVectorIndex(dir);
    const streamed = await openVectorIndex(dir, { residentBytes: 1 });
    expect((resident as PartedIndex).isResident).toBe(true);
    expect((streamed as PartedIndex).isResident).toBe(false);
    const q = await enc.encodeTokens(queries.map((x) => x.text));
    expect(await streamed.search(q, 10)).toEqual(await resident.search(q, 10));
  });

  it("one opened index serves several query encoders (Searcher.fromIndex)", async () => {
    const enc = new HashEncoder(32);
    const student = Object.assign(new HashEncoder(32, "student"), { indexHash: enc.hash });
    const opened = await openIndex(join(root, "parted-multi-exact"));
    const s1 = Searcher.fromIndex(opened, enc);
    const s2 = Searcher.fromIndex(opened, student);
    const r1 = await s1.search(queries, 5);
    s1.close(); // leaves the shared index open
    const r2 = await s2.search(queries, 5);
    expect(r1.get("q1")?.length).toBe(5);
    expect(r2.get("q1")?.length).toBe(5);
    expect(() => Searcher.fromIndex(opened, new HashEncoder(32, "other"))).toThrow(XlirError);
    opened.close();
  });

  it("refuses a missing part, a truncated part file and a part rebuilt after the manifest, naming the part", async () => {
    const dir = join(root, "faults");
    await buildParts("multi-exact", dir, 2);
    const enc = new HashEncoder(32);
    await rename(join(dir, "part-1-of-2"), join(root, "moved"));
    await expectXlir(Searcher.open(dir, enc), "NOT_FOUND", "part-1-of-2", "missing");
    await rename(join(root, "moved"), join(dir, "part-1-of-2"));
    await truncate(join(dir, "part-0-of-2", "vectors.f32"), 64);
    await expectXlir(Searcher.open(dir, enc), "CORRUPT", "part-0-of-2", "vectors.f32", "truncated");
    await rm(join(dir, "part-0-of-2"), { recursive: true });
    await expectXlir(assembleParts(dir), "NOT_FOUND", "part-0-of-2", "--part 0/2");
    await buildVectorIndex({
      kind: "multi-exact",
      out: dir,
      encoder: enc,
      docs: readCorpus(corpus),
      part: { index: 0, count: 2 },
      shardSize: 50,
    });
    // rebuilt with another chunk size: same vectors, different manifest -> the manifest of the part changed
    const m = join(dir, "part-0-of-2", "manifest.json");
    await writeFile(m, (await readFile(m, "utf8")).replace('"shardSize": 50', '"shardSize": 51'));
    await expectXlir(Searcher.open(dir, enc), "MISMATCH", "part-0-of-2", "--assemble");
    await assembleParts(dir);
    await expect(Searcher.open(dir, enc)).resolves.toBeInstanceOf(Searcher);
  });

  it("refuses a part of another encoder or split before encoding it, naming the part already there", async () => {
    const dir = join(root, "mixed");
    await buildVectorIndex({
      kind: "single",
      out: dir,
      encoder: new HashEncoder(32),
      docs,
      part: { index: 0, count: 2 },
    });
    const other = new HashEncoder(32, "other");
    await expectXlir(
      buildVectorIndex({ kind: "single", out: dir, encoder: other, docs, part: { index: 1, count: 2 } }),
      "MISMATCH",
      "part-0-of-2",
      other.hash,
    );
    expect(other.calls).toBe(0);
    await expectXlir(
      buildVectorIndex({
        kind: "single",
        out: dir,
        encoder: new HashEncoder(32),
        docs,
        part: { index: 0, count: 3 },
      }),
      "MISMATCH",
      "another split",
    );
    await expectXlir(assembleParts(dir), "NOT_FOUND", "part-1-of-2");
    expect(existsSync(join(dir, "manifest.json"))).toBe(false);
  });

  it("resuming a part whose corpus changed is refused", async () => {
    const out = join(root, "resume-changed");
    const enc = new HashEncoder(32);
    await expect(
      buildVectorIndex({
        kind: "single",
        out,
        encoder: enc,
        docs,
        part: { index: 0, count: 2 },
        shardSize: 10,
        afterShard: (i) => {
          if (i === 1) throw new Error("simulated interruption");
        },
      }),
    ).rejects.toThrow("simulated interruption");
    const changed = docs.map((d, i) => (i === 2 ? { ...d, text: "changed text" } : d));
    await expectXlir(
      buildVectorIndex({
        kind: "single",
        out,
        encoder: enc,
        docs: changed,
        part: { index: 0, count: 2 },
        shardSize: 10,
      }),
      "MISMATCH",
      "chunk 0",
      "corpus changed",
    );
    const { stats } = await buildVectorIndex({
      kind: "single",
      out,
      encoder: enc,
      docs,
      part: { index: 0, count: 2 },
      shardSize: 10,
    });
    expect(stats.resumedShards).toBe(2);
  });
});
