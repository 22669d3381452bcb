/**
 * The en-xx direction end to end on the committed CIRAL-shape fixture (English TREC topics over
 * Hausa passages, gzip JSONL with `docid`): document-side students index the Hausa passages, the
 * teacher encodes the English queries; and the configuration errors of this direction.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { runExperiment } from "../../src/experiment/run.js";

const FIX = resolve("test/fixtures/ciral-shape");
const TEACHER = resolve("test/fixtures/tiny-bert");

/** Hausa-English pairs from the fixture's own topic translations (NeuCLIR JSONL). */
function bitextFrom(dir: string): string {
  const lines: string[] = [];
  for (const line of readFileSync(join(FIX, "topics.jsonl"), "utf8").split("\n").filter(Boolean)) {
    const t = JSON.parse(line) as {
      topics: Array<{ lang: string; topic_title: string; topic_description: string }>;
    };
    const en = t.topics.find((x) => x.lang === "eng");
    const ha = t.topics.find((x) => x.lang === "hau");
    if (en && ha)
      lines.push(`${ha.topic_title}\t${en.topic_title}`, `${ha.topic_description}\t${en.topic_description}`);
  }
  const file = join(dir, "ha-en.tsv");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

function ciralConfig(dir: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seeds: [2],
    workers: 1,
    directions: ["en-xx"],
    data: {
      builtin: false,
      bitext: { ha: [bitextFrom(dir)] },
      benchmarks: [
        {
          name: "ciral-fixture",
          direction: "en-xx",
          corpus: join(FIX, "corpus.jsonl.gz"),
          idField: "docid",
          languages: [
            { language: "ha", queries: join(FIX, "topics.xml"), qrels: join(FIX, "qrels.txt"), ...over },
          ],
        },
      ],
    },
    teacher: { model: TEACHER },
    students: {
      losses: ["ot", "contrastive"],
      maxLength: 24,
      optim: { steps: 3, batchSize: 4, warmupSteps: 1 },
    },
    search: { k: 20, queryMaxLength: 16 },
    evaluation: { permutations: 1000, bootstrap: 1000 },
  };
}

describe("en-xx configuration errors", () => {
  it("refuses a benchmark language that is English", () => {
    try {
      parseExperimentConfig(ciralConfig(tmpdir(), { language: "en" }));
      throw new Error("accepted");
    } catch (e) {
      expect((e as XlirError).code).toBe("CONFIG");
      expect((e as Error).message).toMatch(/both queries and documents would be English/);
    }
  });

  it.skipIf(!isTorchAvailable())("refuses a language without bitext before any training", async () => {
    const root = mkdtempSync(join(tmpdir(), "xlir-rev-"));
    const raw = ciralConfig(root);
    (raw.data as { bitext: Record<string, string[]> }).bitext = { so: [bitextFrom(root)] };
    const logs: string[] = [];
    const err = await runExperiment(parseExperimentConfig(raw), {
      outDir: join(root, "x"),
      log: (m) => logs.push(m),
    }).catch((e: unknown) => e);
    expect((err as XlirError).code).toBe("CONFIG");
    expect((err as Error).message).toMatch(/no training bitext for ha/);
    expect(logs.some((m) => m.startsWith("[teacher]") || m.startsWith("[student"))).toBe(false);
  });
});

describe.skipIf(!isTorchAvailable())("en-xx on the CIRAL-shape fixture (tiny HF teacher)", () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "xlir-rev-"));
    await runExperiment(parseExperimentConfig(ciralConfig(root)), {
      outDir: join(root, "out"),
      log: () => {},
    });
  }, 600_000);

  it("searches every en-xx system, the students as document encoders", () => {
    const report = JSON.parse(readFileSync(join(root, "out", "report.json"), "utf8")) as {
      results: Array<{ system: string; measure: string; direction?: string; seed?: number; value: number }>;
      comparisons: Array<{ direction?: string; verdict?: string }>;
    };
    const systems = new Set(report.results.map((r) => r.system));
    for (const s of ["teacher-zero-shot", "bm25-raw", "ot", "contrastive"])
      expect(systems.has(s), s).toBe(true);
    expect(report.results.every((r) => r.direction === "en-xx")).toBe(true);
    for (const r of report.results) expect(r.value).toBeGreaterThanOrEqual(0);
    expect(report.comparisons.length).toBeGreaterThan(0);
    expect(report.comparisons.every((c) => c.direction === "en-xx" && typeof c.verdict === "string")).toBe(
      true,
    );
    // every English query got a ranking of Hausa passages from the students' indexes
    const run = readFileSync(join(root, "out", "runs", "ciral-fixture", "ha", "ot.seed2.run"), "utf8")
      .trim()
      .split("\n");
    expect(new Set(run.map((l) => l.split(" ")[0])).size).toBe(6);
    expect(run.every((l) => /^10[1-6] Q0 \S+#\d+#\d+ \d+ \S+ ot\.seed2$/.test(l))).toBe(true);
  });
});
