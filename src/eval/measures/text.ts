/** String-valued trec_eval families: runid (m_runid.c) and relstring (m_relstring.c). */
import { REL_NONPOOL, REL_UNJUDGED } from "../ranking.js";
import type { MeasureFamily } from "./types.js";

/** runid: the run tag (field 6) of the run file's last result line, printed in the summary only. */
export const runid: MeasureFamily = {
  name: "runid",
  description: "run tag of the run file (field 6 of its last line); summary only",
  integer: false,
  text: true,
  perQuery: false,
  compute: () => 0,
  computeText: () => "",
};

/**
 * relstring.N (default 10): the grades of the top N documents as characters: 0-9 the grade, '>' a grade
 * above 9, '-' not in the qrels, '.' judged with a negative grade, '<' other; per query only.
 */
export const relstring: MeasureFamily = {
  name: "relstring",
  description: "grades of the top N (default 10) documents as a string; per query only",
  integer: false,
  text: true,
  perQuery: true,
  summary: false,
  params: "numbers",
  defaultParams: [10],
  compute: () => 0,
  computeText(q, p) {
    const len = Math.max(0, Math.min(Math.trunc(p.numbers[0] ?? 10), q.numRet));
    let s = "";
    for (let i = 0; i < len; i++) {
      const r = q.rels[i];
      s += r > 9 ? ">" : r >= 0 ? String(r) : r === REL_NONPOOL ? "-" : r === REL_UNJUDGED ? "." : "<";
    }
    return s;
  },
};
