import { spawnSync } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainSentencePiece } from "../../src/text/spm.js";
import { TextTokenizer } from "../../src/text/tokenizer.js";

const FIX = path.join(__dirname, "../fixtures/tiny-xlmr");
const hasSpm = spawnSync("spm_train", ["--help"]).error === undefined;
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-spm-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasSpm)("trainSentencePiece (needs Debian's spm_train; CI installs sentencepiece)", () => {
  it("reproduces the committed tiny-xlmr tokenizer.json (made by the python dev script with sentencepiece) byte for byte in content", async () => {
    const out = await trainSentencePiece({
      inputFiles: [path.join(FIX, "spm_corpus.txt")],
      vocabSize: 161,
      characterCoverage: 1.0,
      seed: 17,
      outDir: path.join(tmp, "a"),
    });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(
      JSON.parse(readFileSync(path.join(FIX, "tokenizer.json"), "utf8")),
    );
  });
  it("is deterministic and the result loads, tokenising Khmer with U+200B to non-empty", async () => {
    const texts = readFileSync(path.join(FIX, "spm_corpus.txt"), "utf8").trim().split("\n");
    const a = await trainSentencePiece({ texts, vocabSize: 120, outDir: path.join(tmp, "b") });
    const b = await trainSentencePiece({ texts, vocabSize: 120, outDir: path.join(tmp, "c") });
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    const tok = await TextTokenizer.fromFile(a);
    expect(tok.tokenToId("<pad>")).toBe(1);
    expect(tok.tokenToId("<mask>")).toBe(tok.vocabSize - 1);
    const r = tok.encodeOne("ភាសា\u200bខ្មែរ", 64);
    expect(r.tokens[0]).toBe("<s>");
    expect(r.tokens[r.tokens.length - 1]).toBe("</s>");
    expect(r.tokens.length).toBeGreaterThan(3);
  });
});

describe("trainSentencePiece errors", () => {
  it("a missing binary is NATIVE_MISSING with how to install", async () => {
    await expect(
      trainSentencePiece({
        texts: ["a b c"],
        vocabSize: 20,
        outDir: path.join(tmp, "d"),
        binary: "spm_train_not_installed",
      }),
    ).rejects.toMatchObject({
      code: "NATIVE_MISSING",
      message: expect.stringMatching(/apt-get install sentencepiece/),
    });
  });
});
