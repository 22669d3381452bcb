/**
 * The main job against user-provided files only (no built-in data): a JSONL corpus, TSV queries,
 * TREC qrels, TSV bitext and dictionary, and a tiny Hugging Face teacher folder. Checks the report's
 * shape, that a second run reuses every stage and reproduces every number, and that a run stopped
 * in the middle of a student's training resumes to the same numbers.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { runExperiment } from "../../src/experiment/run.js";
import { foreign, TOY_WORDS, toyText } from "./toy.js";

const TEACHER = resolve("test/fixtures/tiny-bert");
const MEASURES = ["RR@10", "nDCG@10", "R@100", "AP@100", "Judged@10"];

function makeData(dir: string): Record<string, unknown> {
  const words = TOY_WORDS;
  const { rnd, sentence } = toyText(7, words);
  const docs = Array.from({ length: 24 }, (_, i) => ({
    id: `d${i}`,
    title: sentence(3),
    text: sentence(12),
  }));
  writeFileSync(join(dir, "corpus.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
  const queries = docs.slice(0, 10).map((d, i) => ({ qid: `q${i}`, en: d.title, doc: d.id }));
  writeFileSync(join(dir, "queries.tsv"), queries.map((q) => `${q.qid}\t${foreign(q.en)}`).join("\n") + "\n");
  writeFileSync(join(dir, "queries.en.tsv"), queries.map((q) => `${q.qid}\t${q.en}`).join("\n") + "\n");
  writeFileSync(join(dir, "qrels.txt"), queries.map((q) => `${q.qid} 0 ${q.doc} 1`).join("\n") + "\n");
  writeFileSync(join(dir, "dict.tsv"), words.map((w) => `${foreign(w)}\t${w}`).join("\n") + "\n");
  const bitext = Array.from({ length: 48 }, () => sentence(2 + rnd(5)));
  writeFileSync(join(dir, "bitext.tsv"), bitext.map((s) => `${foreign(s)}\t${s}`).join("\n") + "\n");
  return {
    seeds: [5],
    data: {
      builtin: false,
      bitext: { xx: [join(dir, "bitext.tsv")] },
      benchmarks: [
        {
          name: "toy",
          corpus: join(dir, "corpus.jsonl"),
          languages: [
            {
              language: "xx",
              queries: join(dir, "queries.tsv"),
              qrels: join(dir, "qrels.txt"),
              englishQueries: join(dir, "queries.en.tsv"),
              dictionary: join(dir, "dict.tsv"),
              translator: ["cat"],
            },
          ],
        },
      ],
    },
    teacher: { model: TEACHER },
    workers: 2,
    students: {
      losses: ["ot", "contrastive"],
      maxLength: 16,
      optim: { steps: 4, batchSize: 4, warmupSteps: 1, checkpointEvery: 1 },
    },
    search: { k: 10, queryMaxLength: 16 },
    evaluation: { permutations: 1000, bootstrap: 1000 },
  };
}

interface ReportJson {
  results: Array<{
    benchmark: string;
    language: string;
    system: string;
    measure: string;
    value: number;
    ci_low: number;
    ci_high: number;
    p_vs_baseline: number | null;
    seed?: number;
  }>;
  systems: string[];
  languages: string[];
  seeds: number[];
}

const readReport = (dir: string): ReportJson =>
  JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as ReportJson;
const values = (r: ReportJson): string[] =>
  r.results.map((x) => `${x.system}/${x.measure}=${x.value}`).sort();

describe.skipIf(!isTorchAvailable())("experiment on user-provided files (tiny HF teacher)", () => {
  let root: string;
  let raw: Record<string, unknown>;
  const logs: string[] = [];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "xlir-exp-"));
    raw = makeData(root);
    await runExperiment(parseExperimentConfig(raw), { outDir: join(root, "a"), log: (m) => logs.push(m) });
  }, 600_000);

  it("writes a report row for every system x measure, with the keys any tool can read", () => {
    const report = readReport(join(root, "a"));
    const systems = [
      "teacher-zero-shot",
      "dict+teacher",
      "mt+teacher",
      "bm25-raw",
      "bm25-dict",
      "bm25-mt",
      "ot",
      "contrastive",
      "rrf(bm25-mt,ot)",
      "rrf(bm25-mt,contrastive)",
      "teacher-english",
    ];
    expect(new Set(report.systems)).toEqual(new Set(systems));
    expect(report.languages).toEqual(["xx"]);
    expect(report.seeds).toEqual([5]);
    for (const system of systems)
      for (const measure of MEASURES) {
        const rows = report.results.filter(
          (r) =>
            r.system === system &&
            r.measure === measure &&
            r.benchmark === "toy" &&
            r.language === "xx" &&
            r.seed === undefined,
        );
        expect(rows, `${system} ${measure}`).toHaveLength(1);
        const row = rows[0];
        expect(row.value).toBeGreaterThanOrEqual(0);
        expect(row.value).toBeLessThanOrEqual(1);
        expect(row.ci_low).toBeLessThanOrEqual(row.value + 1e-12);
        expect(row.ci_high).toBeGreaterThanOrEqual(row.value - 1e-12);
        if (system === "teacher-zero-shot") expect(row.p_vs_baseline).toBeNull();
        else expect(row.p_vs_baseline).toBeGreaterThan(0);
      }
    // the bitext tokenised once, in its own process, and every student process given the file
    expect(
      logs.some((m) =>
        /^\[student-inputs\] \d+ foreign sides and \d+ English sentences tokenised in/.test(m),
      ),
    ).toBe(true);
    for (const loss of ["ot", "contrastive"]) {
      const job = JSON.parse(
        readFileSync(join(root, "a", "stages", `student-${loss}-seed5`, "job.json"), "utf8"),
      ) as { inputsFile?: string };
      expect(job.inputsFile).toBe(join(root, "a", "stages", "student-inputs", "inputs.bin"));
    }
    const runs = readdirSync(join(root, "a", "runs", "toy", "xx"));
    expect(runs).toContain("ot.seed5.run");
    expect(runs).toContain("dict_teacher.run");
    for (const f of ["report.html", "report.md", "config.json"])
      expect(readFileSync(join(root, "a", f), "utf8").length).toBeGreaterThan(100);
  });

  it("a second run reuses every stage and reproduces every number", async () => {
    const before = values(readReport(join(root, "a")));
    const again: string[] = [];
    await runExperiment(parseExperimentConfig(raw), { outDir: join(root, "a"), log: (m) => again.push(m) });
    for (const stage of [
      "teacher",
      "student-inputs",
      "student-ot-seed5",
      "student-contrastive-seed5",
      "search-baselines",
      "search-ot-seed5",
      "search-contrastive-seed5",
    ]) {
      expect(
        again.some((m) => m.startsWith(`[${stage}] cached`)),
        stage,
      ).toBe(true);
    }
    expect(values(readReport(join(root, "a")))).toEqual(before);
  }, 600_000);

  it("a run stopped during a student's training resumes and ends with the same numbers", async () => {
    const b = join(root, "b");
    const config = parseExperimentConfig(raw);
    await expect(runExperiment(config, { outDir: b, log: () => {}, stopStudentsAfter: 2 })).rejects.toThrow(
      XlirError,
    );
    const resumed: string[] = [];
    await runExperiment(config, { outDir: b, log: (m) => resumed.push(m) });
    expect(resumed.some((m) => m.includes("resuming an interrupted run"))).toBe(true);
    expect(values(readReport(b))).toEqual(values(readReport(join(root, "a"))));
  }, 600_000);
});
