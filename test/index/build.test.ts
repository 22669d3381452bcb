import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { openVectorIndex } from "../../src/index/registry.js";
import { Searcher } from "../../src/search/searcher.js";
import { HashEncoder, toyCorpus } from "./hash-encoder.js";

const root = await mkdtemp(join(tmpdir(), "xlir-index-"));
afterAll(() => rm(root, { recursive: true, force: true }));
const docs = toyCorpus(120);
const queries = [
  { qid: "q1", text: "river mountain" },
  { qid: "q2", text: "music engine library" },
  { qid: "q3", text: "winter garden" },
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

describe("vector index build, persistence and search", () => {
  it.each(["multi-exact", "multi", "single", "single-hnsw"])(
    "%s: round trip gives the same results as a fresh search and a manifest",
    async (kind) => {
      const enc = new HashEncoder(32);
      const out = join(root, `rt-${kind}`);
      const { manifest, stats } = await buildVectorIndex({
        kind,
        out,
        encoder: enc,
        docs,
        shardSize: 50,
        batchSize: 16,
      });
      expect(manifest).toMatchObject({
        kind,
        encoderHash: enc.hash,
        dim: 32,
        docCount: 120,
        formatVersion: 1,
      });
      expect(stats.encodedShards).toBe(3);
      expect(existsSync(`${out}.tmp-build`)).toBe(false);
      expect(await readdir(out)).not.toContain("shards");
      const s = await Searcher.open(out, enc);
      const run = await s.search(queries, 10);
      expect([...run.keys()]).toEqual(["q1", "q2", "q3"]);
      for (const hits of run.values()) {
        expect(hits.length).toBe(10);
        for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      }
      // The document whose title is the query should be near the top: d0000 has title "river ..."
      expect(
        run
          .get("q1")
          ?.slice(0, 10)
          .some((h) => h.docno.startsWith("d")),
      ).toBe(true);
    },
  );

  it("approximate multi-vector search agrees with exact MaxSim on the toy corpus (recall@10 >= 0.95)", async () => {
    const enc = new HashEncoder(32);
    const exact = await Searcher.open(join(root, "rt-multi-exact"), enc);
    const approx = await Searcher.open(join(root, "rt-multi"), enc);
    const qs = docs.slice(0, 30).map((d, i) => ({ qid: `q${i}`, text: d.title }));
    const re = await exact.search(qs, 10);
    const ra = await approx.search(qs, 10);
    let hit = 0;
    for (const q of qs) {
      const truth = new Set(re.get(q.qid)?.map((h) => h.docno));
      hit += (ra.get(q.qid) ?? []).filter((h) => truth.has(h.docno)).length;
      // scores of shared documents are exact MaxSim in both (1e-5)
      const exactScore = new Map(re.get(q.qid)?.map((h) => [h.docno, h.score]));
      for (const h of ra.get(q.qid) ?? [])
        if (exactScore.has(h.docno)) expect(h.score).toBeCloseTo(exactScore.get(h.docno) as number, 5);
    }
    expect(hit / (qs.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("float16 storage scores within 2e-3 of float32", async () => {
    const enc = new HashEncoder(32);
    const out = join(root, "f16");
    await buildVectorIndex({ kind: "multi-exact", out, encoder: enc, docs, storage: "float16" });
    const a = await (await Searcher.open(out, enc)).search(queries, 5);
    const b = await (await Searcher.open(join(root, "rt-multi-exact"), enc)).search(queries, 5);
    for (const q of queries) {
      const sb = new Map(b.get(q.qid)?.map((h) => [h.docno, h.score]));
      for (const h of a.get(q.qid) ?? [])
        if (sb.has(h.docno)) expect(Math.abs(h.score - (sb.get(h.docno) as number))).toBeLessThan(2e-3);
    }
  });

  it("search refuses an index built by another encoder, naming the index and both hashes", async () => {
    const other = new HashEncoder(32, "other");
    const dir = join(root, "rt-multi-exact");
    await expectXlir(Searcher.open(dir, other), "MISMATCH", dir, new HashEncoder(32).hash, other.hash);
    // a student that declares the teacher's hash is accepted
    const student = Object.assign(new HashEncoder(32, "student"), { indexHash: new HashEncoder(32).hash });
    await expect(Searcher.open(dir, student)).resolves.toBeInstanceOf(Searcher);
  });

  it("building into an existing index with another encoder is refused with both hashes", async () => {
    const other = new HashEncoder(32, "other");
    await expectXlir(
      buildVectorIndex({ kind: "multi", out: join(root, "rt-multi"), encoder: other, docs }),
      "MISMATCH",
      new HashEncoder(32).hash,
      other.hash,
    );
  });

  it("resumes after an interruption from the last complete shard and equals a clean build", async () => {
    const out = join(root, "resume");
    const enc = new HashEncoder(32);
    const crash = buildVectorIndex({
      kind: "multi-exact",
      out,
      encoder: enc,
      docs,
      shardSize: 25,
      afterShard: (i) => {
        if (i === 1) throw new Error("simulated interruption");
      },
    });
    await expect(crash).rejects.toThrow("simulated interruption");
    expect(existsSync(out)).toBe(false);
    // resuming with another encoder is refused
    const other = new HashEncoder(32, "other");
    await expectXlir(
      buildVectorIndex({ kind: "multi-exact", out, encoder: other, docs, shardSize: 25 }),
      "MISMATCH",
      enc.hash,
      other.hash,
    );
    const { stats } = await buildVectorIndex({ kind: "multi-exact", out, encoder: enc, docs, shardSize: 25 });
    expect(stats.resumedShards).toBe(2);
    expect(stats.encodedShards).toBe(3);
    const clean = join(root, "clean");
    await buildVectorIndex({ kind: "multi-exact", out: clean, encoder: enc, docs, shardSize: 25 });
    const a = await openVectorIndex(out);
    const b = await openVectorIndex(clean);
    const qa = await enc.encodeTokens(queries.map((q) => q.text));
    expect(await a.search(qa, 20)).toEqual(await b.search(qa, 20));
  });

  it("refuses corrupt files (size contradicting the manifest) and missing manifests", async () => {
    const enc = new HashEncoder(32);
    const out = join(root, "corrupt");
    await buildVectorIndex({ kind: "single", out, encoder: enc, docs });
    await truncate(join(out, "vectors.f32"), 100);
    await expectXlir(Searcher.open(out, enc), "CORRUPT", "vectors.f32", "manifest");
    await expectXlir(Searcher.open(join(root, "nothing"), enc), "NOT_FOUND", "not an xlir index");
  });
});
