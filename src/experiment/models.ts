/**
 * The model stages of the experiment: subword vocabulary, English teacher, students. Each writes a
 * Hugging Face folder (config.json, model.safetensors, tokenizer.json, xlir.json + head) so any
 * tool can load it, and returns a JSON-able summary for the stage record.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readBitextTsv } from "../data/bitext.js";
import { XlirError } from "../errors.js";
import type { EncoderConfig, HeadConfig } from "../models/types.js";
import { loadHfFolder, type HfModel } from "../models/hf.js";
import { saveHfFolder, toWritable } from "../models/hf-save.js";
import { TorchEncoder } from "../models/torch-encoder.js";
import { trainSentencePiece } from "../text/spm.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { trainStudent, type DistillPair } from "../train/distill.js";
import type { StudentInputs } from "../train/student-inputs.js";
import { encodeTokenVectors } from "../train/encode-cache.js";
import { trainTeacher, type TeacherPair } from "../train/teacher.js";
import { MlmHead, pairSequence, pretrainMlm } from "../train/mlm.js";
import { writeSafetensors } from "../models/safetensors.js";
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
function trainedModel(
  dir: string,
  hash: string,
  losses: number[],
  started: number,
  ms: number[],
): TrainedModel {
  return { dir, hash, losses, seconds: (performance.now() - started) / 1000, stepMsMedian: medianMs(ms) };
}

async function saveEncoder(
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

/** The MLM/TLM examples of the built-in data: every bitext pair joined (TLM), every distinct sentence alone (MLM). */
function mlmExamples(
  stage: string,
  tokenizer: TextTokenizer,
  maxLength: number,
  bitext: readonly { foreign: string; english: string }[],
  teacherPairs: readonly TeacherPair[],
  log: Logger,
): Int32Array[] {
  const bos = tokenizer.tokenToId("<s>") ?? 0;
  const eos = tokenizer.tokenToId("</s>") ?? 2;
  const examples: Int32Array[] = [];
  // each distinct sentence tokenised once (an English sentence recurs across languages and alone)
  const tokenised = new Map<string, number[]>();
  const pieces = (t: string): number[] => {
    let ids = tokenised.get(t);
    if (!ids) tokenised.set(t, (ids = tokenizer.encodeOne(t, maxLength, false).ids));
    return ids;
  };
  const single = (t: string) => Int32Array.from([bos, ...pieces(t).slice(0, maxLength - 2), eos]);
  const foreign = new Set<string>();
  const english = new Set<string>();
  for (const pair of bitext) {
    if (pair.foreign.trim() === "" || pair.english.trim() === "") continue;
    examples.push(
      Int32Array.from(pairSequence(pieces(pair.foreign), pieces(pair.english), maxLength, { bos, eos })),
    );
    foreign.add(pair.foreign);
    english.add(pair.english);
  }
  for (const t of teacherPairs) english.add(t.document);
  for (const t of [...foreign, ...english]) if (t.trim() !== "") examples.push(single(t));
  log(
    `[${stage}] ${examples.length} examples: ${bitext.length} pairs (TLM), ${foreign.size} foreign and ${english.size} English sentences (MLM)`,
  );
  return examples;
}

/**
 * Trains `encoder` (and a fresh MLM head) on the built-in data's MLM/TLM examples, then writes it to
 * `dir/model` (an HF folder, with the encoder's retrieval head when it has one) and the MLM head to
 * `dir/lm_head.safetensors`. `trainable` picks the encoder parameters that train (default all).
 */
async function mlmStage(
  stage: string,
  config: ExperimentConfig,
  tokenizer: TextTokenizer,
  encoder: TorchEncoder,
  bitext: readonly { foreign: string; english: string }[],
  teacherPairs: readonly TeacherPair[],
  dir: string,
  log: Logger,
  trainable?: (name: string) => boolean,
): Promise<TrainedModel> {
  const p = config.pretrain;
  const maskId = tokenizer.tokenToId("<mask>");
  if (maskId === undefined)
    throw new XlirError("CONFIG", "the tokenizer has no <mask> token, which MLM needs");
  const started = performance.now();
  const examples = mlmExamples(stage, tokenizer, p.maxLength, bitext, teacherPairs, log);
  const seed = config.seeds[0];
  const vocab = encoder.config.vocabSize;
  const head = MlmHead.random(encoder.config.hiddenSize, vocab, seed + 2);
  const progress = new Progress(stage, p.optim.steps, log);
  const ms: number[] = [];
  try {
    const result = pretrainMlm({
      encoder,
      head,
      examples,
      padId: tokenizer.padId,
      masking: {
        maskId,
        vocabSize: vocab,
        probability: p.maskProbability,
        isSpecial: (id) => tokenizer.isSpecial(id),
      },
      optim: p.optim,
      seed,
      config: { model: config.model, pretrain: p, seed, stage },
      checkpointPath: join(dir, "checkpoint.bin"),
      trainable,
      onProgress: (s) => {
        ms.push(s.ms);
        progress.update(s.step, `loss ${s.loss.toFixed(4)}`);
      },
    });
    progress.done();
    const hash = await saveEncoder(join(dir, "model"), encoder, tokenizer);
    await writeSafetensors(join(dir, "lm_head.safetensors"), toWritable(head.weights(), "F32"), {
      format: "pt",
    });
    return trainedModel(join(dir, "model"), hash, result.losses, started, ms);
  } finally {
    encoder.free();
    head.free();
  }
}

/**
 * MLM + TLM pre-training (src/train/mlm.ts) of the experiment's encoder from random weights, the
 * teacher's starting point (`pretrain.start: "scratch"`), into `dir/model` (an HF folder without a
 * retrieval head; the MLM head beside it in `dir/lm_head.safetensors`). Examples: every bitext pair
 * joined (TLM), every distinct foreign sentence alone and every distinct English sentence of the
 * bitext and of the teacher's pairs alone (MLM), drawn together in one pool.
 */
export async function pretrainStage(
  config: ExperimentConfig,
  tokenizerPath: string,
  bitext: readonly { foreign: string; english: string }[],
  teacherPairs: readonly TeacherPair[],
  dir: string,
  log: Logger,
): Promise<TrainedModel> {
  const tokenizer = await TextTokenizer.fromFile(tokenizerPath);
  const vocab = (tokenizer.json.model as { vocab: unknown[] }).vocab.length;
  const encoder = TorchEncoder.random(
    experimentEncoderConfig(config, vocab, tokenizer.padId),
    null,
    config.seeds[0],
    { dropout: config.model.dropout },
  );
  return mlmStage("pretrain", config, tokenizer, encoder, bitext, teacherPairs, dir, log);
}

/**
 * The students' starting point adapted from the trained teacher (`pretrain.start: "teacher"`): the
 * same MLM + TLM examples train the word embeddings alone (and a fresh MLM head), the transformer
 * body and the retrieval head frozen, so the foreign subwords get embeddings that the teacher's own
 * layers read in their English context (embedding-only transfer, as Artetxe, Ruder & Yogatama, ACL
 * 2020). The teacher itself is not changed; the students start from `dir/model`.
 */
export async function adaptStage(
  config: ExperimentConfig,
  teacherDir: string,
  bitext: readonly { foreign: string; english: string }[],
  teacherPairs: readonly TeacherPair[],
  dir: string,
  log: Logger,
): Promise<TrainedModel> {
  const m = await loadHfFolder(teacherDir);
  const encoder = TorchEncoder.fromHfModel(m, { dropout: config.model.dropout });
  return mlmStage(
    "adapt",
    config,
    m.tokenizer,
    encoder,
    bitext,
    teacherPairs,
    dir,
    log,
    (name) => name === "embeddings.word_embeddings.weight",
  );
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
