/**
 * The benchmarks an experiment evaluates: the built-in ones (help pages, UDHR) found in the data
 * folder, and the user's own (corpus + per-language queries and qrels) from the configuration.
 */
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readAllQueries, type QueryRecord } from "../data/corpus.js";
import { XlirError } from "../errors.js";
import { readQrels } from "../eval/qrels.js";
import type { Qrels } from "../eval/types.js";
import type { ExperimentConfig } from "./config.js";

export type QueryText = QueryRecord;

/** One language of one benchmark, loaded. */
export interface LanguageTask {
  benchmark: string;
  language: string;
  queries: QueryText[];
  /** English originals (the teacher-english ceiling), when known. */
  englishQueries: QueryText[] | null;
  qrels: Qrels;
  dictionary: string | null;
  translator: string[] | null;
}

export interface BenchmarkDef {
  name: string;
  corpus: string;
  fields: { id: string; title: string; text: string };
  tasks: LanguageTask[];
}

/** Offline MT commands known to work here, by source language. */
const BUILTIN_TRANSLATORS: Record<string, string[]> = { eu: ["apertium", "eu-en"] };

function translatorFor(lang: string): string[] | null {
  const cmd = BUILTIN_TRANSLATORS[lang];
  if (!cmd) return null;
  const probe = spawnSync(cmd[0], [...cmd.slice(1)], { input: "test\n", encoding: "utf8", timeout: 30_000 });
  return probe.status === 0 ? cmd : null;
}

async function readQueries(path: string): Promise<QueryText[]> {
  return readAllQueries(path);
}

async function builtinTasks(dataDir: string, benchmark: "help" | "udhr", languages: readonly string[]): Promise<LanguageTask[]> {
  const root = join(dataDir, benchmark);
  const available = new Set(existsSync(root) ? readdirSync(root) : []);
  const tasks: LanguageTask[] = [];
  for (const language of languages) {
    if (!available.has(language)) continue;
    const dir = join(root, language);
    const en = join(dir, "queries.en.tsv");
    const dict = join(dataDir, "dict", `${language}.tsv`);
    tasks.push({
      benchmark,
      language,
      queries: await readQueries(join(dir, "queries.tsv")),
      englishQueries: existsSync(en) ? await readQueries(en) : null,
      qrels: await readQrels(join(dir, "qrels.txt")),
      dictionary: existsSync(dict) ? dict : null,
      translator: translatorFor(language),
    });
  }
  return tasks;
}

/** Loads every benchmark the configuration asks for (built-in data must already be built). */
export async function loadBenchmarks(config: ExperimentConfig): Promise<BenchmarkDef[]> {
  const out: BenchmarkDef[] = [];
  const fields = { id: "id", title: "title", text: "text" };
  if (config.data.builtin) {
    const dir = config.data.dir;
    const help = await builtinTasks(dir, "help", config.data.helpLanguages);
    if (help.length) out.push({ name: "help", corpus: join(dir, "help", "corpus.jsonl"), fields, tasks: help });
    const udhr = await builtinTasks(dir, "udhr", config.data.udhrLanguages);
    if (udhr.length) out.push({ name: "udhr", corpus: join(dir, "udhr", "corpus.jsonl"), fields, tasks: udhr });
  }
  for (const b of config.data.benchmarks) {
    if (!existsSync(b.corpus)) throw new XlirError("NOT_FOUND", `benchmark '${b.name}': corpus ${b.corpus} not found`);
    const tasks: LanguageTask[] = [];
    for (const l of b.languages) {
      tasks.push({
        benchmark: b.name,
        language: l.language,
        queries: await readQueries(l.queries),
        englishQueries: l.englishQueries ? await readQueries(l.englishQueries) : null,
        qrels: await readQrels(l.qrels),
        dictionary: l.dictionary ?? null,
        translator: l.translator ?? null,
      });
    }
    out.push({ name: b.name, corpus: b.corpus, fields: { id: b.idField, title: b.titleField, text: b.textField }, tasks });
  }
  if (out.length === 0) throw new XlirError("CONFIG", "no benchmark to evaluate: enable data.builtin or list data.benchmarks");
  return out;
}
