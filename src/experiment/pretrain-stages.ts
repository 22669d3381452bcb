/**
 * The MLM + TLM stages of the experiment (`pretrain.start`): a multilingual starting point
 * pre-trained from random weights (the teacher's start), or the teacher's word embeddings adapted
 * to the foreign text (the students' start). Both write an HF folder and the MLM head beside it.
 */
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { loadHfFolder } from "../models/hf.js";
import { toWritable } from "../models/hf-save.js";
import { writeSafetensors } from "../models/safetensors-write.js";
import { TorchEncoder } from "../models/torch-encoder.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { MlmHead, pairSequence, pretrainMlm } from "../train/mlm.js";
import type { TeacherPair } from "../train/teacher.js";
import type { ExperimentConfig } from "./config.js";
import { experimentEncoderConfig, saveEncoder, trainedModel, type TrainedModel } from "./models.js";
import { Progress } from "./progress.js";
import type { Logger } from "./stages.js";

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
