import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TextTokenizer } from "../../src/text/tokenizer.js";

const FIX = path.join(__dirname, "../fixtures");
const golden = (m: string) =>
  JSON.parse(readFileSync(path.join(__dirname, "../golden/models", `${m}.json`), "utf8")) as {
    max_length: number;
    texts: { text: string; tokens: string[]; ids: number[]; truncated: boolean }[];
  };

describe.each(["tiny-bert", "tiny-xlmr"])("TextTokenizer vs the reference tokenizer (%s)", (name) => {
  it("tokens, ids and truncation equal the golden (punctuation, upper case, unknown words, word pieces, long text)", async () => {
    const tok = await TextTokenizer.fromFile(path.join(FIX, name, "tokenizer.json"));
    const g = golden(name);
    for (const t of g.texts) {
      const r = tok.encodeOne(t.text, g.max_length);
      expect({ text: t.text, tokens: r.tokens, ids: r.ids, truncated: r.truncated }).toEqual({
        text: t.text,
        tokens: t.tokens,
        ids: t.ids,
        truncated: t.truncated,
      });
    }
  });
});

describe("TextTokenizer", () => {
  it("the BERT golden covers word pieces, [UNK] and a truncated text", () => {
    const toks = golden("tiny-bert").texts.flatMap((t) => t.tokens);
    expect(toks.some((t) => t.startsWith("##"))).toBe(true);
    expect(toks).toContain("[UNK]");
    expect(golden("tiny-bert").texts.some((t) => t.truncated)).toBe(true);
  });
  it("encodeBatch pads with the pad id, masks padding, keeps [SEP] when truncating", async () => {
    const tok = await TextTokenizer.fromFile(path.join(FIX, "tiny-bert", "tokenizer.json"));
    const b = tok.encodeBatch(["hello world", "the quick brown fox jumped over the lazy dogs"], {
      maxLength: 6,
    });
    expect(b.batch).toBe(2);
    expect(b.length).toBe(6);
    expect(b.tokens[0]).toEqual(["[CLS]", "hello", "world", "[SEP]"]);
    expect(Array.from(b.ids.subarray(0, 6))).toEqual([
      2,
      tok.tokenToId("hello"),
      tok.tokenToId("world"),
      3,
      0,
      0,
    ]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(b.tokens[1]).toEqual(["[CLS]", "the", "quick", "brown", "fox", "[SEP]"]);
    expect(b.truncated).toEqual([false, true]);
    const short = tok.encodeBatch(["hello"], { maxLength: 32, padToMultipleOf: 8 });
    expect(short.length).toBe(8);
    expect(tok.encodeBatch(["hello"], { maxLength: 32, addSpecialTokens: false }).tokens[0]).toEqual([
      "hello",
    ]);
  });
  it("empty text is an error naming the text", async () => {
    const tok = await TextTokenizer.fromFile(path.join(FIX, "tiny-bert", "tokenizer.json"));
    expect(() => tok.encodeBatch(["fine", "  "], { maxLength: 8 })).toThrow("text 2 is empty");
  });
  it("Khmer with a zero-width space does not vanish", async () => {
    const tok = await TextTokenizer.fromFile(path.join(FIX, "tiny-xlmr", "tokenizer.json"));
    const r = tok.encodeOne("សួស្តី\u200bពិភពលោក", 64);
    expect(r.tokens.length).toBeGreaterThan(2 + 4);
    expect(r.ids.filter((id) => !tok.isSpecial(id)).length).toBeGreaterThan(4);
    expect(tok.encodeOne("\u200b", 64).ids.length).toBeGreaterThan(2);
  });
  it("bad tokenizer files", async () => {
    await expect(TextTokenizer.fromFile(path.join(FIX, "nope.json"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(() => TextTokenizer.fromJson({})).toThrow(/no 'model'/);
  });
});
