/**
 * A student whose tokenizer differs from its teacher's, trained with OT and with contrastive on
 * real bitext, then searching the teacher's index. Prints one JSON object.
 *
 *   npx tsx scripts/dev/models-student-demo.ts [--steps 100] [--bitext cache/data/bitext/eu.tsv]
 *
 * Teacher: test/fixtures/tiny-colbert (ColBERT layout, WordPiece), copied to a temporary folder with
 * query_maxlen 32 / doc_maxlen 40 so that English sentences are not cut at 12 tokens. Student:
 * test/fixtures/tiny-xlmr (XLM-R layout, SentencePiece Unigram: another vocabulary) with a new
 * random projection to the teacher's 16 dimensions. The teacher's English vectors are computed with
 * the teacher's tokenizer in the query role ([CLS] [Q] ... [SEP] + [MASK] augmentation), the
 * student's foreign vectors with its own tokenizer. Both models are tiny and random: the point is
 * that the loss falls and the pieces fit, not retrieval quality.
 */
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readBitextTsv } from "../../src/data/bitext.js";
import { readAllCorpus, readAllQueries } from "../../src/data/corpus.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { loadHfFolder, requireLateInteraction } from "../../src/models/hf.js";
import { saveHfFolder } from "../../src/models/hf-save.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import { Searcher } from "../../src/search/searcher.js";
import { trainStudent, type DistillPair } from "../../src/train/distill.js";
import { encodeTokenVectors } from "../../src/train/encode-cache.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg("steps", "100"));
const bitextFile = arg(
  "bitext",
  existsSync("cache/data/bitext/eu.tsv") ? "cache/data/bitext/eu.tsv" : "test/fixtures/bitext-sample/eu.tsv",
);
const maxPairs = Number(arg("pairs", "4000"));

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-student-demo-"));
try {
  const teacherDir = path.join(tmp, "teacher");
  await fs.cp("test/fixtures/tiny-colbert", teacherDir, {
    recursive: true,
    filter: (s) => !s.includes(`${path.sep}onnx`),
  });
  const meta = JSON.parse(await fs.readFile(path.join(teacherDir, "artifact.metadata"), "utf8"));
  await fs.writeFile(
    path.join(teacherDir, "artifact.metadata"),
    JSON.stringify({ ...meta, query_maxlen: 32, doc_maxlen: 40 }),
  );
  const teacher = await loadHfFolder(teacherDir);
  requireLateInteraction(teacher, teacherDir);
  const init = await loadHfFolder("test/fixtures/tiny-xlmr");

  const pairs: DistillPair[] = [];
  const englishIndex = new Map<string, number>();
  for await (const p of readBitextTsv(bitextFile)) {
    if (pairs.length >= maxPairs) break;
    if (!englishIndex.has(p.english)) englishIndex.set(p.english, englishIndex.size);
    pairs.push({ foreign: p.foreign, english: p.english, englishIndex: englishIndex.get(p.english)! });
  }
  const tEnc = TorchEncoder.fromHfModel(teacher).freeze();
  const t0 = performance.now();
  const teacherEnglish = encodeTokenVectors(tEnc, teacher.tokenizer, [...englishIndex.keys()], {
    maxLength: 512,
    role: "query",
  });
  tEnc.free();
  const encodeS = (performance.now() - t0) / 1000;

  const head = { kind: "colbert" as const, dim: teacher.head!.dim, pooling: "cls" as const };
  const optim = {
    steps,
    batchSize: 16,
    learningRate: 1e-3,
    warmupSteps: Math.min(10, steps),
    weightDecay: 0.01,
    clipNorm: 1,
    accumulate: 1,
    checkpointEvery: 0,
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const results: Record<string, unknown> = {};
  const students: Record<string, string> = {};
  for (const loss of ["ot", "contrastive"]) {
    const student = TorchEncoder.fromWeights(init.config, init.weights, head, null, {
      dropout: 0.1,
    }).unfreeze();
    const t1 = performance.now();
    const r = trainStudent({
      student,
      studentTokenizer: init.tokenizer,
      pairs,
      teacherEnglish,
      loss,
      lossOptions: {},
      optim,
      maxLength: 32,
      seed: 1,
      config: { demo: loss },
    });
    const dir = path.join(tmp, `student-${loss}`);
    await saveHfFolder(dir, {
      config: student.config,
      weights: student.namedWeights(),
      tokenizerJson: init.tokenizer.json,
      head,
      headWeights: student.headWeights(),
      indexEncoderHash: teacher.hash,
      indexTokenizerHash: teacher.tokenizerHash,
    });
    student.free();
    students[loss] = dir;
    const k = Math.max(1, Math.floor(r.losses.length / 10));
    results[loss] = {
      steps: r.losses.length,
      loss_first10_mean: mean(r.losses.slice(0, k)),
      loss_last10_mean: mean(r.losses.slice(-k)),
      seconds: (performance.now() - t1) / 1000,
    };
  }

  // the teacher indexes English help pages; each student searches them with Basque queries
  const corpusFile = "cache/data/help/corpus.jsonl";
  const search: Record<string, unknown> = {};
  if (existsSync(corpusFile)) {
    const docs = (await readAllCorpus(corpusFile)).slice(0, 300);
    const indexDir = path.join(tmp, "index");
    const tDocs = await OnnxEncoder.fromFolder(teacherDir, { threads: 2 });
    await buildVectorIndex({ kind: "multi-exact", out: indexDir, encoder: tDocs, docs });
    await tDocs.dispose();
    const qFile = ["cache/data/help/eu/test/queries.tsv", "cache/data/help/eu/queries.tsv"].find((f) =>
      existsSync(f),
    )!;
    const queries = (await readAllQueries(qFile)).slice(0, 20);
    for (const [loss, dir] of Object.entries(students)) {
      const enc = await OnnxEncoder.fromFolder(dir, { threads: 2 });
      const s = await Searcher.open(indexDir, enc);
      const run = await s.search(queries, 10);
      s.close();
      const xlir = JSON.parse(await fs.readFile(path.join(dir, "xlir.json"), "utf8"));
      search[loss] = {
        queries: run.size,
        hits: [...run.values()].reduce((a, h) => a + h.length, 0),
        student_tokenizer_sha256: xlir.tokenizer_sha256,
        index_tokenizer_sha256: xlir.index_tokenizer_sha256,
        index_encoder: xlir.index_encoder,
      };
      await enc.dispose();
    }
    search.index_docs = docs.length;
    search.teacher_hash = teacher.hash;
    search.teacher_tokenizer_sha256 = teacher.tokenizerHash;
  }
  console.log(
    JSON.stringify(
      {
        bitext: bitextFile,
        pairs: pairs.length,
        english_sentences: englishIndex.size,
        teacher_english_encode_s: encodeS,
        teacher_layout: teacher.layout,
        student_vocab: init.config.vocabSize,
        teacher_vocab: teacher.config.vocabSize,
        training: results,
        search,
      },
      null,
      2,
    ),
  );
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
