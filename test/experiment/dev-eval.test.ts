/**
 * `xlir dev` on user files (a toy language, a tiny Hugging Face teacher): the configured students of
 * every loss and seed, evaluated on dev only (the test files are deleted first), with the teacher's
 * zero-shot and English rows beside them, a summary over seeds, and a resumable, cached run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { runDevEvaluation, type DevFile } from "../../src/experiment/dev-eval.js";
import { toyTuningData } from "./toy.js";

describe.skipIf(!isTorchAvailable())("xlir dev on user files (tiny HF teacher)", () => {
  let root: string;
  let file: DevFile;
  let raw: Record<string, unknown>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "xlir-dev-"));
    raw = toyTuningData(root);
    raw.seeds = [3, 4];
    rmSync(join(root, "test.qrels"));
    rmSync(join(root, "test.tsv"));
    file = await runDevEvaluation(parseExperimentConfig(raw), {
      outDir: join(root, "d"),
      log: () => {},
      label: "toy",
    });
  }, 600_000);

  it("has a row per loss and seed and the teacher's rows, on the dev languages only", () => {
    expect(file.split).toBe("dev");
    expect(file.devLanguages).toEqual(["toy/xx"]);
    const students = file.rows.filter((r) => r.seed !== null);
    expect(students.map((r) => `${r.system}:${r.seed}`).sort()).toEqual([
      "contrastive:3",
      "contrastive:4",
      "ot:3",
      "ot:4",
    ]);
    expect(
      file.rows
        .filter((r) => r.seed === null)
        .map((r) => r.system)
        .sort(),
    ).toEqual(["teacher-zero-shot"]); // the toy benchmark has no English queries: no ceiling row
    for (const r of file.rows) {
      expect(r.mean).toBeGreaterThanOrEqual(0);
      expect(r.mean).toBeLessThanOrEqual(1);
      expect(r.mean).toBe(r.dev["toy/xx"]);
    }
  });

  it("summarises each system over seeds (mean and sample sd) and records the settings", () => {
    const ot = file.rows.filter((r) => r.system === "ot").map((r) => r.mean);
    const mean = (ot[0] + ot[1]) / 2;
    expect(file.summary.ot.mean).toBeCloseTo(mean, 12);
    expect(file.summary.ot.sd).toBeCloseTo(Math.abs(ot[0] - ot[1]) / Math.SQRT2, 12);
    expect(file.settings.ot?.steps).toBe(4);
    expect(file.label).toBe("toy");
    const md = readFileSync(join(root, "d", "dev.md"), "utf8");
    expect(md).toMatch(/# Dev evaluation: toy/);
    expect(md).toMatch(/\| ot \| /);
  });

  it("a second run takes every stage from the cache and gives the same figures", async () => {
    const logs: string[] = [];
    const again = await runDevEvaluation(parseExperimentConfig(raw), {
      outDir: join(root, "d"),
      log: (m) => logs.push(m),
    });
    expect(again.rows).toEqual(file.rows);
    for (const stage of ["student-ot-seed3", "student-contrastive-seed4", "dev-search"])
      expect(logs.some((m) => m.startsWith(`[${stage}] cached`))).toBe(true);
  });
});
