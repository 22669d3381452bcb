/** Number parsing that matches C's atof/strtod on decimal input, and rejects what is not a number. */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal floating-point token to the correctly rounded double (what glibc's strtod gives).
 * Fast path (Clinger 1990): an integer mantissa below 2^53 divided or multiplied by an exact power of
 * ten <= 1e22 is one correctly rounded IEEE operation. Anything else goes through `Number`, which is
 * also correctly rounded. Returns NaN for a token that is not a decimal number.
 */
export function parseDecimal(tok: string): number {
  const len = tok.length;
  let i = 0;
  let neg = false;
  let c = tok.charCodeAt(0);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i = 1;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  for (; i < len; i++) {
    c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (seenDot) frac++;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else break;
  }
  if (i === len && digits > 0 && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  return DECIMAL.test(tok) ? Number(tok) : Number.NaN;
}

/** Parses an integer token like C's atol on well-formed input; NaN when it is not an integer. */
export function parseIntToken(tok: string): number {
  const len = tok.length;
  let i = 0;
  let neg = false;
  const c0 = tok.charCodeAt(0);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i = 1;
  }
  if (i >= len) return Number.NaN;
  let v = 0;
  for (; i < len; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}
