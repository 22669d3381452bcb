import { describe, expect, it } from "vitest";
import { mergeRecords, type RunRecord } from "../../src/experiment/systems.js";

const rec = (benchmark: string, language: string, system: string, seed: number | null = null): RunRecord => ({
  benchmark,
  language,
  system,
  seed,
  path: `${benchmark}/${language}/${system}${seed ?? ""}`,
  queries: 1,
});

describe("mergeRecords: the two search halves in the order of one search", () => {
  it("puts each language's students after its baselines and before the English ceiling", () => {
    const baselines = [
      rec("help", "eu", "teacher-zero-shot"),
      rec("help", "eu", "bm25-dict"),
      rec("help", "eu", "teacher-english"),
      rec("help", "om", "teacher-zero-shot"),
      rec("help", "om", "teacher-english"),
      rec("udhr", "cy", "teacher-zero-shot"),
      rec("udhr", "cy", "teacher-english-identity"),
    ];
    const students = [
      rec("help", "eu", "ot", 13),
      rec("help", "eu", "rrf(bm25-dict,ot)", 13),
      rec("help", "om", "ot", 13),
      rec("udhr", "cy", "ot", 13),
      rec("neuclir", "fa", "ot", 13), // an en-xx benchmark: searched with the students only
      rec("neuclir", "fa", "teacher-zero-shot"),
    ];
    const merged = mergeRecords(baselines, students).map((r) => `${r.benchmark}/${r.language}/${r.system}`);
    expect(merged).toEqual([
      "help/eu/teacher-zero-shot",
      "help/eu/bm25-dict",
      "help/eu/ot",
      "help/eu/rrf(bm25-dict,ot)",
      "help/eu/teacher-english",
      "help/om/teacher-zero-shot",
      "help/om/ot",
      "help/om/teacher-english",
      "udhr/cy/teacher-zero-shot",
      "udhr/cy/ot",
      "udhr/cy/teacher-english-identity",
      "neuclir/fa/ot",
      "neuclir/fa/teacher-zero-shot",
    ]);
    expect(mergeRecords(baselines, students)).toHaveLength(baselines.length + students.length);
  });

  it("orders students searched one at a time as one search of all of them wrote them", () => {
    const baselines = [rec("help", "eu", "bm25-dict"), rec("help", "eu", "teacher-english")];
    const oneAtATime = [
      rec("help", "eu", "ot", 13),
      rec("help", "eu", "rrf(bm25-dict,ot)", 13),
      rec("help", "eu", "contrastive", 13),
      rec("help", "eu", "rrf(bm25-dict,contrastive)", 13),
    ];
    expect(mergeRecords(baselines, oneAtATime).map((r) => r.system)).toEqual([
      "bm25-dict",
      "ot",
      "contrastive",
      "rrf(bm25-dict,ot)",
      "rrf(bm25-dict,contrastive)",
      "teacher-english",
    ]);
  });
});
