import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readAllCorpus, writeCorpusJsonl } from "../../src/data/corpus.js";
import { readAllTopics, topicText } from "../../src/data/topics.js";
import { readQrels } from "../../src/eval/qrels.js";

const fx = resolve("test/fixtures/ciral-shape");
const dir = mkdtempSync(join(tmpdir(), "xlir-ciral-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe("the committed CIRAL-shape fixture (English topics, Hausa passages)", () => {
  it("passages: CIRAL JSONL.gz with docid/title/text (url ignored), 30 unique ids, no language field", async () => {
    const docs = await readAllCorpus(join(fx, "corpus.jsonl.gz"));
    expect(docs.length).toBe(30);
    expect(new Set(docs.map((d) => d.id)).size).toBe(30);
    expect(docs[0]).toEqual({
      id: "dtha-0101#0#0",
      title: "Ambaliyar ruwa ta lalata gidaje a Kano",
      text: expect.stringContaining("jihar Kano"),
    });
    expect(docs.every((d) => d.lang === undefined && d.text.length > 20)).toBe(true);
  });

  it("the three topic files (CIRAL TSV, TREC <top>, NeuCLIR JSONL) give the same English topics", async () => {
    const tsv = await readAllTopics(join(fx, "topics.tsv"));
    const xml = await readAllTopics(join(fx, "topics.xml"));
    const jsonl = await readAllTopics(join(fx, "topics.jsonl"));
    expect(tsv.map((t) => t.qid)).toEqual(["101", "102", "103", "104", "105", "106"]);
    expect(xml.map((t) => [t.qid, t.title])).toEqual(tsv.map((t) => [t.qid, t.title]));
    expect(jsonl.map((t) => [t.qid, t.title, t.description])).toEqual(
      xml.map((t) => [t.qid, t.title, t.description]),
    );
    expect(jsonl.every((t) => t.lang === "eng")).toBe(true);
    expect(xml[0].description).toBe(
      "Reports of floods in Kano State: houses destroyed, people killed, and relief given to the victims.",
    );
    expect(topicText(xml[0], "title+description")).toBe(`flooding in Kano State ${xml[0].description}`);
    expect(topicText(tsv[0], "description")).toBe("flooding in Kano State");
  });

  it("qrels: TREC format, every judged topic and passage exists, three relevant passages and one judged non-relevant per topic", async () => {
    const qrels = await readQrels(join(fx, "qrels.txt"));
    const ids = new Set((await readAllCorpus(join(fx, "corpus.jsonl.gz"))).map((d) => d.id));
    expect([...qrels.keys()]).toEqual(["101", "102", "103", "104", "105", "106"]);
    for (const [q, m] of qrels) {
      for (const d of m.keys()) expect(ids.has(d), `${q} ${d}`).toBe(true);
      expect([...m.values()].sort()).toEqual([0, 1, 1, 1]);
    }
  });

  it("the judgements fit the text: ranking passages by word overlap with the Hausa topic translation puts a relevant passage first", async () => {
    const docs = await readAllCorpus(join(fx, "corpus.jsonl.gz"));
    const qrels = await readQrels(join(fx, "qrels.txt"));
    const ha = await readAllTopics(join(fx, "topics.jsonl"), { lang: "hau" });
    expect(ha[0]).toMatchObject({ qid: "101", title: "ambaliyar ruwa a jihar Kano", lang: "hau" });
    const words = (s: string) =>
      new Set(
        s
          .toLowerCase()
          .split(/[^\p{L}\p{M}']+/u)
          .filter((w) => w.length > 2),
      );
    for (const t of ha) {
      const q = words(`${t.title} ${t.description}`);
      const score = (text: string) => [...words(text)].filter((w) => q.has(w)).length;
      const ranked = [...docs].sort((a, b) => score(`${b.title} ${b.text}`) - score(`${a.title} ${a.text}`));
      expect(qrels.get(t.qid)!.get(ranked[0].id), `${t.qid}: ${ranked[0].id}`).toBe(1);
    }
  });
});

describe("document language and topic readers for English-query benchmarks", () => {
  it("reads an optional lang/language per document (a mixed corpus) and writes it back", async () => {
    const p = file(
      "mixed.jsonl",
      [
        '{"id":"a","text":"ruwa","lang":"ha"}',
        '{"docid":"b","title":"T","text":"maji","language":"sw"}',
        '{"id":"c","text":"water"}',
      ].join("\n"),
    );
    const docs = await readAllCorpus(p);
    expect(docs).toEqual([
      { id: "a", title: "", text: "ruwa", lang: "ha" },
      { id: "b", title: "T", text: "maji", lang: "sw" },
      { id: "c", title: "", text: "water" },
    ]);
    expect(docs[2]).not.toHaveProperty("lang");
    const out = join(dir, "round.jsonl");
    await writeCorpusJsonl(out, docs);
    expect(await readAllCorpus(out)).toEqual(docs);
    await expect(
      readAllCorpus(file("badlang.jsonl", '{"id":"a","text":"x","lang":"h a"}\n')),
    ).rejects.toThrow(/badlang\.jsonl:1: language 'h a' contains white space/);
  });

  it("NeuCLIR JSONL topics: prefers the original over a translation, other languages on request, errors name file and line", async () => {
    const line = (id: string, topics: unknown[]) => JSON.stringify({ topic_id: id, topics, narratives: {} });
    const p = file(
      "nc.jsonl",
      [
        line("1", [
          { lang: "fas", source: "machine translation", topic_title: "mt", topic_description: "mt d" },
          { lang: "fas", source: "human translation", topic_title: "ht", topic_description: "ht d" },
          { lang: "eng", source: "original", topic_title: " Iran  oil ", topic_description: "Oil exports." },
        ]),
        "",
        line("2", [
          { lang: "eng", source: "original", topic_title: "", topic_description: "Only a description." },
        ]),
      ].join("\n"),
    );
    expect(await readAllTopics(p)).toEqual([
      { qid: "1", title: "Iran oil", description: "Oil exports.", lang: "eng" },
      { qid: "2", title: "Only a description.", description: "Only a description.", lang: "eng" },
    ]);
    await expect(readAllTopics(p, { lang: "fas" })).rejects.toThrow(
      /nc\.jsonl:3: topic 2 has no 'fas' entry/,
    );
    expect(
      (
        await readAllTopics(
          file(
            "nc1.jsonl",
            line("1", [
              { lang: "fas", source: "machine translation", topic_title: "mt" },
              { lang: "fas", source: "human translation", topic_title: "ht" },
            ]),
          ),
          { lang: "fas" },
        )
      )[0].title,
    ).toBe("ht");
    await expect(readAllTopics(file("nc2.jsonl", '{"topic_id":"9","title":"x"}\n'))).rejects.toThrow(
      /nc2\.jsonl:1: topic 9: no 'topics' array/,
    );
    await expect(
      readAllTopics(file("nc3.jsonl", '{"topic_id":"9","topics":[]}\n{"topic_id":\n')),
    ).rejects.toThrow(/nc3\.jsonl:1: topic 9 has no 'eng' entry/);
    await expect(
      readAllTopics(
        file(
          "nc4.jsonl",
          line("1", [{ lang: "eng", topic_title: "a" }]) +
            "\n" +
            line("1", [{ lang: "eng", topic_title: "b" }]) +
            "\n",
        ),
      ),
    ).rejects.toThrow(/nc4\.jsonl:2: duplicate id '1'/);
  });

  it("CLEF-style <top> with language-prefixed fields takes the requested language", async () => {
    const p = file(
      "clef.xml",
      "<top>\n<num>C041</num>\n<EN-title>Pesticides in baby food</EN-title>\n<EN-desc>Find reports on pesticides in baby food.</EN-desc>\n<DE-title>Pestizide in Babynahrung</DE-title>\n</top>\n",
    );
    expect(await readAllTopics(p)).toEqual([
      {
        qid: "C041",
        title: "Pesticides in baby food",
        description: "Find reports on pesticides in baby food.",
      },
    ]);
    expect((await readAllTopics(p, { lang: "de" }))[0].title).toBe("Pestizide in Babynahrung");
  });
});
