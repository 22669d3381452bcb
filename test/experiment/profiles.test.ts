import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { loadExperimentConfig, parseExperimentConfig } from "../../src/experiment/config.js";
import { PROFILES } from "../../src/experiment/profiles.js";
import { studentSettings } from "../../src/experiment/settings.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-profiles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("experiment profiles", () => {
  it("default leaves every setting at its default; full doubles the students' batch and steps and OT's learning rate, nothing else", () => {
    const base = parseExperimentConfig({});
    const full = parseExperimentConfig({ profile: "full" });
    expect(base.profile).toBe("default");
    expect(base.students.optim.batchSize).toBe(64);
    expect(full.students.optim.batchSize).toBe(128);
    expect({
      ...full,
      profile: "default",
      students: { ...full.students, optim: base.students.optim, perLoss: base.students.perLoss },
    }).toEqual(base);
    // twice each loss's steps and four times OT's learning rate; the other per-loss settings stay in place
    const { ot, contrastive } = base.students.perLoss;
    expect(full.students.perLoss.ot).toEqual({
      ...ot,
      steps: 2 * (ot.steps as number),
      learningRate: 4 * (ot.learningRate as number),
    });
    expect(full.students.perLoss.contrastive).toEqual({
      ...contrastive,
      steps: 2 * (contrastive.steps as number),
    });
    expect(studentSettings(full, "ot").optim).toMatchObject({
      steps: 4000,
      batchSize: 128,
      learningRate: 0.002,
    });
    expect(studentSettings(full, "contrastive").optim.learningRate).toBe(
      studentSettings(base, "contrastive").optim.learningRate,
    );
  });

  it("steps or a learning rate the user writes at the shared level apply to every loss under the profile too", () => {
    const c = parseExperimentConfig({
      profile: "full",
      students: { optim: { steps: 30, learningRate: 0.003 } },
    });
    for (const loss of ["ot", "contrastive"] as const)
      expect(studentSettings(c, loss).optim).toMatchObject({
        steps: 30,
        learningRate: 0.003,
        batchSize: 128,
      });
    // and a per-loss value the user writes wins over the profile's
    const p = parseExperimentConfig({ profile: "full", students: { perLoss: { ot: { steps: 7 } } } });
    expect(studentSettings(p, "ot").optim.steps).toBe(7);
    expect(studentSettings(p, "contrastive").optim.steps).toBe(2000);
  });

  it("a per-loss entry written in part keeps the built-in values of the keys it leaves out", () => {
    const c = parseExperimentConfig({ students: { perLoss: { ot: { steps: 4000 } } } });
    expect(c.students.perLoss.ot).toEqual({ learningRate: 0.0005, steps: 4000, epsilon: 0.02 });
    expect(studentSettings(c, "ot").optim.learningRate).toBe(0.0005);
    expect(c.students.perLoss.contrastive).toEqual(parseExperimentConfig({}).students.perLoss.contrastive);
    // ... unless the shared level sets them: then the shared value applies
    const s = parseExperimentConfig({
      students: { optim: { learningRate: 0.002 }, perLoss: { ot: { steps: 4000 } } },
    });
    expect(studentSettings(s, "ot").optim.learningRate).toBe(0.002);
    expect(studentSettings(s, "ot").optim.steps).toBe(4000);
    expect(studentSettings(s, "contrastive").optim.learningRate).toBe(0.002);
  });

  it("what the user writes wins over the profile, key by key", () => {
    const c = parseExperimentConfig({
      profile: "full",
      students: { optim: { batchSize: 32, warmupSteps: 7 } },
    });
    expect(c.students.optim.batchSize).toBe(32);
    expect(c.students.optim.warmupSteps).toBe(7);
  });

  it("an unknown profile is a configuration error naming the file and the choices", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ profile: "fastest" }));
    let err: unknown;
    try {
      loadExperimentConfig(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).code).toBe("CONFIG");
    expect((err as XlirError).message).toContain(file);
    expect((err as XlirError).message).toMatch(/profile.*(default|full)/s);
  });

  it("a profile named on the command line wins over the file's; a JSON array is refused by name", () => {
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ profile: "default", seeds: [3] }));
    const c = loadExperimentConfig(file, "full");
    expect(c.profile).toBe("full");
    expect(c.seeds).toEqual([3]);
    expect(c.students.optim.batchSize).toBe(PROFILES.full.students.optim.batchSize);
    const arr = join(dir, "arr.json");
    writeFileSync(arr, "[1, 2]");
    expect(() => loadExperimentConfig(arr)).toThrow(/arr\.json: expected a JSON object, got an array/);
  });
});
