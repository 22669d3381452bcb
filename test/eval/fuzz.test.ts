/**
 * Mutation fuzzing of the TREC qrels and run readers and the evaluation behind them: seeded mutations
 * (byte flips, truncation, deleted / doubled / blank lines, dropped or extra columns, huge and odd
 * numbers, Unicode) of a small valid qrels/run pair. Every outcome must be a result or an XlirError
 * (a clear error with a code); anything else (TypeError, RangeError, ...) is a bug and fails with the
 * mutated input. In-memory readers for most cases, the file readers (streaming scanner, gzip sniffing,
 * UTF-8 decoding of raw bytes) for the rest.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { evaluateRun, evaluateRunFile } from "../../src/eval/evaluate.js";
import { fuseRuns } from "../../src/eval/fusion/fuse.js";
import { parseQrels, readQrels } from "../../src/eval/qrels.js";
import { parseRun } from "../../src/eval/run.js";
import { formatTrecEval } from "../../src/eval/trec-output.js";

const QRELS = "# judged\n1 0 a 2\n1 0 b 0\n1 0 c 1\n1 0 d -1\n2 0 a 1\n2\t0\tx 3\n3 0 y 0\n10 0 z 12\n";
const RUN =
  "1 Q0 a 1 2.5 t\n1 Q0 z 2 2.5 t\n1 Q0 c 3 1e-3 t\n1 Q0 b 4 -1 t\n2 Q0 x 1 7 t\n2 Q0 q 2 6.0 t\n\n3 Q0 y 1 1 t\n10 Q0 z 1 0 t\n99 Q0 a 1 1 t\n";

/** mulberry32: a small seeded generator (uniform in [0, 1)). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_NUMBERS = [
  "99999999999999999999999",
  "-99999999999999999999999",
  "2147483648",
  "-2147483649",
  "1e400",
  "-1e400",
  "nan",
  "inf",
  "0x10",
  "1e-400",
  "-0",
  "+5",
  "1.5",
  "٣",
  "１",
  "",
  "-",
  "e5",
  "1e",
  ".",
  "9".repeat(400),
];
const UNICODE = [
  "é",
  "\u{1F600}",
  "\uFEFF",
  "\u200B",
  "\u00A0",
  "\u2028",
  "\u0000",
  "\uFFFD",
  "ß",
  "\t",
  "\r",
  "\r\n",
  " ",
  "#",
];
const BYTES = [
  0x20, 0x09, 0x0a, 0x0d, 0x23, 0x2d, 0x2e, 0x65, 0x39, 0x30, 0x00, 0xff, 0xc3, 0xe2, 0x80, 0x1f, 0x8b,
];

/** One seeded mutation of `text` (1 to 4 edits). Returns bytes (possibly invalid UTF-8). */
function mutate(text: string, r: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let s = text;
  const edits = 1 + Math.floor(r() * 4);
  let raw: Buffer | undefined;
  for (let e = 0; e < edits; e++) {
    const lines = s.split("\n");
    const li = Math.floor(r() * lines.length);
    const fields = lines[li].split(/[ \t]+/);
    switch (Math.floor(r() * 10)) {
      case 0: // truncate
        s = s.slice(0, Math.floor(r() * s.length));
        break;
      case 1: // delete a line
        lines.splice(li, 1);
        s = lines.join("\n");
        break;
      case 2: // double a line (duplicate judgement / document)
        lines.splice(li, 0, lines[li]);
        s = lines.join("\n");
        break;
      case 3: // blank / whitespace lines
        lines.splice(li, 0, pick(["", "   ", "\t", "\r"]));
        s = lines.join("\n");
        break;
      case 4: // drop a column
        fields.splice(Math.floor(r() * fields.length), 1);
        lines[li] = fields.join(" ");
        s = lines.join("\n");
        break;
      case 5: // add a column
        fields.splice(Math.floor(r() * (fields.length + 1)), 0, pick(["x", "0", "Q0", "1.0"]));
        lines[li] = fields.join(" ");
        s = lines.join("\n");
        break;
      case 6: // odd number in a random field
        fields[Math.floor(r() * fields.length)] = pick(ODD_NUMBERS);
        lines[li] = fields.join(" ");
        s = lines.join("\n");
        break;
      case 7: {
        // Unicode inserted anywhere
        const at = Math.floor(r() * (s.length + 1));
        s = s.slice(0, at) + pick(UNICODE) + s.slice(at);
        break;
      }
      case 8: // same qid/docno spelled differently
        fields[Math.floor(r() * fields.length)] = pick(["1", "01", "A", "a", "x", "z", "99"]);
        lines[li] = fields.join(" ");
        s = lines.join("\n");
        break;
      default: {
        // byte flip (kept as bytes: may be invalid UTF-8)
        raw = Buffer.from(s, "utf8");
        if (raw.length > 0) raw[Math.floor(r() * raw.length)] = pick(BYTES);
        s = raw.toString("latin1");
        break;
      }
    }
  }
  return raw !== undefined && s === raw.toString("latin1") ? raw : Buffer.from(s, "utf8");
}

const MEASURE_SETS: readonly string[][] = [
  ["all_trec"],
  ["official", "Judged@5", "nDCG@3", "RR@2", "P(rel=2)@5"],
  ["ndcg.1=3,2=0.5", "rbp.p=0.5", "G", "Rndcg", "ndcg_rel", "utility.1,-2,0,1", "relstring.3"],
];

/** Runs one case; returns "ok", the XlirError code, or throws what is not an XlirError. */
function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (err) {
    if (err instanceof XlirError) return err.code;
    throw err;
  }
}

async function outcomeAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (err) {
    if (err instanceof XlirError) return err.code;
    throw err;
  }
}

const dir = mkdtempSync(join(tmpdir(), "xlir-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fuzzing the TREC readers", () => {
  const MEMORY_CASES = 4000;
  const FILE_CASES = 150;

  it(`${MEMORY_CASES} mutated qrels/run pairs (in-memory readers): a result or an XlirError`, () => {
    const r = rng(20240518);
    const seen = new Map<string, number>();
    for (let c = 0; c < MEMORY_CASES; c++) {
      const which = r();
      const qrelsText = (which < 0.5 ? mutate(QRELS, r) : Buffer.from(QRELS)).toString("utf8");
      const runText = (which >= 0.35 ? mutate(RUN, r) : Buffer.from(RUN)).toString("utf8");
      const measures = MEASURE_SETS[c % MEASURE_SETS.length];
      const complete = c % 2 === 0;
      let code: string;
      try {
        code = outcome(() => {
          const qrels = parseQrels(qrelsText, "q.txt");
          const run = parseRun(runText, "r.txt");
          const res = evaluateRun(qrels, run, measures, {
            complete,
            depth: c % 7 === 0 ? 2 : undefined,
            relevanceLevel: c % 5 === 0 ? 2 : undefined,
          });
          formatTrecEval(res, true);
          if (c % 3 === 0)
            fuseRuns([run, run], {
              method: ["rrf", "combsum", "combmnz"][c % 3 === 0 ? (c / 3) % 3 : 0],
              norm: c % 2 ? "zscore" : "minmax",
            });
        });
      } catch (err) {
        throw new Error(
          `case ${c}: ${String(err)}\n--- qrels ---\n${JSON.stringify(qrelsText)}\n--- run ---\n${JSON.stringify(runText)}`,
          { cause: err },
        );
      }
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    // Both outcomes occur: the mutations reach the checks and leave valid inputs often enough.
    expect(seen.get("ok") ?? 0).toBeGreaterThan(MEMORY_CASES / 10);
    expect(seen.get("BAD_INPUT") ?? 0).toBeGreaterThan(MEMORY_CASES / 10);
  });

  it(`${FILE_CASES} mutated files through the file readers (streaming scanner, raw bytes): a result or an XlirError`, async () => {
    const r = rng(7);
    const seen = new Map<string, number>();
    const qp = join(dir, "q.txt");
    const rp = join(dir, "r.txt");
    for (let c = 0; c < FILE_CASES; c++) {
      const qb = c % 2 === 0 ? mutate(QRELS, r) : Buffer.from(QRELS);
      const rb = mutate(RUN, r);
      writeFileSync(qp, qb);
      writeFileSync(rp, rb);
      let code: string;
      try {
        code = await outcomeAsync(async () => {
          const qrels = await readQrels(qp);
          formatTrecEval(
            await evaluateRunFile(qrels, rp, MEASURE_SETS[c % MEASURE_SETS.length], {
              complete: c % 3 !== 0,
            }),
            true,
          );
        });
      } catch (err) {
        throw new Error(
          `file case ${c}: ${String(err)}\n--- qrels (base64) ---\n${qb.toString("base64")}\n--- run (base64) ---\n${rb.toString("base64")}`,
          { cause: err },
        );
      }
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    expect(seen.get("ok") ?? 0).toBeGreaterThan(0);
  });

  it("the grade that used to crash prepareJudged (RangeError, exit 70) is a clear error naming file and line", () => {
    expect(() => parseQrels("1 0 a 1\n1 0 b 99999999999999999999999\n", "qrels.txt")).toThrow(
      /^qrels\.txt:2: relevance grade '99999999999999999999999' is outside the 32-bit integer range/,
    );
    // Large grades inside 32 bits cost one entry each (grade counts are sparse).
    const res = evaluateRun(
      parseQrels("1 0 a 2147483647\n1 0 b 1\n"),
      parseRun("1 Q0 a 1 2 t\n1 Q0 b 2 1 t\n"),
      ["ndcg_cut.2", "G", "ndcg"],
    );
    expect(res.mean.get("ndcg_cut_2")).toBe(1);
    expect(res.mean.get("ndcg")).toBe(1);
  });
});
