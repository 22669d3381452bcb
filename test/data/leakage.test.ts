import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { HelpPage } from "../../src/data/help-pages.js";
import { parseHelpPage } from "../../src/data/help-pages.js";
import { helpBitext, helpLeakageFilter, helpQueries, splitPages, teacherPairs } from "../../src/data/help-bench.js";
import { isTestPage } from "../../src/data/split.js";
import { normKey } from "../../src/data/text.js";

const page = (path: string, title: string, pars: Array<[string, string, number?]>): HelpPage => ({ path, title, paragraphs: pars.map(([key, text, heading]) => ({ key, text, heading: heading ?? 0 })) });

// Four synthetic pages: /t1 and /t2 are test pages. /r1 shares the title "Delete" with /t1 and
// embeds /t1's paragraph "Removes the selection."; /r2 has a heading equal to a test title.
const en = new Map<string, HelpPage>([
  ["/t1", page("/t1", "Delete", [["hd1", "Delete", 1], ["p1", "Removes the selection."]])],
  ["/t2", page("/t2", "Zoom", [["hd1", "Zoom", 1], ["p1", "Changes the magnification."]])],
  ["/r1", page("/r1", "Delete", [["hd1", "Delete", 1], ["p1", "Removes the selection."], ["p2", "Press Del."]])],
  ["/r2", page("/r2", "Tables", [["hd1", "Tables", 1], ["p1", "Tables hold cells."], ["hd2", "ZOOM ", 2], ["p2", "Zoom section text."]])],
]);
const eu = new Map<string, HelpPage>([
  ["/t1", page("/t1", "Ezabatu", [["hd1", "Ezabatu", 1], ["p1", "Hautapena kentzen du."]])],
  ["/t2", page("/t2", "Zoom", [["hd1", "Zoom", 1], ["p1", "Handiera aldatzen du."]])],
  ["/r1", page("/r1", "Ezabatu", [["hd1", "Ezabatu", 1], ["p1", "Hautapena kentzen du."], ["p2", "Sakatu Del."]])],
  ["/r2", page("/r2", "Taulak", [["hd1", "Taulak", 1], ["p1", "Taulek gelaxkak dituzte."], ["hd2", "Zooma", 2], ["p2", "Zoom atalaren testua."]])],
]);
const isTest = (p: string) => p.startsWith("/t");

describe("help benchmark leakage rules (synthetic pages)", () => {
  const { train, test } = splitPages(en.keys(), isTest);
  const filter = helpLeakageFilter(test, en, [eu]);

  it("queries: only translated titles; qrels = every page with the same English title", () => {
    const b = helpQueries(test, en, eu);
    expect(b.queries.map((q) => [q.qid, q.text, q.english])).toEqual([["/t1", "Ezabatu", "Delete"]]);
    expect(b.qrels.get("/t1")).toEqual(["/r1", "/t1"]);
    expect(b.untranslated).toBe(1); // /t2 "Zoom" = "Zoom"
  });

  it("bitext from train pages drops every pair touching a test title or paragraph (case/space-insensitive)", () => {
    const { pairs, dropped } = helpBitext(train, en, eu, filter);
    expect(pairs).toEqual([
      ["Sakatu Del.", "Press Del."],
      ["Taulak", "Tables"], // title
      ["Taulak", "Tables"], // h1
      ["Taulek gelaxkak dituzte.", "Tables hold cells."],
      ["Zoom atalaren testua.", "Zoom section text."],
    ]);
    // /r1: title, h1 (test title "Delete") and p1 (test paragraph) dropped; /r2: heading "ZOOM " = test title "Zoom".
    expect(dropped).toBe(4);
    expect(pairs.some(([f]) => f === "Zooma")).toBe(false); // its English side "ZOOM " equals the test title Zoom
  });

  it("teacher never gets a test title as query nor a test paragraph in a document", () => {
    const { pairs } = teacherPairs(train, en, filter);
    for (const [q, d] of pairs) {
      expect(filter.isForbidden(q)).toBe(false);
      expect(d).not.toContain("Removes the selection.");
    }
    // /r1 title "Delete" is a test title, and so is the "ZOOM " heading: only /r2's title and h1 remain.
    expect(pairs).toEqual([
      ["Tables", "Tables hold cells. Zoom section text."],
      ["Tables", "Tables hold cells."],
    ]);
  });

  it("Khmer zero-width spaces do not drop a title and count as spaces in the leakage key", () => {
    const km = new Map(eu);
    km.set("/t1", page("/t1", "\u179b\u17bb\u200b\u1785\u17c4\u179b", []));
    const b = helpQueries(test, en, km);
    expect(b.queries.map((q) => q.text)).toEqual(["\u179b\u17bb\u200b\u1785\u17c4\u179b"]);
    expect(normKey("a\u200bB")).toBe("a b");
  });

  it("parses ids, headings, repeated ids and the <title>", () => {
    const p = parseHelpPage("/x", '<title>A &amp; B</title><h1 id="hd_id1">A &amp; B</h1><p id="par_id2" class="x">one <a href="#">two</a></p><p id="par_id2">again</p><p>no id</p>');
    expect(p.title).toBe("A & B");
    expect(p.paragraphs).toEqual([{ key: "hd_id1", heading: 1, text: "A & B" }, { key: "par_id2", heading: 0, text: "one two" }, { key: "par_id2#2", heading: 0, text: "again" }]);
  });

  it("the docs/data.md split rule: sha1 first byte below 52", () => {
    // sha1("/text/shared/find_toolbar.html") and others computed by node:crypto; spot check of the rule's stability
    const paths = Array.from({ length: 2560 }, (_, i) => `/text/p${i}.html`);
    const n = paths.filter(isTestPage).length;
    expect(n / paths.length).toBeGreaterThan(0.17); // expected 52/256 = 0.203 (binomial sd 0.008)
    expect(n / paths.length).toBeLessThan(0.24);
    expect(isTestPage("/text/p1.html")).toBe(isTestPage("/text/p1.html"));
  });
});

const built = resolve(process.env.XLIR_DATA_DIR ?? "cache/data");
const haveBuilt = existsSync(join(built, "manifest.json")) && existsSync(join(built, "help/corpus.jsonl"));

describe.skipIf(!haveBuilt)(`leakage over built data in ${built} (skipped: run ./bin/xlir data build first, or set XLIR_DATA_DIR)`, () => {
  it("no test title or test-page paragraph appears on either side of any training pair or in teacher data", () => {
    const m = JSON.parse(readFileSync(join(built, "manifest.json"), "utf8")) as { files: Record<string, unknown> };
    const corpus = readFileSync(join(built, "help/corpus.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; title: string; text: string });
    const forbidden = new Set<string>();
    for (const d of corpus) if (isTestPage(d.id)) [d.title, ...d.text.split("\n")].forEach((t) => forbidden.add(normKey(t)));
    for (const f of Object.keys(m.files).filter((f) => /^help\/[^/]+\/queries(\.en)?\.tsv$/.test(f)))
      for (const l of readFileSync(join(built, f), "utf8").split("\n").filter(Boolean)) forbidden.add(normKey(l.split("\t")[1]));
    forbidden.delete("");
    const training = Object.keys(m.files).filter((f) => /^(bitext|dict|teacher)\//.test(f));
    expect(training.length).toBeGreaterThan(0);
    let checked = 0;
    for (const f of training) {
      for (const line of readFileSync(join(built, f), "utf8").split("\n")) {
        if (!line) continue;
        const [a, b] = line.split("\t");
        if (f.startsWith("teacher/")) {
          expect(forbidden.has(normKey(a)), `${f}: query '${a}'`).toBe(false);
        } else {
          expect(forbidden.has(normKey(a)) || forbidden.has(normKey(b)), `${f}: '${line}'`).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
