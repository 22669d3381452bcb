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

/** Default no-decay rule: biases and LayerNorm weights/biases. */
export function isNoDecay(name: string): boolean {
  return name.endsWith(".bias") || name.includes("LayerNorm") || name.includes("layer_norm");
}

/**
 * Two parameter groups (0: decayed, 1: not decayed), frozen parameters (requires_grad false) left out.
 * Parameter order inside each group follows `named`, so optimizer state is saved and restored by position.
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
