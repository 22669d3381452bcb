/**
 * Network layers, losses and gradient helpers over the libtorch binding: embedding, linear, layer
 * norm, dropout, cross-entropy, MSE, gradient clipping and zeroing. Gradients are libtorch's.
 */
import { fromHandle, type Tensor } from "./torch.js";
import { native, type Reduction } from "./torch-native.js";

/**
 * Rows of `weight` [V, H] picked by int64 `ids` [...] -> [..., H]; gradient scatters into weight.
 * @example
 * ```ts
 * import { embedding, tensor, tidy } from "xlir";
 * const rows = tidy(() => {
 *   const weight = tensor([0, 0, 1, 1, 2, 2], [3, 2]); // row t = [t, t]
 *   return embedding(weight, tensor(BigInt64Array.of(2n, 0n), [2])).toFloat32();
 * });
 * console.assert(rows.join() === "2,2,0,0");
 * ```
 */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return fromHandle(native().embedding(weight.handle, ids.handle));
}
/**
 * y = x W^T + b; x [..., in], W [out, in], b [out] -> [..., out].
 * @example
 * ```ts
 * import { linear, tensor, tidy } from "xlir";
 * const y = tidy(() =>
 *   linear(tensor([1, 2], [1, 2]), tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([0, 0, 1], [3])).toFloat32(),
 * );
 * console.assert(y.join() === "1,2,4"); // [1, 2, 1 + 2 + 1]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return fromHandle(native().linear(x.handle, weight.handle, bias ? bias.handle : null));
}
/**
 * Layer normalisation over the last dims of `normalizedShape`:
 * y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as torch.nn.LayerNorm).
 * @example
 * ```ts
 * import { layerNorm, tensor, tidy } from "xlir";
 * // mean 2, biased variance 1: (x - 2) / 1
 * const y = tidy(() => layerNorm(tensor([1, 3], [1, 2]), [2], null, null).toFloat32());
 * console.assert(Math.abs(y[0] + 1) < 1e-6 && Math.abs(y[1] - 1) < 1e-6);
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps = 1e-12,
): Tensor {
  return fromHandle(
    native().layerNorm(
      x.handle,
      normalizedShape,
      weight ? weight.handle : null,
      bias ? bias.handle : null,
      eps,
    ),
  );
}
/**
 * Inverted dropout: zeroes with probability p, scales survivors by 1/(1-p); identity when !train.
 * @example
 * ```ts
 * import { dropout, manualSeed, ones, tidy } from "xlir";
 * manualSeed(0);
 * const y = tidy(() => dropout(ones([1000]), 0.5, true).toFloat32());
 * const dropped = y.filter((v) => v === 0).length;
 * console.assert(y.every((v) => v === 0 || v === 2) && dropped > 400 && dropped < 600); // survivors scaled by 1/(1-p)
 * console.assert(tidy(() => dropout(ones([4]), 0.5, false).sum().item()) === 4); // identity when not training
 * ```
 */
export function dropout(x: Tensor, p: number, train: boolean): Tensor {
  if (!train || p === 0) return x.clone();
  return fromHandle(native().dropout(x.handle, p, train));
}
/**
 * Cross-entropy of logits [N, C] against int64 class ids [N]:
 * -log softmax(logits)[i, target_i], averaged (mean), summed or per row (none).
 * @example
 * ```ts
 * import { crossEntropy, tensor, tidy } from "xlir";
 * // equal logits over 2 classes: -log(1/2)
 * const l = tidy(() => crossEntropy(tensor([0, 0], [1, 2]), tensor(BigInt64Array.of(0n), [1])).item());
 * console.assert(Math.abs(l - Math.log(2)) < 1e-6);
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  reduction: Reduction = "mean",
  labelSmoothing = 0,
): Tensor {
  return fromHandle(native().crossEntropy(logits.handle, target.handle, reduction, labelSmoothing));
}
/**
 * Mean (or sum / none) of squared differences.
 * @example
 * ```ts
 * import { mseLoss, tensor, tidy } from "xlir";
 * tidy(() => {
 *   const a = tensor([1, 2], [2]);
 *   const b = tensor([1, 4], [2]);
 *   console.assert(mseLoss(a, b).item() === 2 && mseLoss(a, b, "sum").item() === 4);
 * });
 * ```
 */
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = "mean"): Tensor {
  return fromHandle(native().mseLoss(a.handle, b.handle, reduction));
}

/**
 * Rescales the gradients of `params` in place so their joint p-norm is at most maxNorm
 * (g <- g * min(1, maxNorm / (||g|| + 1e-6))); returns the norm before clipping.
 * @example
 * ```ts
 * import { clipGradNorm, tensor, tidy } from "xlir";
 * tidy(() => {
 *   const w = tensor([3, 4], [2], "float64").requireGrad();
 *   w.mul(w).sum().div(2).backward(); // gradient = w = [3, 4], norm 5
 *   const before = clipGradNorm([w], 1);
 *   const g = w.grad!.toFloat64(); // rescaled to norm 1
 *   console.assert(before === 5 && Math.abs(g[0] - 0.6) < 1e-6 && Math.abs(g[1] - 0.8) < 1e-6);
 * });
 * ```
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native().clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  );
}
/**
 * Drops the gradients of every tensor.
 * @example
 * ```ts
 * import { tensor, tidy, zeroGrad } from "xlir";
 * tidy(() => {
 *   const w = tensor([1, 2], [2]).requireGrad();
 *   w.sum().backward();
 *   console.assert(w.grad !== null);
 *   zeroGrad([w]);
 *   console.assert(w.grad === null);
 * });
 * ```
 */
export function zeroGrad(params: Tensor[]): void {
  native().zeroGrad(params.map((p) => p.handle));
}
