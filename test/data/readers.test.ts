import { mkdtempSync, readdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  readAllBitext,
  readBitextMoses,
  readBitextTmx,
  readBitextTsv,
  writeBitextTsv,
} from "../../src/data/bitext.js";
import { readAllCorpus, readAllQueries, writeCorpusJsonl, writeQueriesTsv } from "../../src/data/corpus.js";
import { drain, readLines } from "../../src/data/io.js";
import { readAllTopics } from "../../src/data/topics.js";
import { buildMo, parseMo } from "../../src/data/mo.js";
import { XlirError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe("readLines", () => {
  it("empty file yields nothing", async () => {
    expect(await drain(readLines(file("empty.txt", "")))).toEqual([]);
  });
  it("strips BOM and CR, keeps line numbers, no phantom last line", async () => {
    const lines = await drain(readLines(file("bom.txt", "\uFEFFa\r\nb\r\n")));
    expect(lines).toEqual([
      { text: "a", lineNo: 1 },
      { text: "b", lineNo: 2 },
    ]);
  });
  it("last line without newline is read", async () => {
    expect((await drain(readLines(file("nonl.txt", "x\ny")))).map((l) => l.text)).toEqual(["x", "y"]);
  });
  it("gzip by extension and by magic bytes", async () => {
    const gz = gzipSync(Buffer.from("α\nβ\n"));
    expect((await drain(readLines(file("g.txt.gz", gz)))).map((l) => l.text)).toEqual(["α", "β"]);
    expect((await drain(readLines(file("g-no-ext.txt", gz)))).map((l) => l.text)).toEqual(["α", "β"]);
  });
  it("invalid UTF-8 is an error naming file and line", async () => {
    const p = file(
      "bad.txt",
      Buffer.concat([Buffer.from("ok\nfine\n"), Buffer.from([0x61, 0xff, 0x62, 0x0a])]),
    );
    await expect(drain(readLines(p))).rejects.toThrow(/bad\.txt:3: invalid UTF-8/);
  });
  it("missing file is NOT_FOUND", async () => {
    await expect(drain(readLines(join(dir, "nope.txt")))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("corpus and queries", () => {
  it("reads BEIR/ir_datasets/pyserini JSONL shapes with quotes and tabs in fields", async () => {
    const p = file(
      "c.jsonl",
      [
        '{"_id":"d1","title":"T \\"q\\"","text":"a\\tb"}',
        '{"doc_id":"d2","text":"x"}',
        '{"docid":"d3","contents":"y"}',
        "",
        "",
      ].join("\n"),
    );
    const docs = await readAllCorpus(p);
    expect(docs).toEqual([
      { id: "d1", title: 'T "q"', text: "a\tb" },
      { id: "d2", title: "", text: "x" },
      { id: "d3", title: "", text: "y" },
    ]);
  });
  it("bad JSON names the line", async () => {
    const p = file("bad.jsonl", '{"id":"a","text":"x"}\n{"id":\n');
    await expect(readAllCorpus(p)).rejects.toThrow(/bad\.jsonl:2: invalid JSON/);
  });
  it("missing text field names the candidates", async () => {
    const p = file("nt.jsonl", '{"id":"a","body2":"x"}\n');
    await expect(readAllCorpus(p)).rejects.toThrow(
      /nt\.jsonl:1: no text field \(expected one of text, contents/,
    );
  });
  it("duplicate ids: error by default, keep-first on request", async () => {
    const p = file("dup.tsv", "a\tone\nb\ttwo\na\tthree\n");
    await expect(readAllCorpus(p)).rejects.toThrow(/dup\.tsv:3: duplicate id 'a' \(first seen on line 1\)/);
    expect((await readAllCorpus(p, { duplicates: "keep-first" })).map((d) => d.text)).toEqual(["one", "two"]);
  });
  it("TSV: 3 columns = id, title, text; tabs inside the last column kept; custom fields", async () => {
    const p = file("w.tsv", "d1\tTitle\tbody\twith tab\n");
    expect(await readAllCorpus(p)).toEqual([{ id: "d1", title: "Title", text: "body\twith tab" }]);
    const q = file("q.jsonl", '{"qid":"1","question":"why"}\n');
    expect(await readAllQueries(q, { textFields: ["question"] })).toEqual([{ qid: "1", text: "why" }]);
  });
  it("writer round-trips through the reader (atomic, no temp left)", async () => {
    const p = join(dir, "out.jsonl");
    const docs = [{ id: "x", title: 'q"t', text: "line1\nline2\t" }];
    await writeCorpusJsonl(p, docs);
    expect(await readAllCorpus(p)).toEqual(docs);
  });
  it("writers gzip a .gz path, so the readers (which gunzip by name) read it back", async () => {
    const sub = mkdtempSync(join(dir, "gz-"));
    const docs = [{ id: "x", title: "t", text: "α β" }];
    await writeCorpusJsonl(join(sub, "c.jsonl.gz"), docs);
    await writeQueriesTsv(join(sub, "q.tsv.gz"), [{ qid: "q1", text: "γ" }]);
    await writeBitextTsv(join(sub, "b.tsv.gz"), [{ foreign: "kaixo", english: "hello" }]);
    expect(readFileSync(join(sub, "c.jsonl.gz")).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await readAllCorpus(join(sub, "c.jsonl.gz"))).toEqual(docs);
    expect(await readAllQueries(join(sub, "q.tsv.gz"))).toEqual([{ qid: "q1", text: "γ" }]);
    expect((await readAllBitext(readBitextTsv(join(sub, "b.tsv.gz")))).map((p) => p.english)).toEqual([
      "hello",
    ]);
    expect(readdirSync(sub).sort()).toEqual(["b.tsv.gz", "c.jsonl.gz", "q.tsv.gz"]); // no temp file left
  });
});

describe("topics", () => {
  it("classic <top> format with optional closing tags", async () => {
    const p = file(
      "t.txt",
      "<top>\n<num> Number: 301\n<title> International\nOrganized Crime\n<desc> Description:\nIdentify orgs.\n<narr> Narrative:\nA relevant doc.\n</top>\n\n<top>\n<num>302</num><title>Poliomyelitis</title>\n</top>\n",
    );
    const t = await readAllTopics(p);
    expect(t).toEqual([
      {
        qid: "301",
        title: "International Organized Crime",
        description: "Identify orgs.",
        narrative: "A relevant doc.",
      },
      { qid: "302", title: "Poliomyelitis" },
    ]);
  });
  it("qid<TAB>text format and a missing tab error", async () => {
    expect(await readAllTopics(file("t.tsv", "1\tfoo bar\n\n2\tbaz\n"))).toEqual([
      { qid: "1", title: "foo bar" },
      { qid: "2", title: "baz" },
    ]);
    await expect(readAllTopics(file("t2.tsv", "1\tfoo\n2 baz\n"))).rejects.toThrow(
      /t2\.tsv:2: expected 'qid<TAB>text'/,
    );
  });
  it("unclosed topic is an error", async () => {
    await expect(readAllTopics(file("t3.txt", "<top>\n<num> 5\n"))).rejects.toThrow(
      /t3\.txt:1: topic not closed/,
    );
  });
});

describe("bitext", () => {
  it("TSV with CRLF, trailing blank lines; wrong column count names line", async () => {
    expect(
      (await readAllBitext(readBitextTsv(file("b.tsv", "kaixo\thello\r\n\r\n")))).map((p) => [
        p.foreign,
        p.english,
      ]),
    ).toEqual([["kaixo", "hello"]]);
    await expect(readAllBitext(readBitextTsv(file("b2.tsv", "a\tb\nc\td\te\n")))).rejects.toThrow(
      /b2\.tsv:2: expected 'foreign<TAB>english' \(2 columns\), found 3/,
    );
  });
  it("Moses: aligned files; different line counts are an error", async () => {
    const f = file("m.eu", "bat\nbi\n");
    const e = file("m.en", "one\ntwo\n");
    expect((await readAllBitext(readBitextMoses(f, e))).map((p) => p.english)).toEqual(["one", "two"]);
    const e3 = file("m3.en", "one\ntwo\nthree\n");
    await expect(readAllBitext(readBitextMoses(f, e3))).rejects.toThrow(
      /m\.eu:2: has 2 lines but its aligned file has more/,
    );
  });
  it("TMX: segments, inline markup, entities; missing segments skipped and reported", async () => {
    const tmx = `<?xml version="1.0"?>\n<tmx version="1.4"><body>\n<tu tuid="1"><tuv xml:lang="eu-ES"><seg>Kaixo &amp; <bpt i="1">&lt;b&gt;</bpt>agur<ept i="1">&lt;/b&gt;</ept></seg></tuv>\n<tuv xml:lang="EN"><seg>Hello &amp; bye</seg></tuv></tu>\n<tu><tuv xml:lang="en"><seg>Only English</seg></tuv></tu>\n<tu><tuv lang="eu"><seg><![CDATA[a<b]]></seg></tuv><tuv lang="en-GB"><seg>a&lt;b</seg></tuv></tu>\n</body></tmx>\n`;
    const skipped: Array<[number, string]> = [];
    const pairs = await readAllBitext(
      readBitextTmx(file("x.tmx", tmx), { foreignLang: "eu", onSkip: (l, r) => skipped.push([l, r]) }),
    );
    expect(pairs.map((p) => [p.foreign, p.english, p.line])).toEqual([
      ["Kaixo & agur", "Hello & bye", 3],
      ["a<b", "a<b", 6],
    ]);
    expect(skipped).toEqual([[5, "no eu segment"]]);
    await expect(
      readAllBitext(readBitextTmx(file("x2.tmx", tmx), { foreignLang: "eu", missing: "error" })),
    ).rejects.toThrow(/x2\.tmx:5: translation unit has no eu segment/);
  });
  it("writer replaces tabs inside fields and writes atomically", async () => {
    const p = join(dir, "w.tsv");
    await writeBitextTsv(p, [{ foreign: "a\tb", english: "c\nd" }]);
    expect(readFileSync(p, "utf8")).toBe("a b\tc d\n");
  });
});

describe(".mo parser", () => {
  it("round-trips context and plural forms (first form kept)", () => {
    const mo = buildMo([
      { context: "STR_X", msgid: "~Open", msgstr: "~Ireki" },
      { context: "", msgid: "file\0files", msgstr: "fitxategi\0fitxategiak" },
    ]);
    expect(parseMo(mo, "t.mo")).toEqual([
      { context: "STR_X", msgid: "~Open", msgstr: "~Ireki" },
      { context: "", msgid: "file", msgstr: "fitxategi" },
    ]);
    expect(() => parseMo(new Uint8Array(40), "z.mo")).toThrow(XlirError);
  });
});

describe("ids and texts that TREC files cannot hold", () => {
  it("an id with white space is refused with file and line", async () => {
    const f = file("ws.tsv", "q1\tfine\nq 2\tbroken id\n");
    await expect(readAllQueries(f)).rejects.toThrow(`${f}:2: id 'q 2' contains white space`);
    const c = file("ws.jsonl", '{"id":"d1","text":"a"}\n{"id":"d\\t2","text":"b"}\n');
    await expect(readAllCorpus(c)).rejects.toThrow(`${c}:2: id 'd\t2' contains white space`);
  });

  it("a query without text is refused with file and line; a document without text is kept", async () => {
    const f = file("empty.tsv", "q1\tfine\nq2\t  \n");
    await expect(readAllQueries(f)).rejects.toThrow(`${f}:2: 'q2' has no text`);
    const c = file("empty.jsonl", '{"id":"d1","text":""}\n');
    expect(await readAllCorpus(c)).toEqual([{ id: "d1", title: "", text: "" }]);
  });
});
