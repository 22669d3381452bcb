/**
 * AdamW over a model's named parameters with the usual BERT grouping: weight decay (default 0.01)
 * on weight matrices and embeddings, none on biases and LayerNorm parameters.
 */
import { AdamW, type AdamWOptions, type Tensor } from "../engine/index.js";

export interface TrainOptimizerOptions extends Partial<AdamWOptions> {
  lr: number;
  /** Decoupled weight decay on decayed parameters (default 0.01). */
  weightDecay?: number;
  /** Which parameters get no decay (default: names ending in `.bias` or containing `LayerNorm`). */
  noDecay?: (name: string) => boolean;
}

/**
 * Default no-decay rule: biases and LayerNorm weights/biases.
 * @example
 * ```ts
 * import { isNoDecay } from "xlir";
 * console.assert(isNoDecay("encoder.layer.0.output.LayerNorm.weight") && isNoDecay("pooler.dense.bias"));
 * console.assert(!isNoDecay("embeddings.word_embeddings.weight"));
 * ```
 */
export function isNoDecay(name: string): boolean {
  return name.endsWith(".bias") || name.includes("LayerNorm") || name.includes("layer_norm");
}

/**
 * Two parameter groups (0: decayed, 1: not decayed), frozen parameters (requires_grad false) left out.
 * Parameter order inside each group follows `named`, so optimizer state is saved and restored by position.
 * @example
 * ```ts
 * import { createAdamW, tensor, type Tensor } from "xlir";
 * const named: [string, Tensor][] = [
 *   ["dense.weight", tensor([1, 2], [1, 2]).requireGrad()],
 *   ["dense.bias", tensor([0], [1]).requireGrad()],
 *   ["frozen.weight", tensor([1], [1])], // requires no gradient: left out
 * ];
 * const opt = createAdamW(named, { lr: 1e-3 });
 * const [decayed, plain] = opt.groups;
 * console.assert(decayed.params[0] === named[0][1] && decayed.params.length === 1 && decayed.weightDecay === 0.01);
 * console.assert(plain.params[0] === named[1][1] && plain.params.length === 1 && plain.weightDecay === 0);
 * opt.free();
 * named.forEach(([, t]) => t.free());
 * ```
 */
export function createAdamW(named: [string, Tensor][], o: TrainOptimizerOptions): AdamW {
  const rule = o.noDecay ?? isNoDecay;
  const trainable = named.filter(([, p]) => p.requiresGrad);
  const decay = trainable.filter(([n]) => !rule(n)).map(([, p]) => p);
  const plain = trainable.filter(([n]) => rule(n)).map(([, p]) => p);
  return new AdamW(
    [
      { params: decay, lr: o.lr, weightDecay: o.weightDecay ?? 0.01 },
      { params: plain, lr: o.lr, weightDecay: 0 },
    ],
    { beta1: o.beta1, beta2: o.beta2, eps: o.eps, amsgrad: o.amsgrad, fused: o.fused, foreach: o.foreach },
  );
}
