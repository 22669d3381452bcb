import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildVectorIndex } from "../../src/index/build.js";
import { exportIndex } from "../../src/index/export.js";
import { HashEncoder, toyCorpus } from "./hash-encoder.js";

const root = await mkdtemp(join(tmpdir(), "xlir-export-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("export to engines with native MaxSim", () => {
  it("writes every document's token rows for Qdrant, Elasticsearch and Vespa (parts included)", async () => {
    const enc = new HashEncoder(16);
    const docs = toyCorpus(12);
    const dir = join(root, "p");
    for (const i of [0, 1])
      await buildVectorIndex({
        kind: "multi-exact",
        out: dir,
        encoder: enc,
        docs,
        part: { index: i, count: 2 },
      });
    const lines: string[] = [];
    expect(await exportIndex(dir, { format: "qdrant-jsonl" }, async (l) => void lines.push(l))).toBe(12);
    const first = JSON.parse(lines[0]) as {
      id: number;
      vector: { colbert: number[][] };
      payload: { docno: string };
    };
    expect(first.payload.docno).toBe("d0000"); // part 0 holds record positions 0, 2, 4, ...
    const tv = await enc.encodeTokens([`${docs[0].title} ${docs[0].text}`]);
    expect(first.vector.colbert.length).toBe(tv.offsets[1]);
    first.vector.colbert.flat().forEach((x, i) => expect(x).toBeCloseTo(tv.vectors[i], 5));
    expect(JSON.parse(lines[1]).payload.docno).toBe("d0002");
    const es: string[] = [];
    await exportIndex(dir, { format: "es-ndjson", name: "help" }, async (l) => void es.push(l));
    expect(es.length).toBe(24);
    expect(JSON.parse(es[0])).toEqual({ index: { _index: "help", _id: "d0000" } });
    expect(JSON.parse(es[1]).colbert).toEqual(first.vector.colbert);
    const vespa: string[] = [];
    await exportIndex(dir, { format: "vespa-jsonl", name: "help" }, async (l) => void vespa.push(l));
    const v = JSON.parse(vespa[0]) as {
      put: string;
      fields: { colbert: { blocks: Record<string, number[]> } };
    };
    expect(v.put).toBe("id:help:help::d0000");
    expect(v.fields.colbert.blocks["0"]).toEqual(first.vector.colbert[0]);
  });
});
