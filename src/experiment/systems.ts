/**
 * Every system of the comparison searched on every benchmark language, written as TREC runs:
 * teacher zero-shot, dictionary / MT translation + teacher, BM25 on raw / dictionary / MT queries,
 * the students, and the teacher on the English originals (the ceiling).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readAllCorpus } from "../data/corpus.js";
import { XlirError } from "../errors.js";
import { fuseRuns } from "../eval/fusion/index.js";
import type { Run } from "../eval/types.js";
import { readRun, writeRun } from "../eval/run.js";
import { Bm25Index } from "../index/bm25.js";
import { compareHits } from "../index/topk.js";
import { maxSequenceLength } from "../models/config.js";
import { loadHfFolder } from "../models/hf.js";
import { OnnxEncoder } from "../models/onnx-encoder.js";
import { openIndex, Searcher } from "../search/searcher.js";
import { CommandTranslator } from "../search/translate/command.js";
import { DictionaryTranslator } from "../search/translate/dictionary.js";
import type { BenchmarkDef, LanguageTask, QueryText } from "./benchmarks.js";
import { searchReversed, writeRunRecord, type ReversedAssets } from "./reversed.js";
import type { ExperimentConfig } from "./config.js";
import type { Logger } from "./stages.js";

/** What searching with a student needs of it (students.ts' StudentModel has more). */
export interface SearchableStudent {
  loss: string;
  seed: number;
  dir: string;
  hash: string;
}

/** A teacher index of one collection, built in its own cached stage (see run.ts). */
export interface CollectionIndex {
  corpus: string;
  dir: string;
}

/** Where one system's run of one benchmark language is written. */
export interface RunRecord {
  benchmark: string;
  language: string;
  system: string;
  seed: number | null;
  path: string;
  queries: number;
}

/** The first k documents of every query in trec_eval's order (score desc, docno desc): runs are k deep. */
function truncateRun(run: Run, k: number): Run {
  return new Map([...run].map(([q, list]) => [q, [...list].sort(compareHits).slice(0, k)]));
}

function runPath(outDir: string, r: Omit<RunRecord, "path" | "queries">): string {
  const name = r.seed === null ? r.system : `${r.system}.seed${r.seed}`;
  return join(
    outDir,
    "runs",
    r.benchmark,
    r.language,
    `${name.replace(/\+/g, "_").replace(/[(),]/g, "_")}.run`,
  );
}

async function studentEncoder(dir: string, maxLength: number, threads: number): Promise<OnnxEncoder> {
  const m = await loadHfFolder(dir);
  return OnnxEncoder.fromModel(m, {
    threads,
    maxLength: Math.min(maxLength, maxSequenceLength(m.config)),
  });
}

async function translateAll(
  task: LanguageTask,
): Promise<{ dict: QueryText[] | null; mt: QueryText[] | null }> {
  const texts = task.queries.map((q) => q.text);
  const wrap = (out: string[]): QueryText[] => task.queries.map((q, i) => ({ qid: q.qid, text: out[i] }));
  const dict = task.dictionary
    ? wrap(
        await (await DictionaryTranslator.fromTsv(task.dictionary, { lang: task.language })).translate(texts),
      )
    : null;
  const mt = task.translator
    ? wrap(
        await new CommandTranslator({
          command: task.translator[0],
          args: task.translator.slice(1),
        }).translate(texts),
      )
    : null;
  return { dict, mt };
}

/**
 * Searches every system x language (x seed for students) over the teacher's index of each
 * benchmark's collection and BM25, and writes the runs. Returns where each run is.
 */
export async function searchAllSystems(o: {
  config: ExperimentConfig;
  benchmarks: BenchmarkDef[];
  teacherDir: string;
  students: SearchableStudent[];
  /** The teacher's index of each collection searched (by corpus path). */
  indexes: Map<string, string>;
  outDir: string;
  log: Logger;
  /**
   * Systems to search (default all): the tuner asks for the students only, `xlir dev` for the dense
   * systems (students, teacher zero-shot and the teacher's English ceiling; no BM25 or translation).
   */
  only?: "students" | "dense";
  /** Indexes and translations of the en-xx collections (prepareReversed). */
  reversed?: ReversedAssets;
  teacherHash?: string;
  /**
   * The experiment's parts (default all at once): "baselines" searches every xx-en system that
   * needs no student (teacher, translation, BM25, the ceiling) and can run while students train;
   * "students" the given students on the xx-en benchmarks and their fusion with the BM25 runs of
   * `baselineRecords` (one student as soon as it is trained); "en-xx" every system of the en-xx
   * benchmarks (whose indexes need every student).
   */
  part?: "baselines" | "students" | "en-xx";
  /** The "baselines" part's records (part "students": the BM25 runs fused with each student). */
  baselineRecords?: readonly RunRecord[];
  /** ONNX Runtime intra-op threads of the query encoders (default 2; results do not depend on it). */
  threads?: number;
}): Promise<RunRecord[]> {
  const k = o.config.search.k;
  const threads = o.threads ?? 2;
  const withBaselines = o.part === undefined || o.part === "baselines";
  const withSparse = !o.only && withBaselines;
  const records: RunRecord[] = [];
  // documents cut where the teacher was trained (maxDocLength), queries where the students were
  // (never beyond what the model's position table allows)
  const teacherModel = await loadHfFolder(o.teacherDir);
  const limit = maxSequenceLength(teacherModel.config);
  const teacher = await OnnxEncoder.fromModel(teacherModel, {
    threads,
    maxLength: Math.min(limit, o.config.search.queryMaxLength),
  });
  const students = await Promise.all(
    (o.part === "baselines" ? [] : o.students).map(async (s) => ({
      ...s,
      encoder: await studentEncoder(s.dir, o.config.search.queryMaxLength, threads),
    })),
  );
  try {
    for (const bench of o.benchmarks) {
      if (bench.direction === "en-xx") {
        if (o.part === "baselines" || o.part === "students") continue;
        if (!o.reversed || !o.teacherHash)
          throw new XlirError(
            "INTERNAL",
            `benchmark '${bench.name}' (en-xx) needs its indexes (prepareReversed)`,
          );
        await searchReversed({
          config: o.config,
          bench,
          teacherDir: o.teacherDir,
          teacherHash: o.teacherHash,
          students: o.students,
          assets: o.reversed,
          englishIndexes: o.indexes,
          emit: async (task, system, seed, run, queries) => {
            records.push(
              await writeRunRecord(
                o.outDir,
                { benchmark: bench.name, language: task.language, system, seed },
                run,
                queries,
              ),
            );
          },
          log: o.log,
        });
        continue;
      }
      if (o.part === "en-xx") continue;
      const corpora = [...new Set(bench.tasks.map((t) => t.corpus))];
      if (corpora.length !== 1)
        throw new XlirError(
          "UNSUPPORTED",
          `benchmark '${bench.name}': one English collection per xx-en benchmark, found ${corpora.length}`,
        );
      const corpus = corpora[0];
      const indexDir = o.indexes.get(corpus);
      if (!indexDir) throw new XlirError("INTERNAL", `no teacher index for ${corpus}`);
      const docs = !withSparse
        ? []
        : await readAllCorpus(corpus, {
            idFields: [bench.fields.id],
            titleFields: [bench.fields.title],
            textFields: [bench.fields.text],
          });
      const bm25 = withSparse ? Bm25Index.build(docs, { analyzer: "en" }) : null;
      // one opened index (its vectors read once) serves the teacher and every student
      const opened = await openIndex(indexDir);
      const teacherSearch = Searcher.fromIndex(opened, teacher);
      const studentSearch = students.map((s) => ({ ...s, searcher: Searcher.fromIndex(opened, s.encoder) }));
      for (const task of bench.tasks) {
        const t0 = performance.now();
        const { dict, mt } = withSparse ? await translateAll(task) : { dict: null, mt: null };
        const emit = async (
          system: string,
          seed: number | null,
          run: Run,
          queries: number,
        ): Promise<void> => {
          const rec = { benchmark: bench.name, language: task.language, system, seed };
          const path = runPath(o.outDir, rec);
          mkdirSync(join(path, ".."), { recursive: true });
          await writeRun(path, run, seed === null ? system : `${system}.seed${seed}`);
          records.push({ ...rec, path, queries });
        };
        const dense = async (
          system: string,
          searcher: Searcher,
          queries: QueryText[] | null,
          seed: number | null = null,
        ): Promise<void> => {
          if (queries) await emit(system, seed, await searcher.search(queries, k), queries.length);
        };
        const sparseRuns = new Map<string, Run>(); // BM25 runs by system, reused by the fused systems
        const sparse = async (system: string, queries: QueryText[] | null): Promise<void> => {
          if (!queries || !bm25) return;
          const run: Run = new Map(
            queries.map((q) => [
              q.qid,
              bm25.search(q.text, k).map((h) => ({ docno: h.docno, score: h.score })),
            ]),
          );
          sparseRuns.set(system, run);
          await emit(system, null, run, queries.length);
        };
        if (o.only !== "students" && withBaselines)
          await dense("teacher-zero-shot", teacherSearch, task.queries);
        if (withSparse) {
          await dense("dict+teacher", teacherSearch, dict);
          await dense("mt+teacher", teacherSearch, mt);
          await sparse("bm25-raw", task.queries);
          await sparse("bm25-dict", dict);
          await sparse("bm25-mt", mt);
        }
        const studentRuns: Array<{ loss: string; seed: number; run: Run }> = [];
        for (const s of studentSearch) {
          const run = await s.searcher.search(task.queries, k);
          await emit(s.loss, s.seed, run, task.queries.length);
          studentRuns.push({ loss: s.loss, seed: s.seed, run });
        }
        // fusion: the translation-based BM25 run (MT where a translator exists, else the dictionary;
        // fixed in advance, not chosen on test) with each student, RRF k = 60
        const earlier = (system: string): RunRecord | undefined =>
          o.baselineRecords?.find(
            (r) => r.benchmark === bench.name && r.language === task.language && r.system === system,
          );
        const base = mt || earlier("bm25-mt") ? "bm25-mt" : "bm25-dict";
        const baseRecord = earlier(base);
        let bmRun = sparseRuns.get(base);
        if (!bmRun && baseRecord) {
          // a run file has no line for a query without hits; the run searched had an empty list
          bmRun = await readRun(baseRecord.path);
          for (const q of task.queries) if (!bmRun.has(q.qid)) bmRun.set(q.qid, []);
        }
        if (bmRun && studentRuns.length) {
          for (const sr of studentRuns) {
            const fused = fuseRuns([bmRun, sr.run], { method: "rrf", k: 60, names: [base, sr.loss] });
            await emit(`rrf(${base},${sr.loss})`, sr.seed, truncateRun(fused, k), task.queries.length);
          }
        }
        // UDHR: the English query is the document itself, so this row only checks the pipeline
        if (o.only !== "students" && withBaselines)
          await dense(
            task.ceilingIsIdentity ? "teacher-english-identity" : "teacher-english",
            teacherSearch,
            task.englishQueries,
          );
        o.log(
          `[search] ${bench.name}/${task.language}: ${task.queries.length} queries, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
      teacherSearch.close();
      for (const s of studentSearch) s.searcher.close();
      opened.close();
    }
  } finally {
    await teacher.dispose();
    for (const s of students) await s.encoder.dispose();
  }
  return records;
}

/**
 * The runs of both search halves in one order: per benchmark and language, the baselines, then the
 * students (and their fusions), then the teacher's English ceiling; the en-xx benchmarks (searched
 * with the students) in their own order after.
 */
export function mergeRecords(baselines: readonly RunRecord[], students: readonly RunRecord[]): RunRecord[] {
  const group = (r: RunRecord): string => `${r.benchmark}\t${r.language}`;
  const isCeiling = (r: RunRecord): boolean => r.system.startsWith("teacher-english");
  const out: RunRecord[] = [];
  const used = new Set<RunRecord>();
  for (const g of [...new Set(baselines.map(group))]) {
    const base = baselines.filter((r) => group(r) === g);
    // each student's own run before the fused ones, as one search wrote them
    const mine = students
      .filter((r) => group(r) === g)
      .sort((x, y) => Number(x.system.startsWith("rrf(")) - Number(y.system.startsWith("rrf(")));
    mine.forEach((r) => used.add(r));
    out.push(...base.filter((r) => !isCeiling(r)), ...mine, ...base.filter(isCeiling));
  }
  out.push(...students.filter((r) => !used.has(r)));
  return out;
}
