/**
 * Opening what `xlir serve` serves: one index, the query models that search it (a teacher, its
 * students, BM25), the corpus, and the encoder that built the index (for explanations); either
 * from explicit folders or from an experiment's output folder (DIR/config.json,
 * DIR/stages/teacher|student-*, DIR/indexes/<benchmark>). Everything here is chosen at start-up by
 * the operator; requests only ever pick among the names loaded here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { XlirError } from "../errors.js";
import { parseExperimentConfig } from "../experiment/config.js";
import { Bm25Index } from "../index/bm25.js";
import { maxSequenceLength } from "../models/config.js";
import { loadHfFolder } from "../models/hf.js";
import { OnnxEncoder } from "../models/onnx-encoder.js";
import { indexKindOf, Searcher, type IndexSummary } from "../search/searcher.js";
import {
  bm25Model,
  CorpusStore,
  searcherModel,
  vectorModel,
  type ModelRole,
  type ServedModel,
} from "./catalog.js";
import { QueryEncoderRouter } from "./router.js";

export interface ModelSpec {
  name: string;
  dir: string;
  role?: ModelRole;
}

export interface ServeSetupOptions {
  index: string;
  models: ModelSpec[];
  corpus?: string;
  corpusFields?: { id?: string; title?: string; text?: string };
  /** Also serve BM25 built in memory from the corpus (English analyser unless named), as model "bm25". */
  bm25?: boolean;
  bm25Analyzer?: string;
  /** Longest query in tokens (default: each model's own limit, at most 512). */
  queryMaxLength?: number;
  /** Longest document in tokens for explanations (default: the index's recorded maxLength). */
  docMaxLength?: number;
  threads?: number;
  /** Model selected when a request names none (default: the first student, else the first model). */
  defaultModel?: string;
  /** OT plans' epsilon for explanations. */
  epsilon?: number;
}

export interface ServeSetup {
  index: IndexSummary;
  models: ServedModel[];
  defaultModel: string;
  corpus: CorpusStore | null;
  docEncoder: OnnxEncoder | null;
  epsilon?: number;
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;

/**
 * `NAME=DIR` or `DIR` (named after the folder) -> a model spec.
 * @example
 * ```ts
 * import { parseModelSpec, XlirError } from "xlir";
 * console.assert(JSON.stringify(parseModelSpec("ot=runs/x/model")) === JSON.stringify({ name: "ot", dir: "runs/x/model" }));
 * console.assert(parseModelSpec("runs/x/student-eu/").name === "student-eu");
 * try {
 *   parseModelSpec("runs/x/ bad name");
 *   console.assert(false, "a name with a space was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "USAGE");
 * }
 * ```
 */
export function parseModelSpec(value: string): ModelSpec {
  const eq = value.indexOf("=");
  if (eq > 0 && NAME.test(value.slice(0, eq))) return { name: value.slice(0, eq), dir: value.slice(eq + 1) };
  const name = basename(value.replace(/\/+$/, ""));
  if (!NAME.test(name))
    throw new XlirError("USAGE", `--model ${value}: name the model with NAME=DIR (letters, digits, _ . + -)`);
  return { name, dir: value };
}

async function manifestMaxLength(indexDir: string): Promise<number | undefined> {
  try {
    const m = JSON.parse(await readFile(join(indexDir, "manifest.json"), "utf8")) as {
      buildParams?: { maxLength?: unknown };
    };
    const v = m.buildParams?.maxLength;
    return typeof v === "number" && Number.isInteger(v) && v > 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The encoder hash and dimension recorded in the index manifest (Searcher.open checks the rest). */
async function manifestEncoder(indexDir: string): Promise<{ encoderHash: string; dim: number }> {
  const f = join(indexDir, "manifest.json");
  try {
    const m = JSON.parse(await readFile(f, "utf8")) as { encoderHash?: unknown; dim?: unknown };
    if (typeof m.encoderHash !== "string" || typeof m.dim !== "number")
      throw new Error("no encoderHash or dim");
    return { encoderHash: m.encoderHash, dim: m.dim };
  } catch (err) {
    throw new XlirError("CORRUPT", `${f}: ${(err as Error).message}`);
  }
}

/**
 * Opens index, models, corpus and the document encoder.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { buildVectorIndex, OnnxEncoder, openServeSetup, writeCorpusJsonl } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const docs = [
 *   { id: "d1", title: "Fox", text: "the quick brown fox" },
 *   { id: "d2", title: "World", text: "hello world" },
 * ];
 * await writeCorpusJsonl(join(dir, "corpus.jsonl"), docs);
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * await buildVectorIndex({ kind: "multi-exact", out: join(dir, "idx"), encoder: enc, docs });
 * await enc.dispose();
 * const setup = await openServeSetup({
 *   index: join(dir, "idx"),
 *   models: [{ name: "teacher", dir: "test/fixtures/tiny-bert" }],
 *   corpus: join(dir, "corpus.jsonl"),
 *   bm25: true,
 * });
 * // the model that built the index is the teacher (and, with its colbert head, the document encoder)
 * console.assert(setup.models.map((m) => `${m.name}:${m.role}`).join(" ") === "teacher:teacher bm25:bm25");
 * console.assert(setup.defaultModel === "teacher" && setup.docEncoder !== null && setup.corpus?.size === 2);
 * const run = await setup.models[1].search([{ qid: "q", text: "hello" }], 1);
 * console.assert(run.get("q")?.[0].docno === "d2");
 * await setup.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function openServeSetup(o: ServeSetupOptions): Promise<ServeSetup> {
  const kind = await indexKindOf(o.index);
  const encoders: OnnxEncoder[] = [];
  const closers: Array<() => void> = [];
  const close = async (): Promise<void> => {
    for (const c of closers) c();
    for (const e of encoders) await e.dispose();
  };
  try {
    const corpus = o.corpus ? await CorpusStore.fromFile(o.corpus, o.corpusFields) : null;
    const models: ServedModel[] = [];
    let index: IndexSummary;
    let docEncoder: OnnxEncoder | null = null;
    if (kind === "bm25") {
      if (o.models.length)
        throw new XlirError("USAGE", `index ${o.index} is a BM25 index: it takes no --model`);
      const searcher = await Searcher.open(o.index, null);
      closers.push(() => searcher.close());
      index = searcher.summary;
      models.push(searcherModel("bm25", "bm25", searcher));
    } else {
      if (o.models.length === 0)
        throw new XlirError(
          "USAGE",
          `index ${o.index} is a ${kind} vector index: give the query encoder with --model DIR`,
        );
      const first = await loadHfFolder(o.models[0].dir);
      const { encoderHash, dim } = await manifestEncoder(o.index);
      const router = new QueryEncoderRouter(encoderHash, dim, o.index);
      const searcher = await Searcher.open(o.index, router, { modelName: "the query models" });
      closers.push(() => searcher.close());
      index = searcher.summary;
      const docLength = o.docMaxLength ?? (await manifestMaxLength(o.index));
      for (const [i, spec] of o.models.entries()) {
        const hf = i === 0 ? first : await loadHfFolder(spec.dir);
        const limit = maxSequenceLength(hf.config);
        const encoder = await OnnxEncoder.fromModel(hf, {
          threads: o.threads,
          maxLength: Math.min(limit, o.queryMaxLength ?? 512),
        });
        encoders.push(encoder);
        const isTeacher = hf.hash === index.encoderHash;
        models.push(
          vectorModel({
            name: spec.name,
            role: spec.role ?? (isTeacher ? "teacher" : hf.indexHash ? "student" : "model"),
            searcher,
            router,
            encoder,
          }),
        );
        if (isTeacher && !docEncoder && hf.head?.kind === "colbert") {
          docEncoder = await OnnxEncoder.fromModel(hf, {
            threads: o.threads,
            maxLength: Math.min(limit, docLength ?? 512),
          });
          encoders.push(docEncoder);
        }
      }
    }
    if (o.bm25) {
      if (!corpus) throw new XlirError("USAGE", "--bm25 builds BM25 from the corpus: give --corpus FILE");
      if (models.some((m) => m.name === "bm25"))
        throw new XlirError("USAGE", "a model is already named 'bm25'");
      models.push(bm25Model("bm25", Bm25Index.build(corpus.all(), { analyzer: o.bm25Analyzer ?? "en" })));
    }
    const names = new Set<string>();
    for (const m of models) {
      if (names.has(m.name))
        throw new XlirError("USAGE", `two models are named '${m.name}': name them with --model NAME=DIR`);
      names.add(m.name);
    }
    if (corpus && corpus.size !== index.docCount && kind !== "bm25") {
      process.stderr.write(
        `xlir serve: warning: the corpus holds ${corpus.size} documents, the index ${index.docCount}\n`,
      );
    }
    const defaultModel = o.defaultModel ?? (models.find((m) => m.role === "student") ?? models[0]).name;
    if (!names.has(defaultModel))
      throw new XlirError("USAGE", `--default-model ${defaultModel} is not one of ${[...names].join(", ")}`);
    return { index, models, defaultModel, corpus, docEncoder, epsilon: o.epsilon, close };
  } catch (err) {
    await close();
    throw err;
  }
}

interface StageJson {
  done?: boolean;
  result?: { dir?: unknown };
}

function readStage(dir: string): StageJson | null {
  const f = join(dir, "stage.json");
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, "utf8")) as StageJson;
  } catch (err) {
    throw new XlirError("CORRUPT", `${f}: ${(err as Error).message}`);
  }
}

/** The model folder of a finished stage: DIR/stages/<name>/model, else the folder its record names (a user's teacher). */
function stageModel(stageDir: string): string | null {
  const rec = readStage(stageDir);
  if (!rec?.done) return null;
  const own = join(stageDir, "model");
  if (existsSync(join(own, "config.json"))) return own;
  return typeof rec.result?.dir === "string" && existsSync(rec.result.dir) ? rec.result.dir : null;
}

/**
 * Serve options from an experiment's output folder: the index of `benchmark` (default "help", or
 * the only one), the teacher and every finished student (named by loss, `loss.seedN` when there are
 * several seeds), BM25 over the benchmark's corpus, the experiment's query/document lengths and
 * OT epsilon. The corpus path comes from DIR/config.json (relative paths are relative to where the
 * experiment ran) unless `corpus` is given.
 * @example
 * ```ts
 * import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { buildVectorIndex, experimentServeOptions, OnnxEncoder, parseExperimentConfig, writeCorpusJsonl, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const docs = [{ id: "d1", title: "Fox", text: "the quick brown fox" }];
 * await writeCorpusJsonl(join(dir, "corpus.jsonl"), docs);
 * // an experiment folder as `xlir experiment` leaves it: config, the teacher's stage, the benchmark's index
 * const exp = join(dir, "exp");
 * const benchmark = { name: "toy", corpus: join(dir, "corpus.jsonl"), languages: [{ language: "eu", queries: "q.tsv", qrels: "qrels.txt" }] };
 * const config = parseExperimentConfig({ data: { builtin: false, benchmarks: [benchmark] }, students: { losses: ["ot"] } });
 * mkdirSync(join(exp, "stages", "teacher"), { recursive: true });
 * writeFileSync(join(exp, "config.json"), JSON.stringify(config));
 * writeFileSync(join(exp, "stages", "teacher", "stage.json"), JSON.stringify({ done: true, result: { dir: "test/fixtures/tiny-bert" } }));
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * await buildVectorIndex({ kind: "multi-exact", out: join(exp, "stages", "index-toy", "index"), encoder: enc, docs });
 * await enc.dispose();
 * const o = experimentServeOptions(exp);
 * console.assert(o.index === join(exp, "stages", "index-toy", "index") && o.corpus === join(dir, "corpus.jsonl"));
 * console.assert(o.models.length === 1 && o.models[0].name === "teacher" && o.bm25 === true && o.epsilon === 0.02);
 * try {
 *   experimentServeOptions(exp, { benchmark: "help" });
 *   console.assert(false, "a benchmark without an index was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "NOT_FOUND");
 * }
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function experimentServeOptions(
  dir: string,
  o: { benchmark?: string; corpus?: string } = {},
): ServeSetupOptions {
  const configPath = join(dir, "config.json");
  if (!existsSync(configPath))
    throw new XlirError("NOT_FOUND", `${dir}: not an experiment output folder (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (err) {
    throw new XlirError("CORRUPT", `${configPath}: ${(err as Error).message}`);
  }
  const config = parseExperimentConfig(raw, configPath);
  // the teacher's index of each xx-en collection: DIR/stages/index-<benchmark>/index (older runs: DIR/indexes/<benchmark>)
  const stageRoot = join(dir, "stages");
  const indexOf = new Map<string, string>();
  for (const s of existsSync(stageRoot) ? readdirSync(stageRoot) : []) {
    const m = /^index-([^/]+)$/.exec(s);
    if (m && !/-english$/.test(m[1]) && existsSync(join(stageRoot, s, "index", "manifest.json")))
      indexOf.set(m[1], join(stageRoot, s, "index"));
  }
  const legacy = join(dir, "indexes");
  for (const b of existsSync(legacy) ? readdirSync(legacy) : []) {
    if (!indexOf.has(b) && existsSync(join(legacy, b, "manifest.json"))) indexOf.set(b, join(legacy, b));
  }
  const benches = [...indexOf.keys()].sort();
  if (benches.length === 0)
    throw new XlirError(
      "NOT_FOUND",
      `${dir}: no teacher index under stages/index-<benchmark>/ (has the experiment's index stage run?)`,
    );
  const bench =
    o.benchmark ?? (benches.includes("help") ? "help" : benches.length === 1 ? benches[0] : undefined);
  if (!bench)
    throw new XlirError("USAGE", `${dir} has indexes of ${benches.join(", ")}: choose one with --benchmark`);
  if (!benches.includes(bench))
    throw new XlirError(
      "NOT_FOUND",
      `${dir} has no index of benchmark '${bench}' (it has ${benches.join(", ")})`,
    );

  const user = config.data.benchmarks.find((b) => b.name === bench);
  const corpus = o.corpus ?? (user ? user.corpus : join(config.data.dir, bench, "corpus.jsonl"));
  if (!existsSync(corpus)) {
    throw new XlirError(
      "NOT_FOUND",
      `corpus ${corpus} of benchmark '${bench}' not found (paths in ${configPath} are relative to where the experiment ran): give --corpus FILE`,
    );
  }
  const corpusFields = user
    ? { id: user.idField, title: user.titleField, text: user.textField }
    : { id: "id", title: "title", text: "text" };

  const stagesDir = join(dir, "stages");
  const teacher = stageModel(join(stagesDir, "teacher"));
  if (!teacher)
    throw new XlirError("NOT_FOUND", `${dir}: no finished teacher stage (stages/teacher/stage.json)`);
  const models: ModelSpec[] = [{ name: "teacher", dir: teacher, role: "teacher" }];
  const students = (existsSync(stagesDir) ? readdirSync(stagesDir) : [])
    .map((s) => /^student-(.+)-seed(\d+)$/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      stage: m[0],
      loss: m[1].replace(/_/g, "+"),
      seed: Number(m[2]),
      dir: stageModel(join(stagesDir, m[0])),
    }))
    .filter((s): s is typeof s & { dir: string } => s.dir !== null);
  const order = config.students.losses as string[];
  students.sort((a, b) => order.indexOf(a.loss) - order.indexOf(b.loss) || a.seed - b.seed);
  const seeds = new Set(students.map((s) => s.seed));
  for (const s of students)
    models.push({ name: seeds.size > 1 ? `${s.loss}.seed${s.seed}` : s.loss, dir: s.dir, role: "student" });
  return {
    index: indexOf.get(bench) as string,
    models,
    corpus,
    corpusFields,
    bm25: true,
    queryMaxLength: config.search.queryMaxLength,
    docMaxLength: config.teacher.maxDocLength,
    epsilon: config.students.ot.epsilon,
  };
}
