/** Readers: bad input names file, line and what was expected; gzip, BOM, CRLF are accepted. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { evaluateRun, evaluateRunFile } from "../../src/eval/evaluate.js";
import { parseMeasures } from "../../src/eval/measure-spec.js";
import { parseQrels, readQrels, writeQrels } from "../../src/eval/qrels.js";
import { parseRun, readRun, writeRun } from "../../src/eval/run.js";

const tmp = mkdtempSync(join(tmpdir(), "xlir-eval-"));
const QRELS = "q1 0 d1 1\nq1 0 d2 0\nq2 0 d3 2\n";

function errorOf(f: () => unknown): XlirError {
  try {
    f();
  } catch (e) {
    if (e instanceof XlirError) return e;
    throw e;
  }
  throw new Error("no error");
}
async function errorOfAsync(f: () => Promise<unknown>): Promise<XlirError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof XlirError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("run reader", () => {
  it("rejects a line with 5 fields, naming file and line", () => {
    const e = errorOf(() => parseRun("q1 Q0 d1 1 0.5 r\nq1 Q0 d2 2 0.4\n", "run.txt"));
    expect(e.code).toBe("BAD_INPUT");
    expect(e.message).toBe("run.txt:2: expected 6 fields (qid iter docno rank score tag), got 5");
  });
  it("rejects a non-numeric score", async () => {
    const p = join(tmp, "bad-score.txt");
    writeFileSync(p, "q1 Q0 d1 1 0.5 r\n# c\nq1 Q0 d2 2 abc r\n");
    const e = await errorOfAsync(() => readRun(p));
    expect(e.message).toBe(`${p}:3: expected a numeric score in field 5, got 'abc'`);
    for (const bad of ["1.5x", "0x10", "nan", "", "--1", "1e"])
      expect(() => parseRun(`q Q0 d 1 ${bad === "" ? '""' : bad} r\n`)).toThrow(XlirError);
  });
  it("reads gzip, BOM, CRLF, tabs, comments, blank lines and extra fields", async () => {
    const text = "\uFEFFq1\tQ0\td1\t1\t2.5\tr\textra\r\n\r\n  # comment\r\nq1 Q0 d2 2 -1e-3 r\r\n";
    const p = join(tmp, "run.gz");
    writeFileSync(p, gzipSync(Buffer.from(text, "utf8")));
    const run = await readRun(p);
    expect([...run.keys()]).toEqual(["q1"]);
    expect(run.get("q1")).toEqual([
      { docno: "d1", score: 2.5 },
      { docno: "d2", score: -0.001 },
    ]);
  });
  it("parses scores to the same doubles as strtod (fast path and fallback)", () => {
    const run = parseRun(
      "q Q0 a 1 0.1 r\nq Q0 b 1 12345678901234567890.5 r\nq Q0 c 1 1.7976931348623157e308 r\nq Q0 e 1 .5 r\n",
    );
    expect(run.get("q")!.map((e) => e.score)).toEqual([
      0.1,
      Number("12345678901234567890.5"),
      Number("1.7976931348623157e308"),
      0.5,
    ]);
  });
  it("writes and reads back the same run, ranked by trec_eval's rule", async () => {
    const run = parseRun("q2 Q0 a 9 1 r\nq2 Q0 b 9 1 r\nq2 Q0 c 9 3 r\n");
    const p = join(tmp, "w.txt");
    await writeRun(p, run, "tag");
    const back = await readRun(p);
    expect(back.get("q2")!.map((e) => e.docno)).toEqual(["c", "b", "a"]); // score desc, ties docno desc
  });
});

describe("qrels reader", () => {
  it("rejects 5 fields, a non-integer grade, a duplicate judgement", () => {
    expect(errorOf(() => parseQrels("q1 0 d1 1 x\n", "qr")).message).toBe(
      "qr:1: expected 4 fields (qid iter docno relevance), got 5",
    );
    expect(errorOf(() => parseQrels("q1 0 d1 1.5\n", "qr")).message).toBe(
      "qr:1: expected an integer relevance grade in field 4, got '1.5'",
    );
    expect(errorOf(() => parseQrels("q1 0 d1 1\nq1 0 d1 0\n", "qr")).message).toMatch(
      /^qr:2: duplicate judgement for query 'q1', document 'd1' \(first at line 1\)/,
    );
  });
  it("round-trips through a gzip file", async () => {
    const p = join(tmp, "q.gz");
    await writeQrels(p, parseQrels(QRELS));
    expect(await readQrels(p)).toEqual(parseQrels(QRELS));
  });
  it("reports a missing file as NOT_FOUND", async () => {
    expect((await errorOfAsync(() => readQrels(join(tmp, "nope")))).code).toBe("NOT_FOUND");
  });
});

describe("duplicate documents in a run (trec_eval 10.0: 'duplicate docs', evaluation stops)", () => {
  const qrels = parseQrels(QRELS);
  it("is an error naming file and line for an evaluated query", async () => {
    const p = join(tmp, "dup.txt");
    writeFileSync(p, "q1 Q0 d1 1 0.9 r\nq1 Q0 d2 2 0.5 r\nq1 Q0 d1 3 0.1 r\n");
    const e = await errorOfAsync(() => evaluateRunFile(qrels, p, ["map"]));
    expect(e.message).toBe(
      `${p}:3: query 'q1' retrieves document 'd1' a second time (trec_eval stops with "duplicate docs" too)`,
    );
    expect(() => evaluateRun(qrels, parseRun("q1 Q0 d1 1 0.9 r\nq1 Q0 d1 3 0.1 r\n"), ["map"])).toThrow(
      /retrieves document 'd1' twice/,
    );
  });
  it("is not seen below the -M depth or in unjudged queries (as trec_eval)", () => {
    const run = parseRun(
      "q1 Q0 d1 1 0.9 r\nq1 Q0 d2 2 0.5 r\nq1 Q0 d2 3 0.1 r\nq9 Q0 x 1 1 r\nq9 Q0 x 1 1 r\n",
    );
    const r = evaluateRun(qrels, run, ["map", "num_ret"], { depth: 2 });
    expect(r.perQuery.get("num_ret")!.get("q1")).toBe(2);
  });
});

describe("measure names", () => {
  it("unknown measure lists the known ones", () => {
    const e = errorOf(() => parseMeasures(["ndcg_cutt.10"]));
    expect(e.code).toBe("USAGE");
    for (const m of [
      "map",
      "ndcg_cut",
      "recip_rank",
      "recall",
      "P",
      "success",
      "Rprec",
      "bpref",
      "num_rel_ret",
      "nDCG",
      "RR",
    ])
      expect(e.message).toContain(m);
  });
  it("expands defaults, sorts cut-offs, first parameter list wins, rejects bad cut-offs", () => {
    expect(parseMeasures(["ndcg_cut"]).map((s) => s.name)).toEqual(
      [5, 10, 15, 20, 30, 100, 200, 500, 1000].map((k) => `ndcg_cut_${k}`),
    );
    expect(parseMeasures(["P.10,5", "map"]).map((s) => s.name)).toEqual(["map", "P_5", "P_10"]);
    expect(parseMeasures(["P.5", "P.10"]).map((s) => s.name)).toEqual(["P_5"]);
    expect(() => parseMeasures(["P.0"])).toThrow(XlirError);
    expect(() => parseMeasures(["P.5,5"])).toThrow(/duplicate cut-offs/);
    expect(() => parseMeasures(["nDCG"])).toThrow(/needs a cut-off/);
    expect(parseMeasures(["RR@10"])[0]).toMatchObject({ name: "RR@10", depth: 10 });
    expect(parseMeasures(["P(rel=2)@5"])[0]).toMatchObject({ cutoff: 5, level: 2 });
  });
});
