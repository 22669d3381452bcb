/**
 * BERT / XLM-RoBERTa encoder on the libtorch binding (the trainable graph), with the retrieval heads.
 *
 * Forward (Devlin et al. 2019; HF `BertModel`), x [B, L, H], nh heads of size hd = H / nh:
 *   x = LN(word[ids] + pos[p] + type[0]);  per layer:
 *   q,k,v = x Wq^T + bq, ... -> [B, nh, L, hd];  A = softmax(q k^T / sqrt(hd) + maskBias) [B, nh, L, L]
 *   x = LN(x + (A v) Wo^T + bo);  x = LN(x + gelu(x Wi^T + bi) Wo2^T + bo2)
 * maskBias = -1e9 on padding keys (large and finite, not -inf). GELU is exact (erf).
 * Positions p: BERT 0..L-1; XLM-R padding_idx + cumsum(ids != pad) on real tokens, padding_idx on pads.
 */
import { XlirError } from "../errors.js";
import { dropout, layerNorm, linear, embedding, tensor, noGrad, Tensor } from "../engine/index.js";
import { PLAIN_INTERACTION, type InteractionSettings } from "./interaction.js";
import type { EncoderConfig, HeadConfig, NamedWeights } from "./types.js";
import {
  encoderParamShapes,
  exportParams,
  headParamShapes,
  loadParams,
  randomParams,
  type ParamDType,
} from "./torch-weights.js";

export type IdArray = Int32Array | BigInt64Array;
export type MaskArray = Int32Array | BigInt64Array | Uint8Array;

export interface TorchEncoderOptions {
  /** Dropout probability on embeddings, attention probabilities and sub-layer outputs in training mode (default 0.1). */
  dropout?: number;
  /** Parameter element type (default float32; float64 for gradient checks). */
  dtype?: ParamDType;
}

const NEG = -1e9;

/**
 * @example
 * ```ts
 * import { loadHfFolder, TorchEncoder, tidy } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const enc = TorchEncoder.fromHfModel(m);
 * const b = m.tokenizer.encodeBatch(["hello world"], { maxLength: 8 });
 * const shape = tidy(() => enc.tokenVectors(b.ids, b.mask, b.batch, b.length).shape);
 * console.assert(shape.join() === `1,${b.length},${m.head!.dim}`);
 * enc.free();
 * ```
 */
export class TorchEncoder {
  readonly config: EncoderConfig;
  readonly head: HeadConfig | null;
  readonly dtype: ParamDType;
  dropoutP: number;
  /** Training mode (dropout on). Starts false: call train() before training. */
  training = false;
  /** Query/document processing of the checkpoint (markers, augmentation, skiplist); see interaction.ts. */
  interaction: InteractionSettings = PLAIN_INTERACTION;
  private readonly enc: Map<string, Tensor>;
  private readonly headParams: Map<string, Tensor>;

  private constructor(
    config: EncoderConfig,
    head: HeadConfig | null,
    enc: Map<string, Tensor>,
    hp: Map<string, Tensor>,
    opts: TorchEncoderOptions,
  ) {
    if (config.hiddenSize % config.numHeads !== 0)
      throw new XlirError(
        "CONFIG",
        `hidden size ${config.hiddenSize} is not a multiple of the ${config.numHeads} attention heads`,
      );
    this.config = config;
    this.head = head;
    this.enc = enc;
    this.headParams = hp;
    this.dtype = opts.dtype ?? "float32";
    this.dropoutP = opts.dropout ?? 0.1;
  }

  /** From HF weights (names with or without `bert.`/`roberta.`); head weights `linear.weight`/`linear.bias`. */
  static fromWeights(
    config: EncoderConfig,
    weights: NamedWeights,
    head: HeadConfig | null = null,
    headWeights: NamedWeights | null = null,
    opts: TorchEncoderOptions = {},
  ): TorchEncoder {
    const dt = opts.dtype ?? "float32";
    const enc = loadParams(encoderParamShapes(config), weights, "encoder", dt);
    const hs = headParamShapes(config, head);
    let hp: Map<string, Tensor>;
    if (hs.size > 0 && headWeights === null) hp = randomParams(hs, 0, dt, null);
    else hp = loadParams(hs, headWeights ?? new Map(), "head", dt);
    return new TorchEncoder(config, head, enc, hp, opts);
  }

  /** From a loaded HF folder (`loadHfFolder`): its weights and, when present, its head. */
  static fromHfModel(
    m: {
      config: EncoderConfig;
      weights: NamedWeights;
      head: HeadConfig | null;
      headWeights: NamedWeights | null;
      interaction?: InteractionSettings;
    },
    opts: TorchEncoderOptions = {},
  ): TorchEncoder {
    const enc = TorchEncoder.fromWeights(m.config, m.weights, m.head, m.headWeights, opts);
    enc.interaction = m.interaction ?? PLAIN_INTERACTION;
    return enc;
  }

  /** Random HF-style initialisation (N(0, 0.02²) weights), reproducible from `seed`. */
  static random(
    config: EncoderConfig,
    head: HeadConfig | null,
    seed: number,
    opts: TorchEncoderOptions = {},
  ): TorchEncoder {
    const dt = opts.dtype ?? "float32";
    const enc = randomParams(encoderParamShapes(config), seed, dt, config.padTokenId);
    const hp = randomParams(headParamShapes(config, head), seed + 1, dt, null);
    return new TorchEncoder(config, head, enc, hp, opts);
  }

  train(): this {
    this.training = true;
    return this;
  }
  eval(): this {
    this.training = false;
    return this;
  }
  /** For a frozen teacher: no gradients for any parameter, eval mode. */
  freeze(): this {
    for (const p of this.parameters()) p.requireGrad(false);
    return this.eval();
  }
  /** Marks every parameter trainable. */
  unfreeze(): this {
    for (const p of this.parameters()) p.requireGrad(true);
    return this;
  }

  /** Encoder parameters in HF order, then the head's. */
  parameters(): Tensor[] {
    return [...this.enc.values(), ...this.headParams.values()];
  }
  /** [name, tensor] pairs; head parameters are named `head.linear.weight` / `head.linear.bias`. */
  namedParameters(): [string, Tensor][] {
    return [
      ...this.enc.entries(),
      ...[...this.headParams.entries()].map(([k, v]): [string, Tensor] => [`head.${k}`, v]),
    ];
  }
  /** Encoder weights under HF names (no prefix), float32 copies. */
  namedWeights(): NamedWeights {
    return exportParams(this.enc);
  }
  /** Head weights (`linear.weight`, `linear.bias`), float32 copies; empty without a linear layer. */
  headWeights(): NamedWeights {
    return exportParams(this.headParams);
  }
  /** Releases every parameter. */
  free(): void {
    for (const p of this.parameters()) p.free();
  }

  private p(name: string): Tensor {
    const t = this.enc.get(name);
    if (!t) throw new XlirError("INTERNAL", `missing parameter ${name}`);
    return t;
  }
  private drop(x: Tensor): Tensor {
    return this.training && this.dropoutP > 0 ? dropout(x, this.dropoutP, true) : x;
  }

  /** Position ids [B*L] as int64 (see the file comment). */
  positionIds(ids: IdArray, B: number, L: number): BigInt64Array {
    const c = this.config;
    const pos = new BigInt64Array(B * L);
    for (let b = 0; b < B; b++) {
      let count = 0;
      for (let i = 0; i < L; i++) {
        const k = b * L + i;
        let p: number;
        if (c.architecture === "xlm-roberta") {
          if (Number(ids[k]) === c.padTokenId) p = c.padTokenId;
          else p = c.padTokenId + 1 + count++;
        } else p = c.positionOffset + i;
        if (p >= c.maxPositions)
          throw new XlirError(
            "BAD_INPUT",
            `sequence of ${L} tokens needs position ${p}, the model has ${c.maxPositions} positions`,
          );
        pos[k] = BigInt(p);
      }
    }
    return pos;
  }

  /**
   * Last hidden state. ids, mask: [B*L] row-major (mask 1 = real token, 0 = padding) -> [B, L, H].
   * Intermediate tensors are freed; only the result is new in the caller's scope.
   */
  forward(ids: IdArray, mask: MaskArray, B: number, L: number): Tensor {
    const c = this.config;
    if (ids.length !== B * L || mask.length !== B * L)
      throw new XlirError(
        "BAD_INPUT",
        `ids/mask have ${ids.length}/${mask.length} entries, expected B*L = ${B * L}`,
      );
    for (let k = 0; k < ids.length; k++) {
      const v = Number(ids[k]);
      if (v < 0 || v >= c.vocabSize)
        throw new XlirError("BAD_INPUT", `token id ${v} is outside the vocabulary (size ${c.vocabSize})`);
    }
    const H = c.hiddenSize;
    const nh = c.numHeads;
    const hd = H / nh;
    const bias = new Float64Array(B * L);
    for (let k = 0; k < bias.length; k++) bias[k] = Number(mask[k]) ? 0 : NEG;
    const idT = tensor(ids, [B, L], "int64");
    const posT = tensor(this.positionIds(ids, B, L), [B, L], "int64");
    const maskBias = tensor(bias, [B, 1, 1, L], this.dtype); // [B, 1, 1, L]
    const tmp: Tensor[] = [idT, posT, maskBias];
    const T = <X extends Tensor>(t: X): X => {
      tmp.push(t);
      return t;
    };
    try {
      const word = T(embedding(this.p("embeddings.word_embeddings.weight"), idT)); // [B, L, H]
      const pos = T(embedding(this.p("embeddings.position_embeddings.weight"), posT)); // [B, L, H]
      const typ = T(this.p("embeddings.token_type_embeddings.weight").narrow(0, 0, 1)); // [1, H]
      const e = T(T(T(word.add(pos)).add(typ)));
      let x = T(
        this.drop(
          T(
            layerNorm(
              e,
              [H],
              this.p("embeddings.LayerNorm.weight"),
              this.p("embeddings.LayerNorm.bias"),
              c.layerNormEps,
            ),
          ),
        ),
      );
      const scale = 1 / Math.sqrt(hd);
      for (let l = 0; l < c.numLayers; l++) {
        const pre = `encoder.layer.${l}.`;
        const w = (n: string): Tensor => this.p(pre + n);
        const heads = (n: string): Tensor =>
          T(
            T(
              T(linear(x, w(`attention.self.${n}.weight`), w(`attention.self.${n}.bias`))).view(B, L, nh, hd),
            ).transpose(1, 2),
          ); // [B, nh, L, hd]
        const q = heads("query");
        const k = heads("key");
        const v = heads("value");
        const scores = T(T(T(q.matmul(T(k.transpose(2, 3)))).mul(scale)).add(maskBias)); // [B, nh, L, L]
        const probs = T(this.drop(T(scores.softmax(-1))));
        const ctx = T(T(T(probs.matmul(v)).transpose(1, 2)).reshape(B, L, H)); // [B, L, H]
        const ao = T(
          this.drop(T(linear(ctx, w("attention.output.dense.weight"), w("attention.output.dense.bias")))),
        );
        const x1 = T(
          layerNorm(
            T(ao.add(x)),
            [H],
            w("attention.output.LayerNorm.weight"),
            w("attention.output.LayerNorm.bias"),
            c.layerNormEps,
          ),
        );
        const inter = T(linear(x1, w("intermediate.dense.weight"), w("intermediate.dense.bias"))); // [B, L, I]
        const act = T(this.act(inter));
        const o = T(this.drop(T(linear(act, w("output.dense.weight"), w("output.dense.bias")))));
        x = T(
          layerNorm(
            T(o.add(x1)),
            [H],
            w("output.LayerNorm.weight"),
            w("output.LayerNorm.bias"),
            c.layerNormEps,
          ),
        );
      }
      tmp.pop(); // the result stays alive
      return x;
    } finally {
      for (const t of tmp) t.free();
    }
  }

  private act(x: Tensor): Tensor {
    switch (this.config.hiddenAct) {
      case "gelu":
        return x.gelu("none");
      case "gelu_new":
        return x.gelu("tanh");
      case "relu":
        return x.relu();
    }
  }

  private headLinear(x: Tensor): Tensor {
    const w = this.headParams.get("linear.weight");
    return w ? linear(x, w, this.headParams.get("linear.bias") ?? null) : x.clone();
  }

  /**
   * ColBERT token vectors: normalize(x W^T [+ b]) per token, rows outside `keep` (default: the
   * attention mask, i.e. padding) set to 0. `keep` differs from `mask` for augmented queries (masks
   * not attended but kept) and documents with a skiplist. Requires a colbert head. -> [B, L, dim]
   */
  tokenVectors(ids: IdArray, mask: MaskArray, B: number, L: number, keep: MaskArray = mask): Tensor {
    if (!this.head || this.head.kind !== "colbert")
      throw new XlirError("CONFIG", "tokenVectors needs a colbert head");
    if (keep.length !== B * L)
      throw new XlirError("BAD_INPUT", `keep has ${keep.length} entries, expected B*L = ${B * L}`);
    const h = this.forward(ids, mask, B, L); // [B, L, H]
    const m = tensor(Float64Array.from(keep, Number), [B, L, 1], this.dtype);
    const y = this.headLinear(h); // [B, L, dim]
    const n = y.normalize(-1);
    const out = n.mul(m);
    for (const t of [h, m, y, n]) t.free();
    return out;
  }

  /**
   * Single vector per text: CLS (position 0) or masked mean of the last hidden state, optional
   * linear, then L2 normalisation. Requires a pooled head. -> [B, dim or H]
   */
  pooledVectors(ids: IdArray, mask: MaskArray, B: number, L: number): Tensor {
    if (!this.head || this.head.kind !== "pooled")
      throw new XlirError("CONFIG", "pooledVectors needs a pooled head");
    const h = this.forward(ids, mask, B, L); // [B, L, H]
    const tmp: Tensor[] = [h];
    let pooled: Tensor;
    if (this.head.pooling === "cls")
      pooled = h.select(1, 0); // [B, H]
    else {
      const m = tensor(Float64Array.from(mask, Number), [B, L, 1], this.dtype);
      const s = h.mul(m).sum(1); // [B, H]
      const cnt = m.sum(1).clamp(1e-9); // [B, 1]
      pooled = s.div(cnt);
      tmp.push(m, s, cnt);
    }
    tmp.push(pooled);
    const y = this.headLinear(pooled);
    tmp.push(y);
    const out = y.normalize(-1);
    for (const t of tmp) t.free();
    return out;
  }

  /** Inference forward without autograd. */
  encodeRaw(ids: IdArray, mask: MaskArray, B: number, L: number): Tensor {
    return noGrad(() => this.forward(ids, mask, B, L));
  }
}
