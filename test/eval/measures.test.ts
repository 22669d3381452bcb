/**
 * Measures by hand arithmetic. Ranked relevance written per rank in comments; tolerance 1e-12 (exact
 * arithmetic on a handful of terms).
 */
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { evaluateRun } from "../../src/eval/evaluate.js";
import { formatFixed4, formatTrecLine } from "../../src/eval/format.js";
import { parseQrels } from "../../src/eval/qrels.js";
import { parseRun } from "../../src/eval/run.js";
import { compareBytes } from "../../src/eval/strings.js";

// q1 judged: a=2, b=0, c=1, d=3 (R = 3 relevant at level 1); q2 judged: x=1; q3 judged: y=0 only.
const qrels = parseQrels("q1 0 a 2\nq1 0 b 0\nq1 0 c 1\nq1 0 d 3\nq2 0 x 1\nq3 0 y 0\n");
// q1 ranking: a (2), z (not judged), b (0), c (1) -> ranks 1..4; d (3) not retrieved.
// b and c tie at 0.5: docno descending puts c before b -> a, z, c, b.
const run = parseRun("q1 Q0 a 1 0.9 r\nq1 Q0 z 2 0.7 r\nq1 Q0 b 3 0.5 r\nq1 Q0 c 4 0.5 r\nq9 Q0 x 1 1 r\n");
const close = (a: number | undefined, b: number) => expect(a).toBeCloseTo(b, 12);

describe("hand arithmetic (q1: ranks a=2, z=-, c=1, b=0)", () => {
  const r = evaluateRun(qrels, run, [
    "map",
    "P.1,2,5",
    "recall.3,10",
    "recip_rank",
    "Rprec",
    "bpref",
    "ndcg_cut.3",
    "success.1",
    "num_rel_ret",
    "num_ret",
    "num_rel",
    "num_q",
  ]);
  const q1 = (m: string) => r.perQuery.get(m)!.get("q1");
  it("AP = (1/1 + 2/3) / 3", () => close(q1("map"), (1 + 2 / 3) / 3));
  it("P@1 = 1, P@2 = 1/2, P@5 = 2/5 (denominator stays k beyond the list)", () => {
    close(q1("P_1"), 1);
    close(q1("P_2"), 0.5);
    close(q1("P_5"), 0.4);
  });
  it("recall@3 = 2/3, recall@10 = 2/3", () => {
    close(q1("recall_3"), 2 / 3);
    close(q1("recall_10"), 2 / 3);
  });
  it("RR = 1, Rprec = 2/3 (top 3: a, z, c), success@1 = 1", () => {
    close(q1("recip_rank"), 1);
    close(q1("Rprec"), 2 / 3);
    close(q1("success_1"), 1);
  });
  it("bpref = (1 + (1 - 0/1)) / 3 (one judged non-relevant b, ranked after both)", () =>
    close(q1("bpref"), 2 / 3));
  it("nDCG@3 = (2/log2 2 + 1/log2 4) / (3/log2 2 + 2/log2 3 + 1/log2 4)", () =>
    close(q1("ndcg_cut_3"), (2 + 1 / 2) / (3 + 2 / Math.log2(3) + 1 / 2)));
  it("counts", () => {
    expect(q1("num_rel_ret")).toBe(2);
    expect(q1("num_ret")).toBe(4);
    expect(q1("num_rel")).toBe(3);
  });
  it("-c default: q2 and q3 missing from the run score 0 and count in the mean; q9 (unjudged) is ignored", () => {
    expect(r.queries).toEqual(["q1", "q2", "q3"]);
    expect(r.perQuery.get("map")!.get("q2")).toBe(0);
    close(r.mean.get("map"), (1 + 2 / 3) / 3 / 3);
    expect(r.mean.get("num_q")).toBe(3);
    expect(r.mean.get("num_rel")).toBe(4); // -c: every qrels line with grade > 0
  });
  it("without -c a judged query missing from the run stops the evaluation (trec_eval 10.0: exit status 4)", () => {
    let err: unknown;
    try {
      evaluateRun(qrels, run, ["map", "num_q"], { complete: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).exitCode).toBe(4);
    expect((err as XlirError).message).toMatch(
      /judged query 'q2' \(and 1 more judged query\) has no results in the run; .*-c/,
    );
  });
  it("without -c, with every judged query in the run, only those count", () => {
    const r2 = evaluateRun(parseQrels("q1 0 a 2\nq1 0 d 3\n"), run, ["map", "num_q"], { complete: false });
    expect(r2.queries).toEqual(["q1"]);
    expect(r2.mean.get("num_q")).toBe(1);
  });
  it("-l 2: relevant = a, d; AP = (1/1) / 2; nDCG ignores -l", () => {
    const r2 = evaluateRun(qrels, run, ["map", "ndcg_cut.3"], { relevanceLevel: 2 });
    close(r2.perQuery.get("map")!.get("q1"), 0.5);
    close(r2.perQuery.get("ndcg_cut_3")!.get("q1"), q1("ndcg_cut_3")!);
  });
  it("-M 1 and RR@1", () => {
    const r2 = evaluateRun(qrels, parseRun("q1 Q0 z 1 0.9 r\nq1 Q0 a 2 0.5 r\n"), ["recip_rank", "RR@1"], {});
    close(r2.perQuery.get("recip_rank")!.get("q1"), 0.5);
    close(r2.perQuery.get("RR@1")!.get("q1"), 0);
  });
  it("an empty run with -c scores every judged query 0", () => {
    const r2 = evaluateRun(qrels, new Map(), ["map", "P.5"]);
    expect([...r2.mean.values()]).toEqual([0, 0]);
  });
  it("an empty run without -c is an error (trec_eval: the first judged query is not found)", () => {
    expect(() => evaluateRun(qrels, new Map(), ["map"], { complete: false })).toThrow(
      /judged query 'q1' \(and 2 more judged queries\) has no results/,
    );
  });
  it("empty qrels: no queries with both results and judgements", () => {
    expect(() => evaluateRun(new Map(), run, ["map"], { complete: false })).toThrow(/no queries with both/);
  });
});

describe("formatting like printf %6.4f and %-22s", () => {
  it("rounds exact ties to even (glibc) where toFixed rounds up", () => {
    expect(formatFixed4(0.03125)).toBe("0.0312");
    expect(formatFixed4(0.09375)).toBe("0.0938");
    expect(formatFixed4(1 / 3)).toBe("0.3333");
    expect(formatFixed4(0.00005)).toBe("0.0001"); // not an exact tie: binary value is above
  });
  it("pads the measure name to 22 characters", () => {
    expect(formatTrecLine("map", "all", 0.5, false)).toBe("map                   \tall\t0.5000");
    expect(formatTrecLine("num_ret", "q1", 7, true)).toBe("num_ret               \tq1\t7");
  });
  it("orders strings like strcmp on UTF-8", () => {
    expect(compareBytes("a", "b")).toBe(-1);
    expect(compareBytes("10", "9")).toBe(-1);
    expect(compareBytes("\u{1F600}", "\uFF61")).toBe(1); // U+1F600 > U+FF61 in UTF-8, not in UTF-16
  });
});
