/**
 * Run fusion (ranx's rrf, comb_sum, comb_mnz, min-max and z-score normalisation) against hand
 * arithmetic. Rankings follow trec_eval: score descending, docno descending on ties.
 *   run A: q1 a=3, b=2, c=1 (ranks a1 b2 c3); q2 x=5, y=5 (tie -> y1 x2)
 *   run B: q1 b=10, d=5 (ranks b1 d2);         q2 x=1 (x1)
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { register as registerFuse } from "../../src/cli/commands/fuse.js";
import { XlirError } from "../../src/errors.js";
import { fuseRuns } from "../../src/eval/fusion/fuse.js";
import { formatRun, parseRun } from "../../src/eval/run.js";
import type { Run } from "../../src/eval/types.js";

const A = "q1 Q0 a 1 3 A\nq1 Q0 b 2 2 A\nq1 Q0 c 3 1 A\nq2 Q0 x 1 5 A\nq2 Q0 y 2 5 A\n";
const B = "q1 Q0 b 1 10 B\nq1 Q0 d 2 5 B\nq2 Q0 x 1 1 B\n";
const runA = parseRun(A);
const runB = parseRun(B);
const scores = (run: Run, qid: string): Record<string, number> =>
  Object.fromEntries(run.get(qid)!.map((e) => [e.docno, e.score]));
const order = (run: Run, qid: string): string =>
  formatRun(new Map([[qid, run.get(qid)!]]))
    .trim()
    .split("\n")
    .map((l) => l.split(" ")[2])
    .join(" ");

describe("fuseRuns", () => {
  it("rrf, k = 60: q1 b = 1/62 + 1/61 (rank 2 in A, 1 in B), a = 1/61, d = 1/62, c = 1/63", () => {
    const f = fuseRuns([runA, runB], { method: "rrf" });
    const s = scores(f, "q1");
    expect(s.b).toBe(0 + 1 / 62 + 1 / 61);
    expect(s.a).toBe(1 / 61);
    expect(s.d).toBe(1 / 62);
    expect(s.c).toBe(1 / 63);
    expect(order(f, "q1")).toBe("b a d c");
    // q2: A ranks the tie y (rank 1) before x (rank 2): x = 1/62 + 1/61, y = 1/61.
    expect(scores(f, "q2")).toEqual({ y: 1 / 61, x: 1 / 62 + 1 / 61 });
    expect(order(f, "q2")).toBe("x y");
  });
  it("rrf, k = 0: a rank-1 document scores 1, rank 2 scores 1/2", () => {
    const s = scores(fuseRuns([runA, runB], { method: "rrf", k: 0 }), "q1");
    expect(s.b).toBe(1 / 2 + 1);
    expect(s.c).toBe(1 / 3);
  });
  it("combsum with min-max: A q1 (s - 1) / 2 -> a 1, b 0.5, c 0; B q1 (s - 5) / 5 -> b 1, d 0", () => {
    const f = fuseRuns([runA, runB], { method: "combsum" });
    expect(scores(f, "q1")).toEqual({ a: 1, b: 1.5, c: 0, d: 0 });
    expect(order(f, "q1")).toBe("b a d c"); // c and d tie at 0: docno descending
    // q2: equal scores -> (5 - 5) / max(0, 1e-9) = 0; a single score likewise 0.
    expect(scores(f, "q2")).toEqual({ x: 0, y: 0 });
  });
  it("combmnz with min-max: sum times the number of runs retrieving the document (b: 1.5 * 2)", () => {
    expect(scores(fuseRuns([runA, runB], { method: "combmnz", norm: "minmax" }), "q1")).toEqual({
      a: 1,
      b: 3,
      c: 0,
      d: 0,
    });
  });
  it("combsum with z-score: A q1 mean 2, population std sqrt(2/3); B q1 mean 7.5, std 2.5", () => {
    const s = scores(fuseRuns([runA, runB], { method: "combsum", norm: "zscore" }), "q1");
    const sd = Math.sqrt(2 / 3);
    expect(s.a).toBeCloseTo(1 / sd, 14);
    expect(s.b).toBeCloseTo(0 + 1, 14); // (2 - 2) / sd + (10 - 7.5) / 2.5
    expect(s.c).toBeCloseTo(-1 / sd, 14);
    expect(s.d).toBeCloseTo(-1, 14);
  });
  it("combsum without normalisation adds raw scores", () => {
    expect(scores(fuseRuns([runA, runB], { method: "combsum", norm: "none" }), "q1")).toEqual({
      a: 3,
      b: 12,
      c: 1,
      d: 5,
    });
  });
  it("three runs: rrf adds each run's 1/(k + rank)", () => {
    const s = scores(fuseRuns([runA, runB, runB], { method: "rrf" }), "q1");
    expect(s.d).toBe(1 / 62 + 1 / 62);
  });
  it("refuses runs with different query sets, naming the queries and runs", () => {
    const c = parseRun("q1 Q0 a 1 1 C\nq3 Q0 a 1 1 C\n");
    expect(() => fuseRuns([runA, c], { method: "rrf", names: ["A", "C"] })).toThrow(
      /same queries: 'q2' only in A; 'q3' only in C/,
    );
    try {
      fuseRuns([runA, c], { method: "rrf" });
    } catch (e) {
      expect((e as XlirError).code).toBe("MISMATCH");
    }
  });
  it("refuses an unknown method, an unknown normalisation, a single run, a negative k, duplicate documents", () => {
    expect(() => fuseRuns([runA, runB], { method: "borda" })).toThrow(
      /unknown fusion method 'borda'; known: rrf, combsum, combmnz/,
    );
    expect(() => fuseRuns([runA, runB], { method: "combsum", norm: "l2" })).toThrow(
      /unknown normalisation 'l2'/,
    );
    expect(() => fuseRuns([runA], { method: "rrf" })).toThrow(/at least two runs, got 1/);
    expect(() => fuseRuns([runA, runB], { method: "rrf", k: -1 })).toThrow(/k must be a number >= 0/);
    expect(() =>
      fuseRuns([parseRun("q1 Q0 a 1 1 D\nq1 Q0 a 2 0.5 D\nq2 Q0 x 1 1 D\n"), runA], { method: "rrf" }),
    ).toThrow(/retrieves document 'a' twice/);
  });
});

describe("xlir fuse", () => {
  const dir = mkdtempSync(join(tmpdir(), "xlir-fuse-"));
  const a = join(dir, "a.txt");
  const b = join(dir, "b.txt");
  writeFileSync(a, A);
  writeFileSync(b, B);
  const cli = async (...args: string[]): Promise<void> => {
    const program = new Command().exitOverride();
    registerFuse(program);
    await program.parseAsync(["node", "xlir", "fuse", ...args]);
  };
  it("writes the fused run ranked 1..n with the method as tag", async () => {
    const out = join(dir, "rrf.txt");
    await cli("--method", "rrf", a, b, "--out", out);
    expect(readFileSync(out, "utf8").split("\n")[0]).toBe(`q1 Q0 b 1 ${1 / 62 + 1 / 61} rrf`);
  });
  it("a single run is a usage error", async () => {
    await expect(cli(a, "--out", join(dir, "x.txt"))).rejects.toThrow(/at least two runs, got 1/);
  });
  it("an unknown method is a usage error", async () => {
    await expect(cli("--method", "max", a, b, "--out", join(dir, "x.txt"))).rejects.toThrow(
      /unknown fusion method 'max'/,
    );
  });
});
