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
import { foreign, TOY_WORDS, toyTuningData } from "./toy.js";

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

  it("adds code-switched copies to the students' pairs only: the teacher's stage is the same, the pairs file holds the copies", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xlir-prep-cs-"));
    const raw = toyTuningData(dir);
    // the toy language writes English words backwards: a dictionary of half the words
    writeFileSync(
      join(dir, "dict.tsv"),
      TOY_WORDS.slice(0, 7)
        .map((w) => `${foreign(w)}\t${w}`)
        .join("\n") + "\n",
    );
    const stages = (logs: string[]) => new StageRunner(join(dir, "out"), (m) => logs.push(m));
    const plainLogs: string[] = [];
    const plain = await prepareModels(
      parseExperimentConfig({ ...raw, workers: 1 }),
      stages(plainLogs),
      () => {},
    );
    const logs: string[] = [];
    const students = raw.students as Record<string, unknown>;
    const config = parseExperimentConfig({
      ...raw,
      workers: 1,
      students: { ...students, codeSwitch: { rate: 1, dictionaries: { xx: join(dir, "dict.tsv") } } },
    });
    const prep = await prepareModels(config, stages(logs), (m) => logs.push(m));
    expect(prep.teacher.hash).toBe(plain.teacher.hash);
    expect(prep.bitextHash).not.toBe(plain.bitextHash);
    expect(prep.bitextPairs).toBe(plain.bitextPairs);
    expect(prep.pairs.slice(0, plain.pairs.length)).toEqual(plain.pairs);
    const copies = prep.pairs.slice(plain.pairs.length);
    expect(copies.length).toBeGreaterThan(0);
    expect(readPairsFile(prep.pairsFile)).toEqual(prep.pairs);
    // each copy keeps its original's English sentence (one number for both) and reads English words where the dictionary had them
    for (const c of copies) {
      const original = plain.pairs.find((p) => p.english === c.english);
      expect(c.englishIndex).toBe(original?.englishIndex);
      expect(c.foreign.split(" ").some((w) => (TOY_WORDS.slice(0, 7) as readonly string[]).includes(w))).toBe(
        true,
      );
    }
    expect(logs.some((l) => /\[code-switch\] xx: \d+ of 40 pairs copied/.test(l))).toBe(true);
  }, 300_000);
});
