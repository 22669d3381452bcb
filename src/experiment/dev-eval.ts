/**
 * `xlir dev`: the students the experiment would train (the configured per-loss settings, or those of
 * a tuning file), trained for every seed and evaluated on the dev split only, beside the teacher's
 * zero-shot run and its English ceiling on the same dev queries. This is how a change to the
 * recipe (a lever: more bitext, IDF marginals, the anchor term, ...) is measured without reading
 * test judgments: run it once with and once without the change and compare the dev files
 * (`scripts/levers.sh` does this for the levers in `levers/`).
 *
 * The test split is forbidden before anything is loaded, as in `xlir tune`. Every stage is cached
 * and resumable like the experiment's.
 */
import { mkdirSync } from "node:fs";
import { cpus, hostname } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../data/atomic.js";
import { XlirError } from "../errors.js";
import { isTorchAvailable, setDevice, setThreads } from "../engine/index.js";
import { evaluateRun } from "../eval/evaluate.js";
import { readRun } from "../eval/run.js";
import { allowTestSplit, forbidTestSplit, loadBenchmarks, type BenchmarkDef } from "./benchmarks.js";
import { type ExperimentConfig, type LossName } from "./config.js";
import { prepareModels, RECIPE, type Prepared } from "./pipeline.js";
import { studentStageName, trainStudents, type StudentSpec } from "./students.js";
import { meanOf, sampleSd } from "./results.js";
import { studentSettings, type StudentSettings } from "./settings.js";
import { hashOf, StageRunner, type Logger } from "./stages.js";
import type { RunRecord } from "./systems.js";
import { teacherIndexes } from "./run.js";
import { searchAllSystems } from "./systems.js";

export const DEV_FORMAT = "xlir-dev/1";

/** One system (and seed, for students) on the dev split: the measure per language and their mean. */
export interface DevRow {
  system: string;
  seed: number | null;
  dev: Record<string, number>;
  mean: number;
}

export interface DevFile {
  format: typeof DEV_FORMAT;
  /** A name for what this run measures (a lever), from `--label`. */
  label: string;
  measure: string;
  split: "dev";
  seeds: number[];
  devLanguages: string[];
  /** The settings each loss's students trained with. */
  settings: Partial<Record<LossName, StudentSettings["tuned"]>>;
  rows: DevRow[];
  /** Per system: mean over seeds of the macro-averaged measure, its sample sd, and the per-language means. */
  summary: Record<string, { mean: number; sd: number; dev: Record<string, number> }>;
  teacherHash: string;
  produced: { command: string; date: string; machine: string; seconds: number };
}

/**
 * The `measure` of every run in `records` on its dev task, keyed by system and seed, then by
 * `benchmark/language`.
 */
export async function devScores(
  dev: readonly BenchmarkDef[],
  records: readonly RunRecord[],
  measure: string,
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const rec of records) {
    const task = dev.find((b) => b.name === rec.benchmark)?.tasks.find((t) => t.language === rec.language);
    if (!task) continue;
    const ev = evaluateRun(task.qrels, await readRun(rec.path), [measure], { complete: true });
    const key = `${rec.system}\t${rec.seed ?? ""}`;
    const row = out.get(key) ?? {};
    row[`${rec.benchmark}/${rec.language}`] = meanOf(ev.perQuery.get(measure));
    out.set(key, row);
  }
  return out;
}

/** What a dev-only run (`xlir tune`, `xlir dev`) works on once the shared stages are done. */
export interface DevRunContext {
  out: string;
  stages: StageRunner;
  prep: Prepared;
  dev: BenchmarkDef[];
  devLanguages: string[];
  /** The teacher's index of each dev collection (by corpus path). */
  indexes: Map<string, string>;
}

/**
 * The start of every dev-only run: checks the binding, writes DIR/config.json, sets threads and
 * device, runs the shared stages (data to the teacher's English encodings), loads the dev split
 * (the caller has forbidden the test split) and the teacher's indexes of the dev collections.
 */
export async function openDevRun(
  config: ExperimentConfig,
  outDir: string,
  log: Logger,
  command: string,
): Promise<DevRunContext> {
  if (!isTorchAvailable())
    throw new XlirError(
      "NATIVE_MISSING",
      `\`${command}\` trains students: the libtorch binding is needed (bash scripts/setup.sh)`,
    );
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  await writeFileAtomic(join(out, "config.json"), JSON.stringify(config, null, 2) + "\n");
  setThreads({ torch: config.threads });
  setDevice(config.device, "device");
  const stages = new StageRunner(out, log);
  const prep = await prepareModels(config, stages, log);
  const dev = await loadBenchmarks(config, "dev", ["xx-en"]);
  if (dev.length === 0)
    throw new XlirError("CONFIG", `no benchmark with a dev split (\`${command}\` never reads test)`);
  const devLanguages = dev.flatMap((b) => b.tasks.map((t) => `${b.name}/${t.language}`));
  const indexes = await teacherIndexes(config, dev, prep.teacher, stages, log);
  return { out, stages, prep, dev, devLanguages, indexes };
}

/** Where a dev-only run ran (recorded in tuning.json and dev.json): host, CPUs, Node, workers x threads. */
export function machineLine(config: ExperimentConfig): string {
  return `${hostname()}: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, ${config.workers} worker(s) x ${config.threads} thread(s)`;
}

/** Mean of an object's values (0 when empty): the macro-average over dev languages. */
export function meanValue(r: Record<string, number>): number {
  const v = Object.values(r);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
}

export interface DevOptions {
  outDir: string;
  log: Logger;
  /** Names the run in dev.json and dev.md (e.g. the lever measured). */
  label?: string;
  command?: string;
}

/**
 * Trains (or resumes) the configured students and writes DIR/dev.json and DIR/dev.md.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { parseExperimentConfig, runDevEvaluation } from "xlir";
 * // a toy language (English words written backwards) and the repository's tiny test teacher
 * const dir = mkdtempSync(join(tmpdir(), "xlir-dev-"));
 * const titles = ["quick brown fox", "lazy dog", "hello world", "search query"];
 * const back = (s: string) => s.split(" ").map((w) => [...w].reverse().join("")).join(" ");
 * const docs = titles.map((t, i) => JSON.stringify({ id: `d${i}`, title: t, text: t }));
 * writeFileSync(join(dir, "corpus.jsonl"), docs.join("\n") + "\n");
 * writeFileSync(join(dir, "dev.tsv"), `q0\t${back(titles[0])}\nq1\t${back(titles[1])}\n`);
 * writeFileSync(join(dir, "dev.qrels"), "q0 0 d0 1\nq1 0 d1 1\n");
 * writeFileSync(join(dir, "bitext.tsv"), [...titles, ...titles].map((t) => `${back(t)}\t${t}`).join("\n") + "\n");
 * const files = { queries: join(dir, "dev.tsv"), qrels: join(dir, "dev.qrels") };
 * const config = parseExperimentConfig({
 *   seeds: [1],
 *   workers: 1,
 *   data: {
 *     builtin: false,
 *     bitext: { xx: [join(dir, "bitext.tsv")] },
 *     benchmarks: [{ name: "toy", corpus: join(dir, "corpus.jsonl"), languages: [{ language: "xx", ...files, dev: files }] }],
 *   },
 *   teacher: { model: "test/fixtures/tiny-bert" },
 *   students: { maxLength: 16, optim: { steps: 2, batchSize: 4, warmupSteps: 1 } },
 *   search: { k: 10, queryMaxLength: 16 },
 * });
 * const dev = await runDevEvaluation(config, { outDir: join(dir, "out"), log: () => {}, label: "toy" });
 * // one row per loss (ot, contrastive) for seed 1, and the teacher's zero-shot row, on dev only
 * console.assert(dev.rows.filter((r) => r.seed === 1).length === 2 && dev.devLanguages[0] === "toy/xx");
 * console.assert(dev.summary["teacher-zero-shot"].mean >= 0 && dev.split === "dev");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function runDevEvaluation(config: ExperimentConfig, opts: DevOptions): Promise<DevFile> {
  const started = performance.now();
  forbidTestSplit("xlir dev");
  try {
    const log = opts.log;
    const { out, stages, prep, dev, devLanguages, indexes } = await openDevRun(
      config,
      opts.outDir,
      log,
      "xlir dev",
    );
    const specs: StudentSpec[] = config.students.losses.flatMap((loss) =>
      config.seeds.map((seed) => ({
        settings: studentSettings(config, loss),
        seed,
        stage: studentStageName(loss, seed),
      })),
    );
    const students = await trainStudents(config, prep, specs, stages, log);
    const measure = config.tuning.measure;
    const scores = await stages.run(
      "dev-search",
      hashOf(
        RECIPE,
        prep.teacher.hash,
        students.map((s) => s.hash),
        [...indexes.values()],
        measure,
        devLanguages,
        config.search,
      ),
      async (dir) => {
        const records = await searchAllSystems({
          config,
          benchmarks: dev,
          teacherDir: prep.teacher.dir,
          students,
          indexes,
          outDir: dir,
          log,
          only: "dense",
        });
        return Object.fromEntries(await devScores(dev, records, measure));
      },
    );
    const rows: DevRow[] = Object.entries(scores).map(([key, r]) => {
      const [system, seed] = key.split("\t");
      return { system, seed: seed === "" ? null : Number(seed), dev: r, mean: meanValue(r) };
    });
    const summary: DevFile["summary"] = {};
    for (const system of [...new Set(rows.map((r) => r.system))]) {
      const mine = rows.filter((r) => r.system === system);
      const perLang: Record<string, number> = {};
      for (const l of devLanguages) perLang[l] = mine.reduce((a, r) => a + (r.dev[l] ?? 0), 0) / mine.length;
      summary[system] = {
        mean: mine.reduce((a, r) => a + r.mean, 0) / mine.length,
        sd: sampleSd(mine.map((r) => r.mean)),
        dev: perLang,
      };
    }
    const file: DevFile = {
      format: DEV_FORMAT,
      label: opts.label ?? "",
      measure,
      split: "dev",
      seeds: config.seeds,
      devLanguages,
      settings: Object.fromEntries(config.students.losses.map((l) => [l, studentSettings(config, l).tuned])),
      rows,
      summary,
      teacherHash: prep.teacher.hash,
      produced: {
        command: opts.command ?? "xlir dev",
        date: new Date().toISOString(),
        machine: machineLine(config),
        seconds: (performance.now() - started) / 1000,
      },
    };
    await writeFileAtomic(join(out, "dev.json"), JSON.stringify(file, null, 2) + "\n");
    await writeFileAtomic(join(out, "dev.md"), renderDevMarkdown(file));
    log(`[dev] ${join(out, "dev.json")}\n[dev] ${join(out, "dev.md")}`);
    return file;
  } finally {
    allowTestSplit();
  }
}

/**
 * The dev table: per system, the measure per language (mean over seeds) and mean +- sd over seeds.
 * @example
 * ```ts
 * import { renderDevMarkdown, type DevFile } from "xlir";
 * const f: DevFile = {
 *   format: "xlir-dev/1", label: "idf marginals", measure: "RR@10", split: "dev", seeds: [13, 14],
 *   devLanguages: ["help/eu"], settings: { ot: { learningRate: 5e-4, steps: 2000, epsilon: 0.02 } },
 *   rows: [], teacherHash: "abc",
 *   summary: { ot: { mean: 0.3, sd: 0.01, dev: { "help/eu": 0.3 } } },
 *   produced: { command: "xlir dev", date: "2026-11-27", machine: "test", seconds: 60 },
 * };
 * const md = renderDevMarkdown(f);
 * console.assert(md.includes("| ot | 0.3000 | 0.3000 ± 0.0100 |") && md.includes("- ot: learningRate 0.0005, steps 2000, epsilon 0.02"));
 * ```
 */
export function renderDevMarkdown(f: DevFile): string {
  const langs = f.devLanguages;
  const lines = [
    `# Dev evaluation${f.label ? `: ${f.label}` : ""} (${f.measure}, seeds ${f.seeds.join(", ")})`,
    "",
    `Produced by \`${f.produced.command}\` on ${f.produced.date} (${f.produced.machine}), ${(f.produced.seconds / 60).toFixed(1)} min. Test judgments were not read.`,
    "",
    `| system | ${langs.join(" | ")} | mean ± sd over seeds |`,
    `|---|${langs.map(() => "---:|").join("")}---:|`,
    ...Object.entries(f.summary).map(
      ([system, s]) =>
        `| ${system} | ${langs.map((l) => (s.dev[l] ?? NaN).toFixed(4)).join(" | ")} | ${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)} |`,
    ),
    "",
    "Settings:",
    "",
    ...Object.entries(f.settings).map(
      ([loss, s]) =>
        `- ${loss}: ${Object.entries(s as object)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(", ")}`,
    ),
  ];
  return lines.join("\n") + "\n";
}
