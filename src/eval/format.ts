/** trec_eval's number and line formatting (`printf("%-22s\t%s\t%6.4f\n")`). */

/**
 * Formats x like C's `%6.4f` under glibc: the exact binary value rounded to 4 decimals, exact ties to
 * even. `Number.prototype.toFixed` rounds exact ties up instead; exact ties at the 4th decimal are the
 * doubles j/32 with j odd (k/20000 is dyadic only when 625 | k), so those are handled separately.
 */
export function formatFixed4(x: number): string {
  if (Number.isInteger(x * 32) && Math.abs(x * 32) % 2 === 1) {
    const down = Math.trunc(x * 10000) / 10000; // toward zero
    const up = down + Math.sign(x) / 10000;
    const lastDown = Math.abs(Math.round(down * 10000)) % 2;
    const chosen = lastDown === 0 ? down : up;
    return chosen.toFixed(4);
  }
  return x.toFixed(4);
}

/** One output line: measure name padded to 22 characters, qid, value (`%ld` for counts). */
export function formatTrecLine(measure: string, qid: string, value: number, integer: boolean): string {
  const v = integer ? String(Math.trunc(value)) : formatFixed4(value);
  return `${measure.padEnd(22)}\t${qid}\t${v}`;
}
