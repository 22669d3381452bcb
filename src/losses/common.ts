/** Helpers shared by the losses: mask checks, pooling, option resolution. */
import { XlirError } from "../errors.js";
import { tidy, type DType, type Tensor } from "../engine/index.js";

/** Large finite negative used to mask scores (never -inf: an all-masked row would give NaN). */
export const MASKED_SCORE = -1e4;

/** Throws a clear error if a mask is not [B, L] or has a row without real tokens. */
export function checkMask(mask: Tensor, what: string, expected: number[]): void {
  if (mask.shape.length !== 2 || mask.shape[0] !== expected[0] || mask.shape[1] !== expected[1]) {
    throw new XlirError("BAD_INPUT", `${what} mask has shape [${mask.shape}]; expected [${expected}]`);
  }
  const counts = tidy(() => mask.to("float64").sum(1).toFloat64());
  counts.forEach((c, k) => {
    if (!(c > 0)) throw new XlirError("BAD_INPUT", `${what}: row ${k} is all padding; every sentence needs at least one real token`);
  });
}

/** Checks tokens [B, L, d] against its mask [B, L]; returns the float mask [B, L] in `dtype`. */
export function floatMask(tokens: Tensor, mask: Tensor, what: string, dtype: DType): Tensor {
  if (tokens.shape.length !== 3) throw new XlirError("BAD_INPUT", `${what} tokens have shape [${tokens.shape}]; expected [B, L, d]`);
  checkMask(mask, what, tokens.shape.slice(0, 2));
  return mask.to(dtype);
}

/**
 * Pooling over real tokens: mean = sum_t m_t x_t / sum_t m_t; cls = the first token.
 * @param x [B, L, d], mask [B, L] float. @returns [B, d]
 */
export function pool(x: Tensor, mask: Tensor, kind: "mean" | "cls"): Tensor {
  return tidy(() => {
    if (kind === "cls") return x.select(1, 0); // [B, d]
    return x.mul(mask.unsqueeze(2)).sum(1).div(mask.sum(1, true)); // [B, d]
  });
}

/**
 * Defaults overridden by `given`; unknown keys and values of another type than the default are
 * rejected (XlirError CONFIG naming the allowed keys).
 */
export function resolveOptions<T extends Record<string, unknown>>(loss: string, defaults: T, given: Readonly<Record<string, unknown>> = {}): T {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) throw new XlirError("CONFIG", `loss '${loss}': unknown option '${k}'; known options: ${Object.keys(defaults).join(", ")}`);
    const d = defaults[k];
    if (v !== undefined && d !== null && typeof d !== "object" && typeof v !== typeof d) {
      throw new XlirError("CONFIG", `loss '${loss}': option '${k}' must be a ${typeof d}, got ${JSON.stringify(v)}`);
    }
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

export function positiveOption(loss: string, name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) throw new XlirError("CONFIG", `loss '${loss}': ${name} = ${x}; expected a number > 0`);
}
