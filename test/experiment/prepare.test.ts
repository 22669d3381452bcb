/**
 * The model stages on user files (tiny HF teacher): the pairs a student trained in this process
 * reads (`workers: 1`) are the pairs a student process reads from the pairs file, text for text,
 * the bitext's English sentences numbered once.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { prepareModels } from "../../src/experiment/pipeline.js";
import { StageRunner } from "../../src/experiment/stages.js";
import { pairsFileText, pairsTsv, readPairsFile } from "../../src/experiment/student-pool.js";
import { toyTuningData } from "./toy.js";

describe("pairs file text", () => {
  it("turns runs of tabs and line breaks into one space and round-trips through the pairs file", () => {
    expect(pairsFileText("a\t\tb\r\nc\nd")).toBe("a b c d");
    const pairs = [
      { foreign: pairsFileText("x\ty"), english: pairsFileText("line one\nline two"), englishIndex: 0 },
      { foreign: "z", english: "w", englishIndex: 1 },
    ];
    const file = join(mkdtempSync(join(tmpdir(), "xlir-pairs-")), "pairs.tsv");
    writeFileSync(file, pairsTsv(pairs));
    expect(readPairsFile(file)).toEqual(pairs);
  });
});

describe.skipIf(!isTorchAvailable())("prepareModels on user files", () => {
  it("gives this process the same pairs as the pairs file the student processes read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xlir-prep-"));
    const raw = toyTuningData(dir);
    // a Moses pair of files whose English side repeats a sentence with a tab inside it
    writeFileSync(join(dir, "b.xx"), "ka\tlo\nmi\nsu\n");
    writeFileSync(join(dir, "b.en"), "one\ttwo\nthree\none two\n");
    (raw.data as { bitext: Record<string, string[]> }).bitext.xx.push(
      `${join(dir, "b.xx")},${join(dir, "b.en")}`,
    );
    const config = parseExperimentConfig({ ...raw, workers: 1 });
    const logs: string[] = [];
    const prep = await prepareModels(config, new StageRunner(join(dir, "out"), (m) => logs.push(m)), (m) =>
      logs.push(m),
    );
    expect(prep.pairs.length).toBe(prep.bitextPairs);
    expect(readPairsFile(prep.pairsFile)).toEqual(prep.pairs);
    for (const p of prep.pairs) expect(`${p.foreign}${p.english}`).not.toMatch(/[\t\r\n]/);
    // "one\ttwo" and "one two" are one English sentence for the students
    const a = prep.pairs.find((p) => p.foreign === "ka lo");
    const b = prep.pairs.find((p) => p.foreign === "su");
    expect(a?.english).toBe("one two");
    expect(a?.englishIndex).toBe(b?.englishIndex);
  }, 300_000);
});
