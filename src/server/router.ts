/**
 * One index, several query encoders: the server opens the index once (one Searcher, one copy of
 * the document vectors in memory) with a routing encoder, and each request says which real query
 * encoder the routing encoder hands its texts to. The choice travels with the request's async
 * context (AsyncLocalStorage), so concurrent requests with different models never mix.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { XlirError } from "../errors.js";
import type { QueryEncoder } from "../search/searcher.js";
import { checkEncoder } from "../search/searcher.js";
import type { TokenVectors } from "../models/types.js";

/**
 * A query encoder that hands every call to the encoder chosen for the current request (`run`).
 * @example
 * ```ts
 * import { OnnxEncoder, QueryEncoderRouter, XlirError } from "xlir";
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * const router = new QueryEncoderRouter(enc.hash, enc.dim, "indexes/toy");
 * router.accept(enc, "teacher"); // built the index: accepted
 * try {
 *   router.accept({ ...enc, hash: "0123456789abcdef" }, "another index's encoder");
 *   console.assert(false, "an encoder of another index was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "MISMATCH");
 * }
 * const routed = await router.run(enc, () => router.encodeTokens(["hello world"], "query"));
 * const own = await enc.encodeTokens(["hello world"], "query");
 * console.assert(routed.vectors.length > 0 && routed.vectors.every((x, i) => x === own.vectors[i]));
 * // outside run() there is no encoder to route to
 * try {
 *   await router.encodeTokens(["hello"], "query");
 *   console.assert(false, "the router encoded outside run()");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "INTERNAL");
 * }
 * await enc.dispose();
 * ```
 */
export class QueryEncoderRouter implements QueryEncoder {
  private readonly current = new AsyncLocalStorage<QueryEncoder>();

  /**
   * @param hash the encoder hash recorded in the index manifest (Searcher.open checks it)
   * @param dim  the index's vector dimension
   */
  constructor(
    readonly hash: string,
    readonly dim: number,
    private readonly indexDir: string,
  ) {}

  /** Refuses an encoder that may not query this index (wrong teacher, other dimension). */
  accept(encoder: QueryEncoder, name: string): void {
    checkEncoder(this.indexDir, this.hash, encoder, name);
    if (encoder.dim !== this.dim)
      throw new XlirError(
        "MISMATCH",
        `index ${this.indexDir} holds ${this.dim}-d vectors, ${name} produces ${encoder.dim}-d vectors`,
      );
  }

  /** Runs `fn` with `encoder` as the encoder every call made inside it reaches. */
  run<T>(encoder: QueryEncoder, fn: () => Promise<T>): Promise<T> {
    return this.current.run(encoder, fn);
  }

  private encoder(): QueryEncoder {
    const e = this.current.getStore();
    if (!e) throw new XlirError("INTERNAL", "query encoder router used outside run()");
    return e;
  }

  encodeTokens(texts: readonly string[], role: "query" | "document"): Promise<TokenVectors> {
    return this.encoder().encodeTokens(texts, role);
  }

  encodePooled(texts: readonly string[], role: "query" | "document"): Promise<Float32Array> {
    return this.encoder().encodePooled(texts, role);
  }

  /** The routed encoders belong to their owners. */
  async dispose(): Promise<void> {}
}
