/**
 * Writing a `multi-plaid` index (plaid.ts has the format and the search): the codec trained in one
 * pass over the chunks, then the codes, residuals and offsets in a second, then the inverted file.
 */
import { join } from "node:path";
import { GrowableInts } from "../util/growable.js";
import { nearestCentres } from "./exact.js";
import { packResiduals, PLAID_DEFAULTS, trainCodec } from "./plaid-codec.js";
import { OFFSETS } from "./storage.js";
import type { ChunkSource, KindWriteResult, VectorBuildOptions } from "./types.js";
import { AppendFile } from "./vector-file.js";

export const CENTROIDS = "centroids.f32";
export const RESIDUALS = "residuals.bin";
export const IVF = "ivf.i32";
export const IVF_OFFSETS = "ivf-offsets.i32";
export const codesFile = (nc: number): string => (nc <= 65536 ? "codes.u16" : "codes.u32");

/**
 * Writes a multi-plaid index from encoded documents: codec training (one pass), then codes and residuals (a second pass).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { existsSync } from "node:fs";
 * import { Mulberry32, writePlaid } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * // 16 unit token vectors of dimension 4, in one chunk of 4 documents with 4 tokens each
 * const rand = new Mulberry32(1);
 * const vectors = Float32Array.from({ length: 64 }, () => rand.next() - 0.5);
 * for (let r = 0; r < 16; r++) {
 *   const n = Math.hypot(...vectors.subarray(r * 4, r * 4 + 4));
 *   for (let j = 0; j < 4; j++) vectors[r * 4 + j] /= n;
 * }
 * const chunk = { vectors, offsets: Int32Array.of(0, 4, 8, 12, 16), docnos: ["a", "b", "c", "d"] };
 * const source = { dim: 4, docCount: 4, vectorCount: 16, chunks: () => [chunk] };
 * const r = await writePlaid(dir, source, { centroids: 4, nbits: 2 });
 * console.assert(r.buildParams.centroids === 4 && r.buildParams.nbits === 2);
 * for (const f of ["centroids.f32", "codes.u16", "residuals.bin", "offsets.i32", "ivf.i32", "ivf-offsets.i32"])
 *   console.assert(existsSync(join(dir, f)), f);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writePlaid(
  dir: string,
  source: ChunkSource,
  o: VectorBuildOptions,
): Promise<KindWriteResult> {
  const t0 = performance.now();
  const { codec, trainPoints, heldOutPoints, avgResidual } = await trainCodec(source, o);
  const trainSeconds = (performance.now() - t0) / 1000;
  const d = source.dim;
  const nc = codec.centroids.length / d;
  const wide = nc > 65536;
  const codesOut = new AppendFile(join(dir, codesFile(nc)));
  const resOut = new AppendFile(join(dir, RESIDUALS));
  const offOut = new AppendFile(join(dir, OFFSETS));
  const counts = new Int32Array(nc);
  const docCodes = new GrowableInts((n) => new Int32Array(n)); // per document its distinct centroids, document by document
  const docCodeStart = new GrowableInts((n) => new Int32Array(n));
  const lastDoc = new Int32Array(nc).fill(-1);
  let row = 0;
  let doc = 0;
  try {
    offOut.write(Int32Array.from([0]));
    for await (const c of source.chunks()) {
      const n = c.offsets[c.offsets.length - 1];
      const codes = await nearestCentres(c.vectors, n, codec.centroids, nc, d);
      codesOut.write(wide ? Uint32Array.from(codes) : Uint16Array.from(codes));
      resOut.write(packResiduals(codec, c.vectors, codes, n));
      const global = new Int32Array(c.offsets.length - 1);
      for (let i = 0; i + 1 < c.offsets.length; i++) {
        global[i] = row + c.offsets[i + 1];
        docCodeStart.push(docCodes.length);
        for (let t = c.offsets[i]; t < c.offsets[i + 1]; t++) {
          const z = codes[t];
          if (lastDoc[z] === doc) continue;
          lastDoc[z] = doc;
          docCodes.push(z);
          counts[z]++;
        }
        doc++;
      }
      offOut.write(global);
      row += n;
    }
  } finally {
    codesOut.close();
    resOut.close();
    offOut.close();
  }
  docCodeStart.push(docCodes.length);
  // Inverted file: documents of each centroid, ascending (documents were visited in order).
  const ivfOff = new Int32Array(nc + 1);
  for (let z = 0; z < nc; z++) ivfOff[z + 1] = ivfOff[z] + counts[z];
  const fill = ivfOff.slice(0, nc);
  const ivf = new Int32Array(docCodes.length);
  for (let j = 0; j < doc; j++)
    for (let p = docCodeStart.buf[j]; p < docCodeStart.buf[j + 1]; p++) ivf[fill[docCodes.buf[p]]++] = j;
  const ivfFile = new AppendFile(join(dir, IVF));
  ivfFile.write(ivf);
  ivfFile.close();
  const ivfOffFile = new AppendFile(join(dir, IVF_OFFSETS));
  ivfOffFile.write(ivfOff);
  ivfOffFile.close();
  const cf = new AppendFile(join(dir, CENTROIDS));
  cf.write(codec.centroids);
  cf.close();
  return {
    storage: "float32",
    buildParams: {
      nbits: codec.nbits,
      buckets: o.buckets ?? PLAID_DEFAULTS.buckets,
      centroids: nc,
      cutoffs: codec.cutoffs,
      weights: codec.weights,
      avgResidual,
      ivfEntries: ivf.length,
      trainPoints,
      heldOutPoints,
      kmeansIterations: o.kmeansIterations ?? PLAID_DEFAULTS.kmeansIterations,
      seed: o.seed ?? PLAID_DEFAULTS.seed,
      nprobe: o.nprobe ?? PLAID_DEFAULTS.nprobe,
      candidates: o.candidates ?? PLAID_DEFAULTS.candidates,
    },
    structureSeconds: trainSeconds,
  };
}
