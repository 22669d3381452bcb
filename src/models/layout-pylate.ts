/**
 * The PyLate / sentence-transformers layout (layouts.ts): modules.json, a chain of Dense modules
 * folded into one linear map, the settings in config_sentence_transformers.json.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import type { RoleSettings } from "./interaction.js";
import {
  bool,
  exists,
  LAYOUT_FILES,
  maskId,
  num,
  PUNCTUATION,
  readJson,
  str,
  tokenId,
  type LayoutHead,
} from "./layouts.js";
import { readSafetensors } from "./safetensors.js";
import type { NamedWeights } from "./types.js";

interface StModule {
  idx?: number;
  name?: string;
  path: string;
  type: string;
}

/**
 * PyLate / sentence-transformers folder (see the file comment).
 * @example
 * ```ts
 * import { pylateHead, TextTokenizer } from "xlir";
 * const dir = "test/fixtures/tiny-pylate"; // Dense 32 -> 24 (no bias), then Dense 24 -> 16 (bias)
 * const tok = await TextTokenizer.fromFile(`${dir}/tokenizer.json`);
 * const h = await pylateHead(dir, tok, 32, true);
 * // the two Dense modules are folded into one linear map [16, 32] + bias [16]
 * console.assert(h.head.dim === 16 && h.head.bias === true);
 * console.assert(h.headWeights!.get("linear.weight")!.shape.join() === "16,32" && h.headWeights!.get("linear.bias")!.data.length === 16);
 * console.assert(h.interaction.query.length === 12 && h.interaction.query.prefixId === tok.tokenToId("[Q] "));
 * const noWeights = await pylateHead(dir, tok, 32, false);
 * console.assert(noWeights.headWeights === null && noWeights.head.bias === true);
 * ```
 */
export async function pylateHead(
  dir: string,
  tok: TextTokenizer,
  hiddenSize: number,
  withWeights: boolean,
): Promise<LayoutHead> {
  const modFile = path.join(dir, LAYOUT_FILES.modules);
  let modBytes: Buffer;
  try {
    modBytes = await fs.readFile(modFile);
  } catch {
    throw new XlirError("NOT_FOUND", `${modFile}: no such file`);
  }
  let list: unknown;
  try {
    list = JSON.parse(modBytes.toString("utf8"));
  } catch (err) {
    throw new XlirError("BAD_INPUT", `${modFile}: not valid JSON (${(err as Error).message})`);
  }
  if (
    !Array.isArray(list) ||
    !list.every(
      (m) =>
        typeof m === "object" &&
        m !== null &&
        typeof (m as StModule).path === "string" &&
        typeof (m as StModule).type === "string",
    )
  ) {
    throw new XlirError(
      "BAD_INPUT",
      `${modFile}: expected a list of modules {"idx", "name", "path", "type"}`,
    );
  }
  const modules = list as StModule[];
  const hashParts: Buffer[] = [modBytes];
  if (modules.length === 0 || !modules[0].type.endsWith("Transformer") || modules[0].path !== "") {
    throw new XlirError(
      "UNSUPPORTED",
      `${modFile}: the first module must be a Transformer stored at the folder root (path ""), got ${JSON.stringify(modules[0] ?? null)}`,
    );
  }
  const dense = modules.slice(1);
  if (dense.length === 0)
    throw new XlirError(
      "CONFIG",
      `${modFile}: no Dense module (1_Dense/) after the Transformer: not a late-interaction (PyLate) model`,
    );
  const bad = dense.find((m) => !m.type.endsWith(".Dense"));
  if (bad)
    throw new XlirError(
      "UNSUPPORTED",
      `${modFile}: module ${JSON.stringify(bad.type)} (path ${bad.path}) is not supported; a PyLate model is a Transformer followed by Dense modules`,
    );
  let W: Float32Array | null = null; // folded [out, hidden]
  let bias: Float32Array | null = null;
  let inDim = hiddenSize;
  let out = hiddenSize;
  for (const m of dense) {
    const cfgFile = path.join(dir, m.path, "config.json");
    const { bytes, json: c } = await readJson(cfgFile);
    hashParts.push(bytes);
    const i = num(c.in_features, cfgFile, "in_features", 0);
    const o = num(c.out_features, cfgFile, "out_features", 0);
    const hasBias = bool(c.bias, cfgFile, "bias", true);
    const act = str(
      c.activation_function,
      cfgFile,
      "activation_function",
      "torch.nn.modules.linear.Identity",
    );
    if (!act.endsWith("Identity"))
      throw new XlirError(
        "UNSUPPORTED",
        `${cfgFile}: activation_function "${act}" is not supported (PyLate's Dense is linear: Identity)`,
      );
    if (bool(c.use_residual, cfgFile, "use_residual", false))
      throw new XlirError("UNSUPPORTED", `${cfgFile}: use_residual is not supported`);
    if (i !== out)
      throw new XlirError("MISMATCH", `${cfgFile}: in_features ${i}, but the module before outputs ${out}`);
    const wFile = path.join(dir, m.path, "model.safetensors");
    if (!(await exists(wFile)))
      throw new XlirError(
        (await exists(path.join(dir, m.path, "pytorch_model.bin"))) ? "UNSUPPORTED" : "NOT_FOUND",
        `${wFile}: no such file (Dense weights must be safetensors)`,
      );
    hashParts.push(await fs.readFile(wFile));
    if (withWeights) {
      const { tensors } = await readSafetensors(wFile);
      const w = tensors.get("linear.weight");
      if (!w || w.shape.length !== 2 || w.shape[0] !== o || w.shape[1] !== i)
        throw new XlirError(
          "MISMATCH",
          `${wFile}: expected 'linear.weight' [${o}, ${i}], got ${w ? `[${w.shape.join(", ")}]` : "none"}`,
        );
      const b = tensors.get("linear.bias");
      if (hasBias && (!b || b.shape.length !== 1 || b.shape[0] !== o))
        throw new XlirError("MISMATCH", `${wFile}: expected 'linear.bias' [${o}] (bias: true in ${cfgFile})`);
      // fold: W' = Wm W, b' = Wm b + bm
      if (W === null) {
        W = w.data;
        bias = hasBias ? b!.data : null;
      } else {
        const nw = new Float32Array(o * inDim);
        for (let r = 0; r < o; r++)
          for (let k = 0; k < i; k++) {
            const a = w.data[r * i + k];
            if (a !== 0) for (let cix = 0; cix < inDim; cix++) nw[r * inDim + cix] += a * W[k * inDim + cix];
          }
        let nb: Float32Array | null = null;
        if (bias || hasBias) {
          nb = new Float32Array(o);
          for (let r = 0; r < o; r++) {
            let s = hasBias ? b!.data[r] : 0;
            if (bias) for (let k = 0; k < i; k++) s += w.data[r * i + k] * bias[k];
            nb[r] = s;
          }
        }
        W = nw;
        bias = nb;
      }
    }
    out = o;
  }
  inDim = hiddenSize;
  const stFile = path.join(dir, LAYOUT_FILES.stConfig);
  let st: Record<string, unknown> = {};
  if (await exists(stFile)) {
    const r = await readJson(stFile);
    st = r.json;
    hashParts.push(r.bytes);
  }
  const mask = await maskId(dir, tok);
  const prefix = (key: string, dflt: string, file: string): number | null => {
    const p = str(st[key], file, key, dflt);
    return p === "" ? null : tokenId(tok, p, file, key);
  };
  const expansion = bool(st.do_query_expansion, stFile, "do_query_expansion", true);
  if (expansion && mask === null)
    throw new XlirError("MISMATCH", `${dir}: query expansion needs a [MASK] token, the tokenizer has none`);
  const words =
    st.skiplist_words === undefined || st.skiplist_words === null ? PUNCTUATION : st.skiplist_words;
  if (!Array.isArray(words) || !words.every((w) => typeof w === "string"))
    throw new XlirError("CONFIG", `${stFile}: "skiplist_words" must be a list of strings`);
  const unk = tok.unkId;
  // PyLate maps skiplist words with convert_tokens_to_ids: a word that is no token becomes [UNK]
  const skipIds = [
    ...new Set(words.map((w) => tok.tokenToId(w) ?? unk).filter((id): id is number => id !== undefined)),
  ];
  const query: RoleSettings = {
    prefixId: prefix("query_prefix", "[Q] ", stFile),
    length: expansion ? num(st.query_length, stFile, "query_length", 32) : null,
    expansionId: expansion ? mask : null,
    attendExpansion:
      expansion && bool(st.attend_to_expansion_tokens, stFile, "attend_to_expansion_tokens", false),
    skipIds: [],
    maxLength: expansion ? null : num(st.query_length, stFile, "query_length", 32),
  };
  const document: RoleSettings = {
    prefixId: prefix("document_prefix", "[D] ", stFile),
    length: null,
    expansionId: null,
    attendExpansion: false,
    skipIds,
    maxLength: num(st.document_length, stFile, "document_length", 180),
  };
  const headWeights: NamedWeights | null = withWeights
    ? new Map([
        ["linear.weight", { dtype: "F32" as const, shape: [out, inDim], data: W as unknown as Float32Array }],
      ])
    : null;
  if (headWeights && bias) headWeights.set("linear.bias", { dtype: "F32", shape: [out], data: bias });
  const anyBias = headWeights ? bias !== null : await anyDenseBias(dir, dense);
  return {
    layout: "pylate",
    head: { kind: "colbert", dim: out, pooling: "cls", bias: anyBias },
    interaction: { query, document },
    hashParts,
    headInModelWeights: false,
    headWeights,
  };
}

async function anyDenseBias(dir: string, dense: StModule[]): Promise<boolean> {
  for (const m of dense) {
    const c = (await readJson(path.join(dir, m.path, "config.json"))).json;
    if (c.bias === undefined || c.bias === true) return true;
  }
  return false;
}
