/**
 * Writing a Hugging Face model folder (the reading side is hf.ts): config.json with HF field names,
 * model.safetensors, tokenizer.json and tokenizer_config.json, and xlir's head files, written into
 * a temporary sibling folder and swapped in with renames.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { XlirError } from "../errors.js";
import { expectedHeadShapes, expectedWeightShapes, toHfConfig } from "./config.js";
import { checkShapes, exists, HF_FILES, type RoleSchema } from "./hf.js";
import { isPlainInteraction, type InteractionSettings, type RoleSettings } from "./interaction.js";
import { serializeSafetensors, type TensorToWrite } from "./safetensors-write.js";
import type { EncoderConfig, HeadConfig, NamedWeights } from "./types.js";

function roleToJson(r: RoleSettings): z.infer<typeof RoleSchema> {
  return {
    prefix_id: r.prefixId,
    length: r.length,
    expansion_id: r.expansionId,
    attend_expansion: r.attendExpansion,
    skip_ids: r.skipIds,
    max_length: r.maxLength,
  };
}

export interface SaveHfOptions {
  config: EncoderConfig;
  weights: NamedWeights;
  /** Parsed tokenizer.json object. */
  tokenizerJson: Record<string, unknown>;
  head?: HeadConfig | null;
  headWeights?: NamedWeights | null;
  /** For a student: the teacher's hash, so that search accepts the teacher's indexes with this model. */
  indexEncoderHash?: string;
  /** For a student with its own tokenizer: the teacher's tokenizer.json sha256 (recorded in xlir.json). */
  indexTokenizerHash?: string;
  /** Query/document processing to keep (markers, augmentation, skiplist); omitted when plain. */
  interaction?: InteractionSettings;
  /** Stored dtype of the weights; default: each tensor's own dtype when F16/BF16, else F32. */
  dtype?: "F32" | "F16" | "BF16";
}

/** Weights as safetensors entries: `dtype` for all, else each tensor's own F16/BF16 or F32. */
export function toWritable(
  weights: NamedWeights,
  dtype?: "F32" | "F16" | "BF16",
): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of weights) {
    const own = t.dtype === "F16" || t.dtype === "BF16" ? t.dtype : "F32";
    out.set(name, { dtype: dtype ?? own, shape: t.shape, data: t.data });
  }
  return out;
}

/** tokenizer_config.json for transformers' AutoTokenizer. */
function tokenizerConfigFor(c: EncoderConfig): Record<string, unknown> {
  const maxLen = c.maxPositions - c.positionOffset;
  if (c.architecture === "bert") {
    return {
      tokenizer_class: "BertTokenizer",
      model_max_length: maxLen,
      do_lower_case: true,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    };
  }
  return {
    tokenizer_class: "XLMRobertaTokenizer",
    model_max_length: maxLen,
    bos_token: "<s>",
    eos_token: "</s>",
    cls_token: "<s>",
    sep_token: "</s>",
    pad_token: "<pad>",
    unk_token: "<unk>",
    mask_token: "<mask>",
  };
}

/**
 * Writes a complete HF folder (config.json with HF field names, model.safetensors, tokenizer.json,
 * tokenizer_config.json, and xlir.json + xlir_head.safetensors when a head is given) into
 * `dir.tmp-*`, then swaps it in with renames, so `dir` is never seen half written.
 * An existing `dir` is replaced as a whole.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { loadHfFolder, saveHfFolder } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const dir = join(mkdtempSync(join(tmpdir(), "xlir-ex-")), "copy");
 * await saveHfFolder(dir, { config: m.config, weights: m.weights, tokenizerJson: m.tokenizer.json, head: m.head, headWeights: m.headWeights });
 * const back = await loadHfFolder(dir); // round trip
 * const name = "encoder.layer.1.output.dense.weight";
 * console.assert(JSON.stringify(back.config) === JSON.stringify(m.config) && back.head?.dim === m.head?.dim);
 * console.assert(back.weights.get(name)!.data.every((v, i) => v === m.weights.get(name)!.data[i]));
 * rmSync(join(dir, ".."), { recursive: true, force: true });
 * ```
 */
export async function saveHfFolder(dir: string, opts: SaveHfOptions): Promise<void> {
  checkShapes(opts.weights, expectedWeightShapes(opts.config), "weights to save");
  const abs = path.resolve(dir);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = `${abs}.tmp-${stamp}`;
  await fs.mkdir(tmp);
  try {
    const j = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
    await fs.writeFile(path.join(tmp, HF_FILES.config), j(toHfConfig(opts.config)));
    await fs.writeFile(
      path.join(tmp, HF_FILES.weights),
      serializeSafetensors(toWritable(opts.weights, opts.dtype), { format: "pt" }),
    );
    const tokBytes = Buffer.from(JSON.stringify(opts.tokenizerJson));
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizer), tokBytes);
    await fs.writeFile(path.join(tmp, HF_FILES.tokenizerConfig), j(tokenizerConfigFor(opts.config)));
    if (opts.head) {
      const h = opts.head;
      const tokSha = createHash("sha256").update(tokBytes).digest("hex");
      const headJson = {
        kind: h.kind,
        dim: h.dim,
        pooling: h.pooling,
        ...(h.bias === false ? { bias: false } : {}),
        ...(opts.indexEncoderHash ? { index_encoder: opts.indexEncoderHash } : {}),
        tokenizer_sha256: tokSha,
        ...(opts.indexTokenizerHash && opts.indexTokenizerHash !== tokSha
          ? { index_tokenizer_sha256: opts.indexTokenizerHash }
          : {}),
        ...(opts.interaction && !isPlainInteraction(opts.interaction)
          ? {
              interaction: {
                query: roleToJson(opts.interaction.query),
                document: roleToJson(opts.interaction.document),
              },
            }
          : {}),
      };
      await fs.writeFile(path.join(tmp, HF_FILES.head), j(headJson));
      if (h.dim !== null) {
        if (!opts.headWeights)
          throw new XlirError(
            "MISMATCH",
            `head with dim ${h.dim} needs headWeights (linear.weight${h.bias === false ? "" : ", linear.bias"})`,
          );
        const shapes = expectedHeadShapes(opts.config, h);
        checkShapes(opts.headWeights, shapes, "head weights to save");
        const kept: NamedWeights = new Map([...shapes.keys()].map((n) => [n, opts.headWeights!.get(n)!]));
        await fs.writeFile(
          path.join(tmp, HF_FILES.headWeights),
          serializeSafetensors(toWritable(kept, "F32"), { format: "pt" }),
        );
      }
    }
    const old = `${abs}.old-${stamp}`;
    const hadOld = await exists(abs);
    if (hadOld) await fs.rename(abs, old);
    await fs.rename(tmp, abs);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
