/**
 * trainStudent on the tiny BERT fixture: OT with IDF marginals and with the anchor term, for `ot`
 * and `ot+contrastive` (both crashed at step 1 before: no token weights in the batch, the anchor
 * read at the wrong level), Sinkhorn convergence averaged in the result, and the IDF weights.
 */
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { XlirError } from "../../src/errors.js";
import { loadHfFolder, type HfModel } from "../../src/models/hf.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { DistillPair } from "../../src/train/distill.js";
import { encodeTokenVectors } from "../../src/train/encode-cache.js";
import { idfFromTexts, idfFromTokenIds } from "../../src/train/idf.js";
import { TINY_OPTIM, trainTinyStudent } from "./tiny-student.js";
import type { TokenVectors } from "../../src/models/types.js";

const FOREIGN = [
  "un cafe low",
  "yes un run",
  "the un fox",
  "hello un world",
  "un search query",
  "lazy un dog",
  "un token",
  "brown un cafe",
];
const ENGLISH = [
  "the quick cafe",
  "yes the run",
  "the brown fox",
  "hello world",
  "the search query",
  "the lazy dog",
  "the token",
  "the brown cafe",
];
const PAIRS: DistillPair[] = FOREIGN.map((foreign, i) => ({ foreign, english: ENGLISH[i], englishIndex: i }));
const OPTIM = TINY_OPTIM;
const MAX_LENGTH = 16;

describe("IDF weights (no native code)", () => {
  it("idf = ln((N+1)/(df+1)) + 1, counted once per sentence", () => {
    const idf = idfFromTokenIds([
      [2, 9, 9, 3],
      [2, 8, 3],
      [2, 3],
    ]);
    expect(idf.sentences).toBe(3);
    expect(idf.weight(2)).toBe(1);
    expect(idf.weight(9)).toBeCloseTo(Math.log(4 / 2) + 1, 12); // df 1 although it occurs twice
    expect(idf.weight(77)).toBeCloseTo(Math.log(4) + 1, 12); // never seen
    expect([...idf.batchWeights([2, 9, 0], [1, 1, 0])]).toEqual([1, Math.fround(Math.log(2) + 1), 0]);
  });
});

describe.skipIf(NO_TORCH)(torchSuite("trainStudent: idf marginals, anchor, convergence"), () => {
  let model: HfModel;
  let teacherEnglish: TokenVectors;

  async function setup(): Promise<void> {
    if (model) return;
    model = await loadHfFolder(new URL("../fixtures/tiny-bert", import.meta.url).pathname);
    const teacher = TorchEncoder.fromWeights(
      model.config,
      model.weights,
      model.head,
      model.headWeights,
    ).freeze();
    teacherEnglish = encodeTokenVectors(teacher, model.tokenizer, ENGLISH, { maxLength: MAX_LENGTH });
    teacher.free();
  }

  function train(loss: string, lossOptions: Record<string, unknown>, maxLength = MAX_LENGTH) {
    return trainTinyStudent(model, {
      pairs: PAIRS,
      teacherEnglish,
      loss,
      lossOptions,
      optim: OPTIM,
      maxLength,
    });
  }

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["ot", { marginals: "idf", epsilon: 0.05 }, []],
    ["ot", { anchor: 0.5, epsilon: 0.05 }, ["anchor", "anchorMeanIterations", "anchorConvergedFraction"]],
    ["ot", { anchor: 0.5, marginals: "idf", epsilon: 0.05 }, ["anchor"]],
    [
      "ot+contrastive",
      { ot: { anchor: 0.5, epsilon: 0.05 }, contrastiveWeight: 0.5 },
      ["ot.anchor", "contrastive.accuracy"],
    ],
    ["ot+contrastive", { ot: { marginals: "idf", anchor: 0.25 } }, ["ot.anchor"]],
  ];
  for (const [loss, options, keys] of cases) {
    it(`${loss} ${JSON.stringify(options)}: 3 steps, finite losses, Sinkhorn convergence recorded`, async () => {
      await setup();
      const r = train(loss, options);
      expect(r.step).toBe(3);
      expect(r.losses).toHaveLength(3);
      for (const l of r.losses) expect(Number.isFinite(l) && l > 0).toBe(true);
      expect(r.statsMean.meanIterations).toBeGreaterThanOrEqual(1);
      expect(r.statsMean.convergedFraction).toBeGreaterThanOrEqual(0);
      expect(r.statsMean.convergedFraction).toBeLessThanOrEqual(1);
      for (const k of keys) expect(Number.isFinite(r.statsMean[k]), k).toBe(true);
    });
  }

  it("idf marginals change the loss (the weights reach the OT term) and are not uniform", async () => {
    await setup();
    const uniform = train("ot", { epsilon: 0.05 });
    const idf = train("ot", { epsilon: 0.05, marginals: "idf" });
    expect(Math.abs(uniform.losses[0] - idf.losses[0])).toBeGreaterThan(1e-6);
    const table = idfFromTexts(FOREIGN, model.tokenizer, MAX_LENGTH);
    const un = model.tokenizer.tokenToId("un")!;
    const cafe = model.tokenizer.tokenToId("cafe")!;
    expect(table.weight(un)).toBe(1); // in every foreign sentence, like [CLS] and [SEP]
    expect(table.weight(cafe)).toBeCloseTo(Math.log(9 / 3) + 1, 12);
  });

  it("batch groups: every batch from one group changes the contrastive loss; groups of another length are refused", async () => {
    await setup();
    const groups = PAIRS.map((_, i) => (i < PAIRS.length / 2 ? 0 : 1));
    const withGroups = (batchGroups: number[]) =>
      trainTinyStudent(model, {
        pairs: PAIRS,
        teacherEnglish,
        loss: "contrastive",
        lossOptions: {},
        optim: OPTIM,
        maxLength: MAX_LENGTH,
        batchGroups,
      });
    const plain = train("contrastive", {});
    const grouped = withGroups(groups);
    expect(grouped.step).toBe(3);
    for (const l of grouped.losses) expect(Number.isFinite(l)).toBe(true);
    expect(grouped.losses).not.toEqual(plain.losses);
    expect(() => withGroups(groups.slice(1))).toThrow(
      new RegExp(`${PAIRS.length - 1} batch groups for ${PAIRS.length} pairs`),
    );
  });

  it("a bad loss option fails before any step; a teacher cache of another maxLength is named", async () => {
    await setup();
    expect(() => train("ot", { cost: "cos" })).toThrow(
      /option 'cost': invalid value "cos"; allowed values: "cosine", "sqeuclidean"/,
    );
    expect(() => train("ot+contrastive", { ot: { maxIterations: 5 } })).toThrow(
      /unknown option 'ot.maxIterations'; allowed options: epsilon, iterations/,
    );
    let err: unknown;
    try {
      train("ot", { marginals: "idf" }, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).code).toBe("CONFIG");
    expect((err as Error).message).toMatch(
      /marginals 'idf': English sentence 0 has 3 tokens .* in the teacher cache/,
    );
  });
});
