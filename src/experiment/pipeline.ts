/**
 * The stages that `xlir experiment` and `xlir tune` share: data -> bitext -> tokenizer ->
 * [pretrain] -> teacher -> [adapt] -> the teacher's English encodings -> students (trained by
 * students.ts). Each is cached by the hash of everything it reads (file contents, not paths or
 * counts), so a change anywhere upstream re-runs what depends on it and nothing else.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  readAllBitext,
  readBitextMoses,
  readBitextTmx,
  readBitextTsv,
  type BitextPair,
} from "../data/bitext.js";
import { buildBenchmark } from "../data/build.js";
import { fileDigest } from "../data/io.js";
import { writeFileAtomic } from "../data/atomic.js";
import { readBenchmarkManifest } from "../data/manifest.js";
import { XlirError } from "../errors.js";
import { loadHfFolder } from "../models/hf.js";
import type { DistillPair } from "../train/distill.js";
import { serializeTokenVectors } from "../train/encode-cache.js";
import { epochPermutation } from "../train/prng.js";
import type { TeacherPair } from "../train/teacher.js";
import { codeSwitchBitext } from "./code-switch.js";
import { type ExperimentConfig } from "./config.js";
import {
  encodeTeacherEnglish,
  readTeacherPairs,
  teacherStage,
  trainTokenizer,
  type TrainedModel,
} from "./models.js";
import { adaptStage, pretrainStage } from "./pretrain-stages.js";
import { Progress } from "./progress.js";
import {
  computeStudentInputsInChild,
  pairsFileText,
  pairsTsv,
  writePairsFile,
  type InputsJob,
} from "./student-pool.js";
import { hashOf, type Logger, type StageRunner } from "./stages.js";

/** Version of the stage recipes: bump to invalidate caches when a stage's code changes meaningfully. */
export const RECIPE = 2;

async function readBitextFile(file: string, lang: string): Promise<BitextPair[]> {
  if (file.includes(",")) {
    const [f, e] = file.split(",");
    return readAllBitext(readBitextMoses(f, e));
  }
  if (/\.tmx(\.gz)?$/.test(file)) return readAllBitext(readBitextTmx(file, { foreignLang: lang }));
  return readAllBitext(readBitextTsv(file));
}

export interface BitextRow {
  language: string;
  foreign: string;
  english: string;
}

/** Training bitext of every language: built-in files plus the user's, capped per language (seeded sample). */
export async function loadBitext(config: ExperimentConfig): Promise<BitextRow[]> {
  const files = new Map<string, string[]>();
  const dir = join(config.data.dir, "bitext");
  if (config.data.builtin && existsSync(dir)) {
    const wanted = new Set([...config.data.helpLanguages, ...config.data.udhrLanguages]);
    for (const f of readdirSync(dir).sort()) {
      const lang = f.replace(/\.tsv$/, "");
      if (wanted.has(lang)) files.set(lang, [join(dir, f)]);
    }
  }
  for (const [lang, list] of Object.entries(config.data.bitext))
    files.set(lang, [...(files.get(lang) ?? []), ...list]);
  const out: BitextRow[] = [];
  for (const [language, list] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pairs: BitextPair[] = [];
    for (const f of list) pairs.push(...(await readBitextFile(f, language)));
    const cap = config.data.maxPairsPerLanguage;
    const keep =
      pairs.length <= cap
        ? pairs
        : Array.from(epochPermutation(config.seeds[0], 0, pairs.length).subarray(0, cap))
            .sort((a, b) => a - b)
            .map((i) => pairs[i]);
    for (const p of keep)
      if (p.foreign.trim() && p.english.trim())
        out.push({ language, foreign: p.foreign, english: p.english });
  }
  return out;
}

/** The languages a built-in data folder must hold for this configuration. */
function builtinLanguages(config: ExperimentConfig): string[] {
  return [...new Set([...config.data.helpLanguages, ...config.data.udhrLanguages])].sort();
}

/**
 * The data stage: builds `data.dir` unless a benchmark built by this version for (at least) the
 * languages asked for is already there; keyed by the content hashes of its files.
 */
async function dataStage(config: ExperimentConfig, stages: StageRunner, log: Logger): Promise<string> {
  const d = config.data;
  const langs = builtinLanguages(config);
  return stages.run("data", hashOf(RECIPE, d.dir, langs), async () => {
    let files: Record<string, { sha256: string }> | null = null;
    if (existsSync(join(d.dir, "manifest.json"))) {
      try {
        const m = await readBenchmarkManifest(d.dir);
        const missing = langs.filter((l) => !(l in m.languages));
        if (missing.length === 0) {
          log(`[data] using the benchmark already built in ${d.dir}`);
          files = m.files;
        } else
          log(`[data] ${d.dir} was built for other languages (missing ${missing.join(", ")}): rebuilding it`);
      } catch (err) {
        log(
          `[data] ${d.dir} holds a benchmark this version cannot use (${(err as Error).message.split("\n")[0]}): rebuilding it`,
        );
      }
    }
    if (!files) {
      let bar: Progress | null = null;
      let label = "";
      const manifest = await buildBenchmark({
        out: d.dir,
        langs,
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

/** What the model stages produce, shared by every student. */
export interface Prepared {
  dataHash: string;
  /** The students' bitext (the original with its code-switched copies, when there are). */
  bitextHash: string;
  bitextPairs: number;
  teacherPairs: number;
  teacher: TrainedModel;
  /** With `pretrain.start: "teacher"`: the teacher with MLM-adapted word embeddings, where students start. */
  studentStart?: TrainedModel;
  /** Bitext pairs in the TSV the student processes read (code-switched copies included). */
  pairsFile: string;
  /** Teacher token vectors of the distinct English sentences. */
  englishFile: string;
  /** Foreign lengths and IDF weights for students that start from the teacher (student-inputs stage). */
  inputsFile?: string;
  pairs: DistillPair[];
}

/** Data, bitext, tokenizer, teacher and the teacher's English encodings (each a cached stage). */
export async function prepareModels(
  config: ExperimentConfig,
  stages: StageRunner,
  log: Logger,
): Promise<Prepared> {
  const seed0 = config.seeds[0];
  const dataHash = config.data.builtin ? await dataStage(config, stages, log) : "none";
  const bitext = await loadBitext(config);
  const teacherPairs: TeacherPair[] = config.data.builtin
    ? await readTeacherPairs(join(config.data.dir, "teacher", "train.tsv"))
    : [];
  log(`[data] ${bitext.length} bitext pairs, ${teacherPairs.length} teacher pairs`);
  // every language a user benchmark declares needs bitext, or its students learn nothing: say so before training
  const withBitext = new Set(bitext.map((p) => p.language));
  for (const b of config.data.benchmarks) {
    const missing = b.languages.map((l) => l.language).filter((l) => !withBitext.has(l));
    if (missing.length) {
      throw new XlirError(
        "CONFIG",
        `benchmark '${b.name}': no training bitext for ${missing.join(", ")} (give data.bitext.${missing[0]}: [files], or a language of the built-in data)`,
      );
    }
  }
  const h = createHash("sha256");
  for (const p of bitext) h.update(`${p.language}\t${p.foreign}\t${p.english}\n`);
  const bitextHash = h.digest("hex").slice(0, 16);
  const t = createHash("sha256");
  for (const p of teacherPairs) t.update(`${p.query}\t${p.document}\n`);
  const teacherDataHash = t.digest("hex").slice(0, 16);

  // the students' bitext: the original with its code-switched copies (students.codeSwitch; off by
  // default). The tokenizer, the teacher and pre-training read the original only.
  const switched = await codeSwitchBitext(config, bitext, bitextHash, seed0);
  for (const [lang, c] of Object.entries(switched.perLanguage))
    log(
      `[code-switch] ${lang}: ${c.added} of ${c.pairs} pairs copied with ${c.switched} words switched to English (${c.dictionary})`,
    );
  const studentBitextHash = switched.hash;

  const englishIndex = new Map<string, number>();
  // the texts as the pairs file holds them (student processes read that file; one trained here reads these)
  const toPair = (p: BitextRow): DistillPair => {
    const foreign = pairsFileText(p.foreign);
    const english = pairsFileText(p.english);
    if (!englishIndex.has(english)) englishIndex.set(english, englishIndex.size);
    return { foreign, english, englishIndex: englishIndex.get(english) as number };
  };
  const pairs: DistillPair[] = bitext.map(toPair);
  const studentPairs: DistillPair[] = [...pairs, ...switched.copies.map(toPair)];

  // tokenizer (the teacher's own when the user brings one): keyed by its training text and settings
  let tokenizerPath: string;
  let tokenizerHash: string;
  if (config.teacher.model) {
    tokenizerPath = join(config.teacher.model, "tokenizer.json");
    tokenizerHash = await fileDigest(tokenizerPath);
  } else {
    const r = await stages.run(
      "tokenizer",
      hashOf(RECIPE, bitextHash, teacherDataHash, config.tokenizer, seed0),
      async (dir) => {
        const texts: string[] = [];
        for (const p of bitext) texts.push(p.foreign, p.english);
        for (const p of teacherPairs) texts.push(p.query, p.document);
        const path = await trainTokenizer(config, texts, dir);
        return { path, hash: await fileDigest(path) };
      },
    );
    tokenizerPath = r.path;
    tokenizerHash = r.hash;
  }

  if (!config.teacher.model && teacherPairs.length === 0) {
    throw new XlirError(
      "CONFIG",
      "no teacher: give teacher.model (a Hugging Face folder with an xlir ColBERT head) or use the built-in data",
    );
  }
  // the students' foreign lengths and IDF weights, in a child process beside the teacher's training
  const inputs =
    config.students.init === "teacher"
      ? studentInputsStage(stages, log, {
          key: hashOf(RECIPE, tokenizerHash, studentBitextHash, config.students.maxLength),
          pairs: studentPairs,
          tokenizer: tokenizerPath,
          maxLength: config.students.maxLength,
        })
      : null;
  inputs?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  if (config.pretrain.enabled && config.pretrain.start === "scratch" && config.teacher.model)
    throw new XlirError(
      "CONFIG",
      'pretrain.start "scratch" pre-trains the teacher\'s starting point, but teacher.model brings a teacher of its own: use one or the other (or pretrain.start "teacher")',
    );
  // MLM + TLM pre-training: the teacher's starting point (off by default; its key then joins the teacher's)
  const pretrained =
    config.pretrain.enabled && config.pretrain.start === "scratch"
      ? await stages.run(
          "pretrain",
          hashOf(
            RECIPE,
            config.pretrain,
            config.model,
            tokenizerHash,
            bitextHash,
            teacherDataHash,
            seed0,
            config.device,
          ),
          (dir) => pretrainStage(config, tokenizerPath, pairs, teacherPairs, dir, log),
        )
      : null;
  const teacherModelHash = config.teacher.model ? (await loadHfFolder(config.teacher.model)).hash : null;
  const teacherKey = hashOf(
    RECIPE,
    config.teacher,
    config.model,
    tokenizerHash,
    teacherModelHash,
    teacherDataHash,
    seed0,
    config.device,
    ...(pretrained ? [pretrained.hash] : []),
  );
  const teacher = await stages.run("teacher", teacherKey, (dir) =>
    teacherStage(config, tokenizerPath, teacherPairs, dir, log, pretrained?.dir),
  );

  // MLM + TLM adaptation of the teacher's word embeddings: the students' starting point
  if (config.pretrain.enabled && config.pretrain.start === "teacher" && config.students.init !== "teacher")
    throw new XlirError(
      "CONFIG",
      `pretrain.start "teacher" adapts the teacher for students that start from it, but students.init is ${config.students.init}`,
    );
  const studentStart =
    config.pretrain.enabled && config.pretrain.start === "teacher"
      ? await stages.run(
          "adapt",
          hashOf(RECIPE, config.pretrain, teacher.hash, bitextHash, teacherDataHash, seed0, config.device),
          (dir) => adaptStage(config, teacher.dir, pairs, teacherPairs, dir, log),
        )
      : undefined;

  // the bitext as the student processes read it, and the teacher's English sides encoded once
  const encoded = await stages.run(
    "teacher-english",
    hashOf(RECIPE, teacher.hash, studentBitextHash, config.students.maxLength),
    async (dir) => {
      const pairsFile = join(dir, "pairs.tsv");
      await writePairsFile(pairsFile, studentPairs);
      const tv = await encodeTeacherEnglish(
        teacher.dir,
        [...englishIndex.keys()],
        config.students.maxLength,
        log,
      );
      const englishFile = join(dir, "english.tv");
      await writeFileAtomic(englishFile, serializeTokenVectors(tv));
      return {
        pairsFile,
        englishFile,
        sentences: englishIndex.size,
        tokens: tv.offsets[tv.offsets.length - 1],
      };
    },
  );
  return {
    dataHash,
    bitextHash: studentBitextHash,
    bitextPairs: bitext.length,
    teacherPairs: teacherPairs.length,
    teacher,
    studentStart,
    pairsFile: encoded.pairsFile,
    englishFile: encoded.englishFile,
    inputsFile: inputs ? (await inputs).file : undefined,
    pairs: studentPairs,
  };
}

/**
 * The `student-inputs` stage: what every student computes from the bitext before its first step
 * (src/train/student-inputs.ts), computed once in a child process. The child is started before
 * this returns (the stage runner calls its function at once), so it runs beside the teacher's
 * training, which keeps this process busy.
 */
function studentInputsStage(
  stages: StageRunner,
  log: Logger,
  o: {
    key: string;
    pairs: readonly DistillPair[];
    tokenizer: string;
    maxLength: number;
  },
): Promise<{ file: string; seconds: number }> {
  return stages.run(
    "student-inputs",
    o.key,
    (dir) => {
      mkdirSync(dir, { recursive: true });
      // written synchronously: the child must start before the teacher's training takes this process
      const writeSync = (file: string, text: string): void => {
        writeFileSync(`${file}.tmp`, text);
        renameSync(`${file}.tmp`, file);
      };
      // the pairs exactly as the student processes read them (pairs.tsv of teacher-english, written later)
      const pairsFile = join(dir, "pairs.tsv");
      writeSync(pairsFile, pairsTsv(o.pairs));
      const job: InputsJob = {
        pairsFile,
        tokenizer: o.tokenizer,
        maxLength: o.maxLength,
        out: join(dir, "inputs.bin"),
      };
      const jobFile = join(dir, "job.json");
      writeSync(jobFile, JSON.stringify(job));
      return computeStudentInputsInChild(jobFile, log).then((r) => ({ file: job.out, seconds: r.seconds }));
    },
    {
      // the child's own time: this process, busy training the teacher, takes the result late
      seconds: (r) => r.seconds,
    },
  );
}
