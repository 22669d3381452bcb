/**
 * Trains a SentencePiece Unigram vocabulary with Debian's `spm_train` and converts it to a
 * Hugging Face `tokenizer.json` that @huggingface/tokenizers loads (XLM-R layout).
 *
 * Special tokens: <s>=0 <pad>=1 </s>=2 <unk>=3 (spm_train is told these ids, so spm ids equal the
 * tokenizer ids), <mask> appended last. Normaliser: NFKC, strip, collapse runs of spaces (spm_train
 * runs with --normalization_rule_name=nfkc, which is NFKC, plus its default removal of extra
 * white space; XLM-R's own Precompiled charsmap is not reproduced). Pre-tokeniser: Metaspace
 * ("▁", always prepend). Post-processor: RobertaProcessing, `<s> X </s>`.
 * Determinism: --random_seed=<seed> and --num_threads=1 (multi-threaded EM can reorder float sums),
 * so the same input gives the same tokenizer.json byte for byte.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { XlirError } from "../errors.js";

export interface TrainSentencePieceOptions {
  inputFiles?: string[];
  texts?: readonly string[];
  vocabSize: number;
  characterCoverage?: number; // default 0.9995
  modelType?: "unigram";
  seed?: number; // default 17
  outDir: string;
  /** spm_train binary (default "spm_train" on PATH). */
  binary?: string;
}

const SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"] as const;

function runSpmTrain(binary: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    p.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT")
        reject(
          new XlirError(
            "NATIVE_MISSING",
            `${binary} not found: install SentencePiece's command-line tools (Debian/Ubuntu: apt-get install sentencepiece)`,
          ),
        );
      else reject(new XlirError("NATIVE_MISSING", `${binary} could not be started: ${e.message}`));
    });
    p.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new XlirError(
            "BAD_INPUT",
            `${binary} failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" | ")}`,
          ),
        );
    });
  });
}

/**
 * Trains with spm_train; writes spm.model, spm.vocab, tokenizer.json, tokenizer_config.json in outDir; returns tokenizer.json's path.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { TextTokenizer, trainSentencePiece } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const texts = ["the cat sat on the mat", "a cat and a hat", "the hat on the cat"];
 * const file = await trainSentencePiece({ texts: [...texts, ...texts], vocabSize: 24, outDir: dir });
 * const tok = await TextTokenizer.fromFile(file);
 * const r = tok.encodeOne("the cat", 16);
 * // XLM-R layout: <s> ... </s>, ids 0 and 2, <mask> the last id
 * console.assert(r.tokens[0] === "<s>" && r.tokens.at(-1) === "</s>" && r.ids[0] === 0 && r.ids.at(-1) === 2);
 * console.assert(tok.tokenToId("<mask>") === tok.vocabSize - 1 && tok.vocabSize <= 24);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function trainSentencePiece(o: TrainSentencePieceOptions): Promise<string> {
  if ((o.modelType ?? "unigram") !== "unigram")
    throw new XlirError("UNSUPPORTED", `model type ${o.modelType} (supported: unigram)`);
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 8)
    throw new XlirError("USAGE", `vocabSize must be an integer >= 8, got ${o.vocabSize}`);
  await fs.mkdir(o.outDir, { recursive: true });
  const inputs = [...(o.inputFiles ?? [])];
  if (o.texts) {
    const f = path.join(o.outDir, "spm_input.txt");
    await fs.writeFile(f, o.texts.map((t) => t.replace(/\n/g, " ")).join("\n") + "\n");
    inputs.push(f);
  }
  if (inputs.length === 0) throw new XlirError("USAGE", "trainSentencePiece needs inputFiles or texts");
  for (const f of inputs)
    await fs.access(f).catch(() => Promise.reject(new XlirError("NOT_FOUND", `${f}: no such file`)));
  const prefix = path.join(o.outDir, "spm");
  await runSpmTrain(o.binary ?? "spm_train", [
    `--input=${inputs.join(",")}`,
    `--model_prefix=${prefix}`,
    "--model_type=unigram",
    `--vocab_size=${o.vocabSize - 1}`, // + <mask>
    `--character_coverage=${o.characterCoverage ?? 0.9995}`,
    "--normalization_rule_name=nfkc",
    "--bos_id=0",
    "--pad_id=1",
    "--eos_id=2",
    "--unk_id=3",
    "--hard_vocab_limit=false",
    `--random_seed=${o.seed ?? 17}`,
    "--num_threads=1",
    "--minloglevel=2",
  ]);
  const json = spmModelToTokenizerJson(await fs.readFile(`${prefix}.model`));
  const out = path.join(o.outDir, "tokenizer.json");
  await fs.writeFile(out, JSON.stringify(json) + "\n");
  await fs.writeFile(
    path.join(o.outDir, "tokenizer_config.json"),
    JSON.stringify(
      {
        tokenizer_class: "XLMRobertaTokenizer",
        bos_token: "<s>",
        eos_token: "</s>",
        pad_token: "<pad>",
        unk_token: "<unk>",
        mask_token: "<mask>",
      },
      null,
      2,
    ) + "\n",
  );
  return out;
}

/**
 * Reads (piece, score) pairs from a SentencePiece ModelProto (field 1: pieces{1: piece, 2: score}).
 * @example
 * ```ts
 * import { readSpmPieces } from "xlir";
 * // ModelProto { pieces { piece: "▁a" score: -1.5 } trainer_spec {} } written by hand:
 * // key 0x0a = field 1, length-delimited; 0x15 = field 2, fixed32; 0x12 = field 2 (skipped)
 * const piece = new TextEncoder().encode("\u2581a");
 * const score = new Uint8Array(Float32Array.of(-1.5).buffer);
 * const inner = [0x0a, piece.length, ...piece, 0x15, ...score];
 * const pieces = readSpmPieces(Uint8Array.from([0x0a, inner.length, ...inner, 0x12, 0x00]));
 * console.assert(pieces.length === 1 && pieces[0].piece === "\u2581a" && pieces[0].score === -1.5);
 * ```
 */
export function readSpmPieces(model: Uint8Array): { piece: string; score: number }[] {
  const dv = new DataView(model.buffer, model.byteOffset, model.byteLength);
  const dec = new TextDecoder();
  let pos = 0;
  const varint = (end: number): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= end) throw new XlirError("CORRUPT", "spm model: truncated varint");
      const b = model[pos++];
      v += (b & 0x7f) * mul;
      if (!(b & 0x80)) return v;
      mul *= 128;
    }
  };
  const skip = (wire: number, end: number): void => {
    if (wire === 0) varint(end);
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const n = varint(end); // read first: `pos += varint()` would add to the old pos
      pos += n;
    } else if (wire === 5) pos += 4;
    else throw new XlirError("CORRUPT", `spm model: unexpected wire type ${wire}`);
  };
  const pieces: { piece: string; score: number }[] = [];
  while (pos < model.length) {
    const key = varint(model.length);
    if (key >>> 3 === 1 && (key & 7) === 2) {
      const len = varint(model.length);
      const end = pos + len;
      let piece = "";
      let score = 0;
      while (pos < end) {
        const k = varint(end);
        if (k >>> 3 === 1 && (k & 7) === 2) {
          const n = varint(end);
          piece = dec.decode(model.subarray(pos, pos + n));
          pos += n;
        } else if (k >>> 3 === 2 && (k & 7) === 5) {
          score = dv.getFloat32(pos, true);
          pos += 4;
        } else skip(k & 7, end);
      }
      pieces.push({ piece, score });
    } else skip(key & 7, model.length);
  }
  return pieces;
}

/**
 * SentencePiece Unigram model (ids <s>=0 <pad>=1 </s>=2 <unk>=3) -> tokenizer.json object (+ <mask> last).
 * @example
 * ```ts
 * import { spmModelToTokenizerJson, TextTokenizer } from "xlir";
 * // a ModelProto with the four specials and two pieces, written by hand (see readSpmPieces)
 * const bytes: number[] = [];
 * for (const [p, s] of [["<s>", 0], ["<pad>", 0], ["</s>", 0], ["<unk>", 0], ["\u2581a", -1], ["\u2581b", -2]] as const) {
 *   const piece = new TextEncoder().encode(p);
 *   const inner = [0x0a, piece.length, ...piece, 0x15, ...new Uint8Array(Float32Array.of(s).buffer)];
 *   bytes.push(0x0a, inner.length, ...inner);
 * }
 * const tok = TextTokenizer.fromJson(spmModelToTokenizerJson(Uint8Array.from(bytes)));
 * const r = tok.encodeOne("a  b", 8);
 * console.assert(r.tokens.join(" ") === "<s> \u2581a \u2581b </s>" && r.ids.join(",") === "0,4,5,2");
 * console.assert(tok.tokenToId("<mask>") === 6);
 * ```
 */
export function spmModelToTokenizerJson(model: Uint8Array): Record<string, unknown> {
  const pieces = readSpmPieces(model);
  SPECIALS.forEach((s, i) => {
    if (pieces[i]?.piece !== s)
      throw new XlirError(
        "MISMATCH",
        `spm model: id ${i} is '${pieces[i]?.piece}', expected '${s}' (train with --bos_id=0 --pad_id=1 --eos_id=2 --unk_id=3)`,
      );
  });
  const vocab: [string, number][] = pieces.map((p, i) => [p.piece, i < SPECIALS.length ? 0 : p.score]);
  const added = (id: number, content: string, lstrip = false) => ({
    id,
    content,
    single_word: false,
    lstrip,
    rstrip: false,
    normalized: false,
    special: true,
  });
  vocab.push(["<mask>", 0]);
  const meta = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [...SPECIALS.map((s, i) => added(i, s)), added(vocab.length - 1, "<mask>", true)],
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "NFKC" },
        { type: "Strip", strip_left: true, strip_right: true },
        { type: "Replace", pattern: { Regex: " {2,}" }, content: " " },
      ],
    },
    pre_tokenizer: meta,
    post_processor: {
      type: "RobertaProcessing",
      sep: ["</s>", 2],
      cls: ["<s>", 0],
      trim_offsets: true,
      add_prefix_space: true,
    },
    decoder: meta,
    model: { type: "Unigram", unk_id: 3, vocab, byte_fallback: false },
  };
}
