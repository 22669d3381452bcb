import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { OnnxEncoder } from "../../models/onnx-encoder.js";
import { alignTokenVectors } from "../../ot/index.js";
import { transportPlanSvg } from "../../report/plan-svg.js";
import { parseFloatOption, parseIntOption, printJson } from "../util.js";

interface SideTokens {
  tokens: string[];
  ids: number[];
  vectors: Float32Array; // [tokens, dim]
  dim: number;
  kind: "colbert" | "hidden";
  special: boolean[];
}

/** Token vectors of one text: the ColBERT head when the folder has one, else the last hidden state. */
async function encodeSide(dir: string, text: string, maxLength: number | undefined): Promise<SideTokens> {
  const enc = await OnnxEncoder.fromFolder(dir, { maxLength, threads: 1 });
  try {
    const special = (ids: number[]) => ids.map((id) => enc.tokenizer.isSpecial(id));
    if (enc.head?.kind === "colbert") {
      const d = await enc.encodeTokensDetailed([text]);
      return {
        tokens: d.tokens[0],
        ids: d.ids[0],
        vectors: d.vectors.vectors,
        dim: d.vectors.dim,
        kind: "colbert",
        special: special(d.ids[0]),
      };
    }
    const r = await enc.encodeRaw([text]);
    return {
      tokens: r.tokens[0],
      ids: r.ids[0],
      vectors: r.hidden[0],
      dim: enc.config.hiddenSize,
      kind: "hidden",
      special: special(r.ids[0]),
    };
  } finally {
    await enc.dispose();
  }
}

function dropSpecial(s: SideTokens): SideTokens {
  const keep = s.special.map((sp, i) => (sp ? -1 : i)).filter((i) => i >= 0);
  if (keep.length === 0) return s;
  const vectors = new Float32Array(keep.length * s.dim);
  keep.forEach((i, r) => vectors.set(s.vectors.subarray(i * s.dim, (i + 1) * s.dim), r * s.dim));
  return {
    ...s,
    tokens: keep.map((i) => s.tokens[i]),
    ids: keep.map((i) => s.ids[i]),
    vectors,
    special: keep.map(() => false),
  };
}

/** Registers `xlir align`: the student/teacher token-to-token transport plan of one sentence pair. */
export function register(program: Command): void {
  program
    .command("align")
    .description(
      "print the OT plan between student(foreign) and teacher(English) tokens, and the best English match of each foreign token",
    )
    .argument("<foreign>", "foreign sentence")
    .argument("<english>", "English sentence")
    .requiredOption("--student <dir>", "student model folder (Hugging Face layout + xlir head)")
    .requiredOption("--teacher <dir>", "teacher model folder")
    .option("--epsilon <x>", "entropic regularisation", parseFloatOption("--epsilon"), 0.1)
    .option("--max-length <n>", "longest tokenisation", parseIntOption("--max-length"))
    .option("--skip-special", "leave out special tokens ([CLS], [SEP], <s>, </s>)")
    .option("--svg <file>", "also write the plan as an SVG heatmap")
    .option("--json", "print JSON instead of a table")
    .action(
      async (
        foreign: string,
        english: string,
        opts: {
          student: string;
          teacher: string;
          epsilon: number;
          maxLength?: number;
          skipSpecial?: boolean;
          svg?: string;
          json?: boolean;
        },
      ) => {
        let f = await encodeSide(opts.student, foreign, opts.maxLength);
        let e = await encodeSide(opts.teacher, english, opts.maxLength);
        if (f.dim !== e.dim || f.kind !== e.kind) {
          throw new XlirError(
            "MISMATCH",
            `student gives ${f.kind} vectors of dimension ${f.dim}, teacher ${e.kind} vectors of dimension ${e.dim}; align needs the same space`,
          );
        }
        if (opts.skipSpecial) {
          f = dropSpecial(f);
          e = dropSpecial(e);
        }
        const al = alignTokenVectors(f.vectors, e.vectors, f.dim, { epsilon: opts.epsilon });
        const m = f.tokens.length;
        const n = e.tokens.length;
        if (opts.svg) {
          writeFileSync(
            opts.svg,
            transportPlanSvg(al.plan, f.tokens, e.tokens, {
              title: `OT plan, eps ${opts.epsilon}: ${opts.student} vs ${opts.teacher}`,
            }),
          );
        }
        const rows = f.tokens.map((t, i) => ({
          token: t,
          best: e.tokens[al.best[i]],
          bestShare: al.bestShare[i],
          cost: al.costMatrix[i * n + al.best[i]],
          plan: Array.from(al.plan.subarray(i * n, (i + 1) * n), (x) => x * m), // row shares: each row sums to 1
        }));
        if (opts.json) {
          printJson({
            epsilon: opts.epsilon,
            vectors: f.kind,
            foreignTokens: f.tokens,
            englishTokens: e.tokens,
            transportCost: al.cost,
            converged: al.converged,
            iterations: al.iterations,
            rows,
            svg: opts.svg ?? null,
          });
          return;
        }
        const w = Math.max(6, ...f.tokens.map((t) => t.length));
        const cw = Math.max(5, ...e.tokens.map((t) => Math.min(t.length, 8)));
        const pad = (s: string, k: number) => (s.length > k ? s.slice(0, k) : s.padStart(k));
        const out: string[] = [];
        out.push(
          `transport plan (row shares: each foreign token's mass split over English tokens), eps ${opts.epsilon}, <P,C> = ${al.cost.toFixed(4)}, ${al.converged ? "converged" : "NOT converged"} after ${al.iterations} iterations`,
        );
        out.push(
          `${"".padStart(w)} ${e.tokens.map((t) => pad(t, cw)).join(" ")}  | best match (share, 1-cos)`,
        );
        for (const r of rows) {
          out.push(
            `${r.token.padStart(w)} ${r.plan.map((x) => pad(x.toFixed(2), cw)).join(" ")}  | ${r.best} (${(r.bestShare * 100).toFixed(0)}%, ${r.cost.toFixed(3)})`,
          );
        }
        if (opts.svg) out.push(`wrote ${opts.svg}`);
        process.stdout.write(out.join("\n") + "\n");
      },
    );
}
