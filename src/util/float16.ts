/**
 * IEEE half precision (float16) and bfloat16: the conversions that safetensors weights and float16
 * index files share. Scalars convert one value; halfToFloat / floatToHalf whole arrays.
 */

/**
 * float16 bits -> float32 value (exact).
 * @example
 * ```ts
 * import { f16ToF32 } from "xlir";
 * console.assert(f16ToF32(0x3c00) === 1 && f16ToF32(0xc000) === -2);
 * console.assert(f16ToF32(0x7bff) === 65504 && f16ToF32(0x0001) === 2 ** -24); // largest, smallest subnormal
 * console.assert(f16ToF32(0x7c00) === Infinity && Number.isNaN(f16ToF32(0x7e00)));
 * ```
 */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * float32 -> float16 bits, round to nearest even (overflow -> inf).
 * @example
 * ```ts
 * import { f16ToF32, f32ToF16 } from "xlir";
 * console.assert(f32ToF16(1) === 0x3c00 && f32ToF16(65504) === 0x7bff && f32ToF16(1e6) === 0x7c00);
 * console.assert(f16ToF32(f32ToF16(0.1)) === 0.0999755859375); // nearest float16 to 0.1
 * // 1 + 2^-11 is half-way between 1 and 1 + 2^-10: ties go to the even mantissa (1)
 * console.assert(f32ToF16(1 + 2 ** -11) === 0x3c00 && f32ToF16(1 + 3 * 2 ** -11) === 0x3c02);
 * ```
 */
export function f32ToF16(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half; // carry into exponent (up to inf) is the correct rounding
}

/**
 * float32 -> bfloat16 bits, round to nearest even (NaN kept quiet).
 * @example
 * ```ts
 * import { f32ToBf16 } from "xlir";
 * console.assert(f32ToBf16(1) === 0x3f80 && f32ToBf16(-2) === 0xc000);
 * // bfloat16 keeps 7 mantissa bits: 1 + 2^-8 is a tie (to even: 1), 1 + 3 * 2^-8 rounds up to 1 + 2^-6
 * console.assert(f32ToBf16(1 + 2 ** -8) === 0x3f80 && f32ToBf16(1 + 3 * 2 ** -8) === 0x3f82);
 * ```
 */
export function f32ToBf16(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

let F16_TABLE: Float32Array | null = null;
/** float16 bits -> float32, all 65536 values (256 KiB, built on first use). */
export function f16Table(): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16_TABLE[h] = f16ToF32(h);
  }
  return F16_TABLE;
}

/**
 * float16 bits -> float32 values, element by element (exact). [n] -> [n].
 * @example
 * ```ts
 * import { halfToFloat } from "xlir";
 * console.assert(halfToFloat(Uint16Array.of(0x3c00, 0xc000, 0x7c00)).join() === "1,-2,Infinity");
 * ```
 */
export function halfToFloat(src: Uint16Array): Float32Array {
  const table = f16Table();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

/**
 * float32 values -> float16 bits, round to nearest even. [n] -> [n].
 * @example
 * ```ts
 * import { floatToHalf, halfToFloat } from "xlir";
 * const x = Float32Array.of(0.1, -3, 70000);
 * console.assert(halfToFloat(floatToHalf(x)).join() === "0.0999755859375,-3,Infinity");
 * ```
 */
export function floatToHalf(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16(src[i]);
  return out;
}
