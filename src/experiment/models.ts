/**
 * The model stages of the experiment: subword vocabulary, English teacher, students (the MLM + TLM
 * stages are in pretrain-stages.ts). Each writes a Hugging Face folder (config.json,
 * model.safetensors, tokenizer.json, xlir.json + head) so any tool can load it, and returns a
 * JSON-able summary for the stage record.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readBitextTsv } from "../data/bitext.js";
import { XlirError } from "../errors.js";
import type { EncoderConfig, HeadConfig } from "../models/types.js";
import { loadHfFolder, type HfModel } from "../models/hf.js";
import { saveHfFolder } from "../models/hf-save.js";
import { TorchEncoder } from "../models/torch-encoder.js";
import { trainSentencePiece } from "../text/spm.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { trainStudent, type DistillPair } from "../train/distill.js";
import type { StudentInputs } from "../train/student-inputs.js";
import { encodeTokenVectors } from "../train/encode-cache.js";
import { trainTeacher, type TeacherPair } from "../train/teacher.js";
import type { TokenVectors } from "../models/types.js";
import { englishClusters, pairGroups } from "./clusters.js";
import type { ExperimentConfig } from "./config.js";
import type { StudentSettings } from "./settings.js";
import { median } from "../util/stats.js";
import { Progress } from "./progress.js";
import type { Logger } from "./stages.js";

export interface TrainedModel {
  dir: string;
  hash: string;
  losses: number[];
  seconds: number;
  stepMsMedian: number | null;
  /** Means of the loss's statistics over training (e.g. Sinkhorn iterations and converged fraction). */
  stats?: Record<string, number>;
}

/** Trains the shared subword vocabulary (SentencePiece unigram) on all training text. */
export async function trainTokenizer(
  config: ExperimentConfig,
  texts: readonly string[],
  dir: string,
): Promise<string> {
  const sample =
    texts.length > config.tokenizer.maxSentences ? texts.slice(0, config.tokenizer.maxSentences) : texts;
  return trainSentencePiece({
    texts: sample,
    vocabSize: config.tokenizer.vocabSize,
    characterCoverage: config.tokenizer.characterCoverage,
    seed: config.seeds[0],
    outDir: dir,
  });
}

/** The encoder shape of the built-in experiment (XLM-R layout: positions offset by padding_idx + 1). */
export function experimentEncoderConfig(
  config: ExperimentConfig,
  vocabSize: number,
  padTokenId: number,
): EncoderConfig {
  const m = config.model;
  return {
    architecture: "xlm-roberta",
    vocabSize,
    hiddenSize: m.hidden,
    numLayers: m.layers,
    numHeads: m.heads,
    intermediateSize: m.ffn,
    maxPositions: m.maxPositions + padTokenId + 1,
    typeVocabSize: 1,
    layerNormEps: 1e-5,
    padTokenId,
    hiddenAct: "gelu",
    positionOffset: padTokenId + 1,
  };
}

/** Median step time (null before any step: a stage record holds JSON). */
function medianMs(xs: number[]): number | null {
  return xs.length ? median(xs) : null;
}

/** The record of a model trained into `dir` since `started` (performance.now()), with its step times. */
export function trainedModel(
  dir: string,
  hash: string,
  losses: number[],
  started: number,
  ms: number[],
): TrainedModel {
  return { dir, hash, losses, seconds: (performance.now() - started) / 1000, stepMsMedian: medianMs(ms) };
}

/** Writes `enc` as an HF folder with the tokenizer (and the index hashes it may search); returns its hash. */
export async function saveEncoder(
  dir: string,
  enc: TorchEncoder,
  tokenizer: TextTokenizer,
  indexEncoderHash?: string,
  indexTokenizerHash?: string,
): Promise<string> {
  await saveHfFolder(dir, {
    indexEncoderHash,
    indexTokenizerHash,
    config: enc.config,
    weights: enc.namedWeights(),
    tokenizerJson: tokenizer.json,
    head: enc.head,
    headWeights: enc.head ? enc.headWeights() : null,
  });
  return (await loadHfFolder(dir)).hash;
}

/**
 * Trains the English teacher (or adopts the user's frozen one) into `dir/model`; from the
 * pre-trained encoder in `init` (an HF folder) when given, else from random weights.
 */
export async function teacherStage(
  config: ExperimentConfig,
  tokenizerPath: string,
  pairs: readonly TeacherPair[],
  dir: string,
  log: Logger,
  init?: string,
): Promise<TrainedModel> {
  const out = join(dir, "model");
  if (config.teacher.model) {
    const m = await loadHfFolder(config.teacher.model);
    if (!m.head || m.head.kind !== "colbert") {
      if (pairs.length < config.teacher.optim.batchSize) {
        throw new XlirError(
          "CONFIG",
          `teacher ${config.teacher.model} has no ColBERT head (xlir.json + xlir_head.safetensors) and there are only ${pairs.length} English training pairs to train one; give a teacher with a head or enable data.builtin`,
        );
      }
      log(
        `[teacher] ${config.teacher.model} has no ColBERT head (xlir.json): a random ${config.model.dim}-d head is added and the teacher fine-tuned with InfoNCE`,
      );
    } else {
      return { dir: config.teacher.model, hash: m.hash, losses: [], seconds: 0, stepMsMedian: null };
    }
  }
  const tokenizer = await TextTokenizer.fromFile(tokenizerPath);
  const seed = config.seeds[0];
  const head: HeadConfig = { kind: "colbert", dim: config.model.dim, pooling: "cls" };
  let encoder: TorchEncoder;
  if (config.teacher.model || init) {
    const m = await loadHfFolder(config.teacher.model ?? (init as string));
    encoder = TorchEncoder.fromWeights(m.config, m.weights, head, null, { dropout: config.model.dropout });
  } else {
    const vocab = (tokenizer.json.model as { vocab: unknown[] }).vocab.length;
    encoder = TorchEncoder.random(experimentEncoderConfig(config, vocab, tokenizer.padId), head, seed, {
      dropout: config.model.dropout,
    });
  }
  const progress = new Progress("teacher", config.teacher.optim.steps, log);
  const started = performance.now();
  const ms: number[] = [];
  const result = trainTeacher({
    encoder,
    tokenizer,
    pairs,
    optim: config.teacher.optim,
    maxQueryLength: config.teacher.maxQueryLength,
    maxDocLength: config.teacher.maxDocLength,
    temperature: config.teacher.temperature,
    seed,
    config: { model: config.model, teacher: config.teacher, seed },
    checkpointPath: join(dir, "checkpoint.bin"),
    onProgress: (p) => {
      ms.push(p.ms);
      progress.update(p.step, `loss ${p.loss.toFixed(4)}`);
    },
  });
  progress.done();
  const hash = await saveEncoder(out, encoder, tokenizer);
  encoder.free();
  return trainedModel(out, hash, result.losses, started, ms);
}

/** Teacher token vectors of the distinct English bitext sentences, computed once per process. */
export async function encodeTeacherEnglish(
  teacherDir: string,
  english: readonly string[],
  maxLength: number,
  log: Logger,
): Promise<TokenVectors> {
  const m = await loadHfFolder(teacherDir);
  const enc = TorchEncoder.fromHfModel(m).freeze(); // keeps a ColBERT / PyLate teacher's query markers and augmentation
  const progress = new Progress("teacher-english", english.length, log);
  try {
    return encodeTokenVectors(enc, m.tokenizer, english, {
      maxLength,
      onProgress: (d) => progress.update(d),
    });
  } finally {
    progress.done();
    enc.free();
  }
}

/** Trains one student (initialised from the teacher or a user model) into `dir/model`. */
export async function studentStage(o: {
  settings: StudentSettings;
  seed: number;
  teacher: HfModel;
  pairs: readonly DistillPair[];
  english: TokenVectors;
  /** Foreign lengths and IDF weights computed once (used when the student starts from the teacher). */
  inputs?: StudentInputs;
  dir: string;
  log: Logger;
  stopAfter?: number;
  /** Progress as log lines (several students run side by side). */
  lineProgress?: boolean;
  /** What a student that starts from the teacher starts from instead (the adapt stage's model). */
  start?: HfModel;
}): Promise<TrainedModel> {
  const { settings, seed, teacher, dir, log } = o;
  const init = settings.init === "teacher" ? (o.start ?? teacher) : await loadHfFolder(settings.init);
  const head = init.head ?? teacher.head;
  const student = TorchEncoder.fromWeights(
    init.config,
    init.weights,
    head,
    init.head ? init.headWeights : null,
    { dropout: settings.dropout },
  );
  student.unfreeze();
  const name = `student ${settings.loss} seed ${seed}`;
  const steps = settings.optim.steps;
  const progress = new Progress(name, steps, log, { lines: o.lineProgress });
  const started = performance.now();
  const ms: number[] = [];
  let batchGroups: Int32Array | undefined;
  if (settings.clusteredBatches) {
    const clusters = await englishClusters(o.english, settings.clusteredBatches, seed);
    batchGroups = pairGroups(o.pairs, clusters);
    log(
      `[${name}] ${settings.clusteredBatches} clusters of the English sentences: batches drawn from one each`,
    );
  }
  const result = trainStudent({
    student,
    batchGroups,
    studentTokenizer: init.tokenizer,
    teacherTokenizer: teacher.tokenizer,
    pairs: o.pairs,
    teacherEnglish: o.english,
    // computed with the teacher's tokenizer: valid for a student that starts from the teacher
    inputs: settings.init === "teacher" ? o.inputs : undefined,
    loss: settings.loss,
    lossOptions: settings.lossOptions,
    optim: settings.optim,
    maxLength: settings.maxLength,
    seed,
    config: { settings, seed, teacher: teacher.hash },
    checkpointPath: join(dir, "checkpoint.bin"),
    stopAfter: o.stopAfter,
    onProgress: (p) => {
      ms.push(p.ms);
      progress.update(p.step, `loss ${p.loss.toFixed(4)}`);
    },
  });
  progress.done();
  if (result.step < steps) {
    student.free();
    throw new XlirError(
      "INTERRUPTED",
      `${name} stopped after ${result.step} of ${steps} steps; run again to resume`,
    );
  }
  const hash = await saveEncoder(
    join(dir, "model"),
    student,
    init.tokenizer,
    teacher.hash,
    teacher.tokenizerHash,
  );
  student.free();
  return {
    ...trainedModel(join(dir, "model"), hash, result.losses, started, ms),
    // means over the updates of this process (a resumed run reports the updates after the resume)
    stats: result.statsMean,
  };
}

/** Reads a TSV of query<TAB>document pairs (the built-in teacher data); identical documents share an id. */
export async function readTeacherPairs(file: string): Promise<TeacherPair[]> {
  if (!existsSync(file)) return [];
  const docs = new Map<string, number>();
  const pairs: TeacherPair[] = [];
  for await (const { foreign: query, english: document } of readBitextTsv(file)) {
    if (!docs.has(document)) docs.set(document, docs.size);
    pairs.push({ query, document, documentId: docs.get(document) as number });
  }
  return pairs;
}
