import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { HelpPage } from "../../src/data/help-pages.js";
import { parseHelpPage } from "../../src/data/help-pages.js";
import {
  helpBitext,
  helpLeakageFilter,
  helpQueries,
  reversedCorpus,
  reversedQueries,
  splitPages,
  teacherPairs,
} from "../../src/data/help-bench.js";
import { filterPairs, LeakageFilter, prefixLength } from "../../src/data/leakage.js";
import { dictEntries } from "../../src/data/dict-build.js";
import { isDevPage, isTestPage, pageSplit, type PageSplit } from "../../src/data/split.js";
import { leakKey, leakTokens, normKey } from "../../src/data/text.js";

const page = (path: string, title: string, pars: Array<[string, string, number?]>): HelpPage => ({
  path,
  title,
  paragraphs: pars.map(([key, text, heading]) => ({ key, text, heading: heading ?? 0 })),
});

// Five synthetic pages: /t1 and /t2 are test pages, /d1 a dev page. /r1 shares the title "Delete"
// with /t1 and embeds /t1's paragraph "Removes the selection."; /r2 has a heading equal to a test
// title and a paragraph equal to the dev page's title.
const en = new Map<string, HelpPage>([
  [
    "/t1",
    page("/t1", "Delete", [
      ["hd1", "Delete", 1],
      ["p1", "Removes the selection."],
    ]),
  ],
  [
    "/t2",
    page("/t2", "Zoom", [
      ["hd1", "Zoom", 1],
      ["p1", "Changes the magnification."],
    ]),
  ],
  [
    "/d1",
    page("/d1", "Borders", [
      ["hd1", "Borders", 1],
      ["p1", "Sets the border lines."],
    ]),
  ],
  [
    "/r1",
    page("/r1", "Delete", [
      ["hd1", "Delete", 1],
      ["p1", "Removes the selection."],
      ["p2", "Press Del."],
    ]),
  ],
  [
    "/r2",
    page("/r2", "Tables", [
      ["hd1", "Tables", 1],
      ["p1", "Tables hold cells."],
      ["hd2", "ZOOM ", 2],
      ["p2", "Zoom section text."],
      ["p3", "Borders:"],
    ]),
  ],
]);
const eu = new Map<string, HelpPage>([
  [
    "/t1",
    page("/t1", "Ezabatu", [
      ["hd1", "Ezabatu", 1],
      ["p1", "Hautapena kentzen du."],
    ]),
  ],
  [
    "/t2",
    page("/t2", "Zoom", [
      ["hd1", "Zoom", 1],
      ["p1", "Handiera aldatzen du."],
    ]),
  ],
  [
    "/d1",
    page("/d1", "Ertzak", [
      ["hd1", "Ertzak", 1],
      ["p1", "Sets the border lines."],
    ]),
  ],
  [
    "/r1",
    page("/r1", "Ezabatu", [
      ["hd1", "Ezabatu", 1],
      ["p1", "Hautapena kentzen du."],
      ["p2", "Sakatu Del."],
    ]),
  ],
  [
    "/r2",
    page("/r2", "Taulak", [
      ["hd1", "Taulak", 1],
      ["p1", "Taulek gelaxkak dituzte."],
      ["hd2", "Zooma", 2],
      ["p2", "Zoom atalaren testua."],
      ["p3", "Ertzak:"],
    ]),
  ],
]);
const splitOf = (p: string): PageSplit =>
  p.startsWith("/t") ? "test" : p.startsWith("/d") ? "dev" : "train";

describe("help benchmark leakage rules (synthetic pages)", () => {
  const { train, dev, test } = splitPages(en.keys(), splitOf);
  const filter = helpLeakageFilter([...test, ...dev], en, [eu]);

  it("splits into train, dev and test", () => {
    expect({ train, dev, test }).toEqual({ train: ["/r1", "/r2"], dev: ["/d1"], test: ["/t1", "/t2"] });
  });

  it("queries: only translated titles; qrels = every page with the same English title; dev built like test", () => {
    const b = helpQueries(test, en, eu);
    expect(b.queries.map((q) => [q.qid, q.text, q.english])).toEqual([["/t1", "Ezabatu", "Delete"]]);
    expect(b.qrels.get("/t1")).toEqual(["/r1", "/t1"]);
    expect(b.untranslated).toBe(1); // /t2 "Zoom" = "Zoom"
    const d = helpQueries(dev, en, eu);
    expect(d.queries.map((q) => [q.qid, q.text, q.english])).toEqual([["/d1", "Ertzak", "Borders"]]);
    expect(d.qrels.get("/d1")).toEqual(["/d1"]);
  });

  it("bitext from train pages drops every pair touching a dev or test title or paragraph", () => {
    const { pairs, dropped } = helpBitext(train, en, eu, filter);
    expect(pairs).toEqual([
      ["Sakatu Del.", "Press Del."],
      ["Taulak", "Tables"], // title
      ["Taulak", "Tables"], // h1
      ["Taulek gelaxkak dituzte.", "Tables hold cells."],
      ["Zoom atalaren testua.", "Zoom section text."],
    ]);
    // /r1: title, h1 (test title "Delete") and p1 (test paragraph); /r2: heading "ZOOM " = test title "Zoom",
    // p3 "Ertzak:" / "Borders:" = the dev title with a trailing colon.
    expect(dropped).toEqual({ exact: 5, near: 0 });
    expect(pairs.some(([f]) => f === "Zooma" || f === "Ertzak:")).toBe(false);
  });

  it("teacher never gets a held-out title as query nor a held-out paragraph in a document", () => {
    const { pairs } = teacherPairs(train, en, filter);
    for (const [q, d] of pairs) {
      expect(filter.isForbidden(q)).toBe(false);
      expect(d).not.toContain("Removes the selection.");
      expect(d).not.toContain("Borders");
    }
    expect(pairs).toEqual([
      ["Tables", "Tables hold cells. Zoom section text."],
      ["Tables", "Tables hold cells."],
    ]);
  });

  it("Khmer zero-width spaces do not drop a title and count as spaces in both keys", () => {
    const km = new Map(eu);
    km.set("/t1", page("/t1", "\u179b\u17bb\u200b\u1785\u17c4\u179b", []));
    const b = helpQueries(test, en, km);
    expect(b.queries.map((q) => q.text)).toEqual(["\u179b\u17bb\u200b\u1785\u17c4\u179b"]);
    expect(normKey("a\u200bB")).toBe("a b");
    expect(leakKey("a\u200bB")).toBe("a b");
  });

  it("parses ids, headings, repeated ids and the <title>", () => {
    const p = parseHelpPage(
      "/x",
      '<title>A &amp; B</title><h1 id="hd_id1">A &amp; B</h1><p id="par_id2" class="x">one <a href="#">two</a></p><p id="par_id2">again</p><p>no id</p>',
    );
    expect(p.title).toBe("A & B");
    expect(p.paragraphs).toEqual([
      { key: "hd_id1", heading: 1, text: "A & B" },
      { key: "par_id2", heading: 0, text: "one two" },
      { key: "par_id2#2", heading: 0, text: "again" },
    ]);
  });

  it("the docs/data.md split rule: test iff sha1 first byte < 52 (unchanged), dev iff 52 <= byte < 78", () => {
    const paths = Array.from({ length: 2560 }, (_, i) => `/text/p${i}.html`);
    const n = paths.filter(isTestPage).length;
    const d = paths.filter(isDevPage).length;
    expect(n / paths.length).toBeGreaterThan(0.17); // expected 52/256 = 0.203 (binomial sd 0.008)
    expect(n / paths.length).toBeLessThan(0.24);
    expect(d / paths.length).toBeGreaterThan(0.075); // expected 26/256 = 0.102 (sd 0.006)
    expect(d / paths.length).toBeLessThan(0.13);
    expect(paths.filter((p) => isTestPage(p) && isDevPage(p))).toEqual([]);
    // Pages of the real help tree at the boundaries (first sha1 bytes 0, 51, 52, 77, 78), so a changed rule is noticed.
    const at = [
      "/text/sbasic/shared/03020401.html",
      "/text/sbasic/shared/01020000.html",
      "/text/sbasic/shared/03030116.html",
      "/text/sbasic/python/python_2_basic.html",
      "/text/sbasic/shared/01030300.html",
    ];
    expect(at.map(pageSplit)).toEqual(["test", "test", "dev", "dev", "train"]);
  });
});

describe("leakKey: one normalisation for every filter", () => {
  it("folds case, NFKC, mnemonics, edge and inner punctuation, ellipses, trailing colons, zero-width characters", () => {
    expect(leakKey("Gertaerak...")).toBe("gertaerak");
    expect(leakKey("Gertaerak…")).toBe("gertaerak");
    expect(leakKey("~Bete:")).toBe("bete");
    expect(leakKey("Be~te")).toBe("bete");
    expect(leakKey("  BETE\t")).toBe("bete");
    expect(leakKey("\uff22\uff45\uff54\uff45")).toBe("bete"); // full-width Ｂｅｔｅ
    expect(leakKey("Stra\u00dfe")).toBe(leakKey("STRASSE"));
    expect(leakKey("Insert - Fields…")).toBe("insert fields");
    expect(leakKey("“Quoted” (text)!")).toBe("quoted text");
    expect(leakKey("so\u00adft hy\u200dphen")).toBe("soft hyphen");
    expect(leakKey("...")).toBe("");
    expect(leakTokens(leakKey("a b a c"))).toEqual(["a", "b", "c"]);
  });
  it("the ASCII fast path agrees with the Unicode definition for every ASCII character", () => {
    for (let i = 0; i < 128; i++) {
      const c = String.fromCharCode(i);
      const want =
        c === "~" ? "ab" : /\s/.test(c) || /[\p{P}\p{S}]/u.test(c) ? "a b" : `a${c.toLowerCase()}b`;
      expect(leakKey(`a${c}B`), `U+${i.toString(16)}`).toBe(want);
      expect(leakKey(`a${c}B\u00e9`), `U+${i.toString(16)} (non-ASCII path)`).toBe(`${want}\u00e9`);
    }
  });
});

describe("near-duplicate index (prefix filtering) agrees with all-pairs Jaccard", () => {
  it("random token sets: same answers as brute force at t = 0.9, 0.8 and 0.5", () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const vocab = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const sample = (n: number) =>
      Array.from({ length: n }, () => vocab[Math.floor(rand() * rand() * vocab.length)]).join(" ");
    const forbidden = Array.from({ length: 300 }, () => sample(2 + Math.floor(rand() * 25)));
    // Queries: mutated copies of forbidden texts (swap, add or drop a token) and fresh samples.
    const queries = Array.from({ length: 600 }, (_, i) => {
      if (i % 2) return sample(2 + Math.floor(rand() * 25));
      const toks = forbidden[Math.floor(rand() * forbidden.length)].split(" ");
      const k = Math.floor(rand() * toks.length);
      const op = Math.floor(rand() * 3);
      if (op === 0) toks[k] = `x${i}`;
      else if (op === 1) toks.push(`y${i}`);
      else toks.splice(k, 1);
      return toks.join(" ");
    });
    // Brute force: the best Jaccard of each query over every forbidden set (both with 3+ tokens).
    const keys = new Set(forbidden.map(leakKey));
    const sets = forbidden.map((s) => new Set(leakTokens(leakKey(s)))).filter((b) => b.size >= 3);
    const best = queries.map((q) => {
      const a = leakTokens(leakKey(q));
      if (a.length < 3) return 0;
      let m = 0;
      for (const b of sets) {
        let inter = 0;
        for (const x of a) if (b.has(x)) inter++;
        m = Math.max(m, inter / (a.length + b.size - inter));
      }
      return m;
    });
    for (const t of [0.9, 0.8, 0.5]) {
      const f = new LeakageFilter(forbidden, { jaccard: t });
      let near = 0;
      queries.forEach((q, i) => {
        const want = keys.has(leakKey(q)) ? "exact" : best[i] >= t - 1e-12 ? "near" : undefined;
        expect(f.match(q), `${q} at t=${t}`).toBe(want);
        if (want === "near") near++;
      });
      expect(near).toBeGreaterThan(5); // the comparison exercised the near rule
    }
  });
  it("prefix length n - ceil(t n) + 1", () => {
    expect([1, 3, 9, 10, 19, 20].map((n) => prefixLength(n, 0.9))).toEqual([1, 1, 1, 2, 2, 3]);
  });
});

// A long test paragraph (20 distinct tokens after leakKey: one replaced gives J = 19/21) and an
// 11-token one (one added: 11/12, one dropped: 10/11), used for the one-token variants.
const LONG_EN =
  "Choose this command to open a dialog where you can define the borders and the shadow of the selected cells or objects";
const LONG_EU =
  "Aukeratu komando hau elkarrizketa-koadro bat irekitzeko, non hautatutako gelaxken edo objektuen ertzak eta itzala definitu daitezkeen eta gorde ondoren berehala";
const MID_EN = "Shows the number of pages in this current document right now";

describe("planted near-duplicates of held-out texts in bitext are all dropped; different strings are kept", () => {
  const tEn = new Map<string, HelpPage>([
    [
      "/t1",
      page("/t1", "Events", [
        ["p1", LONG_EN],
        ["p2", MID_EN],
      ]),
    ],
    ["/t2", page("/t2", "Fill", [])],
  ]);
  const tEu = new Map<string, HelpPage>([
    ["/t1", page("/t1", "Gertaerak", [["p1", LONG_EU]])],
    ["/t2", page("/t2", "Bete", [])],
  ]);
  const filter = helpLeakageFilter(["/t1", "/t2"], tEn, [tEu]);
  const swapOne = (s: string, i: number, w: string) =>
    s
      .split(" ")
      .map((x, k) => (k === i ? w : x))
      .join(" ");
  const planted: Array<[string, string, "exact" | "near"]> = [
    ["Gertaerak...", "Events...", "exact"], // UI strings with ellipses (issue 10)
    ["Gertaerak…", "Happenings", "exact"],
    ["~Bete:", "~Fill:", "exact"], // LibreOffice mnemonic and trailing colon
    ["Be~te", "Fill in", "exact"],
    ["BETE", "FILL", "exact"], // case
    ["\uff27\uff45\uff52\uff54\uff41\uff45\uff52\uff41\uff4b", "Occurrences", "exact"], // NFKC: full-width Ｇｅｒｔａｅｒａｋ
    ["Gertaerak\u200b", "Things that happen", "exact"], // zero-width space
    ["«Gertaerak»", "Record", "exact"], // quotes
    [swapOne(LONG_EU, 7, "hautaturiko"), "Something else entirely here", "near"], // one token replaced out of 20
    ["Itzal bat", swapOne(LONG_EN, 3, "instruction"), "near"], // English side, one token replaced
    [LONG_EU.split(" ").reverse().join(" "), "Reordered", "near"], // same tokens, other order
    ["Orrialde kopurua", `${MID_EN} again`, "near"], // one token added to 10
    ["Orrialde kopurua", MID_EN.replace(" now", ""), "near"], // one token dropped from 10
    [`${LONG_EU}.`, "Final stop", "exact"],
  ];
  const negatives: Array<[string, string]> = [
    ["Gertaera berriak", "New events"], // shares a word with a title, different string
    ["Betetzea", "Filling"],
    ["Bete eremua", "Fill field"],
    [swapOne(swapOne(swapOne(LONG_EU, 1, "a"), 4, "b"), 9, "c"), "Three tokens changed out of twenty"], // J = 17/23 = 0.74
    ["Orrialde kopurua", "Shows the number of pages"], // 5 of 11 tokens
    [LONG_EU.split(" ").slice(0, 10).join(" "), "First half of a long paragraph"], // J = 10/20
    ["Ertzak", "Borders"],
  ];

  it("filterPairs (UI strings, FreeDict, CLDR names) drops every planted pair, by the expected rule", () => {
    const r = filterPairs(
      planted.map(([f, e]) => [f, e] as [string, string]),
      filter,
    );
    expect(r.kept).toEqual([]);
    for (const [f, e, rule] of planted) expect(filter.pairRule(f, e), `${f} / ${e}`).toBe(rule);
    expect(r.dropped).toEqual({
      exact: planted.filter((p) => p[2] === "exact").length,
      near: planted.filter((p) => p[2] === "near").length,
    });
  });

  it("helpBitext drops the planted texts when a train page carries them", () => {
    const rEn = new Map(tEn);
    const rEu = new Map(tEu);
    rEn.set(
      "/r1",
      page(
        "/r1",
        "Other page",
        planted.map(([, e], i) => [`p${i}`, e] as [string, string]),
      ),
    );
    rEu.set(
      "/r1",
      page(
        "/r1",
        "Beste orria",
        planted.map(([f], i) => [`p${i}`, f] as [string, string]),
      ),
    );
    const { pairs, dropped } = helpBitext(["/r1"], rEn, rEu, filter);
    expect(pairs).toEqual([["Beste orria", "Other page"]]);
    expect(dropped.exact + dropped.near).toBe(planted.length);
  });

  it("dictionaries drop planted one-word variants", () => {
    const d = dictEntries(
      {
        freedict: [
          ["Bete:", "fill"],
          ["Gertaerak...", "events"],
          ["etxe", "house"],
        ],
        ui: [["Bete", "Fill:"]],
        names: [],
      },
      filter,
    );
    expect(d.lines).toEqual(["etxe\thouse"]);
    expect(d.reverse).toEqual(["house\tetxe"]);
    expect(d.dropped.exact).toBe(3);
  });

  it("keeps clearly different strings", () => {
    for (const [f, e] of negatives) expect(filter.pairRule(f, e), `${f} / ${e}`).toBeUndefined();
    expect(filterPairs(negatives, filter).kept).toEqual(negatives);
  });
});

describe("reversed direction (English queries over foreign pages)", () => {
  const { dev, test } = splitPages(en.keys(), splitOf);
  const filter = helpLeakageFilter([...test, ...dev], en, [eu]);
  const rc = reversedCorpus(en, eu, "eu");

  it("documents: foreign pages with text left in English removed; a page with nothing translated is no document", () => {
    // /t2: title "Zoom" = English (title emptied), paragraph translated; /d1: p1 left in English (removed).
    expect(rc.docs).toEqual([
      { id: "/d1", title: "Ertzak", text: "Ertzak", lang: "eu" },
      { id: "/r1", title: "Ezabatu", text: "Ezabatu\nHautapena kentzen du.\nSakatu Del.", lang: "eu" },
      {
        id: "/r2",
        title: "Taulak",
        text: "Taulak\nTaulek gelaxkak dituzte.\nZooma\nZoom atalaren testua.\nErtzak:",
        lang: "eu",
      },
      { id: "/t1", title: "Ezabatu", text: "Ezabatu\nHautapena kentzen du.", lang: "eu" },
      { id: "/t2", title: "", text: "Handiera aldatzen du.", lang: "eu" },
    ]);
    expect([rc.pages, rc.droppedPages, rc.untranslatedTitles, rc.untranslatedParagraphs]).toEqual([
      5, 0, 1, 2,
    ]);
    const none = new Map(eu);
    none.set("/t2", page("/t2", "Zoom", [["hd1", "Zoom", 1]]));
    expect(reversedCorpus(en, none, "eu").docs.map((d) => d.id)).not.toContain("/t2");
  });

  it("queries: the English titles of the held-out pages with a translated title; relevant = documents sharing the English title", () => {
    const t = reversedQueries(test, en, eu, rc.docs);
    expect(t.queries).toEqual([{ qid: "/t1", text: "Delete", foreign: "Ezabatu" }]); // /t2's title is left in English: no query
    expect(t.qrels.get("/t1")).toEqual(["/r1", "/t1"]);
    const d = reversedQueries(dev, en, eu, rc.docs);
    expect(d.queries.map((q) => q.text)).toEqual(["Borders"]);
  });

  it("no training side equals or near-duplicates a reversed query or a held-out document's text", () => {
    const { train } = splitPages(en.keys(), splitOf);
    const sides = [
      ...helpBitext(train, en, eu, filter).pairs.flat(),
      ...teacherPairs(train, en, filter).pairs.map((p) => p[0]),
    ];
    const held = rc.docs.filter((d) => splitOf(d.id) !== "train");
    const check = new LeakageFilter([
      ...reversedQueries([...test, ...dev], en, eu, rc.docs).queries.map((q) => q.text),
      ...held.flatMap((d) => [d.title, ...d.text.split("\n")]),
    ]);
    expect(sides.length).toBeGreaterThan(3);
    for (const s of sides) expect(check.match(s), s).toBeUndefined();
  });
});

const built = resolve(process.env.XLIR_DATA_DIR ?? "cache/data");
const haveBuilt = existsSync(join(built, "manifest.json")) && existsSync(join(built, "help/corpus.jsonl"));
const jsonl = (f: string) =>
  readFileSync(join(built, f), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; title: string; text: string });
const tsvCol = (f: string, k: number) =>
  readFileSync(join(built, f), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t")[k]);

describe.skipIf(!haveBuilt)(
  `leakage over built data in ${built} (skipped: run ./bin/xlir data build first, or set XLIR_DATA_DIR)`,
  () => {
    it("no dev or test query, title or paragraph (either direction) equals or near-duplicates a side of any training pair, dictionary entry or teacher query", () => {
      const m = JSON.parse(readFileSync(join(built, "manifest.json"), "utf8")) as {
        format: string;
        files: Record<string, unknown>;
      };
      expect(m.format).toBe("xlir-benchmark/2");
      const files = Object.keys(m.files);
      const heldOut = (id: string) => pageSplit(id) !== "train";
      const forbidden: string[] = [];
      for (const d of jsonl("help/corpus.jsonl"))
        if (heldOut(d.id)) forbidden.push(d.title, ...d.text.split("\n"));
      for (const f of files.filter((f) => /^help(-rev)?\/[^/]+\/(test|dev)\/queries(\.en)?\.tsv$/.test(f)))
        forbidden.push(...tsvCol(f, 1));
      for (const f of files.filter((f) => /^help-rev\/[^/]+\/corpus\.jsonl$/.test(f)))
        for (const d of jsonl(f)) if (heldOut(d.id)) forbidden.push(d.title, ...d.text.split("\n"));
      const filter = new LeakageFilter(forbidden);
      expect(filter.size).toBeGreaterThan(10_000);
      const training = files.filter((f) => /^(bitext|dict|dict-rev|teacher)\//.test(f));
      expect(training.some((f) => f.startsWith("dict-rev/"))).toBe(true);
      let checked = 0;
      const leaks: string[] = [];
      for (const f of training) {
        for (const line of readFileSync(join(built, f), "utf8").split("\n")) {
          if (!line) continue;
          const [a, b] = line.split("\t");
          const r = f.startsWith("teacher/") ? filter.match(a) : filter.pairRule(a, b);
          if (r) leaks.push(`${f}: ${r}: '${line.slice(0, 200)}'`);
          checked++;
        }
      }
      expect(leaks.slice(0, 20)).toEqual([]);
      expect(checked).toBeGreaterThan(100_000);
    }, 300_000);

    it("help and help-rev files of every built help language: test pages unchanged, dev pages disjoint, the same qids in both directions", () => {
      const m = JSON.parse(readFileSync(join(built, "manifest.json"), "utf8")) as {
        split: { testPages: number; devPages: number; trainPages: number };
        languages: Record<string, { help?: unknown }>;
      };
      expect(m.split.testPages).toBe(540);
      const langs = Object.keys(m.languages).filter((l) => m.languages[l].help);
      expect(langs.length).toBeGreaterThan(0);
      for (const l of langs) {
        for (const sp of ["test", "dev"] as const) {
          const fwd = tsvCol(`help/${l}/${sp}/queries.tsv`, 0);
          const rev = tsvCol(`help-rev/${l}/${sp}/queries.tsv`, 0);
          expect(rev, `${l} ${sp}`).toEqual(fwd);
          for (const q of fwd) expect(pageSplit(q)).toBe(sp);
          const docs = new Set(jsonl(`help-rev/${l}/corpus.jsonl`).map((d) => d.id));
          for (const line of readFileSync(join(built, `help-rev/${l}/${sp}/qrels.txt`), "utf8")
            .split("\n")
            .filter(Boolean))
            expect(docs.has(line.split(" ")[2])).toBe(true);
        }
      }
    });
  },
);
