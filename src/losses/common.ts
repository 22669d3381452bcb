/** Helpers shared by the losses: mask checks, pooling, option parsing. */
import { z } from "zod";
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
    if (!(c > 0))
      throw new XlirError(
        "BAD_INPUT",
        `${what}: row ${k} is all padding; every sentence needs at least one real token`,
      );
  });
}

/** Checks tokens [B, L, d] against its mask [B, L]; returns the float mask [B, L] in `dtype`. */
export function floatMask(tokens: Tensor, mask: Tensor, what: string, dtype: DType): Tensor {
  if (tokens.shape.length !== 3)
    throw new XlirError("BAD_INPUT", `${what} tokens have shape [${tokens.shape}]; expected [B, L, d]`);
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

/** A loss's option schema: a zod strict object whose fields all have defaults. */
export type LossOptionsSchema = z.ZodObject;

/** The object schema inside default/prefault/optional wrappers, or null. */
function objectOf(schema: z.ZodType): z.ZodObject | null {
  let s: z.ZodType = schema;
  for (let k = 0; k < 8; k++) {
    if (s instanceof z.ZodObject) return s;
    const inner = (s.def as { innerType?: z.ZodType }).innerType;
    if (!inner) return null;
    s = inner;
  }
  return null;
}

/** Allowed keys of the object at `path` inside `schema` (empty when not an object). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | null = schema;
  for (const key of path) {
    const o: z.ZodObject | null = s ? objectOf(s) : null;
    s = o ? ((o.shape as Record<string, z.ZodType>)[String(key)] ?? null) : null;
  }
  const o = s ? objectOf(s) : null;
  return o ? Object.keys(o.shape) : [];
}

function valueAt(given: unknown, path: readonly PropertyKey[]): unknown {
  let v = given;
  for (const key of path)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[String(key)] : undefined;
  return v;
}

/**
 * Parses a loss's options with its schema: defaults fill what is missing; an unknown key, a value
 * of the wrong type or out of range, or a value outside an enumeration is an XlirError CONFIG that
 * names the option and lists what is allowed.
 * @example
 * ```ts
 * import { otOptionsSchema, parseLossOptions } from "xlir";
 * const o = parseLossOptions("ot", otOptionsSchema, { epsilon: 0.05 });
 * console.assert(o.epsilon === 0.05 && o.cost === "cosine");
 * try {
 *   parseLossOptions("ot", otOptionsSchema, { cost: "cos" });
 * } catch (e) {
 *   console.assert(String(e).includes('allowed values: "cosine", "sqeuclidean"'));
 * }
 * ```
 */
export function parseLossOptions<S extends LossOptionsSchema>(
  loss: string,
  schema: S,
  given: unknown = {},
): z.output<S> {
  const r = schema.safeParse(given ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((issue) => {
    const name = issue.path.map(String).join(".");
    const where = name === "" ? "" : `option '${name}': `;
    if (issue.code === "unrecognized_keys") {
      const allowed = keysAt(schema, issue.path);
      return issue.keys
        .map(
          (k) =>
            `unknown option '${name === "" ? k : `${name}.${k}`}'; allowed options: ${allowed.join(", ")}`,
        )
        .join("; ");
    }
    if (issue.code === "invalid_value") {
      return `${where}invalid value ${JSON.stringify(valueAt(given, issue.path))}; allowed values: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    return `${where}${JSON.stringify(valueAt(given, issue.path)) ?? "undefined"} is not valid (${issue.message})`;
  });
  throw new XlirError("CONFIG", `loss '${loss}': ${problems.join("; ")}`);
}
