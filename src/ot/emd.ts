/**
 * Exact (unregularised) optimal transport by the transportation simplex (network simplex on the
 * bipartite graph rows -> columns), for problems up to a few hundred points a side.
 */
import { XlirError } from "../errors.js";
import type { OtResult } from "./types.js";
import { checkProblem, planStats } from "./validate.js";

/** Options of `emd`. */
export interface EmdOptions {
  /** Maximum simplex pivots before giving up (converged: false). Default 100000 (POT numItermax). */
  maxIterations?: number;
  /** Relative tolerance for sum(a) = sum(b); b is then rescaled to sum(a) as POT does. Default 1e-6. */
  massTolerance?: number;
}

/**
 * Exact OT: P* = argmin_{P >= 0, P 1 = a, P^T 1 = b} <P, C>_F (Kantorovich; POT `ot.emd`).
 * Transportation simplex: north-west-corner basis (m + n - 1 basic cells forming a spanning tree),
 * dual potentials u_i + v_j = C_ij on basic cells, entering cell = most negative reduced cost
 * C_ij - u_i - v_j within the first block of ~sqrt(mn) cells that has one (block search), ratio test along the tree cycle. Optimal when no reduced cost is
 * below -1e-12 * max(1, max|C|). For generic costs the optimal plan is unique, so it equals POT's.
 *
 * @param a [m] and b [n] non-negative marginals with equal mass (b is rescaled to sum(a)).
 * @param cost row-major [m, n].
 * @returns plan [m, n] (at most m + n - 1 non-zeros), <P, C>, iterations = pivots, converged.
 * @example
 * ```ts
 * import { emd } from "xlir";
 * // exact OT: the identity plan costs nothing
 * const r = emd([0.5, 0.5], [0.5, 0.5], [0, 1, 1, 0]);
 * console.assert(r.converged && r.cost === 0 && r.plan[0] === 0.5 && r.plan[1] === 0);
 * ```
 */
export function emd(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  cost: ArrayLike<number>,
  options: EmdOptions = {},
): OtResult {
  const maxIterations = options.maxIterations ?? 100_000;
  const p = checkProblem("emd", a, b, cost, options.massTolerance ?? 1e-6);
  const { m, n, cost: c } = p;
  const aa = p.a;
  const bb = p.b.map((x) => (x * p.massA) / p.massB);
  if (m * n > 4_000_000)
    throw new XlirError("UNSUPPORTED", `emd: ${m} x ${n} is too large for the exact solver; use sinkhorn`);

  // Basis: k = 0 .. m + n - 2, cell (bi[k], bj[k]) carrying flow[k].
  const nb = m + n - 1;
  const bi = new Int32Array(nb);
  const bj = new Int32Array(nb);
  const flow = new Float64Array(nb);
  const remA = Float64Array.from(aa);
  const remB = Float64Array.from(bb);
  {
    let i = 0;
    let j = 0;
    for (let k = 0; k < nb; k++) {
      const f = Math.min(remA[i], remB[j]);
      bi[k] = i;
      bj[k] = j;
      flow[k] = f;
      remA[i] -= f;
      remB[j] -= f;
      if (i === m - 1) j++;
      else if (j === n - 1) i++;
      else if (remA[i] <= remB[j]) i++;
      else j++;
    }
  }
  const nodes = m + n; // rows 0..m-1, columns m..m+n-1
  const u = new Float64Array(m);
  const v = new Float64Array(n);
  const adjStart = new Int32Array(nodes + 1);
  const adj = new Int32Array(2 * nb); // basic-cell indices incident to each node
  const parentEdge = new Int32Array(nodes);
  const parentNode = new Int32Array(nodes);
  const queue = new Int32Array(nodes);
  let scale = 1;
  for (let t = 0; t < c.length; t++) scale = Math.max(scale, Math.abs(c[t]));
  const threshold = -1e-12 * scale;

  /** Rebuilds the tree adjacency and BFS from row 0: parents and potentials. */
  const walkTree = (): void => {
    adjStart.fill(0);
    for (let k = 0; k < nb; k++) {
      adjStart[bi[k] + 1]++;
      adjStart[m + bj[k] + 1]++;
    }
    for (let x = 0; x < nodes; x++) adjStart[x + 1] += adjStart[x];
    const fill = adjStart.slice(0, nodes);
    for (let k = 0; k < nb; k++) {
      adj[fill[bi[k]]++] = k;
      adj[fill[m + bj[k]]++] = k;
    }
    parentEdge.fill(-2);
    parentEdge[0] = -1;
    parentNode[0] = -1;
    u[0] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
      const x = queue[head++];
      for (let t = adjStart[x]; t < adjStart[x + 1]; t++) {
        const k = adj[t];
        const y = x < m ? m + bj[k] : bi[k];
        if (parentEdge[y] !== -2) continue;
        parentEdge[y] = k;
        parentNode[y] = x;
        const ck = c[bi[k] * n + bj[k]];
        if (y >= m) v[y - m] = ck - u[x];
        else u[y] = ck - v[x - m];
        queue[tail++] = y;
      }
    }
    if (tail !== nodes) throw new XlirError("INTERNAL", "emd: basis is not a spanning tree");
  };

  const depth = new Int32Array(nodes);
  const mn = m * n;
  const blockSize = Math.max(10, Math.ceil(Math.sqrt(mn)));
  let cursor = 0;
  let pivots = 0;
  let converged = false;
  for (;;) {
    walkTree();
    // Block-search pricing (as LEMON's network simplex): scan cells cyclically from where the last
    // scan stopped, in blocks of ~sqrt(mn); enter the most negative reduced cost of the first block
    // that has one. Optimal when a full cycle finds none.
    let best = threshold;
    let ei = -1;
    let ej = -1;
    let scanned = 0;
    let inBlock = 0;
    let cell = cursor;
    while (scanned < mn) {
      const i = (cell / n) | 0;
      const j = cell - i * n;
      const r = c[cell] - u[i] - v[j];
      if (r < best) {
        best = r;
        ei = i;
        ej = j;
      }
      scanned++;
      cell = cell + 1 === mn ? 0 : cell + 1;
      if (++inBlock === blockSize) {
        if (ei >= 0) break;
        inBlock = 0;
      }
    }
    cursor = cell;
    if (ei < 0) {
      converged = true;
      break;
    }
    if (pivots >= maxIterations) break;
    // Depths, for the tree path between row ei and column ej.
    for (let t = 0; t < nodes; t++) {
      const x = queue[t];
      depth[x] = x === 0 ? 0 : depth[parentNode[x]] + 1;
    }
    // Path edges: from row ei up to the common ancestor, and from column ej up to it.
    const fromRow: number[] = [];
    const fromCol: number[] = [];
    let x = ei;
    let y = m + ej;
    while (depth[x] > depth[y]) {
      fromRow.push(parentEdge[x]);
      x = parentNode[x];
    }
    while (depth[y] > depth[x]) {
      fromCol.push(parentEdge[y]);
      y = parentNode[y];
    }
    while (x !== y) {
      fromRow.push(parentEdge[x]);
      x = parentNode[x];
      fromCol.push(parentEdge[y]);
      y = parentNode[y];
    }
    // Cycle: (ei, ej) +, then walking from column ej to row ei the edges alternate -, +, -, ...
    const path = fromCol.concat(fromRow.reverse()); // ordered from column ej to row ei
    let theta = Infinity;
    let leave = -1;
    for (let t = 0; t < path.length; t += 2) {
      const k = path[t];
      if (flow[k] < theta) {
        theta = flow[k];
        leave = k;
      }
    }
    for (let t = 0; t < path.length; t++) flow[path[t]] += t % 2 === 0 ? -theta : theta;
    bi[leave] = ei;
    bj[leave] = ej;
    flow[leave] = theta;
    pivots++;
  }
  const plan = new Float64Array(m * n);
  for (let k = 0; k < nb; k++) plan[bi[k] * n + bj[k]] += Math.max(0, flow[k]);
  const stats = planStats({ ...p, b: bb }, plan);
  return { plan, cost: stats.cost, iterations: pivots, converged, marginalError: stats.marginalError };
}
