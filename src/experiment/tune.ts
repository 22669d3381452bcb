/**
 * `xlir tune`: for every student loss, a search over that loss's own settings on the dev queries
 * only, with the same budget for every loss:
 * - the same number of trials per loss (`tuning.trials`);
 * - the same steps: trial i of every loss trains `tuning.steps[i mod |steps|]` steps, so every loss
 *   spends the same total number of training steps;
 * - the learning rate (`tuning.learningRate`) and the loss's own settings (`tuning.space.<loss>`:
 *   ot epsilon, contrastive temperature, ot+contrastive weight and epsilon) form the loss's grid;
 *   each loss's trials are distinct grid points drawn by a seeded shuffle (the grid repeats only
 *   when it has fewer points than trials).
 * The setting with the best mean dev measure over the dev languages (ties: fewer steps, then the
 * earlier trial) is chosen. Everything is cached like the experiment (an interrupted tune resumes;
 * finished trials are not trained again).
 *
 * Test judgments are out of reach: the tuner forbids the test split before it loads anything
 * (benchmarks.ts `forbidTestSplit`) and loads dev files only.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.js";
import { XlirError } from "../errors.js";
import { Mulberry32, mixSeed } from "../util/random.js";
import { allowTestSplit, forbidTestSplit } from "./benchmarks.js";
import { type ExperimentConfig, type LossName, type LossSettings } from "./config.js";
import { RECIPE } from "./pipeline.js";
import { trainStudents, type StudentSpec } from "./students.js";
import { devScores, machineLine, meanValue, openDevRun } from "./dev-eval.js";
import { studentSettings, TUNING_FORMAT } from "./settings.js";
import { hashOf, type Logger } from "./stages.js";
import { searchAllSystems, type RunRecord } from "./systems.js";

/** One trial: a loss with one setting of its grid. */
export interface Trial {
  loss: LossName;
  /** 0-based position among this loss's trials. */
  index: number;
  settings: Required<Pick<LossSettings, "learningRate" | "steps">> &
    Omit<LossSettings, "learningRate" | "steps">;
}

export interface TrialResult extends Trial {
  /** Dev measure per language. */
  dev: Record<string, number>;
  /** Macro-average over the dev languages. */
  mean: number;
  seconds: number;
}

export interface TuningFile {
  format: typeof TUNING_FORMAT;
  measure: string;
  split: "dev";
  seed: number;
  trialsPerLoss: number;
  stepsPerLoss: number;
  devLanguages: string[];
  trials: TrialResult[];
  chosen: Partial<Record<LossName, TrialResult["settings"]>>;
  produced: { command: string; date: string; machine: string; seconds: number };
}

/** Cartesian product of named axes, in a fixed order. */
function grid(axes: Array<[string, number[]]>): Array<Record<string, number>> {
  let out: Array<Record<string, number>> = [{}];
  for (const [name, values] of axes) out = out.flatMap((g) => values.map((v) => ({ ...g, [name]: v })));
  return out;
}

/**
 * The trials of every loss (see the file comment for the budget rules).
 * @example
 * ```ts
 * import { parseExperimentConfig, planTrials } from "xlir";
 * const config = parseExperimentConfig({
 *   students: { losses: ["ot", "contrastive"] },
 *   tuning: { trials: 3, steps: [1000, 2000], learningRate: [5e-4, 1e-3] },
 * });
 * const trials = planTrials(config);
 * // the same budget for every loss: 3 trials each, 1000 + 2000 + 1000 steps
 * for (const loss of ["ot", "contrastive"]) {
 *   const mine = trials.filter((t) => t.loss === loss);
 *   console.assert(mine.map((t) => t.settings.steps).join() === "1000,2000,1000");
 * }
 * console.assert(trials.filter((t) => t.loss === "ot").every((t) => t.settings.epsilon !== undefined));
 * ```
 */
export function planTrials(config: ExperimentConfig): Trial[] {
  const t = config.tuning;
  const trials: Trial[] = [];
  for (const loss of config.students.losses) {
    const own = Object.entries(t.space[loss] as Record<string, number[]>);
    for (const [name, values] of own) {
      if (values.length === 0)
        throw new XlirError(
          "CONFIG",
          `tuning.space.${loss}.${name}: an empty grid (give at least one value)`,
        );
    }
    const points = grid([["learningRate", t.learningRate], ...own]);
    const rng = new Mulberry32(
      mixSeed(
        config.seeds[0],
        [...loss].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7),
      ),
    );
    for (let i = points.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [points[i], points[j]] = [points[j], points[i]];
    }
    for (let i = 0; i < t.trials; i++) {
      const p = points[i % points.length];
      trials.push({
        loss,
        index: i,
        settings: { ...p, learningRate: p.learningRate, steps: t.steps[i % t.steps.length] },
      });
    }
  }
  return trials;
}

/** The configuration a trial trains with: its settings as the loss's per-loss overrides. */
function trialConfig(config: ExperimentConfig, trial: Trial): ExperimentConfig {
  const c = structuredClone(config);
  c.students.perLoss[trial.loss] = { ...trial.settings };
  return c;
}

export interface TuneOptions {
  outDir: string;
  log: Logger;
  /** Recorded in the tuning file (how it was produced). */
  command?: string;
  /** Stop each trial's student after this many steps (as if killed); for tests. */
  stopStudentsAfter?: number;
}

/**
 * Runs (or resumes) the dev sweep and writes DIR/tuning.json and DIR/tuning.md.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { parseExperimentConfig, runTuning } from "xlir";
 * // four English pages; the foreign language is English written backwards; the repository's tiny teacher
 * const dir = mkdtempSync(join(tmpdir(), "xlir-tune-"));
 * const pages = ["open file", "save file", "print page", "close window"];
 * const rev = (s: string) => [...s].reverse().join("");
 * const text: Record<string, string> = {
 *   "pages.jsonl": pages.map((t, i) => JSON.stringify({ id: `p${i}`, title: t, text: `${t} ${t}` })).join("\n"),
 *   "q.tsv": pages.map((t, i) => `q${i}\t${rev(t)}`).join("\n"),
 *   "q.qrels": pages.map((_, i) => `q${i} 0 p${i} 1`).join("\n"),
 *   "pairs.tsv": pages.flatMap((t) => [`${rev(t)}\t${t}`, `${rev(t)}\t${t}`]).join("\n"),
 * };
 * for (const [name, body] of Object.entries(text)) writeFileSync(join(dir, name), body + "\n");
 * const split = { queries: join(dir, "q.tsv"), qrels: join(dir, "q.qrels") };
 * const language = { language: "zz", ...split, dev: split };
 * const t = await runTuning(
 *   parseExperimentConfig({
 *     seeds: [2],
 *     workers: 1,
 *     teacher: { model: "test/fixtures/tiny-bert" },
 *     data: { builtin: false, bitext: { zz: [join(dir, "pairs.tsv")] }, benchmarks: [{ name: "ui", corpus: join(dir, "pages.jsonl"), languages: [language] }] },
 *     students: { losses: ["ot"], maxLength: 16, optim: { batchSize: 4, warmupSteps: 1 } },
 *     tuning: { trials: 2, steps: [1, 2], learningRate: [1e-3], space: { ot: { epsilon: [0.05, 0.1] } } },
 *     search: { k: 10, queryMaxLength: 16 },
 *   }),
 *   { outDir: join(dir, "tune"), log: () => {} },
 * );
 * // two trials (1 and 2 steps) on dev; the chosen setting is the trial with the best dev RR@10
 * const best = Math.max(...t.trials.map((x) => x.mean));
 * console.assert(t.trials.length === 2 && t.stepsPerLoss === 3 && t.split === "dev");
 * console.assert(t.trials.some((x) => x.mean === best && x.settings.epsilon === t.chosen.ot?.epsilon));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function runTuning(config: ExperimentConfig, opts: TuneOptions): Promise<TuningFile> {
  const started = performance.now();
  forbidTestSplit("xlir tune");
  try {
    const trials = planTrials(config);
    const log = opts.log;
    const { out, stages, prep, dev, devLanguages, indexes } = await openDevRun(
      config,
      opts.outDir,
      log,
      "xlir tune",
    );
    log(
      `[tune] ${trials.length} trials (${config.tuning.trials} per loss) on dev: ${dev.map((b) => `${b.name} (${b.tasks.map((t) => `${t.language}:${t.queries.length}`).join(" ")})`).join("; ")}`,
    );
    const seed = config.seeds[0];
    const specs: StudentSpec[] = trials.map((t) => ({
      settings: studentSettings(trialConfig(config, t), t.loss),
      seed,
      stage: `trial-${t.loss.replace("+", "_")}-${t.index}`,
    }));
    const students = await trainStudents(config, prep, specs, stages, log, opts.stopStudentsAfter);
    const measure = config.tuning.measure;
    const results: TrialResult[] = [];
    for (const [i, trial] of trials.entries()) {
      const student = students[i];
      const name = specs[i].stage;
      const r = await stages.run(
        `${name}-dev`,
        hashOf(RECIPE, student.hash, [...indexes.values()], measure, devLanguages, config.search),
        async (dir) => {
          const records: RunRecord[] = await searchAllSystems({
            config,
            benchmarks: dev,
            teacherDir: prep.teacher.dir,
            students: [{ ...student, loss: trial.loss }],
            indexes,
            outDir: dir,
            log,
            only: "students",
          });
          const scores = await devScores(dev, records, measure);
          return scores.get(`${trial.loss}\t${seed}`) ?? {};
        },
      );
      const mean = meanValue(r);
      results.push({ ...trial, dev: r, mean, seconds: 0 });
      log(
        `[tune] ${trial.loss} trial ${trial.index} ${JSON.stringify(trial.settings)}: dev ${measure} ${mean.toFixed(4)}`,
      );
    }
    const chosen: TuningFile["chosen"] = {};
    for (const loss of config.students.losses) {
      const mine = results.filter((r) => r.loss === loss);
      mine.sort((a, b) => b.mean - a.mean || a.settings.steps - b.settings.steps || a.index - b.index);
      if (mine[0]) chosen[loss] = mine[0].settings;
    }
    const file: TuningFile = {
      format: TUNING_FORMAT,
      measure,
      split: "dev",
      seed,
      trialsPerLoss: config.tuning.trials,
      stepsPerLoss: Array.from(
        { length: config.tuning.trials },
        (_, i) => config.tuning.steps[i % config.tuning.steps.length],
      ).reduce((a, b) => a + b, 0),
      devLanguages,
      trials: results,
      chosen,
      produced: {
        command: opts.command ?? "xlir tune",
        date: new Date().toISOString(),
        machine: machineLine(config),
        seconds: (performance.now() - started) / 1000,
      },
    };
    await writeFileAtomic(join(out, "tuning.json"), JSON.stringify(file, null, 2) + "\n");
    await writeFileAtomic(join(out, "tuning.md"), renderTuningMarkdown(file));
    log(`[tune] ${join(out, "tuning.json")}\n[tune] ${join(out, "tuning.md")}`);
    return file;
  } finally {
    allowTestSplit();
  }
}

/** The trial table (dev measure per trial and language) and the chosen setting per loss. */
export function renderTuningMarkdown(f: TuningFile): string {
  const langs = f.devLanguages;
  const fmt = (s: TrialResult["settings"]): string =>
    Object.entries(s)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  const lines = [
    `# Dev sweep (${f.measure}, seed ${f.seed})`,
    "",
    `${f.trialsPerLoss} trials per loss, ${f.stepsPerLoss} training steps per loss in all; chosen by the mean ${f.measure} over the dev languages. Produced by \`${f.produced.command}\` on ${f.produced.date} (${f.produced.machine}), ${(f.produced.seconds / 60).toFixed(1)} min.`,
    "",
    `| loss | trial | settings | ${langs.join(" | ")} | mean |`,
    `|---|---:|---|${langs.map(() => "---:|").join("")}---:|`,
    ...f.trials.map(
      (t) =>
        `| ${t.loss} | ${t.index} | ${fmt(t.settings)} | ${langs.map((l) => (t.dev[l] ?? NaN).toFixed(4)).join(" | ")} | ${t.mean.toFixed(4)} |`,
    ),
    "",
    "Chosen:",
    "",
    ...Object.entries(f.chosen).map(([loss, s]) => `- ${loss}: ${fmt(s as TrialResult["settings"])}`),
  ];
  return lines.join("\n") + "\n";
}
