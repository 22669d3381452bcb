/**
 * `xlir tune` on user-provided files (a toy language, a tiny Hugging Face teacher): equal budget
 * per loss, dev only (the test files are deleted before tuning and the test split is refused while
 * tuning), a resumable sweep, clear configuration errors, and a tuning file the experiment applies.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { forbidTestSplit, allowTestSplit, loadBenchmarks } from "../../src/experiment/benchmarks.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { applyTuning, studentSettings } from "../../src/experiment/settings.js";
import { planTrials, runTuning, type TuningFile } from "../../src/experiment/tune.js";
import { toyTuningData as makeData } from "./toy.js";

describe("tuning plan and configuration errors", () => {
  const base = (tuning: unknown) => ({
    students: { losses: ["ot", "contrastive", "mse", "ot+contrastive"] },
    tuning,
  });

  it("gives every loss the same number of trials and the same total steps", () => {
    const config = parseExperimentConfig(base({ trials: 5, steps: [100, 300] }));
    const trials = planTrials(config);
    for (const loss of config.students.losses) {
      const mine = trials.filter((t) => t.loss === loss);
      expect(mine).toHaveLength(5);
      expect(mine.map((t) => t.settings.steps)).toEqual([100, 300, 100, 300, 100]);
    }
    // distinct grid points while the grid has enough of them (ot: 3 learning rates x 3 epsilons)
    const ot = trials.filter((t) => t.loss === "ot").map((t) => JSON.stringify({ ...t.settings, steps: 0 }));
    expect(new Set(ot).size).toBe(5);
    expect(
      trials.filter((t) => t.loss === "contrastive").every((t) => t.settings.temperature !== undefined),
    ).toBe(true);
    expect(
      trials
        .filter((t) => t.loss === "ot+contrastive")
        .every((t) => t.settings.weight !== undefined && t.settings.epsilon !== undefined),
    ).toBe(true);
  });

  it("refuses an unknown loss option and an empty grid (CONFIG, exit 9)", () => {
    const bad = (tuning: unknown): XlirError => {
      try {
        parseExperimentConfig(base(tuning));
      } catch (e) {
        return e as XlirError;
      }
      throw new Error("accepted");
    };
    const unknown = bad({ space: { ot: { epsilon: [0.1], temprature: [0.05] } } });
    expect(unknown.code).toBe("CONFIG");
    expect(unknown.exitCode).toBe(9);
    expect(unknown.message).toMatch(/tuning\.space\.ot/);
    const empty = bad({ space: { contrastive: { temperature: [] } } });
    expect(empty.exitCode).toBe(9);
    expect(empty.message).toMatch(/tuning\.space\.contrastive\.temperature/);
    expect(bad({ steps: [] }).exitCode).toBe(9);
  });

  it("refuses the test split while the test split is forbidden", async () => {
    const config = parseExperimentConfig({ data: { builtin: false, benchmarks: [] } });
    forbidTestSplit("a test");
    try {
      await expect(loadBenchmarks(config, "test")).rejects.toThrow(/forbidden/);
    } finally {
      allowTestSplit();
    }
  });
});

describe.skipIf(!isTorchAvailable())("xlir tune on user files (tiny HF teacher)", () => {
  let root: string;
  let raw: Record<string, unknown>;
  let file: TuningFile;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "xlir-tune-"));
    raw = makeData(root);
    // the tuner must not need the test files: they are gone while it runs
    const test = readFileSync(join(root, "test.qrels"));
    rmSync(join(root, "test.qrels"));
    rmSync(join(root, "test.tsv"));
    const config = parseExperimentConfig(raw);
    await expect(
      runTuning(config, { outDir: join(root, "t"), log: () => {}, stopStudentsAfter: 1 }),
    ).rejects.toThrow(XlirError);
    const logs: string[] = [];
    file = await runTuning(config, { outDir: join(root, "t"), log: (m) => logs.push(m) });
    expect(logs.some((m) => m.includes("resuming an interrupted run"))).toBe(true);
    writeFileSync(join(root, "test.qrels"), test);
  }, 600_000);

  it("writes a tuning file with equal trials and steps per loss and a chosen setting for each", () => {
    expect(file.trials).toHaveLength(6);
    for (const loss of ["ot", "contrastive"] as const) {
      const mine = file.trials.filter((t) => t.loss === loss);
      expect(mine.map((t) => t.settings.steps)).toEqual([2, 3, 2]);
      for (const t of mine) {
        expect(Object.keys(t.dev)).toEqual(["toy/xx"]);
        expect(t.mean).toBeGreaterThanOrEqual(0);
        expect(t.mean).toBeLessThanOrEqual(1);
      }
      const best = Math.max(...mine.map((t) => t.mean));
      expect(file.chosen[loss]).toBeDefined();
      expect(mine.find((t) => JSON.stringify(t.settings) === JSON.stringify(file.chosen[loss]))?.mean).toBe(
        best,
      );
    }
    expect(file.stepsPerLoss).toBe(7);
    expect(readFileSync(join(root, "t", "tuning.md"), "utf8")).toMatch(/\| ot \| 0 \|/);
  });

  it("the experiment applies the chosen settings of a tuning file", () => {
    const config = applyTuning(parseExperimentConfig(raw), join(root, "t", "tuning.json"));
    const ot = studentSettings(config, "ot");
    expect(ot.optim.steps).toBe(file.chosen.ot?.steps);
    expect(ot.optim.learningRate).toBe(file.chosen.ot?.learningRate);
    expect((ot.lossOptions as { epsilon: number }).epsilon).toBe(file.chosen.ot?.epsilon);
    expect((studentSettings(config, "contrastive").lossOptions as { temperature: number }).temperature).toBe(
      file.chosen.contrastive?.temperature,
    );
    expect(() => applyTuning(parseExperimentConfig(raw), join(root, "t", "config.json"))).toThrow(
      /not a tuning file/,
    );
  });
});
