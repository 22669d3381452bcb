/** One option vocabulary: each loss's options are one strict zod schema, in the experiment configuration's names. */
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { experimentConfigSchema } from "../../src/experiment/config.js";
import {
  combinedOptionsSchema,
  contrastiveOptionsSchema,
  getLoss,
  LOSSES,
  lossOptionsSchemas,
  mseOptionsSchema,
  otOptionsSchema,
  parseLossOptions,
} from "../../src/losses/index.js";

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(XlirError);
    expect((e as XlirError).code).toBe("CONFIG");
    return (e as Error).message;
  }
  throw new Error("expected a CONFIG error");
}

describe("loss option schemas", () => {
  it("the registry's schemas are the exported ones, and defaults are schema.parse({})", () => {
    expect(lossOptionsSchemas).toEqual({
      ot: otOptionsSchema,
      contrastive: contrastiveOptionsSchema,
      mse: mseOptionsSchema,
      "ot+contrastive": combinedOptionsSchema,
    });
    for (const [name, schema] of Object.entries(lossOptionsSchemas)) {
      expect(getLoss(name).schema).toBe(schema);
      expect(LOSSES[name].defaults).toEqual(schema.parse({}));
    }
  });

  it("an unknown value lists the allowed values (it used to run squared Euclidean silently)", () => {
    expect(configError(() => getLoss("ot", { cost: "cos" }))).toBe(
      `loss 'ot': option 'cost': invalid value "cos"; allowed values: "cosine", "sqeuclidean"`,
    );
    expect(configError(() => getLoss("ot", { marginals: "weights" }))).toBe(
      `loss 'ot': option 'marginals': invalid value "weights"; allowed values: "uniform", "idf"`,
    );
    expect(configError(() => getLoss("contrastive", { score: "dot" }))).toMatch(
      /allowed values: "late", "pooled"/,
    );
  });

  it("an unknown key lists the allowed keys, nested ones by their path", () => {
    expect(configError(() => getLoss("ot", { maxIterations: 5 }))).toBe(
      "loss 'ot': unknown option 'maxIterations'; allowed options: epsilon, iterations, tolerance, cost, marginals, anchor, unrolled, value",
    );
    expect(configError(() => getLoss("ot+contrastive", { otWeight: 1 }))).toBe(
      "loss 'ot+contrastive': unknown option 'otWeight'; allowed options: ot, contrastive, contrastiveWeight",
    );
    expect(configError(() => getLoss("ot+contrastive", { contrastive: { tau: 1 } }))).toBe(
      "loss 'ot+contrastive': unknown option 'contrastive.tau'; allowed options: temperature, score, pooling, symmetric",
    );
  });

  it("types and ranges are checked", () => {
    expect(configError(() => parseLossOptions("ot", otOptionsSchema, { epsilon: 0 }))).toMatch(
      /option 'epsilon': 0 is not valid/,
    );
    expect(configError(() => parseLossOptions("ot", otOptionsSchema, { iterations: 2.5 }))).toMatch(
      /option 'iterations': 2.5/,
    );
    expect(configError(() => parseLossOptions("ot", otOptionsSchema, { anchor: -1 }))).toMatch(
      /option 'anchor': -1/,
    );
    expect(configError(() => parseLossOptions("mse", mseOptionsSchema, { englishTerm: "yes" }))).toMatch(
      /option 'englishTerm': "yes"/,
    );
    expect(
      configError(() => parseLossOptions("contrastive", contrastiveOptionsSchema, { temperature: Infinity })),
    ).toMatch(/temperature/);
  });

  it("what each loss needs from the batch follows its options (the anchor of ot+contrastive is under ot)", () => {
    expect(getLoss("ot").inputs({ anchor: 0.5 })).toEqual({ studentEnglish: true, tokenWeights: false });
    expect(getLoss("ot").inputs({ marginals: "idf" })).toEqual({ studentEnglish: false, tokenWeights: true });
    expect(getLoss("ot+contrastive").inputs({ ot: { anchor: 0.5, marginals: "idf" } })).toEqual({
      studentEnglish: true,
      tokenWeights: true,
    });
    expect(getLoss("ot+contrastive").inputs({})).toEqual({ studentEnglish: false, tokenWeights: false });
    expect(getLoss("mse").inputs({})).toEqual({ studentEnglish: true, tokenWeights: false });
    expect(getLoss("contrastive").inputs({})).toEqual({ studentEnglish: false, tokenWeights: false });
  });

  it("the experiment configuration's students.ot and students.contrastive keys are loss options, with values the schemas accept", () => {
    const students = experimentConfigSchema.parse({}).students;
    expect(otOptionsSchema.parse(students.ot)).toMatchObject(students.ot);
    expect(contrastiveOptionsSchema.parse(students.contrastive)).toMatchObject(students.contrastive);
    expect(
      combinedOptionsSchema.parse({
        ot: students.ot,
        contrastive: students.contrastive,
        contrastiveWeight: students.combinedWeight,
      }).contrastiveWeight,
    ).toBe(students.combinedWeight);
  });
});
