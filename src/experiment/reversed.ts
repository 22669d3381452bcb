/**
 * The en-xx direction (English queries over foreign documents, as in NeuCLIR, CIRAL, HC4): the
 * students are document encoders. Each foreign collection is indexed by the teacher (zero-shot)
 * and by every student (document-side students, searched with the teacher's English query
 * vectors: the index records the teacher as its query encoder); the classic baselines are BM25
 * over the documents machine-translated to English (document translation, cached by content),
 * BM25 in the document language with dictionary-translated English queries, BM25 on the raw
 * English queries, and the teacher over the English versions of the documents (the ceiling).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readAllCorpus, writeCorpusJsonl, type CorpusDoc } from "../data/corpus.js";
import type { Run } from "../eval/types.js";
import { writeRun } from "../eval/run.js";
import { Bm25Index } from "../index/bm25.js";
import { buildVectorIndex } from "../index/build.js";
import { maxSequenceLength } from "../models/config.js";
import { loadHfFolder } from "../models/hf.js";
import { OnnxEncoder } from "../models/onnx-encoder.js";
import { Searcher } from "../search/searcher.js";
import { CommandTranslator } from "../search/translate/command.js";
import { DictionaryTranslator } from "../search/translate/dictionary.js";
import type { BenchmarkDef, LanguageTask } from "./benchmarks.js";
import { type ExperimentConfig } from "./config.js";
import { fileDigest } from "../data/io.js";
import { RECIPE } from "./pipeline.js";
import { Progress } from "./progress.js";
import { hashOf, type Logger, type StageRunner } from "./stages.js";
import type { RunRecord, SearchableStudent } from "./systems.js";

const readDocs = (corpus: string, fields: BenchmarkDef["fields"]): Promise<CorpusDoc[]> =>
  readAllCorpus(corpus, { idFields: [fields.id], titleFields: [fields.title], textFields: [fields.text] });

/** Builds an exact late-interaction index of `corpus` with the encoder in `encoderDir`. */
export async function buildCollectionIndex(o: {
  config: ExperimentConfig;
  encoderDir: string;
  corpus: string;
  fields: BenchmarkDef["fields"];
  out: string;
  log: Logger;
  /** The query encoder this index accepts besides its own (a document-side student's teacher). */
  queryEncoderHash?: string;
  /** ONNX Runtime intra-op threads (default 2; the vectors do not depend on it). */
  threads?: number;
}): Promise<void> {
  const model = await loadHfFolder(o.encoderDir);
  const encoder = await OnnxEncoder.fromModel(model, {
    threads: o.threads ?? 2,
    maxLength: Math.min(maxSequenceLength(model.config), o.config.teacher.maxDocLength),
  });
  try {
    const docs = await readDocs(o.corpus, o.fields);
    const progress = new Progress(`index ${o.corpus}`, docs.length, o.log);
    await buildVectorIndex({
      kind: "multi-exact",
      out: o.out,
      encoder,
      docs,
      onProgress: (d) => progress.update(d),
      ...(o.queryEncoderHash ? { extraParams: { queryEncoderHash: o.queryEncoderHash } } : {}),
    });
    progress.done();
  } finally {
    await encoder.dispose();
  }
}

/** Where the en-xx indexes and translations of one run are: key `${encoderHash}|${corpus}` -> index folder. */
export interface ReversedAssets {
  indexes: Map<string, string>;
  /** corpus -> the same corpus machine-translated to English (JSONL). */
  translations: Map<string, string>;
}

/**
 * Indexes every en-xx collection with the teacher and with every student, and translates the
 * collections that have a translator; each in a stage keyed by the encoder and the content.
 */
export async function prepareReversed(o: {
  config: ExperimentConfig;
  benchmarks: BenchmarkDef[];
  teacher: { dir: string; hash: string };
  students: SearchableStudent[];
  stages: StageRunner;
  log: Logger;
}): Promise<ReversedAssets> {
  const assets: ReversedAssets = { indexes: new Map(), translations: new Map() };
  for (const b of o.benchmarks) {
    if (b.direction !== "en-xx") continue;
    for (const task of b.tasks) {
      const digest = await fileDigest(task.corpus);
      const encoders = [
        { name: "teacher", dir: o.teacher.dir, hash: o.teacher.hash, query: undefined as string | undefined },
      ];
      for (const s of o.students)
        encoders.push({
          name: `${s.loss.replace("+", "_")}-seed${s.seed}`,
          dir: s.dir,
          hash: s.hash,
          query: o.teacher.hash,
        });
      for (const e of encoders) {
        const key = `${e.hash}|${task.corpus}`;
        if (assets.indexes.has(key)) continue;
        const r = await o.stages.run(
          `index-${b.name}-${task.language}-${e.name}`,
          hashOf(RECIPE, e.hash, digest, b.fields, o.config.teacher.maxDocLength),
          async (dir) => {
            const out = join(dir, "index");
            await buildCollectionIndex({
              config: o.config,
              encoderDir: e.dir,
              corpus: task.corpus,
              fields: b.fields,
              out,
              log: o.log,
              queryEncoderHash: e.query,
            });
            return { dir: out };
          },
        );
        assets.indexes.set(key, r.dir);
      }
      if (task.translator && !assets.translations.has(task.corpus)) {
        const translator = task.translator;
        const r = await o.stages.run(
          `translate-${b.name}-${task.language}`,
          hashOf(RECIPE, digest, translator),
          async (dir) => {
            const docs = await readDocs(task.corpus, b.fields);
            // one line per title and paragraph, so that the translator sees sentences, not pages
            const lines: string[] = [];
            const spans = docs.map((d) => {
              const parts = [d.title, ...d.text.split("\n")];
              const start = lines.length;
              lines.push(...parts.map((p) => p.replace(/\s+/g, " ").trim() || "."));
              return { start, n: parts.length };
            });
            o.log(`[translate] ${task.corpus}: ${lines.length} lines with ${translator.join(" ")}`);
            const out = await new CommandTranslator({
              command: translator[0],
              args: translator.slice(1),
            }).translate(lines);
            const translated = docs.map((d, i) => {
              const t = out.slice(spans[i].start, spans[i].start + spans[i].n);
              return { id: d.id, title: t[0], text: t.slice(1).join("\n") };
            });
            const file = join(dir, "corpus.en.jsonl");
            await writeCorpusJsonl(file, translated);
            return { file };
          },
        );
        assets.translations.set(task.corpus, r.file);
      }
    }
  }
  return assets;
}

/** Searches every en-xx system of one benchmark and writes the runs. */
export async function searchReversed(o: {
  config: ExperimentConfig;
  bench: BenchmarkDef;
  teacherDir: string;
  teacherHash: string;
  students: SearchableStudent[];
  assets: ReversedAssets;
  /** Teacher indexes of the English collections (corpus -> index), for the ceiling. */
  englishIndexes: Map<string, string>;
  emit: (task: LanguageTask, system: string, seed: number | null, run: Run, queries: number) => Promise<void>;
  log: Logger;
}): Promise<void> {
  const k = o.config.search.k;
  const teacherModel = await loadHfFolder(o.teacherDir);
  const teacher = await OnnxEncoder.fromModel(teacherModel, {
    threads: 2,
    maxLength: Math.min(maxSequenceLength(teacherModel.config), o.config.search.queryMaxLength),
  });
  try {
    for (const task of o.bench.tasks) {
      const t0 = performance.now();
      const dense = async (
        system: string,
        indexDir: string | undefined,
        seed: number | null = null,
      ): Promise<void> => {
        if (!indexDir) return;
        const s = await Searcher.open(indexDir, teacher);
        try {
          await o.emit(task, system, seed, await s.search(task.queries, k), task.queries.length);
        } finally {
          s.close();
        }
      };
      const sparse = async (
        system: string,
        docs: CorpusDoc[],
        analyzer: string,
        queries: string[],
      ): Promise<void> => {
        const bm25 = Bm25Index.build(docs, { analyzer });
        const run: Run = new Map(
          task.queries.map((q, i) => [
            q.qid,
            bm25.search(queries[i], k).map((h) => ({ docno: h.docno, score: h.score })),
          ]),
        );
        await o.emit(task, system, null, run, task.queries.length);
      };
      await dense("teacher-zero-shot", o.assets.indexes.get(`${o.teacherHash}|${task.corpus}`));
      const texts = task.queries.map((q) => q.text);
      const docs = await readDocs(task.corpus, o.bench.fields);
      await sparse("bm25-raw", docs, task.language, texts);
      if (task.dictionary) {
        const dict = await DictionaryTranslator.fromTsv(task.dictionary, { lang: "en" });
        await sparse("bm25-dict", docs, task.language, await dict.translate(texts));
      }
      const translated = o.assets.translations.get(task.corpus);
      if (translated)
        await sparse(
          "bm25-mt",
          await readDocs(translated, { id: "id", title: "title", text: "text" }),
          "en",
          texts,
        );
      for (const s of o.students)
        await dense(s.loss, o.assets.indexes.get(`${s.hash}|${task.corpus}`), s.seed);
      if (task.englishCorpus) await dense("teacher-english", o.englishIndexes.get(task.englishCorpus));
      o.log(
        `[search] ${o.bench.name}/${task.language}: ${task.queries.length} English queries, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await teacher.dispose();
  }
}

/** The record of one en-xx run (same layout as xx-en runs). */
export function reversedRunPath(outDir: string, r: Omit<RunRecord, "path" | "queries">): string {
  const name = r.seed === null ? r.system : `${r.system}.seed${r.seed}`;
  return join(outDir, "runs", r.benchmark, r.language, `${name.replace(/\+/g, "_")}.run`);
}

/** Writes a run and returns its record. */
export async function writeRunRecord(
  outDir: string,
  rec: Omit<RunRecord, "path" | "queries">,
  run: Run,
  queries: number,
): Promise<RunRecord> {
  const path = reversedRunPath(outDir, rec);
  mkdirSync(join(path, ".."), { recursive: true });
  await writeRun(path, run, rec.seed === null ? rec.system : `${rec.system}.seed${rec.seed}`);
  return { ...rec, path, queries };
}
