/** compare accepts every measure evaluate knows: trec_eval names, nicknames, Judged@k; refuses measures without per-query values. */
import { describe, expect, it } from "vitest";
import { compareSystems } from "../../src/eval/compare.js";
import { parseQrels } from "../../src/eval/qrels.js";
import { parseRun } from "../../src/eval/run.js";

const qrels = parseQrels("1 0 a 1\n1 0 b 0\n2 0 c 2\n2 0 d 0\n");
const runs = new Map([
  ["base", parseRun("1 Q0 a 1 2 b\n1 Q0 x 2 1 b\n2 Q0 d 1 2 b\n2 Q0 c 2 1 b\n")],
  ["sys", parseRun("1 Q0 x 1 2 s\n1 Q0 a 2 1 s\n2 Q0 c 1 2 s\n2 Q0 y 2 1 s\n")],
]);
const opts = { qrels, runs, baseline: "base", permutations: 200, bootstrap: 200 };

describe("compare with the new measures", () => {
  it("all_trec: every per-query numeric measure, without runid, relstring, num_q, gm_map, gm_bpref", () => {
    const t = compareSystems({ ...opts, measures: ["all_trec", "Judged@2", "rbp.p=0.5"] });
    for (const m of [
      "map",
      "iprec_at_recall_0.50",
      "infAP",
      "utility",
      "ndcg",
      "set_F",
      "unj_5",
      "rbp_p=0.5",
      "Judged@2",
    ])
      expect(t.measures).toContain(m);
    for (const m of ["runid", "relstring", "num_q", "gm_map", "gm_bpref", "rbp"])
      expect(t.measures).not.toContain(m);
    // Judged@2: base q1 a (judged), x (not) -> 1/2; q2 d, c -> 1; mean 0.75.
    expect(t.rows.find((r) => r.system === "base" && r.measure === "Judged@2")!.mean).toBe(0.75);
  });
  it("a summary-only or string measure named on its own is a usage error", () => {
    expect(() => compareSystems({ ...opts, measures: ["gm_map"] })).toThrow(
      /'gm_map' has no numeric per-query values.*compare 'map' instead/,
    );
    expect(() => compareSystems({ ...opts, measures: ["runid"] })).toThrow(
      /'runid' has no numeric per-query values to compare \(a string\)/,
    );
  });
});
