/**
 * `xlir encode` and `xlir bench encode`, run in-process through their commander registrations
 * (the same code ./bin/xlir runs; main.ts only adds the XlirError -> exit code mapping).
 */
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { register as registerBenchEncode } from "../../src/cli/commands/bench/encode.js";
import { register as registerEncode } from "../../src/cli/commands/encode.js";

const FIX = path.join(__dirname, "../fixtures");
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-enc-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function xlir(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerEncode(program);
  registerBenchEncode(program.command("bench"));
  await program.parseAsync(["node", "xlir", ...args]);
}

async function writeLines(name: string, lines: string[]): Promise<string> {
  const f = path.join(tmp, name);
  await fs.writeFile(f, lines.join("\n") + "\n");
  return f;
}

const readJsonl = (f: string) =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe.each(["tiny-bert", "tiny-xlmr"])(
  "encode --raw equals the PyTorch reference forward (%s)",
  (name) => {
    it("tokens, ids equal; vectors within 1e-4; truncation reported on stderr", async () => {
      const g = JSON.parse(
        readFileSync(path.join(__dirname, "../golden/models", `${name}.json`), "utf8"),
      ) as {
        max_length: number;
        texts: { text: string; tokens: string[]; ids: number[]; hidden: number[][] }[];
      };
      const input = await writeLines(
        `${name}.txt`,
        g.texts.map((t) => t.text),
      );
      const output = path.join(tmp, `${name}.jsonl`);
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      await xlir(
        "encode",
        "--model",
        path.join(FIX, name),
        "--input",
        input,
        "--output",
        output,
        "--raw",
        "--max-length",
        String(g.max_length),
        "--batch-size",
        "2",
      );
      const said = err.mock.calls.map((c) => String(c[0])).join("");
      err.mockRestore();
      expect(said).toMatch(
        new RegExp(`1 of ${g.texts.length} texts were longer than ${g.max_length} tokens and were truncated`),
      );
      const out = readJsonl(output);
      expect(out.length).toBe(g.texts.length);
      out.forEach((o, i) => {
        expect(o.tokens).toEqual(g.texts[i].tokens);
        expect(o.ids).toEqual(g.texts[i].ids);
        const diff = Math.max(
          ...(o.vectors as number[][]).flat().map((v, j) => Math.abs(v - g.texts[i].hidden.flat()[j])),
        );
        expect(o.vectors.length).toBe(g.texts[i].ids.length);
        expect(diff).toBeLessThan(1e-4);
      });
    });
  },
);

describe("encode", () => {
  it("default output is the ColBERT head: unit vectors of dim 16 per token", async () => {
    const input = await writeLines("head.txt", ["Hello, world!", "the lazy dog"]);
    const output = path.join(tmp, "head.jsonl");
    await xlir("encode", "--model", path.join(FIX, "tiny-bert"), "--input", input, "--output", output);
    const out = readJsonl(output);
    expect(out[1].tokens).toEqual(["[CLS]", "the", "lazy", "dog", "[SEP]"]);
    for (const o of out) {
      expect(o.vectors.length).toBe(o.ids.length);
      for (const v of o.vectors as number[][]) {
        expect(v.length).toBe(16);
        expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-6);
      }
    }
  });
  it("errors: empty line named, missing files, no head, max length beyond the model", async () => {
    const input = await writeLines("empty.txt", ["first", "", "third"]);
    const out = path.join(tmp, "e.jsonl");
    await expect(
      xlir("encode", "--model", path.join(FIX, "tiny-bert"), "--input", input, "--output", out, "--raw"),
    ).rejects.toMatchObject({
      code: "BAD_INPUT",
      message: expect.stringMatching(/empty\.txt:2: line 2 is empty/),
    });
    await expect(
      xlir(
        "encode",
        "--model",
        path.join(FIX, "tiny-bert"),
        "--input",
        path.join(tmp, "missing.txt"),
        "--output",
        out,
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ok = await writeLines("ok.txt", ["hello"]);
    await expect(
      xlir("encode", "--model", path.join(tmp, "no-model"), "--input", ok, "--output", out),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      xlir("encode", "--model", path.join(FIX, "tiny-xlmr"), "--input", ok, "--output", out),
    ).rejects.toMatchObject({
      code: "CONFIG",
      message: expect.stringMatching(/not a late-interaction model: it has neither xlir\.json.*encode --raw/),
    });
    await expect(
      xlir("encode", "--model", path.join(FIX, "tiny-bert"), "--input", ok, "--output", out, "--pooled"),
    ).rejects.toMatchObject({ code: "CONFIG" });
    await expect(
      xlir(
        "encode",
        "--model",
        path.join(FIX, "tiny-xlmr"),
        "--input",
        ok,
        "--output",
        out,
        "--raw",
        "--max-length",
        "65",
      ),
    ).rejects.toMatchObject({ code: "USAGE", message: expect.stringMatching(/outside 2\.\.64/) });
    await expect(fs.access(out)).rejects.toThrow(); // nothing half-written
  });
});

describe("bench encode", () => {
  it("prints one JSON object with backend and tokens_per_s (tiny random config)", async () => {
    const log = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await xlir(
      "bench",
      "encode",
      "--random-config",
      "--layers",
      "1",
      "--hidden",
      "32",
      "--heads",
      "2",
      "--ffn",
      "64",
      "--vocab",
      "100",
      "--seq",
      "16",
      "--texts",
      "8",
      "--batch-size",
      "4",
      "--repeats",
      "1",
      "--json",
    );
    const printed = log.mock.calls.map((c) => String(c[0])).join("");
    log.mockRestore();
    const r = JSON.parse(printed);
    expect(r.backend).toBe("onnxruntime");
    expect(r.tokens).toBe(8 * 16);
    expect(r.tokens_per_s).toBeGreaterThan(0);
  });
});
