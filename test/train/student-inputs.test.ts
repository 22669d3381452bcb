/**
 * The students' inputs computed once (src/train/student-inputs.ts): the same foreign lengths and
 * IDF weights a student computes itself, a checksummed file that refuses truncation and changes,
 * and a student trained from them equal, weight for weight, to one that tokenised the bitext itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { XlirError } from "../../src/errors.js";
import { loadHfFolder, type HfModel } from "../../src/models/hf.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { TokenVectors } from "../../src/models/types.js";
import { TextTokenizer } from "../../src/text/tokenizer.js";
import type { DistillPair } from "../../src/train/distill.js";
import { encodeTokenVectors } from "../../src/train/encode-cache.js";
import { idfFromTexts } from "../../src/train/idf.js";
import {
  computeStudentInputs,
  parseStudentInputs,
  readStudentInputsFile,
  serializeStudentInputs,
  type StudentInputs,
} from "../../src/train/student-inputs.js";
import { TINY_OPTIM, trainTinyStudent } from "./tiny-student.js";

// foreign sides with an empty one and one longer than the smaller maxLength below
const FOREIGN = [
  "un fox run",
  "un world hello",
  "",
  "query un search",
  "un dog lazy",
  "token un",
  "un cafe brown",
  "un brown cafe the quick fox jumps over the lazy dog again",
];
const ENGLISH = [
  "the fox runs",
  "hello the world",
  "an empty side",
  "search the query",
  "a lazy dog",
  "a token",
  "a brown cafe",
  "the brown cafe",
];
const PAIRS: DistillPair[] = FOREIGN.map((foreign, i) => ({ foreign, english: ENGLISH[i], englishIndex: i }));
const dir = mkdtempSync(join(tmpdir(), "xlir-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tokenizer(): Promise<TextTokenizer> {
  return TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
}

describe("student inputs (no native code)", () => {
  it("lengths and IDF equal what a student computes itself, truncation included", async () => {
    const tok = await tokenizer();
    for (const maxLength of [16, 6]) {
      const inputs = computeStudentInputs(FOREIGN, ENGLISH, tok, tok, maxLength);
      expect(inputs.maxLength).toBe(maxLength);
      // what trainStudent did before: a batch of one text each, its padded length
      const want = FOREIGN.map((f) => (f.trim() === "" ? 0 : tok.encodeBatch([f], { maxLength }).length));
      expect([...inputs.lengths]).toEqual(want);
      expect(Math.max(...inputs.lengths)).toBeLessThanOrEqual(maxLength);
      const studentIdf = idfFromTexts(FOREIGN, tok, maxLength);
      expect(inputs.studentIdf.sentences).toBe(studentIdf.sentences);
      expect([...inputs.studentIdf.documentFrequency].sort()).toEqual(
        [...studentIdf.documentFrequency].sort(),
      );
      const teacherIdf = idfFromTexts(ENGLISH, tok, maxLength);
      ENGLISH.forEach((e, k) => {
        const ids = tok.encodeOne(e, maxLength).ids;
        expect([...inputs.teacherWeights[k]]).toEqual(ids.map((id) => Math.fround(teacherIdf.weight(id))));
      });
    }
  });

  it("the file round-trips exactly; a truncated, altered or missing file is refused by name", async () => {
    const tok = await tokenizer();
    const inputs = computeStudentInputs(FOREIGN, ENGLISH, tok, tok, 16);
    const bytes = serializeStudentInputs(inputs);
    const back = parseStudentInputs(bytes, "x.bin");
    expect(back.maxLength).toBe(16);
    expect([...back.lengths]).toEqual([...inputs.lengths]);
    expect(back.studentIdf.sentences).toBe(inputs.studentIdf.sentences);
    expect([...back.studentIdf.documentFrequency].sort()).toEqual(
      [...inputs.studentIdf.documentFrequency].sort(),
    );
    expect(back.teacherWeights.map((w) => [...w])).toEqual(inputs.teacherWeights.map((w) => [...w]));
    const file = join(dir, "inputs.bin");
    writeFileSync(file, bytes);
    expect([...readStudentInputsFile(file).lengths]).toEqual([...inputs.lengths]);
    const altered = Buffer.from(bytes);
    altered[altered.length - 40] ^= 1;
    for (const [name, buf, why] of [
      [
        "cut.bin",
        bytes.subarray(0, bytes.length - 5),
        /cut\.bin: not a student-inputs file.*checksum mismatch/,
      ],
      ["altered.bin", altered, /altered\.bin: .*checksum mismatch/],
      ["tiny.bin", bytes.subarray(0, 10), /tiny\.bin: .*too short/],
    ] as const) {
      writeFileSync(join(dir, name), buf);
      let err: unknown;
      try {
        readStudentInputsFile(join(dir, name));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(XlirError);
      expect((err as XlirError).code).toBe("CORRUPT");
      expect((err as Error).message).toMatch(why);
    }
    expect(() => readStudentInputsFile(join(dir, "absent.bin"))).toThrow(
      /absent\.bin: cannot read student inputs/,
    );
  });
});

describe.skipIf(NO_TORCH)(torchSuite("trainStudent from precomputed inputs"), () => {
  let model: HfModel;
  let teacherEnglish: TokenVectors;
  const OPTIM = { ...TINY_OPTIM, batchSize: 3 };

  function train(loss: string, lossOptions: Record<string, unknown>, inputs?: StudentInputs) {
    const r = trainTinyStudent(model, {
      pairs: PAIRS,
      teacherEnglish,
      loss,
      lossOptions,
      optim: OPTIM,
      maxLength: 16,
      inputs,
    });
    return { losses: r.losses, weights: r.weights };
  }

  it("OT with IDF masses and contrastive: the same losses and weights, bit for bit", async () => {
    model = await loadHfFolder("test/fixtures/tiny-bert");
    const teacher = TorchEncoder.fromHfModel(model).freeze();
    teacherEnglish = encodeTokenVectors(teacher, model.tokenizer, ENGLISH, { maxLength: 16 });
    teacher.free();
    const inputs = parseStudentInputs(
      serializeStudentInputs(computeStudentInputs(FOREIGN, ENGLISH, model.tokenizer, model.tokenizer, 16)),
    );
    for (const [loss, options] of [
      ["ot", { marginals: "idf", epsilon: 0.05 }],
      ["contrastive", {}],
    ] as const) {
      const own = train(loss, options);
      const given = train(loss, options, inputs);
      expect(given.losses).toEqual(own.losses);
      expect(given.weights).toEqual(own.weights);
    }
  });

  it("inputs made for another maxLength or other pairs are refused before any step", async () => {
    const other = computeStudentInputs(FOREIGN, ENGLISH, model.tokenizer, model.tokenizer, 8);
    expect(() => train("ot", {}, other)).toThrow(
      /student inputs hold 8 foreign lengths at maxLength 8, this student has 8 pairs at maxLength 16/,
    );
    const fewer = computeStudentInputs(FOREIGN.slice(1), ENGLISH, model.tokenizer, model.tokenizer, 16);
    expect(() => train("ot", {}, fewer)).toThrow(/7 foreign lengths/);
  });
});
