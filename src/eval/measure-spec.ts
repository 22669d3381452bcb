/**
 * Measure names -> concrete measures. Two spellings:
 * - trec_eval: `map`, `P` (default cut-offs), `P.5,10`, `ndcg_cut.10`, nicknames `official`, `all_trec`.
 *   Output names are trec_eval's (`P_5`, `ndcg_cut_10`). As in trec_eval, when one family is named
 *   several times with parameters, the first parameter list is used (`-m P.5 -m P.10` gives P_5 only).
 * - ir_measures-style aliases: `AP`, `nDCG@10`, `RR`, `RR@10` (recip_rank with depth cut 10 = MRR@10),
 *   `R@100`, `P@10`, `Success@5`/`success@5`, `Rprec`/`R-Prec`, `Bpref`, `NumRet`, `NumRel`,
 *   `NumRelRet`, `NumQ`, with an optional relevance level `P(rel=2)@5`. Output name = the alias as typed.
 */
import { XlirError } from "../errors.js";
import { MEASURES, MEASURE_ORDER, OFFICIAL } from "./measures/registry.js";
import type { MeasureFamily } from "./measures/types.js";

export interface MeasureSpec {
  /** output name (trec_eval's or the alias as typed). */
  name: string;
  family: MeasureFamily;
  /** cut-off k of parametrised families. */
  cutoff?: number;
  /** extra depth cut applied to this measure only (RR@10). */
  depth?: number;
  /** relevance level overriding -l (alias `(rel=N)`). */
  level?: number;
}

const NICKNAMES: Record<string, readonly string[]> = { official: OFFICIAL, all_trec: MEASURE_ORDER };

/** alias -> [family, how @k is used]. */
const ALIASES: Record<string, [string, "cutoff" | "depth" | "none"]> = {
  AP: ["map", "none"],
  MAP: ["map", "none"],
  nDCG: ["ndcg_cut", "cutoff"],
  NDCG: ["ndcg_cut", "cutoff"],
  ndcg: ["ndcg_cut", "cutoff"],
  RR: ["recip_rank", "depth"],
  MRR: ["recip_rank", "depth"],
  R: ["recall", "cutoff"],
  Recall: ["recall", "cutoff"],
  P: ["P", "cutoff"],
  Success: ["success", "cutoff"],
  success: ["success", "cutoff"],
  Rprec: ["Rprec", "none"],
  "R-Prec": ["Rprec", "none"],
  Bpref: ["bpref", "none"],
  NumRet: ["num_ret", "none"],
  NumRel: ["num_rel", "none"],
  NumRelRet: ["num_rel_ret", "none"],
  NumQ: ["num_q", "none"],
};

function knownList(): string {
  return `known measures: ${MEASURE_ORDER.join(", ")} (trec_eval names, with .k[,k...] for ${MEASURE_ORDER.filter((m) => MEASURES[m].defaultCutoffs).join(", ")}); nicknames: ${Object.keys(NICKNAMES).join(", ")}; aliases: ${Object.keys(ALIASES).join(", ")} (with @k, optional (rel=N))`;
}

function unknown(name: string, why = "unknown measure"): XlirError {
  return new XlirError("USAGE", `${why} '${name}'; ${knownList()}`);
}

function parseCutoffs(name: string, text: string): number[] {
  const parts = text.split(",");
  const ks = parts.map((p) => {
    const k = Number(p);
    if (!/^\d+$/.test(p.trim()) || !Number.isInteger(k) || k <= 0) throw unknown(name, `cut-offs must be positive integers in`);
    return k;
  });
  ks.sort((a, b) => a - b);
  for (let i = 1; i < ks.length; i++) if (ks[i] === ks[i - 1]) throw new XlirError("USAGE", `duplicate cut-offs in measure '${name}'`);
  return ks;
}

const ALIAS_RE = /^([A-Za-z][A-Za-z-]*)(?:\(rel=(-?\d+)\))?(?:@(\d+))?$/;

function parseAlias(name: string): MeasureSpec | undefined {
  const m = ALIAS_RE.exec(name);
  if (!m || !(m[1] in ALIASES) || (m[2] === undefined && m[3] === undefined && m[1] in MEASURES)) return undefined;
  const [famName, use] = ALIASES[m[1]];
  const family = MEASURES[famName];
  const spec: MeasureSpec = { name, family };
  if (m[2] !== undefined) spec.level = Number(m[2]);
  const k = m[3] === undefined ? undefined : Number(m[3]);
  if (k !== undefined && k <= 0) throw unknown(name, "cut-off must be positive in");
  if (use === "cutoff") {
    if (k === undefined) throw unknown(name, `alias needs a cut-off (${m[1]}@k) in`);
    spec.cutoff = k;
  } else if (use === "depth") {
    if (k !== undefined) spec.depth = k;
  } else if (k !== undefined) {
    throw unknown(name, `this measure takes no @k in`);
  }
  return spec;
}

/**
 * Resolves measure names (trec_eval names, nicknames, aliases) to specs in output order: trec_eval's
 * family order, cut-offs ascending, aliases after the trec_eval-named measures of their family.
 * @example
 * ```ts
 * import { parseMeasures } from "xlir";
 * const specs = parseMeasures(["map", "P.10"]);
 * console.assert(specs.length === 2);
 * ```
 */
export function parseMeasures(names: readonly string[]): MeasureSpec[] {
  const trecFamilies = new Map<string, number[] | undefined>(); // family -> first parameter list
  const aliases: MeasureSpec[] = [];
  const markFamily = (fam: string, params: number[] | undefined): void => {
    const prev = trecFamilies.get(fam);
    trecFamilies.set(fam, prev ?? params);
  };
  for (const raw of names) {
    const name = raw.trim();
    if (name in NICKNAMES) {
      for (const f of NICKNAMES[name]) markFamily(f, undefined);
      continue;
    }
    const alias = parseAlias(name);
    if (alias) {
      if (!aliases.some((a) => a.name === alias.name)) aliases.push(alias);
      continue;
    }
    const dot = name.indexOf(".");
    const fam = dot < 0 ? name : name.slice(0, dot);
    const family = MEASURES[fam];
    if (family === undefined) throw unknown(name);
    if (dot >= 0) {
      if (!family.defaultCutoffs) throw unknown(name, `measure '${fam}' takes no parameters:`);
      markFamily(fam, parseCutoffs(name, name.slice(dot + 1)));
    } else markFamily(fam, undefined);
  }
  const specs: MeasureSpec[] = [];
  for (const fam of MEASURE_ORDER) {
    const family = MEASURES[fam];
    if (trecFamilies.has(fam)) {
      const ks = trecFamilies.get(fam) ?? family.defaultCutoffs;
      if (ks) for (const k of ks) specs.push({ name: `${fam}_${k}`, family, cutoff: k });
      else specs.push({ name: fam, family });
    }
    const fa = aliases.filter((a) => a.family === family).sort((a, b) => (a.cutoff ?? 0) - (b.cutoff ?? 0) || (a.depth ?? 0) - (b.depth ?? 0));
    specs.push(...fa);
  }
  const seen = new Set<string>();
  return specs.filter((s) => (seen.has(s.name) ? false : (seen.add(s.name), true)));
}
