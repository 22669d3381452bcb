/**
 * A deterministic test double for RetrievalEncoder: every whitespace token becomes a signed
 * hashed bag of its character trigrams (dim buckets), L2-normalised; pooled = normalised mean.
 * Texts sharing words get similar vectors, so retrieval on it is meaningful for tests.
 */
import { createHash } from "node:crypto";
import type { RetrievalEncoder, TokenVectors } from "../../src/models/types.js";

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class HashEncoder implements RetrievalEncoder {
  readonly hash: string;
  calls = 0;
  constructor(
    readonly dim = 32,
    readonly salt = "a",
    readonly maxTokens = 64,
  ) {
    this.hash = createHash("sha256").update(`hash-encoder:${dim}:${salt}`).digest("hex").slice(0, 16);
  }

  private tokenRows(text: string): Float32Array {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean).slice(0, this.maxTokens);
    if (words.length === 0) words.push("[empty]");
    const out = new Float32Array(words.length * this.dim);
    words.forEach((w, r) => {
      const p = `#${w}#`;
      for (let i = 0; i + 3 <= p.length; i++) {
        const h = fnv(this.salt + p.slice(i, i + 3));
        out[r * this.dim + (h % this.dim)] += h & 0x80000000 ? -1 : 1;
      }
      let s = 0;
      for (let c = 0; c < this.dim; c++) s += out[r * this.dim + c] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let c = 0; c < this.dim; c++) out[r * this.dim + c] *= inv;
    });
    return out;
  }

  async encodeTokens(texts: readonly string[]): Promise<TokenVectors> {
    this.calls++;
    const rows = texts.map((t) => this.tokenRows(t));
    const offsets = new Int32Array(texts.length + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.length / this.dim));
    const vectors = new Float32Array(offsets[texts.length] * this.dim);
    rows.forEach((r, i) => vectors.set(r, offsets[i] * this.dim));
    return { dim: this.dim, vectors, offsets };
  }

  async encodePooled(texts: readonly string[]): Promise<Float32Array> {
    this.calls++;
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => {
      const rows = this.tokenRows(t);
      const n = rows.length / this.dim;
      for (let r = 0; r < n; r++)
        for (let c = 0; c < this.dim; c++) out[i * this.dim + c] += rows[r * this.dim + c];
      let s = 0;
      for (let c = 0; c < this.dim; c++) s += out[i * this.dim + c] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let c = 0; c < this.dim; c++) out[i * this.dim + c] *= inv;
    });
    return out;
  }

  async dispose(): Promise<void> {}
}

/** A small corpus whose documents share vocabulary in controlled ways. */
export function toyCorpus(n: number): Array<{ id: string; title: string; text: string }> {
  const words = [
    "river",
    "mountain",
    "bread",
    "music",
    "engine",
    "forest",
    "language",
    "planet",
    "garden",
    "winter",
    "ocean",
    "library",
    "market",
    "school",
    "train",
    "window",
  ];
  return Array.from({ length: n }, (_, i) => ({
    id: `d${String(i).padStart(4, "0")}`,
    title: `${words[i % words.length]} ${words[(i * 7 + 3) % words.length]}`,
    text: Array.from({ length: 3 + (i % 9) }, (_, j) => words[(i * 3 + j * 5) % words.length]).join(" "),
  }));
}
