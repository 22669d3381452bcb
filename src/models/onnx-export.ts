/**
 * Exports a BERT / XLM-R encoder (+ xlir head) to an ONNX graph (opset 17), written by xlir itself
 * (no Python). Inputs: input_ids [B, L] int64, attention_mask [B, L] int64. Outputs:
 * last_hidden_state [B, L, H] float32 and, with a head, head_output ([B, L, dim] L2-normalised
 * token vectors for a colbert head; [B, dim] for a pooled head).
 *
 * Semantics follow Hugging Face:
 *   positions: BERT p_t = t; XLM-R p_t = padding_idx + cumsum(mask)_t for real tokens, padding_idx on padding
 *   x0 = LayerNorm(E_word[ids] + E_pos[p] + E_type[0])
 *   per layer: a = softmax(Q K^T / sqrt(d_h) + (1 - mask) * float32.min); x = LN(x + (a V) W_o + b_o)
 *              x = LN(x + act(x W_1 + b_1) W_2 + b_2), act = exact GELU 0.5 x (1 + erf(x / sqrt 2))
 */
import { XlirError } from "../errors.js";
import { encodeOnnxModel, OnnxType, type OnnxAttr, type OnnxNode, type OnnxTensor } from "./onnx-proto.js";
import type { EncoderConfig, HeadConfig, NamedWeights } from "./types.js";

const F32_MIN = -3.4028234663852886e38;

export interface OnnxExportInput {
  config: EncoderConfig;
  weights: NamedWeights;
  head?: HeadConfig | null;
  headWeights?: NamedWeights | null;
  /** Stored in the model's metadata_props as xlir_hash. */
  hash?: string;
}

class GraphBuilder {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private n = 0;

  op(op: string, inputs: string[], attrs?: OnnxAttr[], out?: string): string {
    const name = out ?? `${op.toLowerCase()}_${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [name], name: `n_${name}`, attrs });
    return name;
  }

  f32(name: string, dims: number[], data: Float32Array): string {
    this.inits.push({ name, dims, type: OnnxType.FLOAT, data });
    return name;
  }

  i64(name: string, values: number[], scalar = false): string {
    this.inits.push({
      name,
      dims: scalar ? [] : [values.length],
      type: OnnxType.INT64,
      data: BigInt64Array.from(values.map(BigInt)),
    });
    return name;
  }
}

/** W [out, in] (torch Linear layout) -> W^T [in, out] for MatMul. */
function transposed(w: Float32Array, out: number, inp: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i];
  return t;
}

function weight(ws: NamedWeights, name: string): Float32Array {
  const w = ws.get(name);
  if (!w) throw new XlirError("MISMATCH", `ONNX export: missing weight '${name}'`);
  return w.data;
}

/**
 * Builds the encoder graph and returns the serialised ModelProto.
 * @example
 * ```ts
 * import { cpSync, mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { exportEncoderOnnx, loadHfFolder, OnnxEncoder, TorchEncoder, tidy } from "xlir";
 * const m = await loadHfFolder("test/fixtures/tiny-bert");
 * const bytes = exportEncoderOnnx({ config: m.config, weights: m.weights, head: m.head, headWeights: m.headWeights, hash: m.hash });
 * // put the graph where OnnxEncoder looks for it, in a copy of the folder
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * cpSync("test/fixtures/tiny-bert", dir, { recursive: true, filter: (src) => !src.includes("onnx") });
 * await OnnxEncoder.writeOnnx(dir, m.hash, bytes);
 * const onnx = await OnnxEncoder.fromFolder(dir);
 * console.assert(onnx.onnxSource === "reused");
 * // its token vectors agree with the libtorch forward pass of the same weights
 * const tv = await onnx.encodeTokens(["hello world"], "document");
 * const b = m.tokenizer.encodeBatch(["hello world"], { maxLength: 8 });
 * const torch = TorchEncoder.fromHfModel(m);
 * const ref = tidy(() => torch.tokenVectors(b.ids, b.mask, b.batch, b.length).toFloat32());
 * console.assert(tv.vectors.length === ref.length && tv.vectors.every((v, i) => Math.abs(v - ref[i]) < 1e-4));
 * torch.free();
 * await onnx.dispose();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function exportEncoderOnnx(m: OnnxExportInput): Uint8Array {
  const c = m.config;
  const g = new GraphBuilder();
  const H = c.hiddenSize;
  const nh = c.numHeads;
  const dh = H / nh;
  const W = (n: string) => weight(m.weights, n);
  const linear = (x: string, name: string, out: number, inp: number): string => {
    const wt = g.f32(`${name}.weight_t`, [inp, out], transposed(W(`${name}.weight`), out, inp));
    const b = g.f32(`${name}.bias`, [out], W(`${name}.bias`));
    return g.op("Add", [g.op("MatMul", [x, wt]), b]); // [.., out]
  };
  const layerNorm = (x: string, name: string): string =>
    g.op(
      "LayerNormalization",
      [x, g.f32(`${name}.weight`, [H], W(`${name}.weight`)), g.f32(`${name}.bias`, [H], W(`${name}.bias`))],
      [
        { name: "axis", kind: "int", value: -1 },
        { name: "epsilon", kind: "float", value: c.layerNormEps },
      ],
    );

  // Positions [B, L] int64.
  let pos: string;
  if (c.architecture === "xlm-roberta") {
    const pad = g.i64("pad_id", [c.padTokenId], true);
    const real = g.op(
      "Cast",
      [g.op("Not", [g.op("Equal", ["input_ids", pad])])],
      [{ name: "to", kind: "int", value: OnnxType.INT64 }],
    );
    const axis1 = g.i64("axis1", [1], true);
    pos = g.op("Add", [g.op("Mul", [g.op("CumSum", [real, axis1]), real]), pad]); // padding_idx + running count
  } else {
    const zero = g.i64("zero_i64", [0], true);
    const one = g.i64("one_i64", [1], true);
    const ones = g.op("Add", [g.op("Mul", ["input_ids", zero]), one]);
    pos = g.op("Sub", [g.op("CumSum", [ones, g.i64("axis1", [1], true)]), one]); // 0..L-1
  }
  const typeRow = W("embeddings.token_type_embeddings.weight").slice(0, H); // token type 0 only
  let x = g.op("Add", [
    g.op("Add", [
      g.op(
        "Gather",
        [
          g.f32(
            "embeddings.word_embeddings.weight",
            [c.vocabSize, H],
            W("embeddings.word_embeddings.weight"),
          ),
          "input_ids",
        ],
        [{ name: "axis", kind: "int", value: 0 }],
      ),
      g.op(
        "Gather",
        [
          g.f32(
            "embeddings.position_embeddings.weight",
            [c.maxPositions, H],
            W("embeddings.position_embeddings.weight"),
          ),
          pos,
        ],
        [{ name: "axis", kind: "int", value: 0 }],
      ),
    ]),
    g.f32("embeddings.token_type_row0", [H], typeRow),
  ]); // [B, L, H]
  x = layerNorm(x, "embeddings.LayerNorm");

  // Additive attention bias [B, 1, 1, L]: 0 for real tokens, float32 min for padding.
  const maskF = g.op("Cast", ["attention_mask"], [{ name: "to", kind: "int", value: OnnxType.FLOAT }]); // [B, L]
  const oneF = g.f32("one_f32", [], Float32Array.of(1));
  const bias = g.op("Unsqueeze", [
    g.op("Mul", [g.op("Sub", [oneF, maskF]), g.f32("f32_min", [], Float32Array.of(F32_MIN))]),
    g.i64("axes12", [1, 2]),
  ]);
  const splitShape = g.i64("shape_split_heads", [0, 0, nh, dh]);
  const mergeShape = g.i64("shape_merge_heads", [0, 0, H]);
  const scale = g.f32("attn_scale", [], Float32Array.of(1 / Math.sqrt(dh)));
  const sqrt2 = g.f32("sqrt2", [], Float32Array.of(Math.SQRT2));
  const half = g.f32("half", [], Float32Array.of(0.5));

  for (let l = 0; l < c.numLayers; l++) {
    const p = `encoder.layer.${l}.`;
    const heads = (t: string, perm: number[]) =>
      g.op("Transpose", [g.op("Reshape", [t, splitShape])], [{ name: "perm", kind: "ints", value: perm }]);
    const q = heads(linear(x, `${p}attention.self.query`, H, H), [0, 2, 1, 3]); // [B, nh, L, dh]
    const k = heads(linear(x, `${p}attention.self.key`, H, H), [0, 2, 3, 1]); // [B, nh, dh, L]
    const v = heads(linear(x, `${p}attention.self.value`, H, H), [0, 2, 1, 3]); // [B, nh, L, dh]
    const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias]); // [B, nh, L, L]
    const probs = g.op("Softmax", [scores], [{ name: "axis", kind: "int", value: -1 }]);
    const ctx = g.op("Reshape", [
      g.op("Transpose", [g.op("MatMul", [probs, v])], [{ name: "perm", kind: "ints", value: [0, 2, 1, 3] }]),
      mergeShape,
    ]); // [B, L, H]
    x = layerNorm(
      g.op("Add", [linear(ctx, `${p}attention.output.dense`, H, H), x]),
      `${p}attention.output.LayerNorm`,
    );
    const f = linear(x, `${p}intermediate.dense`, c.intermediateSize, H); // [B, L, F]
    let act: string;
    if (c.hiddenAct === "gelu")
      act = g.op("Mul", [
        g.op("Mul", [f, half]),
        g.op("Add", [g.op("Erf", [g.op("Div", [f, sqrt2])]), oneF]),
      ]);
    else if (c.hiddenAct === "relu") act = g.op("Relu", [f]);
    else {
      // gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const cube = g.op("Mul", [g.op("Mul", [f, f]), f]);
      const inner = g.op("Mul", [
        g.op("Add", [f, g.op("Mul", [cube, g.f32(`gelu_c_${l}`, [], Float32Array.of(0.044715))])]),
        g.f32(`gelu_k_${l}`, [], Float32Array.of(Math.sqrt(2 / Math.PI))),
      ]);
      act = g.op("Mul", [g.op("Mul", [f, half]), g.op("Add", [g.op("Tanh", [inner]), oneF])]);
    }
    x = layerNorm(
      g.op("Add", [linear(act, `${p}output.dense`, H, c.intermediateSize), x]),
      `${p}output.LayerNorm`,
    );
  }
  const outputs = [
    { name: "last_hidden_state", type: OnnxType.FLOAT, dims: ["batch", "length", H] as (number | string)[] },
  ];
  g.op("Identity", [x], undefined, "last_hidden_state");

  if (m.head) addHead(g, m, x, maskF, outputs);
  return encodeOnnxModel({
    graphName: `xlir_${c.architecture}`,
    nodes: g.nodes,
    initializers: g.inits,
    inputs: [
      { name: "input_ids", type: OnnxType.INT64, dims: ["batch", "length"] },
      { name: "attention_mask", type: OnnxType.INT64, dims: ["batch", "length"] },
    ],
    outputs,
    opset: 17,
    metadata: { xlir_hash: m.hash ?? "", architecture: c.architecture },
  });
}

/** Head: colbert = L2norm(x W^T [+ b]) per token; pooled = L2norm(pool(x) [W^T + b]); no bias when head.bias is false. */
function addHead(
  g: GraphBuilder,
  m: OnnxExportInput,
  x: string,
  maskF: string,
  outputs: { name: string; type: number; dims: (number | string)[] }[],
): void {
  const head = m.head!;
  const H = m.config.hiddenSize;
  const hw = m.headWeights;
  const lin = (t: string): string => {
    if (head.dim === null) return t;
    if (!hw)
      throw new XlirError(
        "MISMATCH",
        "ONNX export: the head has a linear layer but no head weights were given",
      );
    const wt = g.f32(
      "head.linear.weight_t",
      [H, head.dim],
      transposed(weight(hw, "linear.weight"), head.dim, H),
    );
    const y = g.op("MatMul", [t, wt]);
    return head.bias === false
      ? y
      : g.op("Add", [y, g.f32("head.linear.bias", [head.dim], weight(hw, "linear.bias"))]);
  };
  const l2 = (t: string, out: string): string => {
    const axes = g.i64("axes_last", [-1]);
    const norm = g.op("Sqrt", [
      g.op("Max", [
        g.op("ReduceSum", [g.op("Mul", [t, t]), axes], [{ name: "keepdims", kind: "int", value: 1 }]),
        g.f32("norm_eps2", [], Float32Array.of(1e-24)),
      ]),
    ]);
    return g.op("Div", [t, norm], undefined, out); // x / max(||x||, 1e-12)
  };
  let pooled: string;
  if (head.kind === "colbert") {
    l2(lin(x), "head_output"); // [B, L, dim]
    outputs.push({ name: "head_output", type: OnnxType.FLOAT, dims: ["batch", "length", head.dim ?? H] });
    return;
  }
  if (head.pooling === "cls") {
    pooled = g.op("Gather", [x, g.i64("zero_index", [0], true)], [{ name: "axis", kind: "int", value: 1 }]); // [B, H]
  } else {
    const axis1 = g.i64("axes_1", [1]);
    const m3 = g.op("Unsqueeze", [maskF, g.i64("axes_2", [2])]); // [B, L, 1]
    const sum = g.op(
      "ReduceSum",
      [g.op("Mul", [x, m3]), axis1],
      [{ name: "keepdims", kind: "int", value: 0 }],
    ); // [B, H]
    const cnt = g.op("ReduceSum", [maskF, axis1], [{ name: "keepdims", kind: "int", value: 1 }]); // [B, 1]
    pooled = g.op("Div", [sum, g.op("Max", [cnt, g.f32("one_f32_b", [], Float32Array.of(1))])]);
  }
  l2(lin(pooled), "head_output");
  outputs.push({ name: "head_output", type: OnnxType.FLOAT, dims: ["batch", head.dim ?? H] });
}
