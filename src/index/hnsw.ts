/**
 * HNSW graphs over vectors through `usearch` (inner-product metric, float32), loaded with
 * createRequire because its ESM entry overflows the stack. Keys are row numbers.
 */
import { createRequire } from "node:module";
import { XlirError } from "../errors.js";

interface UsearchBatch {
  keys: BigUint64Array;
  distances: Float32Array;
  counts: BigUint64Array;
  k: number;
}
interface UsearchMatches {
  keys: BigUint64Array;
  distances: Float32Array;
}
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads?: number): UsearchBatch | UsearchMatches;
  size(): number;
  dimensions(): number;
  save(path: string): void;
  load(path: string): void;
}
interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
}

let usearch: UsearchModule | null = null;
function lib(): UsearchModule {
  if (!usearch) {
    try {
      usearch = createRequire(import.meta.url)("usearch") as UsearchModule;
    } catch (err) {
      throw new XlirError(
        "NATIVE_MISSING",
        `the 'usearch' package could not be loaded (${(err as Error).message}); run npm install`,
      );
    }
  }
  return usearch;
}

export interface HnswParams {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  threads: number;
}

export const HNSW_DEFAULTS: HnswParams = {
  connectivity: 16,
  expansionAdd: 128,
  expansionSearch: 128,
  threads: 0,
};

/**
 * An HNSW graph; search returns row ids and inner products (usearch distance ip = 1 - <q, x>).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Hnsw, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const rows = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0.6, 0.8, 0); // [4, 3]
 * const graph = Hnsw.build(rows, 4, 3);
 * const { ids, scores } = graph.search(Float32Array.of(0, 1, 0), 1, 2); // [1, 2]
 * console.assert(ids[0] === 1 && ids[1] === 3 && Math.abs(scores[1] - 0.8) < 1e-6);
 * graph.save(join(dir, "g.usearch"));
 * console.assert(Hnsw.load(join(dir, "g.usearch"), 3, 4).size === 4);
 * let err: unknown;
 * try {
 *   Hnsw.load(join(dir, "g.usearch"), 3, 5); // the manifest would say 5 rows
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "CORRUPT");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class Hnsw {
  private constructor(
    private readonly index: UsearchIndex,
    readonly dim: number,
    readonly params: HnswParams,
  ) {}

  private static create(dim: number, p: HnswParams): UsearchIndex {
    return new (lib().Index)({
      dimensions: dim,
      metric: "ip",
      quantization: "f32",
      connectivity: p.connectivity,
      expansion_add: p.expansionAdd,
      expansion_search: p.expansionSearch,
      multi: false,
    });
  }

  /** An empty graph; rows are added with `add`. */
  static empty(dim: number, p: HnswParams = HNSW_DEFAULTS): Hnsw {
    return new Hnsw(Hnsw.create(dim, p), dim, p);
  }

  /** Builds a graph over rows [n, dim] with keys 0..n-1. */
  static build(vectors: Float32Array, n: number, dim: number, p: HnswParams = HNSW_DEFAULTS): Hnsw {
    const g = Hnsw.empty(dim, p);
    g.add(vectors, n, 0);
    return g;
  }

  /** Adds rows [n, dim] with keys firstKey..firstKey+n-1 (in chunks of 64k rows). */
  add(vectors: Float32Array, n: number, firstKey: number): void {
    const chunk = 65536;
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const r1 = Math.min(n, r0 + chunk);
      const keys = new BigUint64Array(r1 - r0);
      for (let i = 0; i < keys.length; i++) keys[i] = BigInt(firstKey + r0 + i);
      this.index.add(keys, vectors.subarray(r0 * this.dim, r1 * this.dim), this.params.threads);
    }
  }

  static load(path: string, dim: number, expectedSize: number, p: HnswParams = HNSW_DEFAULTS): Hnsw {
    const index = Hnsw.create(dim, p);
    try {
      index.load(path);
    } catch (err) {
      throw new XlirError(
        "CORRUPT",
        `${path}: cannot load the HNSW graph (${(err as Error).message}); rebuild the index`,
      );
    }
    if (index.size() !== expectedSize || index.dimensions() !== dim) {
      throw new XlirError(
        "CORRUPT",
        `${path}: HNSW graph has ${index.size()} vectors of dim ${index.dimensions()}, manifest says ${expectedSize} of dim ${dim}`,
      );
    }
    return new Hnsw(index, dim, p);
  }

  save(path: string): void {
    this.index.save(path);
  }

  get size(): number {
    return this.index.size();
  }

  /**
   * k nearest rows by inner product for each of nq query rows [nq, dim].
   * Returns ids [nq, k] (-1 where fewer were found) and scores <q, x> [nq, k].
   */
  search(queries: Float32Array, nq: number, k: number): { ids: Int32Array; scores: Float32Array } {
    const ids = new Int32Array(nq * k).fill(-1);
    const scores = new Float32Array(nq * k);
    if (nq === 0 || k === 0 || this.index.size() === 0) return { ids, scores };
    const res = this.index.search(queries.subarray(0, nq * this.dim), k, this.params.threads);
    const counts = "counts" in res ? res.counts : BigUint64Array.from([BigInt(res.keys.length)]);
    for (let i = 0; i < nq; i++) {
      const c = Number(counts[i]);
      for (let j = 0; j < c && j < k; j++) {
        ids[i * k + j] = Number(res.keys[i * k + j]);
        scores[i * k + j] = 1 - res.distances[i * k + j];
      }
    }
    return { ids, scores };
  }
}
