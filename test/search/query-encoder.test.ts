/** Which query encoders an index accepts: its own, a student of it, and (document-side students) their teacher. */
import { describe, expect, it } from "vitest";
import { checkEncoder, type QueryEncoder } from "../../src/search/searcher.js";

const enc = (hash: string, indexHash?: string): QueryEncoder =>
  ({ hash, ...(indexHash ? { indexHash } : {}) }) as unknown as QueryEncoder;

describe("checkEncoder", () => {
  it("accepts the index's encoder, a student distilled from it, and the teacher of a document-side student", () => {
    expect(() => checkEncoder("idx", "T", enc("T"))).not.toThrow();
    expect(() => checkEncoder("idx", "T", enc("S", "T"))).not.toThrow(); // a student searching its teacher's index
    expect(() => checkEncoder("idx", "S", enc("T"), "the teacher", "T")).not.toThrow(); // the teacher over its student's index
  });

  it("refuses an unrelated encoder, naming both hashes", () => {
    expect(() => checkEncoder("idx", "S", enc("U"), "the query model", "T")).toThrow(
      /built by encoder S, but the query model has hash U .*accepts queries of T/,
    );
    expect(() => checkEncoder("idx", "S", enc("T"))).toThrow(/built by encoder S/);
  });
});
