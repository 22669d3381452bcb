import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { codeSwitchBitext } from "../../src/experiment/code-switch.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { DictionaryTranslator } from "../../src/search/translate/dictionary.js";
import { mulberry32 } from "../../src/util/random.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-cs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dictFile = join(dir, "eu.tsv");
writeFileSync(dictFile, "etxe\thouse\thome\netxe zuri\twhite house\nhandi\tbig\n");
const bitext = [
  { language: "eu", foreign: "Etxe zuri handi bat.", english: "A big white house." },
  { language: "eu", foreign: "ez dago ezer", english: "there is nothing" },
  { language: "eu", foreign: "etxe handi", english: "big house" },
  { language: "xx", foreign: "etxe", english: "house" },
];
const config = (codeSwitch: Record<string, unknown>) =>
  parseExperimentConfig({ data: { builtin: false }, students: { codeSwitch } });

describe("DictionaryTranslator.switchOne", () => {
  const dict = new DictionaryTranslator([
    { foreign: "etxe", english: ["house", "home"] },
    { foreign: "etxe zuri", english: ["white house"] },
    { foreign: "handi", english: ["big"] },
  ]);

  it("replaces every match at rate 1 (longest headword first, first translation) and none at rate 0", () => {
    expect(dict.switchOne("Etxe zuri handi bat.", 1, Math.random)).toEqual({
      text: "white house big bat",
      switched: 2,
    });
    expect(dict.switchOne("Etxe zuri handi bat.", 0, Math.random)).toEqual({
      text: "Etxe zuri handi bat",
      switched: 0,
    });
  });

  it("draws once per match, so the share replaced follows the rate", () => {
    const random = mulberry32(5);
    let switched = 0;
    for (let i = 0; i < 2000; i++) switched += dict.switchOne("etxe bat handi", 0.3, random).switched;
    // 4,000 matches at 0.3: mean 1,200, sd about 29
    expect(switched).toBeGreaterThan(1100);
    expect(switched).toBeLessThan(1300);
  });
});

describe("codeSwitchBitext", () => {
  it("adds nothing, and keeps the bitext's own hash, at rate 0", async () => {
    const out = await codeSwitchBitext(config({}), bitext, "h0", 13);
    expect(out.copies).toEqual([]);
    expect(out.hash).toBe("h0");
    expect(out.perLanguage).toEqual({});
  });

  it("copies each pair with a replacement, for languages with a dictionary only, in the bitext's order", async () => {
    const out = await codeSwitchBitext(config({ rate: 1, dictionaries: { eu: dictFile } }), bitext, "h0", 13);
    expect(out.copies).toEqual([
      { language: "eu", foreign: "white house big bat", english: "A big white house." },
      { language: "eu", foreign: "house big", english: "big house" },
    ]);
    expect(out.perLanguage).toEqual({ eu: { dictionary: dictFile, pairs: 3, added: 2, switched: 4 } });
    expect(out.hash).not.toBe("h0");
  });

  it("draws the same copies from the same seed; the hash follows the rate, the seed and the dictionary's content", async () => {
    const c = config({ rate: 0.5, dictionaries: { eu: dictFile } });
    const many = Array.from({ length: 50 }, () => bitext[0]);
    const a = await codeSwitchBitext(c, many, "h0", 13);
    const b = await codeSwitchBitext(c, many, "h0", 13);
    const other = await codeSwitchBitext(c, many, "h0", 14);
    expect(b).toEqual(a);
    expect(other.hash).not.toBe(a.hash);
    expect(other.copies).not.toEqual(a.copies);
    const r = await codeSwitchBitext(config({ rate: 0.4, dictionaries: { eu: dictFile } }), many, "h0", 13);
    expect(r.hash).not.toBe(a.hash);
    const copy = join(dir, "eu2.tsv");
    writeFileSync(copy, "etxe\thome\n");
    const d = await codeSwitchBitext(config({ rate: 0.5, dictionaries: { eu: copy } }), many, "h0", 13);
    expect(d.hash).not.toBe(a.hash);
  });

  it("refuses a dictionary for a language without bitext, and names an unreadable or malformed file", async () => {
    const unknown = codeSwitchBitext(config({ rate: 0.5, dictionaries: { zz: dictFile } }), bitext, "h", 1);
    await expect(unknown).rejects.toThrow(XlirError);
    await expect(unknown).rejects.toThrow(
      /students\.codeSwitch\.dictionaries\.zz: no training bitext for 'zz'/,
    );
    const missing = join(dir, "missing.tsv");
    await expect(
      codeSwitchBitext(config({ rate: 0.5, dictionaries: { eu: missing } }), bitext, "h", 1),
    ).rejects.toThrow(missing);
    const bad = join(dir, "bad.tsv");
    writeFileSync(bad, "etxe\thouse\nhandi\n");
    await expect(
      codeSwitchBitext(config({ rate: 0.5, dictionaries: { eu: bad } }), bitext, "h", 1),
    ).rejects.toThrow(/bad\.tsv:2/);
  });

  it("refuses a rate outside [0, 1] and unknown keys when the configuration is read", () => {
    expect(() => config({ rate: 1.5 })).toThrow(/codeSwitch/);
    expect(() => config({ rate: 0.2, copies: 2 })).toThrow(/copies/);
  });
});
