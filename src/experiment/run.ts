/**
 * `xlir experiment`: the OT-versus-contrastive comparison end to end, in stages cached by the hash
 * of their inputs (see stages.ts): data -> tokenizer -> teacher -> students -> search -> report.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { readAllBitext, readBitextMoses, readBitextTmx, readBitextTsv, type BitextPair } from "../data/bitext.js";
import { buildBenchmark } from "../data/build.js";
import { writeFileAtomic } from "../data/io.js";
import { readBenchmarkManifest } from "../data/manifest.js";
import { XlirError } from "../errors.js";
import { isTorchAvailable, setThreads } from "../engine/index.js";
import { loadHfFolder } from "../models/hf.js";
import type { TokenVectors } from "../models/types.js";
import { writeReport } from "../report/write.js";
import type { ReportLossCurve } from "../report/types.js";
import type { DistillPair } from "../train/distill.js";
import { epochPermutation } from "../train/prng.js";
import { loadBenchmarks } from "./benchmarks.js";
import { hashOf, type ExperimentConfig } from "./config.js";
import { encodeTeacherEnglish, readTeacherPairs, studentStage, teacherStage, trainTokenizer, type TrainedModel } from "./models.js";
import { samplePlans } from "./plans.js";
import { Progress } from "./progress.js";
import { evaluateExperiment } from "./results.js";
import { StageRunner, type Logger } from "./stages.js";
import { searchAllSystems, type RunRecord, type StudentModel } from "./systems.js";

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

/** Version of the stage recipes: bump to invalidate caches when a stage's code changes meaningfully. */
const RECIPE = 1;

async function readBitextFile(file: string, lang: string): Promise<BitextPair[]> {
  if (file.includes(",")) {
    const [f, e] = file.split(",");
    return readAllBitext(readBitextMoses(f, e));
  }
  if (/\.tmx(\.gz)?$/.test(file)) return readAllBitext(readBitextTmx(file, { foreignLang: lang }));
  return readAllBitext(readBitextTsv(file));
}

/** Training bitext of every language: built-in files plus the user's, capped per language (seeded sample). */
async function loadBitext(config: ExperimentConfig): Promise<{ language: string; foreign: string; english: string }[]> {
  const files = new Map<string, string[]>();
  const dir = join(config.data.dir, "bitext");
  if (config.data.builtin && existsSync(dir)) {
    const wanted = new Set([...config.data.helpLanguages, ...config.data.udhrLanguages]);
    for (const f of readdirSync(dir).sort()) {
      const lang = f.replace(/\.tsv$/, "");
      if (wanted.has(lang)) files.set(lang, [join(dir, f)]);
    }
  }
  for (const [lang, list] of Object.entries(config.data.bitext)) files.set(lang, [...(files.get(lang) ?? []), ...list]);
  const out: { language: string; foreign: string; english: string }[] = [];
  for (const [language, list] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pairs: BitextPair[] = [];
    for (const f of list) pairs.push(...(await readBitextFile(f, language)));
    const cap = config.data.maxPairsPerLanguage;
    const keep = pairs.length <= cap ? pairs : Array.from(epochPermutation(config.seeds[0], 0, pairs.length).subarray(0, cap)).sort((a, b) => a - b).map((i) => pairs[i]);
    for (const p of keep) if (p.foreign.trim() && p.english.trim()) out.push({ language, foreign: p.foreign, english: p.english });
  }
  return out;
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

/** Runs (or resumes) the whole experiment; see the file comment. */
export async function runExperiment(config: ExperimentConfig, opts: ExperimentOptions): Promise<ExperimentSummary> {
  const started = performance.now();
  const log = opts.log;
  const out = resolve(opts.outDir);
  mkdirSync(out, { recursive: true });
  await writeFileAtomic(join(out, "config.json"), JSON.stringify(config, null, 2) + "\n");
  const stages = new StageRunner(out, log);
  const seed0 = config.seeds[0];
  if (!isTorchAvailable()) {
    throw new XlirError("NATIVE_MISSING", "training needs the libtorch binding: run `bash scripts/setup.sh` (apt-get install libtorch-dev, then npm run build:native)");
  }
  setThreads({ torch: config.threads });

  // 1. data
  let dataHash = "none";
  if (config.data.builtin) {
    const d = config.data;
    dataHash = await stages.run("data", hashOf(RECIPE, d.dir, d.helpLanguages, d.udhrLanguages), async () => {
      let files: Record<string, { sha256: string }>;
      if (existsSync(join(d.dir, "manifest.json"))) {
        log(`[data] using the benchmark already built in ${d.dir}`);
        files = (await readBenchmarkManifest(d.dir)).files;
      } else {
        let bar: Progress | null = null;
        let label = "";
        const manifest = await buildBenchmark({
          out: d.dir,
          langs: [...new Set([...d.helpLanguages, ...d.udhrLanguages])],
          cacheDir: d.packageCache,
          onProgress: (p) => {
            if (p.stage !== label) {
              bar?.done();
              label = p.stage;
              bar = new Progress(`data ${p.stage}`, p.total, log);
            }
            bar?.update(p.done, p.detail ?? "");
          },
        });
        (bar as Progress | null)?.done();
        files = manifest.files;
      }
      return hashOf(Object.entries(files).map(([f, v]) => [f, v.sha256]));
    });
  }
  const benchmarks = await loadBenchmarks(config);
  const bitext = await loadBitext(config);
  const teacherPairs = config.data.builtin ? await readTeacherPairs(join(config.data.dir, "teacher", "train.tsv")) : [];
  log(`[data] ${bitext.length} bitext pairs, ${teacherPairs.length} teacher pairs, benchmarks: ${benchmarks.map((b) => `${b.name} (${b.tasks.map((t) => `${t.language}:${t.queries.length}`).join(" ")})`).join("; ")}`);
  const bitextHash = hashOf(dataHash, config.data.bitext, config.data.maxPairsPerLanguage, seed0, bitext.length);

  // 2. tokenizer (the teacher's own when the user brings one)
  const tokenizerPath = config.teacher.model
    ? join(config.teacher.model, "tokenizer.json")
    : await stages.run("tokenizer", hashOf(RECIPE, bitextHash, config.tokenizer, seed0), async (dir) => {
        const texts: string[] = [];
        for (const p of bitext) texts.push(p.foreign, p.english);
        for (const p of teacherPairs) texts.push(p.query, p.document);
        return trainTokenizer(config, texts, dir);
      });

  // 3. teacher
  if (!config.teacher.model && teacherPairs.length === 0) {
    throw new XlirError("CONFIG", "no teacher: give teacher.model (a Hugging Face folder with an xlir ColBERT head) or use the built-in data");
  }
  const teacherHashInput = hashOf(RECIPE, config.teacher, config.model, tokenizerPath, dataHash, seed0);
  const teacher: TrainedModel = await stages.run("teacher", teacherHashInput, (dir) => teacherStage(config, tokenizerPath, teacherPairs, dir, log));
  const teacherModel = await loadHfFolder(teacher.dir);

  // 4. students: same data, init, batches, steps and seed; only the loss differs
  const englishIndex = new Map<string, number>();
  const pairs: DistillPair[] = bitext.map((p) => {
    if (!englishIndex.has(p.english)) englishIndex.set(p.english, englishIndex.size);
    return { foreign: p.foreign, english: p.english, englishIndex: englishIndex.get(p.english) as number };
  });
  let english: TokenVectors | null = null;
  const teacherEnglish = async (): Promise<TokenVectors> =>
    (english ??= await encodeTeacherEnglish(teacher.dir, [...englishIndex.keys()], config.students.maxLength, log));
  const students: (StudentModel & { losses: number[] })[] = [];
  for (const seed of config.seeds) {
    for (const loss of config.students.losses) {
      const h = hashOf(RECIPE, teacher.hash, bitextHash, config.students, config.model.dropout, loss, seed);
      const r = await stages.run(`student-${loss.replace("+", "_")}-seed${seed}`, h, (dir) =>
        studentStage(config, loss, seed, teacherModel, pairs, teacherEnglish, dir, log, opts.stopStudentsAfter),
      );
      students.push({ loss, seed, dir: r.dir, hash: r.hash, losses: r.losses });
    }
  }
  english = null;

  // 5. index + search every system
  const searchHash = hashOf(RECIPE, teacher.hash, students.map((s) => s.hash), config.search, dataHash, config.data.benchmarks);
  const records = await stages.run<RunRecord[]>("search", searchHash, () =>
    searchAllSystems({ config, benchmarks, teacherDir: teacher.dir, students, outDir: out, log }),
  );

  // 6. evaluation, comparisons, 7. report
  log("[evaluate] measures, bootstrap intervals, paired tests");
  const { results, comparisons } = await evaluateExperiment(config, benchmarks, records);
  const otStudent = students.find((s) => s.loss === "ot");
  const plans = otStudent
    ? await samplePlans({ benchmarks, studentDir: otStudent.dir, teacherDir: teacher.dir, epsilon: config.students.ot.epsilon })
    : [];
  const lossCurves: ReportLossCurve[] = [];
  if (teacher.losses.length) lossCurves.push({ name: "teacher (InfoNCE)", points: downsample(teacher.losses) });
  for (const s of students) lossCurves.push({ name: `${s.loss} (seed ${s.seed})`, points: downsample(s.losses) });
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
    meta: {
      configHash: hashOf(config),
      teacherHash: teacher.hash,
      students: students.map((s) => ({ loss: s.loss, seed: s.seed, hash: s.hash })),
      bitextPairs: bitext.length,
      teacherPairs: teacherPairs.length,
      totalSeconds: seconds,
      evaluation: config.evaluation,
      node: process.version,
    },
  });
  log(`[report] ${report.html}\n[report] ${report.markdown}\n[report] ${report.json}\n[done] ${(seconds / 60).toFixed(1)} min`);
  return { outDir: out, report, seconds };
}
