import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandTranslator, stripApertiumMarks } from "../../src/search/translate/command.js";
import { DictionaryTranslator } from "../../src/search/translate/dictionary.js";
import { createTranslator } from "../../src/search/translate/registry.js";

const root = mkdtempSync(join(tmpdir(), "xlir-translate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dictPath = join(root, "eu.tsv");
writeFileSync(
  dictPath,
  [
    "# tiny Basque-English dictionary",
    "taula\ttable",
    "taula\tboard",
    "orri\tpage\tsheet",
    "orri estilo\tpage style",
    "dokumentua\tdocument",
    "",
  ].join("\n"),
);

describe("DictionaryTranslator", () => {
  it("first translation, longest multi-word match first, unknown words kept", async () => {
    const d = await DictionaryTranslator.fromTsv(dictPath);
    expect(d.size).toBe(4);
    expect(await d.translate(["Orri estilo taula", "orri berria", ""])).toEqual([
      "page style table",
      "page berria",
      "",
    ]);
  });
  it("all translations (repeated lines and extra columns accumulate), unknown words dropped", async () => {
    const d = await DictionaryTranslator.fromTsv(dictPath, { translations: "all", unknown: "drop" });
    expect(d.translateOne("TAULA orri berria")).toBe("table board page sheet");
  });
  it("stem fallback only with a language whose analyser stems", async () => {
    // Snowball basque: dokumentuak and dokumentua both stem to "doku"
    const plain = await DictionaryTranslator.fromTsv(dictPath);
    expect(plain.translateOne("dokumentuak")).toBe("dokumentuak");
    const eu = await DictionaryTranslator.fromTsv(dictPath, { lang: "eu" });
    expect(eu.translateOne("dokumentuak")).toBe("document");
  });
  it("refuses malformed lines with file:line", async () => {
    const bad = join(root, "bad.tsv");
    writeFileSync(bad, "taula\ttable\nonlyone\n");
    await expect(DictionaryTranslator.fromTsv(bad)).rejects.toThrow(`${bad}:2:`);
    await expect(DictionaryTranslator.fromTsv(join(root, "none.tsv"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
  it("is reachable through the registry as 'dict'", async () => {
    const t = await createTranslator("dict", { path: dictPath });
    expect(await t.translate(["taula"])).toEqual(["table"]);
    await expect(createTranslator("nope" as "dict", { path: dictPath })).rejects.toThrow(/known: dict, mt/);
  });
});

describe("CommandTranslator", () => {
  it("passes a batch through one process, one line per query", async () => {
    const t = new CommandTranslator({ command: "tr", args: ["a-z", "A-Z"] });
    expect(await t.translate(["abc", "two\nlines", "", "x"])).toEqual(["ABC", "TWO LINES", "", "X"]);
    expect(await new CommandTranslator({ command: "cat" }).translate([])).toEqual([]);
  });
  it("refuses output with the wrong number of lines", async () => {
    const t = new CommandTranslator({ command: "sh", args: ["-c", "cat; echo extra"] });
    await expect(t.translate(["a", "b"])).rejects.toMatchObject({ code: "MISMATCH" });
  });
  it("a missing command is NATIVE_MISSING with an install hint", async () => {
    await expect(
      new CommandTranslator({ command: "xlir-no-such-tool" }).translate(["a"]),
    ).rejects.toMatchObject({ code: "NATIVE_MISSING" });
    const t = new CommandTranslator({ command: "sh", args: ["-c", "exit 3"] });
    await expect(t.translate(["a"])).rejects.toThrow(/status 3/);
  });
  it("strips Apertium marks only in front of words", () => {
    expect(stripApertiumMarks("*LibreOfficeren The aid #xyz @abc 2*3 # x")).toBe(
      "LibreOfficeren The aid xyz abc 2*3 # x",
    );
    expect(new CommandTranslator({ command: "/usr/bin/apertium", args: ["eu-en"] }).name).toBe(
      "mt:/usr/bin/apertium eu-en",
    );
  });
  const apertium = ((): boolean => {
    try {
      return execFileSync("sh", ["-c", "echo kaixo | apertium eu-en"]).toString().trim().length > 0;
    } catch {
      return false;
    }
  })();
  it.skipIf(!apertium)(
    "real Apertium eu-en (skipped when apertium or apertium-eu-en is not installed)",
    async () => {
      const t = await createTranslator("mt", { command: "apertium", args: ["eu-en"] });
      const out = await t.translate(["kaixo mundua", "Taula bat txertatu"]);
      expect(out[0].toLowerCase()).toContain("hello");
      expect(out[1]).not.toMatch(/[*#@]/);
      expect(out).toHaveLength(2);
    },
  );
});
