/**
 * A minimal protobuf writer for the ONNX messages xlir emits (onnx.proto3 field numbers):
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, OperatorSetIdProto.
 * Only what the encoder export needs; tensors are stored as little-endian raw_data.
 */
import { xlirVersion } from "../util/version.js";

/** Accumulates protobuf bytes; sub-messages are encoded first and embedded length-delimited. */
class PbWriter {
  private chunks: Uint8Array[] = [];
  private cur: number[] = [];

  private flush(): void {
    if (this.cur.length) {
      this.chunks.push(Uint8Array.from(this.cur));
      this.cur = [];
    }
  }

  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.cur.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.cur.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.cur.push(b.getUint8(i));
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.flush();
    this.chunks.push(data);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: PbWriter): void {
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const n = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [out];
    return out;
  }
}

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type OnnxTypeCode = (typeof OnnxType)[keyof typeof OnnxType];

export interface OnnxTensor {
  name: string;
  dims: number[];
  type: OnnxTypeCode;
  /** FLOAT: Float32Array; INT64: BigInt64Array; INT32: Int32Array. */
  data: Float32Array | BigInt64Array | Int32Array;
}

export type OnnxAttr =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "ints"; value: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs?: OnnxAttr[];
}

/** A graph input/output: element type and dims (string = symbolic dim such as "batch"). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxTypeCode;
  dims: (number | string)[];
}

export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  metadata: Record<string, string>;
}

function tensorProto(t: OnnxTensor): PbWriter {
  const w = new PbWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  w.string(8, t.name);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!le) throw new Error("ONNX export assumes a little-endian host");
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function attrProto(a: OnnxAttr): PbWriter {
  const w = new PbWriter();
  w.string(1, a.name);
  if (a.kind === "float") {
    w.float(2, a.value);
    w.int(20, 1);
  } else if (a.kind === "int") {
    w.int(3, a.value);
    w.int(20, 2);
  } else {
    for (const v of a.value) w.int(8, v);
    w.int(20, 7);
  }
  return w;
}

function nodeProto(n: OnnxNode): PbWriter {
  const w = new PbWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attrs ?? []) w.message(5, attrProto(a));
  return w;
}

function valueInfoProto(v: OnnxValueInfo): PbWriter {
  const shape = new PbWriter();
  for (const d of v.dims) {
    const dim = new PbWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new PbWriter();
  tensorType.int(1, v.type);
  tensorType.message(2, shape);
  const type = new PbWriter();
  type.message(1, tensorType);
  const w = new PbWriter();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

/**
 * Serialises a model as ONNX ModelProto bytes (IR version 8, default domain opset `opset`).
 * @example
 * ```ts
 * import { encodeOnnxModel, OnnxType } from "xlir";
 * // y = x + b with b an initializer
 * const bytes = encodeOnnxModel({
 *   graphName: "add",
 *   nodes: [{ op: "Add", inputs: ["x", "b"], outputs: ["y"], name: "n_add" }],
 *   initializers: [{ name: "b", dims: [2], type: OnnxType.FLOAT, data: Float32Array.of(1.5, -2) }],
 *   inputs: [{ name: "x", type: OnnxType.FLOAT, dims: ["batch", 2] }],
 *   outputs: [{ name: "y", type: OnnxType.FLOAT, dims: ["batch", 2] }],
 *   opset: 17,
 *   metadata: { xlir_hash: "abc" },
 * });
 * // ModelProto field 1 (ir_version) = 8, then field 2 (producer_name) = "xlir"
 * console.assert(Array.from(bytes.subarray(0, 8)).join() === "8,8,18,4,120,108,105,114");
 * const raw = new Uint8Array(Float32Array.of(1.5, -2).buffer); // raw_data: little-endian float32
 * const text = Buffer.from(bytes).toString("latin1");
 * console.assert(text.includes(Buffer.from(raw).toString("latin1")) && text.includes("xlir_hash") && text.includes("batch"));
 * ```
 */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const g = new PbWriter();
  for (const n of m.nodes) g.message(1, nodeProto(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensorProto(t));
  for (const v of m.inputs) g.message(11, valueInfoProto(v));
  for (const v of m.outputs) g.message(12, valueInfoProto(v));
  const model = new PbWriter();
  model.int(1, 8); // ir_version
  model.string(2, "xlir");
  model.string(3, xlirVersion());
  model.message(7, g);
  const opset = new PbWriter();
  opset.string(1, "");
  opset.int(2, m.opset);
  model.message(8, opset);
  for (const [k, v] of Object.entries(m.metadata)) {
    const e = new PbWriter();
    e.string(1, k);
    e.string(2, v);
    model.message(14, e);
  }
  return model.finish();
}
