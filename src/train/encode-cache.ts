/**
 * Frozen-encoder token vectors computed once for many texts (the teacher's English bitext sides,
 * docs/prototype.md: "encode the teacher's English bitext sides once and reuse them for every student").
 */
import { noGrad, tidy } from "../engine/index.js";
import type { TokenVectors } from "../models/types.js";
import type { TorchEncoder } from "../models/torch-encoder.js";
import type { TextTokenizer } from "../text/tokenizer.js";

/**
 * Token vectors of every real (non-padding) token of each text, special tokens included, in the
 * order of `texts`. Texts are batched by length so that little is padded.
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
  opts: { maxLength: number; batchSize?: number; onProgress?: (done: number, total: number) => void },
): TokenVectors {
  const batchSize = opts.batchSize ?? 128;
  const lengths = texts.map((t) => Math.min(opts.maxLength, tokenizer.encodeBatch([t], { maxLength: opts.maxLength }).length));
  const order = texts.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const offsets = new Int32Array(texts.length + 1);
  for (let i = 0; i < texts.length; i++) offsets[i + 1] = offsets[i] + lengths[i];
  let dim = 0;
  let vectors = new Float32Array(0);
  const wasTraining = encoder.training;
  encoder.eval();
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const batch = tokenizer.encodeBatch(
        idx.map((i) => texts[i]),
        { maxLength: opts.maxLength },
      );
      const out = tidy(() => noGrad(() => encoder.tokenVectors(batch.ids, batch.mask, batch.batch, batch.length).toFloat32())); // [B, L, D]
      if (dim === 0) {
        dim = out.length / (batch.batch * batch.length);
        vectors = new Float32Array(offsets[texts.length] * dim);
      }
      for (let b = 0; b < idx.length; b++) {
        const i = idx[b];
        const n = offsets[i + 1] - offsets[i];
        if (n !== batch.tokens[b].length) {
          throw new Error(`encodeTokenVectors: text ${i} has ${batch.tokens[b].length} tokens in a batch, ${n} alone`);
        }
        vectors.set(out.subarray(b * batch.length * dim, (b * batch.length + n) * dim), offsets[i] * dim);
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
export function padTokenVectors(cache: TokenVectors, items: readonly number[]): { data: Float32Array; mask: Uint8Array; n: number } {
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
