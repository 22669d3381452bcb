import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { inputError, XlirError } from "../../errors.js";
import { OnnxEncoder } from "../../models/onnx-encoder.js";
import { parseIntOption } from "../util.js";

interface EncodeOptions {
  model: string;
  input: string;
  output: string;
  raw?: boolean;
  pooled?: boolean;
  maxLength?: number;
  batchSize: number;
  threads: number;
  device: string;
}

/** Rounds a float32 to 9 significant digits (enough to recover the float32 exactly). */
const num = (v: number): number => Number(v.toPrecision(9));

function rows(data: Float32Array, offset: number, count: number, dim: number): number[][] {
  return Array.from({ length: count }, (_, t) =>
    Array.from(data.subarray((offset + t) * dim, (offset + t + 1) * dim), num),
  );
}

/** Reads one text per line; a final newline does not make an extra line; an empty line is an error naming it. */
async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    throw new XlirError("NOT_FOUND", `${file}: no such input file`);
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l, i) => {
    const s = l.endsWith("\r") ? l.slice(0, -1) : l;
    if (s.trim() === "") throw inputError(file, i + 1, `line ${i + 1} is empty (one text per line expected)`);
    return s;
  });
}

async function run(o: EncodeOptions): Promise<void> {
  if (o.raw && o.pooled)
    throw new XlirError(
      "USAGE",
      "--raw and --pooled exclude each other (--raw is the hidden state of every token)",
    );
  const texts = await readLines(o.input);
  const enc = await OnnxEncoder.fromFolder(o.model, {
    threads: o.threads,
    maxLength: o.maxLength,
    batchSize: o.batchSize,
    device: o.device,
  });
  const tmp = path.join(
    path.dirname(path.resolve(o.output)),
    `.${path.basename(o.output)}.tmp-${process.pid}`,
  );
  const fh = await fs.open(tmp, "w");
  let truncated = 0;
  try {
    const chunk = Math.max(o.batchSize * 8, 256);
    for (let s = 0; s < texts.length; s += chunk) {
      const part = texts.slice(s, s + chunk);
      const out: string[] = [];
      if (o.raw) {
        const r = await enc.encodeRaw(part);
        const H = enc.config.hiddenSize;
        r.hidden.forEach((h, i) =>
          out.push(
            JSON.stringify({ tokens: r.tokens[i], ids: r.ids[i], vectors: rows(h, 0, r.ids[i].length, H) }),
          ),
        );
        truncated += r.truncated.filter(Boolean).length;
      } else if (o.pooled) {
        const v = await enc.encodePooled(part, "document");
        part.forEach((t, i) => {
          const e = enc.tokenizer.encodeOne(t, enc.maxLength);
          if (e.truncated) truncated++;
          out.push(
            JSON.stringify({
              tokens: e.tokens,
              ids: e.ids,
              vector: Array.from(v.subarray(i * enc.dim, (i + 1) * enc.dim), num),
            }),
          );
        });
      } else {
        const r = await enc.encodeTokensDetailed(part);
        const { vectors, offsets, dim } = r.vectors;
        part.forEach((_, i) =>
          out.push(
            JSON.stringify({
              tokens: r.tokens[i],
              ids: r.ids[i],
              vectors: rows(vectors, offsets[i], offsets[i + 1] - offsets[i], dim),
            }),
          ),
        );
        truncated += r.truncated.filter(Boolean).length;
      }
      await fh.write(out.join("\n") + "\n");
    }
    await fh.close();
    await fs.rename(tmp, o.output);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    await enc.dispose();
  }
  if (truncated > 0) {
    process.stderr.write(
      `xlir: ${truncated} of ${texts.length} texts were longer than ${enc.maxLength} tokens and were truncated (first tokens + final special token kept)\n`,
    );
  }
}

/** Registers `xlir encode`: one JSON line per input line with tokens, ids and vectors. */
export function register(program: Command): void {
  program
    .command("encode")
    .description(
      "encode one text per line with a model folder (ONNX Runtime): JSONL {tokens, ids, vectors} with the ColBERT head, " +
        "{tokens, ids, vector} with --pooled (pooled head), or the last hidden state of every token (specials included) with --raw. " +
        "Texts longer than --max-length are truncated (first tokens + the final special token); the count goes to stderr.",
    )
    .requiredOption(
      "--model <dir>",
      "Hugging Face model folder (config.json, model.safetensors, tokenizer.json, optional xlir.json head)",
    )
    .requiredOption("--input <file>", "text file, one text per line (empty lines are an error)")
    .requiredOption("--output <file>", "JSONL output (written atomically)")
    .option("--raw", "last hidden state before any head, special tokens included")
    .option("--pooled", "one vector per text from the model's pooled head")
    .option(
      "--max-length <n>",
      "longest input in tokens, specials included (default: min(512, model maximum))",
      parseIntOption("--max-length"),
    )
    .option("--batch-size <n>", "texts per ONNX Runtime call", parseIntOption("--batch-size"), 32)
    .option("--threads <n>", "ONNX Runtime intra-op threads", parseIntOption("--threads"), 2)
    .option(
      "--device <name>",
      "cpu, cuda or cuda:N: ONNX Runtime's CUDA execution provider when installed (falls back to the CPU with a message)",
      "cpu",
    )
    .action(async (o: EncodeOptions) => run(o));
}
