import { createRequire } from "node:module";
import type { Command } from "commander";
import { XlirError } from "../../../errors.js";
import { loadHfFolder } from "../../../models/hf.js";
import { randomHfModel, randomTexts } from "../../../models/hf-random.js";
import { mulberry32 } from "../../../util/random.js";
import { median } from "../../../util/stats.js";
import { OnnxEncoder } from "../../../models/onnx-encoder.js";
import { printJson } from "../../util.js";
import { addIntOptions, encoderShapeOptions } from "./options.js";

interface BenchEncodeOptions {
  model?: string;
  randomConfig?: boolean;
  architecture: "bert" | "xlm-roberta";
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  seq: number;
  texts: number;
  batchSize: number;
  threads: number;
  repeats: number;
  json?: boolean;
}

/** Texts for a real model: random words taken from its vocabulary (specials and '##' pieces excluded). */
function textsFromVocab(vocab: Map<string, number>, n: number, words: number): string[] {
  const pool = [...vocab.keys()]
    .filter((t) => !/^(\[.*\]|<.*>|##)/.test(t))
    .map((t) => t.replace(/^\u2581/, ""));
  if (pool.length === 0)
    throw new XlirError(
      "BAD_INPUT",
      "the tokenizer's vocabulary has no plain words to build benchmark texts from",
    );
  const rnd = mulberry32(7);
  return Array.from({ length: n }, () =>
    Array.from({ length: words }, () => pool[Math.floor(rnd() * pool.length)]).join(" "),
  );
}

async function run(o: BenchEncodeOptions): Promise<void> {
  if (!o.model === !o.randomConfig)
    throw new XlirError("USAGE", "give exactly one of --model DIR and --random-config");
  const m = o.model
    ? await loadHfFolder(o.model)
    : randomHfModel({
        architecture: o.architecture,
        layers: o.layers,
        hidden: o.hidden,
        heads: o.heads,
        ffn: o.ffn,
        vocab: o.vocab,
        seed: 0,
      });
  const texts = o.model
    ? textsFromVocab(new Map(Object.entries(vocabOf(m.tokenizer.json))), o.texts, o.seq)
    : randomTexts(o.texts, o.seq - 2, o.vocab);
  const enc = await OnnxEncoder.fromModel(m, {
    threads: o.threads,
    maxLength: o.seq,
    batchSize: o.batchSize,
  });
  await enc.encodeRaw(texts.slice(0, Math.min(texts.length, o.batchSize))); // warm-up
  const times: number[] = [];
  let tokens = 0;
  for (let r = 0; r < o.repeats; r++) {
    const t0 = process.hrtime.bigint();
    const out = await enc.encodeRaw(texts);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    tokens = out.ids.reduce((a, ids) => a + ids.length, 0);
  }
  await enc.dispose();
  const best = Math.min(...times);
  const seconds = median(times);
  const ortVersion = (createRequire(import.meta.url)("onnxruntime-node/package.json") as { version: string })
    .version;
  const c = m.config;
  const result = {
    backend: "onnxruntime",
    onnxruntime_version: ortVersion,
    threads: o.threads,
    model: o.model ?? "random",
    architecture: c.architecture,
    layers: c.numLayers,
    hidden: c.hiddenSize,
    heads: c.numHeads,
    ffn: c.intermediateSize,
    vocab: c.vocabSize,
    max_length: o.seq,
    batch_size: o.batchSize,
    texts: texts.length,
    tokens,
    repeats: o.repeats,
    seconds_median: seconds,
    seconds_best: best,
    tokens_per_s: tokens / seconds,
    texts_per_s: texts.length / seconds,
    includes: "tokenisation + length-sorted batching + ONNX Runtime forward (last hidden state)",
  };
  if (o.json) printJson(result);
  else
    process.stdout.write(
      `onnxruntime ${result.threads} threads: ${result.tokens_per_s.toFixed(0)} tokens/s (${texts.length} texts, ${tokens} tokens, median ${seconds.toFixed(3)} s)\n`,
    );
}

function vocabOf(json: Record<string, unknown>): Record<string, number> {
  const model = json.model as { vocab?: unknown };
  if (Array.isArray(model.vocab))
    return Object.fromEntries((model.vocab as [string, number][]).map(([p], i) => [p, i]));
  return (model.vocab ?? {}) as Record<string, number>;
}

/** Registers `xlir bench encode`: encoder throughput on ONNX Runtime in tokens per second. */
export function register(bench: Command): void {
  const cmd = bench
    .command("encode")
    .description("ONNX Runtime encoder throughput (tokens/s) on a model folder or a random configuration")
    .option("--model <dir>", "Hugging Face model folder")
    .option("--random-config", "random weights with the sizes below (synthetic word-level tokenizer)")
    .option("--architecture <a>", "bert | xlm-roberta (with --random-config)", "bert");
  addIntOptions(cmd, [
    ...encoderShapeOptions({ layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 8000 }),
    ["--seq <n>", "tokens per text incl. specials (texts are built to reach it; also the max length)", 128],
    ["--texts <n>", "number of texts", 64],
    ["--batch-size <n>", "texts per ONNX Runtime call", 32],
    ["--threads <n>", "ONNX Runtime intra-op threads", 2],
    ["--repeats <n>", "timed passes over all texts (median reported)", 3],
  ])
    .option("--json", "print one JSON object")
    .action(async (o: BenchEncodeOptions) => run(o));
}
