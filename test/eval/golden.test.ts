/**
 * Equality with trec_eval 10.0 on committed goldens (test/golden/eval, produced by
 * scripts/dev/eval-make-goldens.sh). Every line trec_eval printed for a measure xlir implements must be
 * printed identically by xlir (same name padding, qid, and %6.4f / %ld value: tolerance 0 at 4 decimals).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { evaluateRun, evaluateRunFile } from "../../src/eval/evaluate.js";
import { readQrels } from "../../src/eval/qrels.js";
import { readRun, readRunWithId } from "../../src/eval/run.js";
import { formatTrecEval } from "../../src/eval/trec-output.js";
import { OFFICIAL } from "../../src/eval/measures/registry.js";
import type { EvalOptions } from "../../src/eval/types.js";

const dir = join(import.meta.dirname, "../golden/eval");
interface Case {
  name: string;
  flags: string;
  qrels: string;
  run: string;
  output: string;
  exit: number;
}
const cases = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as Case[];

function parseFlags(flags: string): { measures: string[]; perQuery: boolean; options: EvalOptions } {
  const t = flags.split(/\s+/).filter(Boolean);
  const measures: string[] = [];
  const options: EvalOptions = { complete: false };
  let perQuery = false;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "-c") options.complete = true;
    else if (t[i] === "-q") perQuery = true;
    else if (t[i] === "-m") measures.push(t[++i]);
    else if (t[i] === "-M") options.depth = Number(t[++i]);
    else if (t[i] === "-l") options.relevanceLevel = Number(t[++i]);
    else throw new Error(`flag ${t[i]}`);
  }
  return { measures: measures.length ? measures : [...OFFICIAL], perQuery, options };
}

describe("trec_eval 10.0 goldens", () => {
  it("has the cases the issue asks for", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const flags of ["", "-q", "-m all_trec", "-q -m all_trec"])
      expect(cases.some((c) => c.flags.replace(/-c ?/, "").trim() === flags)).toBe(true);
  });
  for (const c of cases) {
    it(`${c.name}: trec_eval ${c.flags}`, async () => {
      const { measures, perQuery, options } = parseFlags(c.flags);
      const qrels = await readQrels(join(dir, c.qrels));
      if (c.exit !== 0) {
        // trec_eval stopped with this exit status: xlir stops with the same one (an XlirError).
        const err = await evaluateRunFile(qrels, join(dir, c.run), measures, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(XlirError);
        expect((err as XlirError).exitCode).toBe(c.exit);
        return;
      }
      const result = await evaluateRunFile(qrels, join(dir, c.run), measures, options);
      const ours = formatTrecEval(result, perQuery).trimEnd().split("\n");
      const theirs = readFileSync(join(dir, c.output), "utf8").trimEnd().split("\n");
      expect(ours.length).toBe(theirs.length);
      for (let i = 0; i < theirs.length; i++) expect(ours[i], `line ${i + 1}`).toBe(theirs[i]);
      // The in-memory path gives the same lines.
      const { run, runId } = await readRunWithId(join(dir, c.run));
      const mem = evaluateRun(qrels, run, measures, { ...options, runId });
      expect(formatTrecEval(mem, perQuery)).toBe(formatTrecEval(result, perQuery));
    });
  }

  it("aliases equal their trec_eval measures: RR@10 = recip_rank -M 10, nDCG@10 = ndcg_cut_10, R@100, P@10, success@5, AP", async () => {
    const qrels = await readQrels(join(dir, "qrels.txt"));
    const run = await readRun(join(dir, "run_main.txt"));
    const mrr = readFileSync(join(dir, "out/main_c_mrr10.txt"), "utf8").trimEnd().split("\n");
    const a = evaluateRun(qrels, run, ["RR@10", "nDCG@10", "R@100", "P@10", "success@5", "AP"], {
      complete: true,
    });
    const b = evaluateRun(qrels, run, ["ndcg_cut.10", "recall.100", "P.10", "success.5", "map"], {
      complete: true,
    });
    const last = mrr[mrr.length - 1].split("\t");
    expect(a.mean.get("RR@10")!.toFixed(4)).toBe(last[2]);
    for (const [alias, trec] of [
      ["nDCG@10", "ndcg_cut_10"],
      ["R@100", "recall_100"],
      ["P@10", "P_10"],
      ["success@5", "success_5"],
      ["AP", "map"],
    ]) {
      expect(a.mean.get(alias)).toBe(b.mean.get(trec)); // exact
      expect([...a.perQuery.get(alias)!.values()]).toEqual([...b.perQuery.get(trec)!.values()]);
    }
  });
});
