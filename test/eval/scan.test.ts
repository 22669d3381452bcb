/** The streaming run scanner gives exactly what the line reader gives, whatever the chunk boundaries; synthetic data is well formed. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { evaluateRunFile } from "../../src/eval/evaluate.js";
import { readQrels } from "../../src/eval/qrels.js";
import { parseRun, readRun } from "../../src/eval/run.js";
import { scanRunFile } from "../../src/eval/run-scan.js";
import { writeSyntheticEvalData } from "../../src/eval/synthetic.js";
import type { Run } from "../../src/eval/types.js";

const tmp = mkdtempSync(join(tmpdir(), "xlir-scan-"));
const golden = join(import.meta.dirname, "../golden/eval/run_main.txt");

async function scan(path: string, chunk: number): Promise<Run> {
  const run: Run = new Map();
  await scanRunFile(
    path,
    { entry: (q, d, s) => (run.get(q) ?? run.set(q, []).get(q)!).push({ docno: d, score: s }) },
    chunk,
  );
  return run;
}

describe("scanRunFile", () => {
  it("equals readRun on the golden run for chunk sizes 7, 64 bytes and 4 MB", async () => {
    const ref = await readRun(golden);
    for (const chunk of [7, 64, 1 << 22]) expect(await scan(golden, chunk)).toEqual(ref);
  });
  it("handles BOM, CRLF, multi-byte UTF-8 split across chunks, no final newline, gzip", async () => {
    const text = "\uFEFFq1 Q0 dé€𝄞 1 2.5 r\r\n\r\n# c\nq1 Q0 ü 2 -1e-3 r";
    const p = join(tmp, "u.txt");
    writeFileSync(p, text);
    const ref = parseRun(text);
    for (const chunk of [1, 2, 3, 5]) expect(await scan(p, chunk)).toEqual(ref);
    writeFileSync(join(tmp, "u.gz"), gzipSync(Buffer.from(text)));
    expect(await scan(join(tmp, "u.gz"), 3)).toEqual(ref);
  });
  it("reports a 5-field line with its line number", async () => {
    const p = join(tmp, "bad.txt");
    writeFileSync(p, "q1 Q0 a 1 1 r\n\nq1 Q0 b 2 1\n");
    await expect(scan(p, 4)).rejects.toThrow(
      `${p}:3: expected 6 fields (qid iter docno rank score tag), got 5`,
    );
  });
});

describe("writeSyntheticEvalData", () => {
  it("writes queries x docs lines ranked by score, evaluable", async () => {
    const f = await writeSyntheticEvalData(tmp, { queries: 20, docs: 30, seed: 3 });
    expect(f.runLines).toBe(600);
    const run = await readRun(f.run);
    expect(run.size).toBe(20);
    for (const e of run.values())
      for (let i = 1; i < e.length; i++) expect(e[i - 1].score).toBeGreaterThanOrEqual(e[i].score);
    expect(readFileSync(f.qrels, "utf8").split("\n").length - 1).toBe(f.qrelsLines);
    const r = await evaluateRunFile(await readQrels(f.qrels), f.run, ["map", "P.10"], { complete: false });
    expect(r.mean.get("map")).toBeGreaterThan(0);
  });
});
