/**
 * The writer of the float kinds (multi, multi-exact, single, single-hnsw): the vectors file
 * (float32 or float16, [vectorCount, dim]) appended chunk by chunk, the offsets [docCount + 1]
 * (multi kinds) and, for approximate kinds, the HNSW graph built by adding each chunk's rows.
 * Only one chunk of vectors is in memory at a time (the HNSW graph itself is in memory).
 */
import { join } from "node:path";
import { Hnsw, HNSW_DEFAULTS } from "./hnsw.js";
import { HNSW, OFFSETS, vectorsFile } from "./storage.js";
import { floatToHalf, halfToFloat } from "../util/float16.js";
import type { ChunkSource, KindWriteResult, QueryForm, VectorBuildOptions } from "./types.js";
import { AppendFile } from "./vector-file.js";

export async function writeFloatKind(
  dir: string,
  source: ChunkSource,
  o: VectorBuildOptions,
  form: QueryForm,
  approximate: boolean,
): Promise<KindWriteResult> {
  const storage = o.storage ?? "float32";
  const dim = source.dim;
  const vec = new AppendFile(join(dir, vectorsFile(storage)));
  const off = form === "tokens" ? new AppendFile(join(dir, OFFSETS)) : null;
  const p = {
    connectivity: o.connectivity ?? HNSW_DEFAULTS.connectivity,
    expansionAdd: o.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
    expansionSearch: o.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
    threads: o.threads ?? 0,
  };
  const graph = approximate ? Hnsw.empty(dim, p) : null;
  let graphMs = 0;
  let row = 0;
  try {
    off?.write(Int32Array.from([0]));
    for await (const c of source.chunks()) {
      const n = c.offsets[c.offsets.length - 1];
      let rows = c.vectors.subarray(0, n * dim);
      if (storage === "float16") {
        const half = floatToHalf(rows);
        vec.write(half);
        rows = halfToFloat(half); // the graph indexes what search will score
      } else vec.write(rows);
      if (off) {
        const global = new Int32Array(c.offsets.length - 1);
        for (let i = 1; i < c.offsets.length; i++) global[i - 1] = row + c.offsets[i];
        off.write(global);
      }
      if (graph) {
        const t = performance.now();
        graph.add(rows, n, row);
        graphMs += performance.now() - t;
      }
      row += n;
    }
  } finally {
    vec.close();
    off?.close();
  }
  const buildParams: Record<string, unknown> = {};
  if (graph) {
    const t = performance.now();
    graph.save(join(dir, HNSW));
    graphMs += performance.now() - t;
    Object.assign(buildParams, {
      connectivity: p.connectivity,
      expansionAdd: p.expansionAdd,
      expansionSearch: p.expansionSearch,
    });
    if (form === "tokens") buildParams.tokenK = o.tokenK ?? 64;
  }
  return { storage, buildParams, structureSeconds: graphMs / 1000 };
}
