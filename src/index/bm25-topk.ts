/**
 * Top-k selection with trec_eval's ranking order: score descending, ties broken by docno
 * descending (trec_eval sorts by score, then by docno with strcmp, both decreasing). Docnos are
 * compared by UTF-16 code units, which equals strcmp's byte order for ASCII and BMP text.
 */

/** Negative when (sa, da) ranks before (sb, db) in trec_eval order. */
export function rankOrder(sa: number, da: string, sb: number, db: string): number {
  if (sa !== sb) return sb - sa;
  return da < db ? 1 : da > db ? -1 : 0;
}

/**
 * The best k of `count` candidates (doc indices `docs[0..count)` with `scores[doc]`), in rank
 * order, using a size-k min-heap: O(count log k).
 * @param docs     candidate doc indices [count]
 * @param scores   score per doc index [N]
 * @param docnos   docno per doc index [N]
 * @returns doc indices [min(k, count)] best first
 */
export function topK(
  docs: ArrayLike<number>,
  count: number,
  scores: ArrayLike<number>,
  docnos: readonly string[],
  k: number,
): number[] {
  if (k <= 0 || count === 0) return [];
  // worse(a, b): a ranks after b. The heap root is the worst kept candidate.
  const worse = (a: number, b: number): boolean => rankOrder(scores[a], docnos[a], scores[b], docnos[b]) > 0;
  const heap: number[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < count; i++) {
    const d = docs[i];
    if (heap.length < k) {
      heap.push(d);
      up(heap.length - 1);
    } else if (worse(heap[0], d)) {
      heap[0] = d;
      down(0);
    }
  }
  return heap.sort((a, b) => rankOrder(scores[a], docnos[a], scores[b], docnos[b]));
}
