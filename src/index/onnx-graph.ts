/**
 * A minimal ONNX model writer (protobuf wire format by hand) for the small fixed graphs the exact
 * search kernels run on ONNX Runtime: `Gemm(Q, D^T)` and `TopK`. ONNX Runtime's CPU GEMM runs at
 * 58-105 GFLOP/s here (STACK.md), 30-60x a hand-written JS loop, so exact search stays native
 * without a project addon. Field numbers follow onnx/onnx.proto (IR version 7, opset 13).
 */

type Bytes = number[];

/** Protobuf varint; negative values are written as 64-bit two's complement (10 bytes). */
function varint(out: Bytes, value: number): void {
  let v = BigInt.asUintN(64, BigInt(value));
  while (v > 127n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
}

function tag(out: Bytes, field: number, wire: 0 | 2): void {
  varint(out, field * 8 + wire);
}

function int(out: Bytes, field: number, value: number): void {
  tag(out, field, 0);
  varint(out, value);
}

function bytes(out: Bytes, field: number, payload: Bytes): void {
  tag(out, field, 2);
  varint(out, payload.length);
  for (const b of payload) out.push(b);
}

function str(out: Bytes, field: number, s: string): void {
  bytes(out, field, [...Buffer.from(s, "utf8")]);
}

/** ONNX TensorProto.DataType codes used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export interface OnnxValue {
  name: string;
  elemType: number;
  /** Dimension sizes; a string is a symbolic dimension. */
  shape: ReadonlyArray<number | string>;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes only (all these graphs need). */
  intAttrs?: Record<string, number>;
}

function valueInfo(v: OnnxValue): Bytes {
  const dims: Bytes = [];
  for (const d of v.shape) {
    const dim: Bytes = [];
    if (typeof d === "number") int(dim, 1, d);
    else str(dim, 2, d);
    bytes(dims, 1, dim);
  }
  const tensor: Bytes = [];
  int(tensor, 1, v.elemType);
  bytes(tensor, 2, dims);
  const type: Bytes = [];
  bytes(type, 1, tensor);
  const out: Bytes = [];
  str(out, 1, v.name);
  bytes(out, 2, type);
  return out;
}

function node(n: OnnxNode, index: number): Bytes {
  const out: Bytes = [];
  for (const i of n.inputs) str(out, 1, i);
  for (const o of n.outputs) str(out, 2, o);
  str(out, 3, `n${index}`);
  str(out, 4, n.op);
  for (const [name, value] of Object.entries(n.intAttrs ?? {})) {
    const attr: Bytes = [];
    str(attr, 1, name);
    int(attr, 3, value); // i
    int(attr, 20, 2); // type = INT
    bytes(out, 5, attr);
  }
  return out;
}

/** Serialises a graph of standard-domain ops into an ONNX ModelProto. */
export function buildOnnxModel(nodes: OnnxNode[], inputs: OnnxValue[], outputs: OnnxValue[]): Uint8Array {
  const graph: Bytes = [];
  nodes.forEach((n, i) => bytes(graph, 1, node(n, i)));
  str(graph, 2, "xlir_kernel");
  for (const v of inputs) bytes(graph, 11, valueInfo(v));
  for (const v of outputs) bytes(graph, 12, valueInfo(v));
  const opset: Bytes = [];
  str(opset, 1, "");
  int(opset, 2, 13);
  const model: Bytes = [];
  int(model, 1, 7); // ir_version
  str(model, 2, "xlir");
  bytes(model, 7, graph);
  bytes(model, 8, opset);
  return Uint8Array.from(model);
}
