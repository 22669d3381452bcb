/**
 * Measure names -> concrete measures. Two spellings:
 * - trec_eval: `map`, `P` (default cut-offs), `P.5,10`, `ndcg_cut.10`, `iprec_at_recall.0.5`,
 *   `utility.2,-1,0,0`, `ndcg.1=3.5,2=9`, `rbp.p=0.8`, nicknames `official`, `all_trec`, `set`.
 *   Output names are trec_eval's (`P_5`, `iprec_at_recall_0.50`, `utility_2,-1,0,0`). As in trec_eval,
 *   when one family is named several times with parameters, the first parameter list is used
 *   (`-m P.5 -m P.10` gives P_5 only). Parameters must be numbers (trec_eval's atof/atol would read
 *   "5x" as 5; xlir refuses it).
 * - ir_measures-style aliases: `AP`, `nDCG@10`, `RR`, `RR@10` (recip_rank with depth cut 10 = MRR@10),
 *   `R@100`, `P@10`, `Success@5`/`success@5`, `Rprec`/`R-Prec`, `Bpref`, `NumRet`, `NumRel`,
 *   `NumRelRet`, `NumQ`, `Judged@10`, with an optional relevance level `P(rel=2)@5`. Output name = the
 *   alias as typed.
 */
import { XlirError } from "../errors.js";
import { formatFixed } from "./format.js";
import {
  ALL_TREC,
  MEASURES,
  MEASURE_ORDER,
  OFFICIAL,
  SET_MEASURES,
  TREC_MEASURES,
} from "./measures/registry.js";
import {
  NO_PARAMS,
  paramKind,
  type MeasureFamily,
  type MeasureParams,
  type ParamPair,
} from "./measures/types.js";

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
  /** parameters of a `numbers` / `pairs` family (its defaults when none were given). */
  params: MeasureParams;
}

const NICKNAMES: Record<string, readonly string[]> = {
  official: OFFICIAL,
  all_trec: ALL_TREC,
  set: SET_MEASURES,
};

/** alias -> [family, how @k is used]. */
const ALIASES: Record<string, [string, "cutoff" | "depth" | "none"]> = {
  AP: ["map", "depth"], // AP@k: ranking cut at k, divided by all relevant (= map_cut.k, ir_measures AP@k)
  MAP: ["map", "depth"],
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
  Judged: ["Judged", "cutoff"],
};

function knownList(): string {
  return `known measures: ${TREC_MEASURES.join(", ")} (trec_eval names, with .k[,k...] for ${TREC_MEASURES.filter((m) => paramKind(MEASURES[m]) === "cutoffs").join(", ")}); nicknames: ${Object.keys(NICKNAMES).join(", ")}; aliases: ${Object.keys(ALIASES).join(", ")} (with @k, optional (rel=N))`;
}

function unknown(name: string, why = "unknown measure"): XlirError {
  return new XlirError("USAGE", `${why} '${name}'; ${knownList()}`);
}

function parseCutoffs(name: string, text: string): number[] {
  const parts = text.split(",");
  const ks = parts.map((p) => {
    const k = Number(p);
    if (!/^\d+$/.test(p.trim()) || !Number.isInteger(k) || k <= 0)
      throw unknown(name, `cut-offs must be positive integers in`);
    return k;
  });
  ks.sort((a, b) => a - b);
  for (let i = 1; i < ks.length; i++)
    if (ks[i] === ks[i - 1]) throw new XlirError("USAGE", `duplicate cut-offs in measure '${name}'`);
  return ks;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumberList(name: string, text: string): number[] {
  return text.split(",").map((p) => {
    if (!DECIMAL.test(p)) throw unknown(name, `parameters must be decimal numbers in`);
    return Number(p);
  });
}

function parseFractions(name: string, text: string): number[] {
  const fs = parseNumberList(name, text).sort((a, b) => a - b);
  for (let i = 1; i < fs.length; i++)
    if (fs[i] === fs[i - 1]) throw new XlirError("USAGE", `duplicate cut-offs in measure '${name}'`);
  return fs;
}

function parsePairs(name: string, text: string): ParamPair[] {
  return text.split(",").map((p) => {
    const eq = p.indexOf("=");
    const value = p.slice(eq + 1);
    if (eq <= 0 || !DECIMAL.test(value))
      throw unknown(name, `parameters must be name=number pairs (e.g. 1=3.5,2=9 or p=0.8) in`);
    return { name: p.slice(0, eq), value: Number(value) };
  });
}

/** The outputs of one trec_eval-named family given its first parameter text (undefined = defaults). */
function familySpecs(fam: string, family: MeasureFamily, raw: string | undefined): MeasureSpec[] {
  const kind = paramKind(family);
  const full = raw === undefined ? fam : `${fam}.${raw}`;
  switch (kind) {
    case "cutoffs": {
      const ks = raw === undefined ? (family.defaultCutoffs as readonly number[]) : parseCutoffs(full, raw);
      return ks.map((k) => ({ name: `${fam}_${k}`, family, cutoff: k, params: NO_PARAMS }));
    }
    case "fractions": {
      const fs = raw === undefined ? (family.defaultCutoffs as readonly number[]) : parseFractions(full, raw);
      return fs.map((f) => ({ name: `${fam}_${formatFixed(f, 2)}`, family, cutoff: f, params: NO_PARAMS }));
    }
    case "numbers":
    case "pairs": {
      const params: MeasureParams =
        raw === undefined
          ? { numbers: family.defaultParams ?? [], pairs: [] }
          : kind === "numbers"
            ? { numbers: parseNumberList(full, raw), pairs: [] }
            : { numbers: [], pairs: parsePairs(full, raw) };
      const why = family.validate?.(params);
      if (why !== undefined) throw new XlirError("USAGE", `measure '${full}': ${why}`);
      return [{ name: raw === undefined ? fam : `${fam}_${raw}`, family, params }];
    }
    default:
      return [{ name: fam, family, params: NO_PARAMS }];
  }
}

const ALIAS_RE = /^([A-Za-z][A-Za-z-]*)(?:\(rel=(-?\d+)\))?(?:@(\d+))?$/;

function parseAlias(name: string): MeasureSpec | undefined {
  const m = ALIAS_RE.exec(name);
  if (
    !m ||
    !(m[1] in ALIASES) ||
    (m[2] === undefined && m[3] === undefined && m[1] in MEASURES && MEASURES[m[1]].trec !== false)
  )
    return undefined;
  const [famName, use] = ALIASES[m[1]];
  const family = MEASURES[famName];
  const spec: MeasureSpec = { name, family, params: NO_PARAMS };
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
  const trecFamilies = new Map<string, string | undefined>(); // family -> first parameter text
  const aliases: MeasureSpec[] = [];
  const markFamily = (fam: string, raw: string | undefined): void => {
    const prev = trecFamilies.get(fam);
    trecFamilies.set(fam, prev ?? raw);
  };
  for (const rawName of names) {
    const name = rawName.trim();
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
    if (family === undefined || family.trec === false) throw unknown(name);
    if (dot >= 0) {
      const raw = name.slice(dot + 1);
      if (paramKind(family) === "none") throw unknown(name, `measure '${fam}' takes no parameters:`);
      if (raw === "") throw unknown(name, `empty parameter list in`);
      markFamily(fam, raw);
    } else markFamily(fam, undefined);
  }
  const specs: MeasureSpec[] = [];
  for (const fam of MEASURE_ORDER) {
    const family = MEASURES[fam];
    if (trecFamilies.has(fam)) specs.push(...familySpecs(fam, family, trecFamilies.get(fam)));
    const fa = aliases
      .filter((a) => a.family === family)
      .sort((a, b) => (a.cutoff ?? 0) - (b.cutoff ?? 0) || (a.depth ?? 0) - (b.depth ?? 0));
    specs.push(...fa);
  }
  const seen = new Set<string>();
  return specs.filter((s) => (seen.has(s.name) ? false : (seen.add(s.name), true)));
}
