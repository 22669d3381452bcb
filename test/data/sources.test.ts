import { describe, expect, it } from "vitest";
import { parseFtl, parseProperties } from "../../src/data/firefox.js";
import { dictdNumber, parseDictEntry } from "../../src/data/freedict.js";
import { alignUdhr, udhrLangNames } from "../../src/data/udhr-bench.js";
import { parseUdhr } from "../../src/data/udhr.js";
import { dictEntries, isOneWord } from "../../src/data/dict-build.js";
import { LeakageFilter } from "../../src/data/leakage.js";

describe("Firefox string files", () => {
  it("Fluent: values, attributes, multi-line values; select expressions and terms skipped; brand terms replaced", () => {
    const ftl = [
      "# comment",
      "-brand-short-name = Firefox",
      "title = Open { -brand-short-name }",
      "menu =",
      "    .title = Open menu",
      "    .accesskey = O",
      "long = First line",
      "    second line",
      "count =",
      "    { $n ->",
      "        [one] one item",
      "       *[other] { $n } items",
      "    }",
    ].join("\n");
    const m = parseFtl(ftl);
    expect([...m.entries()]).toEqual([
      ["title", "Open Firefox"],
      ["menu.title", "Open menu"],
      ["menu.accesskey", "O"],
      ["long", "First line second line"],
    ]);
  });
  it("properties: comments, continuation, unicode escapes", () => {
    const m = parseProperties("# c\n! c\na = Hello\\u0020World\nb: one \\\n  two\nc=\n");
    expect([...m.entries()]).toEqual([
      ["a", "Hello World"],
      ["b", "one two"],
    ]);
  });
});

describe("FreeDict entries", () => {
  it("dictd base64 numbers", () => {
    expect(dictdNumber("B")).toBe(1);
    expect(dictdNumber("BA")).toBe(64);
    expect(dictdNumber("Dj2")).toBe(3 * 64 * 64 + 35 * 64 + 54);
  });
  it("senses split on , and ; ; examples, cross-references and notes dropped; ~ is a space", () => {
    expect(
      parseDictEntry(
        "agano /aɡˈano/ <n> (pl: {maagano})\n1.\npromise\n2.\nagreement, contract\n   See also: {ahadi}\n",
      ),
    ).toEqual(["promise", "agreement", "contract"]);
    expect(parseDictEntry('better /x/ <Adv>\n1. बेहतर~तरीके~से\n      "The better I know him."\n')).toEqual([
      "बेहतर तरीके से",
    ]);
  });
});

describe("UDHR alignment", () => {
  const html = (pre: string[], arts: string[][]) =>
    `<header><h2>P</h2>${pre.map((p) => `<p>${p}</p>`).join("")}</header>` +
    arts
      .map(
        (a, i) =>
          `<article data-number="${i + 1}"><h2>A</h2>${a.map((p) => `<p>${p}</p>`).join("")}</article>`,
      )
      .join("");
  const en = parseUdhr(html(["w1", "w2"], [["a1"], ["b1", "b2"]]));
  it("paragraph-level where counts match, section-level where they differ", () => {
    const fx = parseUdhr(html(["x1", "x2", "x3"], [["c1"], ["d1", "d2"]]));
    const s = alignUdhr(en, fx)!;
    expect(s.merged).toBe(1);
    expect(s.queries.map((q) => [q.qid, q.text, q.relevant.join(",")])).toEqual([
      ["pre", "x1 x2 x3", "pre.1,pre.2"],
      ["art1.1", "c1", "art1.1"],
      ["art2.1", "d1", "art2.1"],
      ["art2.2", "d2", "art2.2"],
    ]);
  });
  it("a version missing a section is not aligned", () => {
    expect(alignUdhr(en, parseUdhr(html(["x"], [["c1"]])))).toBeUndefined();
  });
  it("directory names: ISO code version keeps the plain tag", () => {
    const v = (code: string, bcp47: string, iso6393: string) => ({
      code,
      bcp47,
      iso6393,
      name: code,
      stage: 4,
    });
    const n = udhrLangNames([v("062", "sw", "swh"), v("swh", "sw", "swh"), v("hau_3", "ha", "hau")]);
    expect(Object.fromEntries(n)).toEqual({ "062": "sw_062", swh: "sw", hau_3: "ha" });
  });
});

describe("dictionary entries", () => {
  it("one-word test (Khmer words have no spaces), lower-casing, forbidden entries dropped", () => {
    expect(isOneWord("ឯកសារ")).toBe(true);
    expect(isOneWord("two words")).toBe(false);
    const d = dictEntries(
      {
        freedict: [["Etxe", "House"]],
        ui: [
          ["Ireki", "Open"],
          ["Ezabatu", "Delete"],
          ["Gorde dena", "Save all"],
        ],
        names: [],
      },
      new LeakageFilter(["DELETE"]),
    );
    expect(d.lines).toEqual(["etxe\thouse", "ireki\topen"]);
    expect(d.bySource).toEqual({ freedict: 1, "ui-single-words": 1 });
  });
});
