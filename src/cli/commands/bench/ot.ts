import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { benchDistillStep } from "../../../bench/distill-step.js";
import { sinkhorn } from "../../../ot/index.js";
import { randomOtProblem, type RandomOtProblem } from "../../../ot/random.js";
import { median } from "../../../util/stats.js";
import { parseFloatOption, parseIntOption, printJson } from "../../util.js";

/** POT side of the benchmark: reads the problems as JSON on stdin, times ot.sinkhorn(method='sinkhorn_log'). */
const POT_SCRIPT = `
import json, sys, time, warnings
import numpy as np, ot
cfg = json.load(sys.stdin)
probs = [(np.array(p["a"]), np.array(p["b"]), np.array(p["cost"]).reshape(p["m"], p["n"])) for p in cfg["problems"]]
times, plans = [], []
for r in range(cfg["repeats"]):
    t0 = time.perf_counter()
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b, M in probs:
            out.append(ot.sinkhorn(a, b, M, cfg["epsilon"], method="sinkhorn_log", numItermax=cfg["maxIterations"], stopThr=cfg["tolerance"]))
    times.append((time.perf_counter() - t0) * 1000)
    plans = out
print(json.dumps({"times_ms": times, "pot": ot.__version__, "numpy": np.__version__, "plans": [p.ravel().tolist() for p in plans]}))
`;

interface PotTiming {
  times_ms: number[];
  pot: string;
  numpy: string;
  plans: number[][];
}

function runPot(
  problems: RandomOtProblem[],
  cfg: { epsilon: number; tolerance: number; maxIterations: number; repeats: number },
): PotTiming | string {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return `${python} not found`;
  const input = JSON.stringify({
    ...cfg,
    problems: problems.map((p) => ({
      m: p.m,
      n: p.n,
      a: Array.from(p.a),
      b: Array.from(p.b),
      cost: Array.from(p.cost),
    })),
  });
  const res = spawnSync(python, ["-c", POT_SCRIPT], { input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (res.error) return `could not run ${python}: ${res.error.message}`;
  if (res.status !== 0)
    return `POT run failed: ${(res.stderr || "").trim().split("\n").slice(-1)[0] ?? "exit " + res.status}`;
  return JSON.parse(res.stdout) as PotTiming;
}

/** Registers `xlir bench ot`: typed-array log-domain Sinkhorn vs POT's sinkhorn_log on the same problems. */
export function register(bench: Command): void {
  bench
    .command("ot")
    .description(
      "time xlir's log-domain Sinkhorn against POT's sinkhorn_log (numpy) on the same random problems",
    )
    .option("--problems <n>", "number of problems", parseIntOption("--problems"), 64)
    .option("--m <n>", "rows per problem", parseIntOption("--m"), 32)
    .option("--n <n>", "columns per problem", parseIntOption("--n"), 32)
    .option("--epsilon <x>", "entropic regularisation", parseFloatOption("--epsilon"), 0.1)
    .option("--tolerance <x>", "stopping threshold on ||P^T 1 - b||_2", parseFloatOption("--tolerance"), 1e-6)
    .option("--max-iterations <n>", "iteration cap", parseIntOption("--max-iterations"), 1000)
    .option("--repeats <n>", "timed repetitions (median reported)", parseIntOption("--repeats"), 7)
    .option("--seed <n>", "seed of the first problem", parseIntOption("--seed"), 1)
    .option("--no-pot", "skip the POT comparison")
    .option(
      "--distill-step",
      "instead: time a small-encoder distillation step with each loss (needs the libtorch binding)",
    )
    .option("--steps <n>", "--distill-step: timed steps per loss", parseIntOption("--steps"), 10)
    .option("--batch <n>", "--distill-step: batch size", parseIntOption("--batch"), 16)
    .option("--seq <n>", "--distill-step: sequence length", parseIntOption("--seq"), 32)
    .option("--json", "print one JSON object (default output is JSON too)")
    .action(
      (opts: {
        problems: number;
        m: number;
        n: number;
        epsilon: number;
        tolerance: number;
        maxIterations: number;
        repeats: number;
        seed: number;
        pot: boolean;
        distillStep?: boolean;
        steps: number;
        batch: number;
        seq: number;
      }) => {
        if (opts.distillStep) {
          const cfg = {
            layers: 2,
            hidden: 256,
            heads: 4,
            ffn: 1024,
            seq: opts.seq,
            batch: opts.batch,
            vocab: 8000,
            dim: 128,
            steps: opts.steps,
            warmup: 2,
          };
          const ot = {
            epsilon: opts.epsilon,
            tolerance: opts.tolerance,
            iterations: Math.min(opts.maxIterations, 100),
          };
          const res = benchDistillStep({ ...cfg, losses: ["contrastive", "ot", "mse"], lossOptions: { ot } });
          printJson({
            bench: "ot --distill-step",
            encoder: cfg,
            ot_options: ot,
            ...res,
            note: "random student, fixed random teacher tokens, lengths uniform in [seq/4, seq]; machine shared, timings noisy",
          });
          return;
        }
        const problems: RandomOtProblem[] = [];
        for (let k = 0; k < opts.problems; k++)
          problems.push(randomOtProblem(opts.seed + k, { m: opts.m, n: opts.n }));
        const solve = () =>
          problems.map((p) =>
            sinkhorn(p.a, p.b, p.cost, {
              epsilon: opts.epsilon,
              tolerance: opts.tolerance,
              maxIterations: opts.maxIterations,
              method: "log",
            }),
          );
        solve(); // warm-up (JIT)
        const times: number[] = [];
        let results = solve();
        for (let r = 0; r < opts.repeats; r++) {
          const t0 = performance.now();
          results = solve();
          times.push(performance.now() - t0);
        }
        const xlirMs = median(times);
        const pot = opts.pot
          ? runPot(problems, {
              epsilon: opts.epsilon,
              tolerance: opts.tolerance,
              maxIterations: opts.maxIterations,
              repeats: opts.repeats,
            })
          : "--no-pot";
        let potMs: number | null = null;
        let potReason: string | null = null;
        let maxPlanDiff: number | null = null;
        let versions: { pot: string; numpy: string } | null = null;
        if (typeof pot === "string") potReason = pot;
        else {
          potMs = median(pot.times_ms);
          versions = { pot: pot.pot, numpy: pot.numpy };
          maxPlanDiff = 0;
          results.forEach((r, k) =>
            r.plan.forEach(
              (x, t) => (maxPlanDiff = Math.max(maxPlanDiff ?? 0, Math.abs(x - pot.plans[k][t]))),
            ),
          );
        }
        printJson({
          bench: "ot",
          problems: opts.problems,
          m: opts.m,
          n: opts.n,
          epsilon: opts.epsilon,
          tolerance: opts.tolerance,
          maxIterations: opts.maxIterations,
          repeats: opts.repeats,
          cost: "squared Euclidean between uniform points in [0,1)^d (randomOtProblem)",
          xlir_ms: xlirMs,
          pot_ms: potMs,
          pot_reason: potReason,
          speedup_vs_pot: potMs === null ? null : potMs / xlirMs,
          xlir_ms_min: Math.min(...times),
          pot_ms_min: typeof pot === "string" ? null : Math.min(...pot.times_ms),
          speedup_vs_pot_min: typeof pot === "string" ? null : Math.min(...pot.times_ms) / Math.min(...times),
          mean_iterations: results.reduce((s, r) => s + r.iterations, 0) / results.length,
          converged_fraction: results.filter((r) => r.converged).length / results.length,
          max_plan_diff_vs_pot: maxPlanDiff,
          versions,
          note: "xlir_ms / pot_ms: medians of --repeats runs over all problems (one after the other, POT in a child /usr/bin/python3); *_min: fastest run; machine shared with other jobs, timings noisy",
        });
      },
    );
}
