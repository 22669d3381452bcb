/**
 * Masked and translation language modelling: the multilingual starting point of the teacher (and
 * so of the students that start from it). MLM (Devlin et al. 2019) on single sentences of either
 * language, TLM (XLM, Conneau & Lample 2019) on a bitext pair joined into one sequence, so that a
 * masked foreign token can be predicted from the English context and the reverse; that is what
 * gives the foreign subwords, which the English teacher's training never touches, trained
 * embeddings aligned with the English ones.
 *
 * Masking (BERT's): each real, non-special token is chosen with probability p; a chosen token is
 * replaced by `<mask>` (80%), by a random non-special token (10%) or left as it is (10%); a sequence
 * with no chosen token gets one chosen at random. The choice is a pure function of (seed, batch
 * position), so a resumed run masks as the killed one would have.
 *
 * Head (HF `XLMRobertaForMaskedLM`'s `lm_head`): logits = LN(gelu(h W^T + b)) E^T + bias, the
 * decoder tied to the word embeddings E; the loss is the mean cross-entropy over the chosen
 * positions. A pair is `<s> A </s></s> B </s>` (XLM-R's pair format, positions continuing over
 * both sides; XLM-R has no language embeddings), the longer side shortened first to fit.
 */
import { crossEntropy, layerNorm, linear, tensor, type Tensor } from "../engine/index.js";
import { XlirError } from "../errors.js";
import { padIdRows } from "../text/tokenizer.js";
import { exportParams, loadParams, randomParams, type ParamDType } from "../models/torch-weights.js";
import type { NamedWeights } from "../models/types.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import { BucketSampler } from "./buckets.js";
import { loopSettings, type OptimSettings } from "./distill.js";
import { trainLoop, type TrainProgress, type TrainResult } from "./loop.js";
import { createAdamW } from "./optimizer.js";
import { Mulberry32, mixSeed } from "./prng.js";

/**
 * HF names and shapes of the MLM head for hidden size H and vocabulary V.
 * @example
 * ```ts
 * import { mlmHeadShapes } from "xlir";
 * const s = mlmHeadShapes(8, 50);
 * console.assert(s.get("lm_head.dense.weight")!.join() === "8,8" && s.get("lm_head.bias")!.join() === "50");
 * ```
 */
export function mlmHeadShapes(hidden: number, vocab: number): Map<string, number[]> {
  return new Map([
    ["lm_head.dense.weight", [hidden, hidden]],
    ["lm_head.dense.bias", [hidden]],
    ["lm_head.layer_norm.weight", [hidden]],
    ["lm_head.layer_norm.bias", [hidden]],
    ["lm_head.bias", [vocab]],
  ]);
}

/**
 * The MLM head; its decoder is the encoder's word-embedding matrix (tied, as in BERT and XLM-R).
 * @example
 * ```ts
 * import { MlmHead, tensor, tidy } from "xlir";
 * const head = MlmHead.random(4, 10, 1);
 * const shape = tidy(() => head.logits(tensor(new Float32Array(8).fill(0.5), [2, 4]), tensor(new Float32Array(40).fill(0.1), [10, 4])).shape);
 * console.assert(shape.join() === "2,10" && head.namedParameters().length === 5);
 * head.free();
 * ```
 */
export class MlmHead {
  private constructor(
    private readonly params: Map<string, Tensor>,
    readonly layerNormEps: number,
  ) {}

  /** dense N(0, 0.02²), LayerNorm weight 1, biases 0; reproducible from `seed`. */
  static random(
    hidden: number,
    vocab: number,
    seed: number,
    dtype: ParamDType = "float32",
    layerNormEps = 1e-5,
  ): MlmHead {
    return new MlmHead(randomParams(mlmHeadShapes(hidden, vocab), seed, dtype, null), layerNormEps);
  }

  /** From HF-named weights (`lm_head.*`); a missing or misshapen tensor is refused. */
  static fromWeights(
    hidden: number,
    vocab: number,
    weights: NamedWeights,
    dtype: ParamDType = "float32",
    layerNormEps = 1e-5,
  ): MlmHead {
    return new MlmHead(loadParams(mlmHeadShapes(hidden, vocab), weights, "MLM head", dtype), layerNormEps);
  }

  namedParameters(): [string, Tensor][] {
    return [...this.params.entries()];
  }
  /** Float32 copies under HF names. */
  weights(): NamedWeights {
    return exportParams(this.params);
  }
  free(): void {
    for (const t of this.params.values()) t.free();
  }
  private p(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new XlirError("INTERNAL", `missing MLM head parameter ${name}`);
    return t;
  }

  /** Hidden states [N, H] and the word embeddings [V, H] -> logits [N, V]. */
  logits(h: Tensor, wordEmbeddings: Tensor): Tensor {
    const H = h.shape[1];
    const d = linear(h, this.p("lm_head.dense.weight"), this.p("lm_head.dense.bias"));
    const g = d.gelu("none");
    const n = layerNorm(
      g,
      [H],
      this.p("lm_head.layer_norm.weight"),
      this.p("lm_head.layer_norm.bias"),
      this.layerNormEps,
    );
    const out = linear(n, wordEmbeddings, this.p("lm_head.bias"));
    for (const t of [d, g, n]) t.free();
    return out;
  }
}

export interface MaskingOptions {
  maskId: number;
  vocabSize: number;
  /** Probability that a real, non-special token is chosen (BERT: 0.15). */
  probability: number;
  isSpecial: (id: number) => boolean;
  seed: number;
}

export interface MaskedBatch {
  /** The ids with the chosen tokens replaced, [B*L]. */
  input: Int32Array;
  /** Flat positions (b*L + i) of the chosen tokens, ascending. */
  positions: number[];
  /** The original ids at those positions. */
  labels: number[];
}

/**
 * BERT's masking of a padded batch (see the file comment); a pure function of its arguments.
 * @example
 * ```ts
 * import { maskTokens } from "xlir";
 * const ids = Int32Array.of(0, 5, 6, 7, 2, 1); // <s> a b c </s> <pad>
 * const mask = Uint8Array.of(1, 1, 1, 1, 1, 0);
 * const m = maskTokens(ids, mask, 1, 6, { maskId: 9, vocabSize: 10, probability: 0.15, isSpecial: (id) => id < 4, seed: 1 });
 * // at least one token is chosen, never a special one or padding
 * console.assert(m.positions.length >= 1 && m.positions.every((p) => p >= 1 && p <= 3));
 * console.assert(m.labels.every((l, k) => l === ids[m.positions[k]]));
 * ```
 */
export function maskTokens(
  ids: ArrayLike<number>,
  mask: ArrayLike<number>,
  B: number,
  L: number,
  o: MaskingOptions,
): MaskedBatch {
  if (ids.length !== B * L || mask.length !== B * L)
    throw new XlirError(
      "BAD_INPUT",
      `ids/mask have ${ids.length}/${mask.length} entries, expected B*L = ${B * L}`,
    );
  if (!(o.probability > 0 && o.probability < 1))
    throw new XlirError("CONFIG", `mask probability must be in (0, 1), got ${o.probability}`);
  const rng = new Mulberry32(o.seed);
  const input = Int32Array.from(ids);
  const positions: number[] = [];
  const labels: number[] = [];
  const randomToken = (): number => {
    for (;;) {
      const t = rng.int(o.vocabSize);
      if (!o.isSpecial(t) && t !== o.maskId) return t;
    }
  };
  for (let b = 0; b < B; b++) {
    const eligible: number[] = [];
    const chosen: number[] = [];
    for (let i = 0; i < L; i++) {
      const k = b * L + i;
      if (!mask[k] || o.isSpecial(ids[k])) continue;
      eligible.push(k);
      if (rng.next() < o.probability) chosen.push(k);
    }
    if (eligible.length === 0) continue;
    if (chosen.length === 0) chosen.push(eligible[rng.int(eligible.length)]);
    for (const k of chosen) {
      positions.push(k);
      labels.push(ids[k]);
      const r = rng.next();
      if (r < 0.8) input[k] = o.maskId;
      else if (r < 0.9) input[k] = randomToken();
    }
  }
  return { input, positions, labels };
}

/**
 * Mean cross-entropy of the MLM head's predictions at the chosen positions (a scalar tensor with
 * gradients to the encoder and the head).
 * @example
 * ```ts
 * import { loadHfFolder, maskTokens, MlmHead, mlmLoss, tidy, TorchEncoder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-xlmr");
 * const encoder = TorchEncoder.fromWeights(m.config, m.weights);
 * const head = MlmHead.random(m.config.hiddenSize, m.config.vocabSize, 1);
 * const b = m.tokenizer.encodeBatch(["the quick brown fox", "hello"], { maxLength: 16 });
 * const masked = maskTokens(b.ids, b.mask, b.batch, b.length, {
 *   maskId: m.tokenizer.tokenToId("<mask>")!, vocabSize: m.config.vocabSize, probability: 0.15,
 *   isSpecial: (id) => m.tokenizer.isSpecial(id), seed: 1,
 * });
 * // one cross-entropy averaged over the chosen positions (at least one a sentence)
 * const loss = tidy(() => mlmLoss(encoder, head, masked, b.mask, b.batch, b.length).item());
 * console.assert(Number.isFinite(loss) && loss > 0 && masked.positions.length >= 2);
 * encoder.free();
 * head.free();
 * ```
 */
export function mlmLoss(
  encoder: TorchEncoder,
  head: MlmHead,
  batch: MaskedBatch,
  mask: ArrayLike<number>,
  B: number,
  L: number,
): Tensor {
  if (batch.positions.length === 0)
    throw new XlirError("BAD_INPUT", "an MLM batch with no chosen token has no loss");
  const word = encoder.namedParameters().find(([n]) => n === "embeddings.word_embeddings.weight")?.[1];
  if (!word) throw new XlirError("INTERNAL", "the encoder has no word embeddings");
  const H = encoder.config.hiddenSize;
  const m = Uint8Array.from(mask, Number);
  const h = encoder.forward(batch.input, m, B, L); // [B, L, H]
  const flat = h.reshape(B * L, H);
  const pos = tensor(BigInt64Array.from(batch.positions, BigInt), [batch.positions.length], "int64");
  const sel = flat.indexSelect(0, pos); // [N, H]
  const logits = head.logits(sel, word); // [N, V]
  const target = tensor(BigInt64Array.from(batch.labels, BigInt), [batch.labels.length], "int64");
  const loss = crossEntropy(logits, target);
  for (const t of [h, flat, pos, sel, logits, target]) t.free();
  return loss;
}

/**
 * A TLM sequence `<s> A </s></s> B </s>` from the two sides' ids without special tokens, the
 * longer side shortened first so that the whole fits `maxLength` (at least 6).
 * @example
 * ```ts
 * import { pairSequence } from "xlir";
 * const s = pairSequence([10, 11, 12, 13], [20, 21], 8, { bos: 0, eos: 2 });
 * console.assert(s.join() === "0,10,11,2,2,20,21,2");
 * ```
 */
export function pairSequence(
  a: readonly number[],
  b: readonly number[],
  maxLength: number,
  special: { bos: number; eos: number },
): number[] {
  if (maxLength < 6) throw new XlirError("CONFIG", `a pair needs maxLength >= 6, got ${maxLength}`);
  let la = a.length;
  let lb = b.length;
  while (la + lb > maxLength - 4) {
    if (la >= lb) la--;
    else lb--;
  }
  return [special.bos, ...a.slice(0, la), special.eos, special.eos, ...b.slice(0, lb), special.eos];
}

export interface MlmTrainingOptions {
  /** The encoder (no retrieval head needed), trained in place. */
  encoder: TorchEncoder;
  head: MlmHead;
  /** Token ids of each example with special tokens (a sentence, or a pair from pairSequence). */
  examples: readonly ArrayLike<number>[];
  padId: number;
  masking: Omit<MaskingOptions, "seed">;
  optim: OptimSettings;
  seed: number;
  config: unknown;
  checkpointPath?: string;
  stopAfter?: number;
  onProgress?: (p: TrainProgress) => void;
  /**
   * Which encoder parameters train (by HF name; default all); the others are frozen and left out of
   * the optimizer and the checkpoint. The MLM head always trains.
   */
  trainable?: (name: string) => boolean;
}

/**
 * Trains the encoder and the head in place with MLM/TLM (resuming from `checkpointPath` when it
 * exists); batches of similar length, masking seeded by the batch position.
 * @example
 * ```ts
 * import { loadHfFolder, MlmHead, pretrainMlm, TorchEncoder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-xlmr");
 * const encoder = TorchEncoder.fromWeights(m.config, m.weights).unfreeze();
 * const head = MlmHead.random(m.config.hiddenSize, m.config.vocabSize, 1);
 * const examples = ["the fox ran", "a cafe by the sea", "the fox", "coffee and tea"].map((t) => m.tokenizer.encodeOne(t, 16).ids);
 * const r = pretrainMlm({
 *   encoder, head, examples, padId: m.tokenizer.padId,
 *   masking: { maskId: m.tokenizer.tokenToId("<mask>")!, vocabSize: m.config.vocabSize, probability: 0.15, isSpecial: (id) => m.tokenizer.isSpecial(id) },
 *   optim: { steps: 2, batchSize: 2, learningRate: 1e-3, warmupSteps: 1, weightDecay: 0, clipNorm: 1, accumulate: 1, checkpointEvery: 0 },
 *   seed: 1, config: {},
 * });
 * console.assert(r.step === 2 && r.losses.every((l) => Number.isFinite(l) && l > 0) && !encoder.training);
 * encoder.free();
 * head.free();
 * ```
 */
export function pretrainMlm(o: MlmTrainingOptions): TrainResult {
  const sampler = new BucketSampler(
    o.examples.map((e) => e.length),
    o.optim.batchSize,
    o.seed,
  );
  const trainable = o.trainable ?? (() => true);
  for (const [name, t] of o.encoder.namedParameters()) t.requireGrad(trainable(name));
  const encoderParams = o.encoder.namedParameters().filter(([name]) => trainable(name));
  if (encoderParams.length === 0)
    throw new XlirError("CONFIG", "MLM training with no trainable encoder parameter");
  const params = [...encoderParams, ...o.head.namedParameters()];
  const optimizer = createAdamW(params, { lr: o.optim.learningRate, weightDecay: o.optim.weightDecay });
  o.encoder.train();
  try {
    return trainLoop<{ items: number[]; position: number }>({
      params,
      optimizer,
      batches: (i) => ({ items: sampler.batch(i), position: i }),
      stepFn: ({ items, position }) => {
        const {
          ids,
          mask,
          batch: B,
          length: L,
        } = padIdRows(
          items.map((i) => o.examples[i]),
          o.padId,
        );
        const masked = maskTokens(ids, mask, B, L, {
          ...o.masking,
          seed: mixSeed(o.seed ^ 0x6d6c6d, position),
        });
        return mlmLoss(o.encoder, o.head, masked, mask, B, L);
      },
      ...loopSettings(o.optim, o),
      onProgress: o.onProgress,
    });
  } finally {
    o.encoder.eval();
    optimizer.free();
  }
}
