/** trec_eval's number and line formatting (`printf("%-22s\t%s\t%6.4f\n")`, `%ld`, `'%s'`). */

/**
 * Formats x like C's `%.<digits>f` under glibc: the exact binary value rounded to `digits` decimals,
 * exact ties to even. `Number.prototype.toFixed` computes the same exact rounding except that it
 * breaks exact ties away from zero. An exact tie x = (2k + 1) / (2 * 10^d) is a double only when
 * 5^d divides 2k + 1, i.e. x = j / 2^(d+1) with j odd, so those doubles are handled separately.
 * Non-finite values print as glibc does: "-nan" (the NaN of 0/0 on x86 has its sign bit set, and
 * every NaN trec_eval can produce comes from such an operation), "inf", "-inf". -0 prints "-0.0...".
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "-nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return (Object.is(x, -0) ? "-" : "") + (0).toFixed(digits);
  const scaled = x * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && Math.abs(scaled) % 2 === 1 && Math.abs(x) < 2 ** 40) {
    // |x| * 10^digits = n + 1/2 exactly (the product is exact: |x| < 2^40 and j * 5^d / 2 < 2^53).
    const n = Math.floor(Math.abs(x) * 10 ** digits);
    const chosen = n % 2 === 0 ? n : n + 1;
    const s = String(chosen).padStart(digits + 1, "0");
    const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
    return (x < 0 ? "-" : "") + body;
  }
  return x.toFixed(digits);
}

/**
 * `%6.4f`: formatFixed(x, 4) right-aligned in 6 columns (only "-nan", "inf" are shorter).
 * @example
 * ```ts
 * import { formatFixed4 } from "xlir";
 * console.assert(formatFixed4(0.5) === "0.5000" && formatFixed4(12.34567) === "12.3457");
 * console.assert(formatFixed4(0.03125) === "0.0312"); // an exact tie rounds to even, as glibc's printf
 * console.assert(formatFixed4(NaN) === "  -nan");
 * ```
 */
export function formatFixed4(x: number): string {
  return formatFixed(x, 4).padStart(6);
}

/** How a measure's value is printed: `%6.4f`, `%ld`, or a string (runid; relstring as `'%s'`). */
export type ValueFormat = "float" | "integer" | "text" | "quoted";

/**
 * One output line: measure name padded to 22 characters, qid, value.
 * @example
 * ```ts
 * import { formatTrecLine } from "xlir";
 * console.assert(formatTrecLine("map", "all", 0.25, false) === "map                   \tall\t0.2500");
 * console.assert(formatTrecLine("num_ret", "q1", 7, true) === "num_ret               \tq1\t7");
 * console.assert(formatTrecLine("relstring", "q1", "10R", "quoted") === "relstring             \tq1\t'10R'");
 * ```
 */
export function formatTrecLine(
  measure: string,
  qid: string,
  value: number | string,
  integer: boolean | ValueFormat,
): string {
  const fmt: ValueFormat = integer === true ? "integer" : integer === false ? "float" : integer;
  let v: string;
  if (typeof value === "string") v = fmt === "quoted" ? `'${value}'` : value;
  else v = fmt === "integer" ? cLong(value) : formatFixed4(value);
  return `${measure.padEnd(22)}\t${qid}\t${v}`;
}

/** `(long) value` printed with `%ld`: truncation toward zero. */
function cLong(value: number): string {
  const t = Math.trunc(value);
  return String(Object.is(t, -0) ? 0 : t);
}
