/**
 * The benchmarks an experiment evaluates: the built-in ones (help pages in both directions, UDHR)
 * found in the data folder, and the user's own (corpus + per-language queries and qrels) from the
 * configuration, for one split at a time.
 *
 * Splits: `dev` serves tuning (`xlir tune`), `test` the reported run. Loading the dev split never
 * opens a test file; while `forbidTestSplit()` is in force (the tuner sets it) asking for the test
 * split at all is an error, so code that tunes cannot read test judgments.
 *
 * Directions: `xx-en` is a foreign query over English documents (the student encodes the query,
 * the teacher the index); `en-xx` is an English query over foreign documents (the student encodes
 * the documents, the teacher the query).
 */
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readAllQueries, type QueryRecord } from "../data/corpus.js";
import { readLines } from "../data/io.js";
import { ISO639_3 } from "../data/languages.js";
import { readAllTopics, topicText, type TopicField } from "../data/topics.js";
import { XlirError } from "../errors.js";
import { readQrels } from "../eval/qrels.js";
import type { Qrels } from "../eval/types.js";
import type { ExperimentConfig } from "./config.js";

export type QueryText = QueryRecord;
export type Split = "dev" | "test";
export type Direction = "xx-en" | "en-xx";

/** One language of one benchmark, loaded for one split. */
export interface LanguageTask {
  benchmark: string;
  language: string;
  direction: Direction;
  split: Split;
  /** The collection searched (English for xx-en; the language's own documents for en-xx). */
  corpus: string;
  queries: QueryText[];
  /** English originals (the teacher-english ceiling of xx-en), when known. */
  englishQueries: QueryText[] | null;
  /** For en-xx: the English versions of the foreign documents (the ceiling), when known. */
  englishCorpus: string | null;
  qrels: Qrels;
  /** xx-en: foreign->English word dictionary; en-xx: English->foreign. */
  dictionary: string | null;
  /** xx-en: the query translator (foreign->English); en-xx: the document translator (foreign->English). */
  translator: string[] | null;
  /** The teacher-english row is an identity check rather than a ceiling (UDHR: the English query is the document). */
  ceilingIsIdentity: boolean;
}

export interface BenchmarkDef {
  name: string;
  direction: Direction;
  fields: { id: string; title: string; text: string };
  tasks: LanguageTask[];
}

/**
 * Reads a query file of a user benchmark: TREC topics (`<top>` blocks) and NeuCLIR JSONL topics
 * (`topic_id`), taking the entry of `lang` and the `field` asked for; anything else as queries
 * (TSV `qid<TAB>text` or JSONL `{qid|query_id|_id, text|query}`).
 */
export async function readQueryFile(file: string, lang: string, field: TopicField): Promise<QueryText[]> {
  let first = "";
  for await (const { text } of readLines(file)) {
    if (text.trim() !== "") {
      first = text;
      break;
    }
  }
  const isTopics = /^\s*<top>/i.test(first) || (/^\s*\{/.test(first) && /"topic_id"\s*:/.test(first));
  if (!isTopics) return readAllQueries(file);
  const topics = await readAllTopics(file, { lang: lang === "en" ? "eng" : (ISO639_3[lang] ?? lang) });
  return topics.map((t) => ({ qid: t.qid, text: topicText(t, field) }));
}

/** Offline MT commands known to work here, by source language. */
const BUILTIN_TRANSLATORS: Record<string, string[]> = { eu: ["apertium", "eu-en"] };

/** The built-in translator of `lang` when its command runs on this machine. */
export function builtinTranslator(lang: string): string[] | null {
  const cmd = BUILTIN_TRANSLATORS[lang];
  if (!cmd) return null;
  const probe = spawnSync(cmd[0], [...cmd.slice(1)], { input: "test\n", encoding: "utf8", timeout: 30_000 });
  return probe.status === 0 ? cmd : null;
}

let testForbidden: string | null = null;

/** From now on, any request for the test split fails (the tuner calls this before it reads anything). */
export function forbidTestSplit(reason: string): void {
  testForbidden = reason;
}

/** Lifts `forbidTestSplit` (tests only). */
export function allowTestSplit(): void {
  testForbidden = null;
}

function guardSplit(split: Split): void {
  if (split === "test" && testForbidden !== null) {
    throw new XlirError(
      "INTERNAL",
      `the test split was requested while it is forbidden (${testForbidden}): code that tunes must never read test judgments`,
    );
  }
}

const FIELDS = { id: "id", title: "title", text: "text" };

async function helpTasks(
  dataDir: string,
  languages: readonly string[],
  split: Split,
): Promise<LanguageTask[]> {
  const tasks: LanguageTask[] = [];
  for (const language of languages) {
    const dir = join(dataDir, "help", language, split);
    if (!existsSync(join(dir, "queries.tsv"))) continue;
    const dict = join(dataDir, "dict", `${language}.tsv`);
    tasks.push({
      benchmark: "help",
      language,
      direction: "xx-en",
      split,
      corpus: join(dataDir, "help", "corpus.jsonl"),
      queries: await readAllQueries(join(dir, "queries.tsv")),
      englishQueries: existsSync(join(dir, "queries.en.tsv"))
        ? await readAllQueries(join(dir, "queries.en.tsv"))
        : null,
      englishCorpus: null,
      qrels: await readQrels(join(dir, "qrels.txt")),
      dictionary: existsSync(dict) ? dict : null,
      translator: builtinTranslator(language),
      ceilingIsIdentity: false,
    });
  }
  return tasks;
}

async function helpRevTasks(
  dataDir: string,
  languages: readonly string[],
  split: Split,
): Promise<LanguageTask[]> {
  const tasks: LanguageTask[] = [];
  for (const language of languages) {
    const root = join(dataDir, "help-rev", language);
    const dir = join(root, split);
    if (!existsSync(join(dir, "queries.tsv"))) continue;
    const dict = join(dataDir, "dict-rev", `${language}.tsv`);
    tasks.push({
      benchmark: "help-rev",
      language,
      direction: "en-xx",
      split,
      corpus: join(root, "corpus.jsonl"),
      queries: await readAllQueries(join(dir, "queries.tsv")),
      englishQueries: null,
      englishCorpus: join(dataDir, "help", "corpus.jsonl"),
      qrels: await readQrels(join(dir, "qrels.txt")),
      dictionary: existsSync(dict) ? dict : null,
      translator: builtinTranslator(language),
      ceilingIsIdentity: false,
    });
  }
  return tasks;
}

async function udhrTasks(dataDir: string, languages: readonly string[]): Promise<LanguageTask[]> {
  const root = join(dataDir, "udhr");
  const available = new Set(existsSync(root) ? readdirSync(root) : []);
  const tasks: LanguageTask[] = [];
  for (const language of languages) {
    if (!available.has(language)) continue;
    const dir = join(root, language);
    const en = join(dir, "queries.en.tsv");
    const dict = join(dataDir, "dict", `${language}.tsv`);
    tasks.push({
      benchmark: "udhr",
      language,
      direction: "xx-en",
      split: "test",
      corpus: join(root, "corpus.jsonl"),
      queries: await readAllQueries(join(dir, "queries.tsv")),
      englishQueries: existsSync(en) ? await readAllQueries(en) : null,
      englishCorpus: null,
      qrels: await readQrels(join(dir, "qrels.txt")),
      dictionary: existsSync(dict) ? dict : null,
      translator: builtinTranslator(language),
      ceilingIsIdentity: true,
    });
  }
  return tasks;
}

/**
 * Loads every benchmark the configuration asks for, for one split (built-in data must already be
 * built). `directions` limits the directions loaded (default: the configuration's).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { loadBenchmarks, parseExperimentConfig, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "corpus.jsonl"), JSON.stringify({ id: "d1", title: "Hello", text: "hello world" }) + "\n");
 * writeFileSync(join(dir, "queries.tsv"), "q1\tkaixo mundua\nq2\tetxea\n");
 * writeFileSync(join(dir, "qrels.txt"), "q1 0 d1 1\n");
 * const languages = [{ language: "eu", queries: join(dir, "queries.tsv"), qrels: join(dir, "qrels.txt") }];
 * const config = parseExperimentConfig({ data: { builtin: false, benchmarks: [{ name: "toy", corpus: join(dir, "corpus.jsonl"), languages }] } });
 * const [toy] = await loadBenchmarks(config, "test");
 * const task = toy.tasks[0];
 * console.assert(toy.name === "toy" && toy.direction === "xx-en" && toy.tasks.length === 1);
 * console.assert(task.queries.map((q) => q.text).join("|") === "kaixo mundua|etxea" && task.qrels.get("q1")?.get("d1") === 1);
 * // no language gives a dev split: nothing to tune on
 * const dev = await loadBenchmarks(config, "dev").catch((e: unknown) => e);
 * console.assert(dev instanceof XlirError && dev.code === "CONFIG");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function loadBenchmarks(
  config: ExperimentConfig,
  split: Split,
  directions?: readonly Direction[],
): Promise<BenchmarkDef[]> {
  guardSplit(split);
  const wanted = new Set<Direction>(directions ?? config.directions);
  const out: BenchmarkDef[] = [];
  if (config.data.builtin) {
    const dir = config.data.dir;
    if (wanted.has("xx-en")) {
      const help = await helpTasks(dir, config.data.helpLanguages, split);
      if (help.length) out.push({ name: "help", direction: "xx-en", fields: FIELDS, tasks: help });
      // UDHR has no dev split: too small to split, it is evaluated on test only and never tuned on
      if (split === "test") {
        const udhr = await udhrTasks(dir, config.data.udhrLanguages);
        if (udhr.length) out.push({ name: "udhr", direction: "xx-en", fields: FIELDS, tasks: udhr });
      }
    }
    if (wanted.has("en-xx")) {
      const rev = await helpRevTasks(dir, config.data.helpLanguages, split);
      if (rev.length) out.push({ name: "help-rev", direction: "en-xx", fields: FIELDS, tasks: rev });
    }
  }
  for (const b of config.data.benchmarks) {
    const direction = b.direction;
    if (!wanted.has(direction)) continue;
    if (!existsSync(b.corpus))
      throw new XlirError("NOT_FOUND", `benchmark '${b.name}': corpus ${b.corpus} not found`);
    const tasks: LanguageTask[] = [];
    for (const l of b.languages) {
      const files =
        split === "test" ? { queries: l.queries, qrels: l.qrels, englishQueries: l.englishQueries } : l.dev;
      if (!files) continue; // no dev split for this language: not tuned on
      const queryLang = direction === "xx-en" ? l.language : "en";
      tasks.push({
        benchmark: b.name,
        language: l.language,
        direction,
        split,
        corpus: l.corpus ?? b.corpus,
        queries: await readQueryFile(files.queries, queryLang, b.topicField),
        englishQueries: files.englishQueries
          ? await readQueryFile(files.englishQueries, "en", b.topicField)
          : null,
        englishCorpus: l.englishCorpus ?? null,
        qrels: await readQrels(files.qrels),
        dictionary: l.dictionary ?? null,
        translator: l.translator ?? null,
        ceilingIsIdentity: false,
      });
    }
    if (tasks.length)
      out.push({
        name: b.name,
        direction,
        fields: { id: b.idField, title: b.titleField, text: b.textField },
        tasks,
      });
  }
  if (out.length === 0) {
    throw new XlirError(
      "CONFIG",
      split === "dev"
        ? "no dev split to tune on: the built-in help benchmark (data.builtin) or a user benchmark language with a `dev` {queries, qrels} is needed"
        : "no benchmark to evaluate: enable data.builtin or list data.benchmarks",
    );
  }
  return out;
}
