/**
 * Training checkpoints: one safetensors file holding the parameters (`param.<name>`), the AdamW
 * moments (`adam.<i>.m`, `adam.<i>.v`, i = optimizer parameter position) and, in `__metadata__`,
 * the format tag, the training state (step, data position, seed, loss history, AdamW step counts,
 * learning rate), the data-parallel world size, the resolved config, its hash, and a sha256 digest
 * over everything.
 *
 * Writes are atomic: a temp file in the same folder, fsync, rename, fsync of the folder. Loading
 * refuses a file that is truncated or whose digest disagrees (CORRUPT), and one made for another
 * config, another set of parameters or another world size (MISMATCH).
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  existsSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { XlirError } from "../errors.js";
import { tensor, tidy, type AdamW, type SavedAdamWState, type Tensor } from "../engine/index.js";
import { parseSafetensors } from "../models/safetensors.js";

export const CHECKPOINT_FORMAT = "xlir-checkpoint/1";

/** What a training loop needs to continue exactly where it stopped. */
export interface TrainState {
  /** Optimizer updates done. */
  step: number;
  /** Data-stream position (examples or batches consumed, as the loop defines it). */
  position: number;
  seed: number;
  /** Loss of every update so far. */
  losses: number[];
  /** Anything else the caller wants back (must be JSON). */
  extra?: Record<string, unknown>;
}

interface Meta {
  state: TrainState;
  names: string[];
  adamSteps: (number | null)[];
  lr: number[];
  configHash: string;
  /** Data-parallel ranks of the run that wrote it (absent in older files: 1). */
  worldSize?: number;
}

/**
 * JSON with object keys sorted, so equal configs hash equally.
 * @example
 * ```ts
 * import { canonicalJson } from "xlir";
 * // keys sorted at every depth, undefined members left out
 * const s = canonicalJson({ b: 1, a: [true, { d: null, c: "x" }], u: undefined });
 * console.assert(s === '{"a":[true,{"c":"x","d":null}],"b":1}');
 * ```
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * sha256 (hex) of the canonical JSON of a resolved config.
 * @example
 * ```ts
 * import { createHash } from "node:crypto";
 * import { configHash } from "xlir";
 * const h = configHash({ lr: 1e-4, loss: "ot" });
 * console.assert(h === configHash({ loss: "ot", lr: 1e-4 })); // key order does not matter
 * console.assert(h === createHash("sha256").update('{"loss":"ot","lr":0.0001}').digest("hex"));
 * console.assert(h !== configHash({ loss: "ot", lr: 2e-4 }));
 * ```
 */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}

interface Blob {
  name: string;
  shape: number[];
  data: Float32Array;
}

function digestOf(blobs: Blob[], meta: string, config: string): string {
  const h = createHash("sha256");
  for (const b of [...blobs].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    h.update(b.name)
      .update(JSON.stringify(b.shape))
      .update(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength));
  }
  return h.update(meta).update(config).digest("hex");
}

/**
 * Writes `data` chunks to `file` atomically (temp sibling, fsync, rename, fsync folder).
 * @example
 * ```ts
 * import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeChunksAtomic } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "out.bin");
 * writeChunksAtomic(file, [Uint8Array.of(1, 2), new TextEncoder().encode("ab")]);
 * console.assert(readFileSync(file).join() === "1,2,97,98");
 * console.assert(readdirSync(dir).join() === "out.bin"); // no temp file left behind
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function writeChunksAtomic(file: string, chunks: Uint8Array[]): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(tmp, "w");
  try {
    for (const c of chunks) {
      let off = 0;
      while (off < c.byteLength) off += writeSync(fd, c, off, c.byteLength - off);
    }
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, file);
  try {
    const dfd = openSync(dirname(file), "r");
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // some file systems refuse fsync on folders; the rename is still atomic
  }
}

export interface CheckpointContents {
  params: [string, Tensor][];
  optimizer: AdamW;
  state: TrainState;
  config: unknown;
  /** Data-parallel ranks of the run (default 1); a resume must use the same number. */
  worldSize?: number;
}

/**
 * Saves parameters, optimizer state, training state and config to `file` (atomically).
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { AdamW, CHECKPOINT_FORMAT, saveCheckpoint, tensor, tidy } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "step-1.safetensors");
 * const w = tensor([1, 2], [2]).requireGrad();
 * const optimizer = new AdamW([{ params: [w], lr: 0.1, weightDecay: 0 }]);
 * tidy(() => w.sum().backward());
 * optimizer.step();
 * const state = { step: 1, position: 1, seed: 7, losses: [3] };
 * saveCheckpoint(file, { params: [["w", w]], optimizer, state, config: { lr: 0.1 } });
 * // a safetensors file: 8-byte header length, JSON header, float32 data
 * const bytes = readFileSync(file);
 * const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8"));
 * console.assert(header.__metadata__.format === CHECKPOINT_FORMAT && header["param.w"].shape.join() === "2");
 * console.assert(header["adam.0.m"].dtype === "F32" && JSON.parse(header.__metadata__.state).state.step === 1);
 * optimizer.free();
 * w.free();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function saveCheckpoint(file: string, c: CheckpointContents): void {
  const blobs: Blob[] = c.params.map(([n, t]) => ({
    name: `param.${n}`,
    shape: t.shape,
    data: t.toFloat32(),
  }));
  const adam = c.optimizer.getState();
  adam.forEach((s, i) => {
    if (s)
      blobs.push(
        { name: `adam.${i}.m`, shape: s.shape, data: s.expAvg },
        { name: `adam.${i}.v`, shape: s.shape, data: s.expAvgSq },
      );
  });
  const meta: Meta = {
    state: c.state,
    names: c.params.map(([n]) => n),
    adamSteps: adam.map((s) => (s ? s.step : null)),
    lr: c.optimizer.groups.map((_, i) => c.optimizer.getLr(i)),
    configHash: configHash(c.config),
    worldSize: c.worldSize ?? 1,
  };
  const metaJson = JSON.stringify(meta);
  const configJson = canonicalJson(c.config);
  const metadata = {
    format: CHECKPOINT_FORMAT,
    state: metaJson,
    config: configJson,
    digest: digestOf(blobs, metaJson, configJson),
  };
  // safetensors layout, streamed: header, then raw little-endian float32 data in header order
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  const sorted = [...blobs].sort((x, y) => (x.name < y.name ? -1 : 1));
  for (const b of sorted) {
    header[b.name] = { dtype: "F32", shape: b.shape, data_offsets: [off, off + b.data.byteLength] };
    off += b.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeChunksAtomic(file, [
    len,
    json,
    ...sorted.map((b) => new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength)),
  ]);
}

/**
 * Restores a checkpoint into `params` (in place) and `optimizer`; returns the training state.
 * Refuses (XlirError) a missing file, a corrupt one, another config, other parameters, or a
 * checkpoint written by a run with another world size (`c.worldSize`, default 1).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { AdamW, loadCheckpoint, saveCheckpoint, tensor, tidy, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "ckpt.safetensors");
 * const w = tensor([1, 2], [2]).requireGrad();
 * const opt = new AdamW([{ params: [w], lr: 0.1, weightDecay: 0 }]);
 * tidy(() => w.sum().backward());
 * opt.step(); // w = [0.9, 1.9]
 * saveCheckpoint(file, { params: [["w", w]], optimizer: opt, state: { step: 1, position: 1, seed: 7, losses: [3] }, config: { lr: 0.1 } });
 * // restore into a fresh parameter and optimizer
 * const w2 = tensor([0, 0], [2]).requireGrad();
 * const opt2 = new AdamW([{ params: [w2], lr: 0.5, weightDecay: 0 }]);
 * const state = loadCheckpoint(file, { params: [["w", w2]], optimizer: opt2, config: { lr: 0.1 } });
 * console.assert(state.step === 1 && w2.toFloat32().join() === w.toFloat32().join() && opt2.getLr() === 0.1);
 * console.assert(opt2.getState()[0]!.step === 1);
 * let code = "";
 * try {
 *   loadCheckpoint(file, { params: [["w", w2]], optimizer: opt2, config: { lr: 0.2 } }); // another config
 * } catch (e) {
 *   code = (e as XlirError).code;
 * }
 * console.assert(code === "MISMATCH");
 * [opt, opt2].forEach((o) => o.free());
 * [w, w2].forEach((t) => t.free());
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function loadCheckpoint(file: string, c: Omit<CheckpointContents, "state">): TrainState {
  if (!existsSync(file)) throw new XlirError("NOT_FOUND", `${file}: no such checkpoint`);
  let parsed: ReturnType<typeof parseSafetensors>;
  try {
    parsed = parseSafetensors(readFileSync(file), file);
  } catch (e) {
    if (e instanceof XlirError)
      throw new XlirError("CORRUPT", `${file}: not a readable checkpoint (${e.message})`);
    throw e;
  }
  const md = parsed.metadata;
  if (md.format !== CHECKPOINT_FORMAT)
    throw new XlirError(
      "CORRUPT",
      `${file}: not an xlir checkpoint (format '${md.format ?? "none"}', expected '${CHECKPOINT_FORMAT}')`,
    );
  const blobs: Blob[] = [...parsed.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  if (digestOf(blobs, md.state ?? "", md.config ?? "") !== md.digest)
    throw new XlirError("CORRUPT", `${file}: checksum mismatch (the file is damaged)`);
  const meta = JSON.parse(md.state) as Meta;
  const want = configHash(c.config);
  if (meta.configHash !== want)
    throw new XlirError(
      "MISMATCH",
      `${file}: checkpoint was made with another configuration (hash ${meta.configHash.slice(0, 12)}, this run ${want.slice(0, 12)})`,
    );
  const savedWorld = meta.worldSize ?? 1;
  const world = c.worldSize ?? 1;
  if (savedWorld !== world)
    throw new XlirError(
      "MISMATCH",
      `${file}: checkpoint was written by a run on ${savedWorld} rank${savedWorld === 1 ? "" : "s"}, this run has ${world}: ` +
        `resume with the same world size (--nproc ${savedWorld} or WORLD_SIZE=${savedWorld}), or start afresh without this checkpoint`,
    );
  const names = c.params.map(([n]) => n);
  if (names.length !== meta.names.length || names.some((n, i) => n !== meta.names[i]))
    throw new XlirError(
      "MISMATCH",
      `${file}: checkpoint holds other parameters (${meta.names.length} saved, ${names.length} in the model)`,
    );
  const optParams = c.optimizer.params.length;
  if (meta.adamSteps.length !== optParams)
    throw new XlirError(
      "MISMATCH",
      `${file}: optimizer state for ${meta.adamSteps.length} parameters, the optimizer has ${optParams}`,
    );
  tidy(() => {
    for (const [n, p] of c.params) {
      const w = parsed.tensors.get(`param.${n}`)!;
      if (w.shape.join() !== p.shape.join())
        throw new XlirError(
          "MISMATCH",
          `${file}: parameter ${n} has shape [${w.shape}], the model [${p.shape}]`,
        );
      p.copy(tensor(w.data, w.shape, p.dtype));
    }
  });
  const adam: (SavedAdamWState | null)[] = meta.adamSteps.map((step, i) => {
    if (step === null) return null;
    const m = parsed.tensors.get(`adam.${i}.m`);
    const v = parsed.tensors.get(`adam.${i}.v`);
    if (!m || !v) throw new XlirError("CORRUPT", `${file}: optimizer moments of parameter ${i} are missing`);
    return { step, shape: m.shape, expAvg: m.data, expAvgSq: v.data };
  });
  c.optimizer.setState(adam);
  meta.lr.forEach((lr, i) => c.optimizer.setLr(lr, i));
  return meta.state;
}
