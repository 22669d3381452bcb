/**
 * Frozen-encoder token vectors computed once for many texts (the teacher's English bitext sides,
 * docs/prototype.md: "encode the teacher's English bitext sides once and reuse them for every student").
 */
import { noGrad, tidy } from "../engine/index.js";
import { XlirError } from "../errors.js";
import { corrupt, openSealed, readNamedFile, sealBytes } from "./sealed-file.js";
import { encodeRoleBatch, gatherKept, type Role } from "../models/interaction.js";
import type { TokenVectors } from "../models/types.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import type { TextTokenizer } from "../text/tokenizer.js";

/**
 * Token vectors of each text in the order of `texts`, processed for `role` by the encoder's
 * interaction settings (models/interaction.ts; default role "query": the English bitext side
 * stands for the query the student learns to encode). For xlir heads that is every real
 * (non-padding) token, special tokens included; for ColBERT / PyLate teachers the marker, the
 * [MASK] augmentation and (documents) the skiplist apply. Texts are batched by length so that
 * little is padded.
 * @returns vectors [totalTokens * dim], offsets [texts + 1]
 * @example
 * ```ts
 * import { encodeTokenVectors, loadHfFolder, TorchEncoder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const enc = TorchEncoder.fromHfModel(m).freeze();
 * const tv = encodeTokenVectors(enc, m.tokenizer, ["hello world", "the fox"], { maxLength: 16 });
 * console.assert(tv.offsets.length === 3 && tv.vectors.length === tv.offsets[2] * tv.dim);
 * enc.free();
 * ```
 */
export function encodeTokenVectors(
  encoder: TorchEncoder,
  tokenizer: TextTokenizer,
  texts: readonly string[],
  opts: {
    maxLength: number;
    batchSize?: number;
    role?: Role;
    onProgress?: (done: number, total: number) => void;
  },
): TokenVectors {
  const batchSize = opts.batchSize ?? 128;
  const settings = encoder.interaction[opts.role ?? "query"];
  const rows = texts.map((t) => encodeRoleBatch(tokenizer, settings, [t], opts.maxLength));
  const lengths = rows.map((r) => r.length);
  const kept = rows.map((r) => r.kept[0]);
  const order = texts.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const offsets = new Int32Array(texts.length + 1);
  for (let i = 0; i < texts.length; i++) offsets[i + 1] = offsets[i] + kept[i];
  let dim = 0;
  let vectors = new Float32Array(0);
  const wasTraining = encoder.training;
  encoder.eval();
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const batch = encodeRoleBatch(
        tokenizer,
        settings,
        idx.map((i) => texts[i]),
        opts.maxLength,
      );
      const out = tidy(() =>
        noGrad(() =>
          encoder.tokenVectors(batch.ids, batch.attend, batch.batch, batch.length, batch.keep).toFloat32(),
        ),
      ); // [B, L, D]
      if (dim === 0) {
        dim = out.length / (batch.batch * batch.length);
        vectors = new Float32Array(offsets[texts.length] * dim);
      }
      const g = gatherKept(out, batch.keep, batch.batch, batch.length, dim);
      let row = 0;
      for (let b = 0; b < idx.length; b++) {
        const i = idx[b];
        const n = offsets[i + 1] - offsets[i];
        if (n !== g.counts[b]) {
          throw new Error(`encodeTokenVectors: text ${i} keeps ${g.counts[b]} tokens in a batch, ${n} alone`);
        }
        vectors.set(g.vectors.subarray(row * dim, (row + n) * dim), offsets[i] * dim);
        row += n;
      }
      opts.onProgress?.(Math.min(start + batchSize, order.length), order.length);
    }
  } finally {
    if (wasTraining) encoder.train();
  }
  return { dim, vectors, offsets };
}

/**
 * Pads the token vectors of `items` into one batch.
 * @returns data [B * n * dim] (zeros on padding), mask [B * n], n = longest item
 */
export function padTokenVectors(
  cache: TokenVectors,
  items: readonly number[],
): { data: Float32Array; mask: Uint8Array; n: number } {
  const { dim, vectors, offsets } = cache;
  let n = 1;
  for (const i of items) n = Math.max(n, offsets[i + 1] - offsets[i]);
  const data = new Float32Array(items.length * n * dim);
  const mask = new Uint8Array(items.length * n);
  items.forEach((i, b) => {
    const len = offsets[i + 1] - offsets[i];
    data.set(vectors.subarray(offsets[i] * dim, offsets[i + 1] * dim), b * n * dim);
    mask.fill(1, b * n, b * n + len);
  });
  return { data, mask, n };
}

const TV_MAGIC = Buffer.from("XLIRTV1\0", "latin1");

/**
 * Token vectors as one file: magic `XLIRTV1\0`, u32 dim, u32 texts, i32 offsets [texts + 1],
 * f32 vectors [offsets[texts] * dim], then the sha256 of everything before it. Written atomically.
 */
export function serializeTokenVectors(tv: TokenVectors): Buffer {
  const head = Buffer.alloc(16);
  TV_MAGIC.copy(head, 0);
  head.writeUInt32LE(tv.dim, 8);
  head.writeUInt32LE(tv.offsets.length - 1, 12);
  const body = Buffer.concat([
    head,
    Buffer.from(tv.offsets.buffer, tv.offsets.byteOffset, tv.offsets.byteLength),
    Buffer.from(tv.vectors.buffer, tv.vectors.byteOffset, tv.vectors.byteLength),
  ]);
  return sealBytes(body);
}

/** Reads a file written from `serializeTokenVectors`; a truncated or altered file is refused (CORRUPT). */
export function readTokenVectorsFile(file: string): TokenVectors {
  const buf = readNamedFile(file, "token vectors");
  const bad = (why: string): XlirError => corrupt(file, "a token-vector file", why);
  const body = openSealed(buf, TV_MAGIC, 16 + 4, file, "a token-vector file");
  const dim = buf.readUInt32LE(8);
  const texts = buf.readUInt32LE(12);
  const offBytes = (texts + 1) * 4;
  const offsets = new Int32Array(texts + 1);
  Buffer.from(offsets.buffer).set(body.subarray(16, 16 + offBytes));
  const total = offsets[texts];
  if (16 + offBytes + total * dim * 4 !== body.length) throw bad("sizes disagree with the header");
  const vectors = new Float32Array(total * dim);
  Buffer.from(vectors.buffer).set(body.subarray(16 + offBytes));
  return { dim, vectors, offsets };
}
