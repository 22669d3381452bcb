/**
 * `xlir experiment`: the OT-versus-contrastive comparison end to end, in stages cached by the hash
 * of their inputs (see stages.ts and pipeline.ts): data -> tokenizer -> teacher -> the teacher's
 * English encodings -> students (every loss x seed, side by side) -> the teacher's index of each
 * collection -> search -> evaluation -> report. Only the test split is read, once, here.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../data/atomic.js";
import { XlirError } from "../errors.js";
import { isTorchAvailable, setDevice, setThreads } from "../engine/index.js";
import type { ReportLossCurve } from "../report/types.js";
import { writeReport } from "../report/write.js";
import { loadBenchmarks, type BenchmarkDef } from "./benchmarks.js";
import { type ExperimentConfig } from "./config.js";
import { fileDigest } from "../data/io.js";
import { prepareModels, RECIPE } from "./pipeline.js";
import { studentStageName, trainStudents, type StudentModel } from "./students.js";
import { samplePlans } from "./plans.js";
import { evaluateExperiment } from "./results.js";
import { applyTuning, studentSettings } from "./settings.js";
import { hashOf, StageRunner, type Logger } from "./stages.js";
import { buildCollectionIndex, prepareReversed } from "./reversed.js";
import { mergeRecords, searchAllSystems, type RunRecord } from "./systems.js";

export interface ExperimentOptions {
  outDir: string;
  log: Logger;
  /** Stop each student after this many steps in total (as if the run were killed); for tests. */
  stopStudentsAfter?: number;
}

export interface ExperimentSummary {
  outDir: string;
  report: { html: string; markdown: string; json: string };
  seconds: number;
}

function downsample(losses: number[], points = 200): { step: number; loss: number }[] {
  const every = Math.max(1, Math.ceil(losses.length / points));
  const out: { step: number; loss: number }[] = [];
  for (let i = 0; i < losses.length; i += every) {
    const win = losses.slice(i, i + every);
    out.push({ step: i + win.length, loss: win.reduce((a, b) => a + b, 0) / win.length });
  }
  return out;
}

/** A content key of everything a benchmark's search reads: files' bytes, and which translators run here. */
async function benchmarksKey(benchmarks: BenchmarkDef[]): Promise<string> {
  const parts: unknown[] = [];
  for (const b of benchmarks) {
    for (const t of b.tasks) {
      parts.push([
        b.name,
        t.language,
        t.direction,
        t.split,
        await fileDigest(t.corpus),
        hashOf(t.queries),
        hashOf(t.englishQueries),
        hashOf([...t.qrels].map(([q, m]) => [q, [...m]])),
        t.dictionary ? await fileDigest(t.dictionary) : null,
        t.translator,
      ]);
    }
  }
  return hashOf(parts);
}

/**
 * The teacher's index of every collection searched, each in its own stage keyed by the teacher and
 * the collection's content (rebuilt when either changes). Returns corpus path -> index folder.
 */
export async function teacherIndexes(
  config: ExperimentConfig,
  benchmarks: BenchmarkDef[],
  teacher: { dir: string; hash: string },
  stages: StageRunner,
  log: Logger,
  threads = 2,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const b of benchmarks) {
    // xx-en: the English collection searched; en-xx: the English versions of the documents (the ceiling)
    const english =
      b.direction === "xx-en"
        ? b.tasks.map((t) => t.corpus)
        : b.tasks.flatMap((t) => (t.englishCorpus ? [t.englishCorpus] : []));
    for (const corpus of new Set(english)) {
      if (out.has(corpus)) continue;
      const name = b.direction === "xx-en" ? `index-${b.name}` : `index-${b.name}-english`;
      const key = hashOf(
        RECIPE,
        teacher.hash,
        await fileDigest(corpus),
        b.fields,
        config.teacher.maxDocLength,
      );
      const r = await stages.run(name, key, async (dir) => {
        const indexDir = join(dir, "index");
        await buildCollectionIndex({
          config,
          encoderDir: teacher.dir,
          corpus,
          fields: b.fields,
          out: indexDir,
          log,
          threads,
        });
        return { dir: indexDir };
      });
      out.set(corpus, r.dir);
    }
  }
  return out;
}

/**
 * Runs (or resumes) the whole experiment; see the file comment. A configuration that cannot work
 * is refused before any training, as here (a benchmark language without bitext to learn from).
 * @example
 * ```ts
 * import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { parseExperimentConfig, runExperiment, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "corpus.jsonl"), JSON.stringify({ id: "d1", title: "Hello", text: "hello world" }) + "\n");
 * writeFileSync(join(dir, "queries.tsv"), "q1\tkaixo mundua\n");
 * writeFileSync(join(dir, "qrels.txt"), "q1 0 d1 1\n");
 * const languages = [{ language: "eu", queries: join(dir, "queries.tsv"), qrels: join(dir, "qrels.txt") }];
 * const config = parseExperimentConfig({
 *   data: { builtin: false, benchmarks: [{ name: "toy", corpus: join(dir, "corpus.jsonl"), languages }] },
 *   teacher: { model: "test/fixtures/tiny-bert" },
 * });
 * const log: string[] = [];
 * const err = await runExperiment(config, { outDir: join(dir, "out"), log: (m) => log.push(m) }).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "CONFIG" && err.message.includes("no training bitext for eu"));
 * console.assert(existsSync(join(dir, "out", "config.json"))); // the configuration it was given is kept
 * console.assert(!log.some((m) => m.startsWith("[teacher]") || m.startsWith("[student")));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function runExperiment(
  input: ExperimentConfig,
  opts: ExperimentOptions,
): Promise<ExperimentSummary> {
  const started = performance.now();
  const config = input.tuned ? applyTuning(input, input.tuned) : input;
  const log = opts.log;
  const out = resolve(opts.outDir);
  mkdirSync(out, { recursive: true });
  await writeFileAtomic(join(out, "config.json"), JSON.stringify(config, null, 2) + "\n");
  const stages = new StageRunner(out, log);
  if (!isTorchAvailable()) {
    throw new XlirError(
      "NATIVE_MISSING",
      "training needs the libtorch binding: run `bash scripts/setup.sh` (apt-get install libtorch-dev, then npm run build:native)",
    );
  }
  setThreads({ torch: config.threads });
  setDevice(config.device, "device");

  // 1-4. data, tokenizer, teacher, the teacher's English encodings
  const prep = await prepareModels(config, stages, log);

  // 5. students: every loss x seed; the same data, initialisation and batches, each loss with its own settings
  const specs = config.seeds.flatMap((seed) =>
    config.students.losses.map((loss) => ({
      settings: studentSettings(config, loss),
      seed,
      stage: studentStageName(loss, seed),
    })),
  );
  // 6. the test split, read once; the teacher's indexes; every system that needs no student, and
  // each student as soon as it is trained, searched in the worker slots that would idle while the
  // last students finish (runScheduled)
  const half: {
    baselines?: {
      benchmarks: BenchmarkDef[];
      benchKey: string;
      indexes: Map<string, string>;
      records: RunRecord[];
    };
  } = {};
  let baselinesDone!: (ok: boolean) => void;
  const baselinesReady = new Promise<boolean>((resolve) => (baselinesDone = resolve));
  // one ONNX Runtime thread beside a student still training (results do not depend on it)
  const threads = config.workers > 1 ? 1 : 2;
  const searchBaselines = async (): Promise<void> => {
    try {
      const benchmarks = await loadBenchmarks(config, "test");
      log(
        `[data] test queries: ${benchmarks.map((b) => `${b.name} (${b.tasks.map((t) => `${t.language}:${t.queries.length}`).join(" ")})`).join("; ")}`,
      );
      const benchKey = await benchmarksKey(benchmarks);
      const indexes = await teacherIndexes(config, benchmarks, prep.teacher, stages, log, threads);
      const key = hashOf(RECIPE, prep.teacher.hash, config.search, benchKey, [...indexes.values()]);
      const records = await stages.run<RunRecord[]>("search-baselines", key, () =>
        searchAllSystems({
          config,
          benchmarks,
          teacherDir: prep.teacher.dir,
          teacherHash: prep.teacher.hash,
          students: [],
          indexes,
          outDir: out,
          log,
          part: "baselines",
          threads,
        }),
      );
      half.baselines = { benchmarks, benchKey, indexes, records };
    } finally {
      baselinesDone(half.baselines !== undefined);
    }
  };
  const perStudent = new Map<StudentModel, RunRecord[]>();
  const searchStudent = async (s: StudentModel): Promise<void> => {
    if (!(await baselinesReady) || !half.baselines) return; // its failure is reported by the pool
    const { benchmarks, benchKey, indexes, records: baselineRecords } = half.baselines;
    const name = `search-${studentStageName(s.loss, s.seed).replace(/^student-/, "")}`;
    const key = hashOf(
      RECIPE,
      prep.teacher.hash,
      s.hash,
      config.search,
      benchKey,
      [...indexes.values()],
      baselineRecords,
    );
    const records = await stages.run<RunRecord[]>(name, key, () =>
      searchAllSystems({
        config,
        benchmarks,
        teacherDir: prep.teacher.dir,
        students: [s],
        indexes,
        outDir: out,
        log,
        part: "students",
        baselineRecords,
        threads,
      }),
    );
    perStudent.set(s, records);
  };
  const students: StudentModel[] = await trainStudents(
    config,
    prep,
    specs,
    stages,
    log,
    opts.stopStudentsAfter,
    {
      alongside: searchBaselines,
      afterEach: searchStudent,
    },
  );
  if (!half.baselines) throw new XlirError("INTERNAL", "the baseline search did not run");
  const { benchmarks, benchKey, indexes, records: baselineRecords } = half.baselines;
  const studentRecords = students.flatMap((s) => perStudent.get(s) ?? []);
  if (studentRecords.length === 0 && students.length > 0 && benchmarks.some((b) => b.direction === "xx-en"))
    throw new XlirError("INTERNAL", "the students' search did not run");

  // 7. the en-xx benchmarks (their document indexes need every student)
  const enXxRecords: RunRecord[] = [];
  if (benchmarks.some((b) => b.direction === "en-xx")) {
    const reversed = await prepareReversed({
      config,
      benchmarks,
      teacher: prep.teacher,
      students,
      stages,
      log,
    });
    const key = hashOf(
      RECIPE,
      prep.teacher.hash,
      students.map((s) => s.hash),
      config.search,
      benchKey,
      [...indexes.values()],
      [...reversed.indexes.values()],
      [...reversed.translations.values()],
    );
    enXxRecords.push(
      ...(await stages.run<RunRecord[]>("search-en-xx", key, () =>
        searchAllSystems({
          config,
          benchmarks,
          teacherDir: prep.teacher.dir,
          teacherHash: prep.teacher.hash,
          students,
          indexes,
          reversed,
          outDir: out,
          log,
          part: "en-xx",
        }),
      )),
    );
  }
  const records = mergeRecords(baselineRecords, [...studentRecords, ...enXxRecords]);

  // 8. evaluation, comparisons, report
  log("[evaluate] measures, bootstrap intervals, paired tests");
  const { results, comparisons } = await evaluateExperiment(config, benchmarks, records);
  const otStudent = students.find((s) => s.loss === "ot");
  const otOptions = studentSettings(config, "ot").lossOptions as {
    epsilon: number;
    iterations: number;
    tolerance: number;
  };
  const otSettings = {
    epsilon: otOptions.epsilon,
    maxIterations: otOptions.iterations,
    tolerance: otOptions.tolerance,
  };
  const plans = otStudent
    ? await samplePlans({
        benchmarks,
        studentDir: otStudent.dir,
        teacherDir: prep.teacher.dir,
        ot: otSettings,
      })
    : [];
  const lossCurves: ReportLossCurve[] = [];
  if (prep.teacher.losses.length)
    lossCurves.push({ name: "teacher (InfoNCE)", points: downsample(prep.teacher.losses) });
  for (const s of students)
    lossCurves.push({ name: `${s.loss} (seed ${s.seed})`, points: downsample(s.losses) });
  const seconds = (performance.now() - started) / 1000;
  const report = await writeReport(out, {
    title: "xlir: optimal-transport vs contrastive distillation for cross-lingual retrieval",
    createdAt: new Date().toISOString(),
    results,
    comparisons,
    systems: [...new Set(results.map((r) => r.system))],
    languages: [...new Set(results.map((r) => r.language))],
    benchmarks: benchmarks.map((b) => b.name),
    seeds: config.seeds,
    lossCurves,
    plans,
    stages: stages.timings,
    students: students.map((s) => ({
      loss: s.loss,
      seed: s.seed,
      settings: { ...s.settings.tuned },
      training: s.stats,
    })),
    meta: {
      configHash: hashOf(config),
      profile: config.profile,
      tuned: config.tuned ?? null,
      teacherHash: prep.teacher.hash,
      students: students.map((s) => ({
        loss: s.loss,
        seed: s.seed,
        hash: s.hash,
        settings: s.settings.tuned,
        training: s.stats,
      })),
      bitextPairs: prep.bitextPairs,
      teacherPairs: prep.teacherPairs,
      totalSeconds: seconds,
      evaluation: config.evaluation,
      workers: config.workers,
      threads: config.threads,
      node: process.version,
      // timings depend on it (src/engine/malloc-env.ts); results do not
      glibcTunables: process.env.GLIBC_TUNABLES ?? null,
    },
  });
  log(
    `[report] ${report.html}\n[report] ${report.markdown}\n[report] ${report.json}\n[done] ${(seconds / 60).toFixed(1)} min`,
  );
  return { outDir: out, report, seconds };
}
