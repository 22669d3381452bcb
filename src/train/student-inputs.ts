/**
 * What every student computes from the bitext before its first step, computed once: the token
 * length of each foreign side (the length buckets) and the IDF token weights of both sides (OT's
 * `marginals: "idf"`). Tokenising the 144k built-in pairs takes a student process 10-45 s; an
 * experiment computes these once, beside the teacher's training, and each student reads the file.
 * A student given them trains exactly as one that computes them itself (same lengths, same weights).
 */
import { XlirError } from "../errors.js";
import type { TextTokenizer } from "../text/tokenizer.js";
import { IdfTable, idfFromTokenIds } from "./idf.js";
import { corrupt, openSealed, readNamedFile, sealBytes } from "./sealed-file.js";

export interface StudentInputs {
  /** The truncation length the texts were tokenised with. */
  maxLength: number;
  /** Token length of each pair's foreign side (0: empty, never drawn), in the order of the pairs. */
  lengths: Int32Array;
  /** IDF over the foreign sides (student tokenizer). */
  studentIdf: IdfTable;
  /** Per distinct English sentence (by englishIndex): the IDF weight of each of its teacher tokens. */
  teacherWeights: Float32Array[];
}

/**
 * Lengths and IDF weights of the pairs' foreign sides (student tokenizer) and of the distinct
 * English sentences (teacher tokenizer), truncated at `maxLength`: one tokenisation of each text.
 * @param english the distinct English sentences in englishIndex order
 * @example
 * ```ts
 * import { computeStudentInputs, TextTokenizer } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const inputs = computeStudentInputs(["the fox", "", "the dog"], ["the fox", "a dog"], tok, tok, 16);
 * console.assert(inputs.lengths[0] === 4 && inputs.lengths[1] === 0); // [CLS] the fox [SEP]; empty: never drawn
 * console.assert(inputs.studentIdf.sentences === 3 && inputs.teacherWeights[1].length === 4);
 * ```
 */
export function computeStudentInputs(
  foreign: readonly string[],
  english: readonly (string | undefined)[],
  student: TextTokenizer,
  teacher: TextTokenizer,
  maxLength: number,
): StudentInputs {
  return {
    maxLength,
    ...foreignInputs(foreign, student, maxLength),
    teacherWeights: teacherIdfWeights(english, teacher, maxLength),
  };
}

function tokenIds(tok: TextTokenizer, t: string | undefined, maxLength: number): number[] {
  return t === undefined || t.trim() === "" ? [] : tok.encodeOne(t, maxLength).ids;
}

/** The student side of `computeStudentInputs`: one tokenisation of each foreign text. */
export function foreignInputs(
  foreign: readonly string[],
  student: TextTokenizer,
  maxLength: number,
): Pick<StudentInputs, "lengths" | "studentIdf"> {
  const ids = foreign.map((t) => tokenIds(student, t, maxLength));
  return { lengths: Int32Array.from(ids, (r) => r.length), studentIdf: idfFromTokenIds(ids) };
}

/** The teacher side of `computeStudentInputs`: IDF weights of each English sentence's tokens. */
export function teacherIdfWeights(
  english: readonly (string | undefined)[],
  teacher: TextTokenizer,
  maxLength: number,
): Float32Array[] {
  const ids = Array.from(english, (t) => tokenIds(teacher, t, maxLength));
  const idf = idfFromTokenIds(ids);
  return ids.map((row) => Float32Array.from(row, (id) => idf.weight(id)));
}

const MAGIC = Buffer.from("XLIRSI1\0", "latin1");

interface Header {
  maxLength: number;
  pairs: number;
  sentences: number;
  teacherTokens: number;
  studentSentences: number;
  /** [id, document frequency] of every token id of the foreign sides. */
  studentDf: Array<[number, number]>;
}

/**
 * Student inputs as one file: magic `XLIRSI1\0`, u32 header length, JSON header, i32 lengths
 * [pairs], i32 offsets [sentences + 1], f32 teacher weights [tokens], then the sha256 of everything
 * before it (write it with writeFileAtomic).
 * @example
 * ```ts
 * import { computeStudentInputs, parseStudentInputs, serializeStudentInputs, TextTokenizer, XlirError } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const bytes = serializeStudentInputs(computeStudentInputs(["the fox"], ["the fox"], tok, tok, 16));
 * const back = parseStudentInputs(bytes, "inputs.bin");
 * console.assert(back.lengths[0] === 4 && back.teacherWeights[0].length === 4);
 * let code = "";
 * try {
 *   parseStudentInputs(bytes.subarray(0, bytes.length - 1), "cut.bin");
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "CORRUPT");
 * ```
 */
export function serializeStudentInputs(inputs: StudentInputs): Buffer {
  const offsets = new Int32Array(inputs.teacherWeights.length + 1);
  inputs.teacherWeights.forEach((w, k) => (offsets[k + 1] = offsets[k] + w.length));
  const weights = new Float32Array(offsets[offsets.length - 1]);
  inputs.teacherWeights.forEach((w, k) => weights.set(w, offsets[k]));
  const header: Header = {
    maxLength: inputs.maxLength,
    pairs: inputs.lengths.length,
    sentences: inputs.teacherWeights.length,
    teacherTokens: weights.length,
    studentSentences: inputs.studentIdf.sentences,
    studentDf: [...inputs.studentIdf.documentFrequency].sort((a, b) => a[0] - b[0]),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const bytes = (a: Int32Array | Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const body = Buffer.concat([MAGIC, len, json, bytes(inputs.lengths), bytes(offsets), bytes(weights)]);
  return sealBytes(body);
}

/**
 * Parses bytes written by `serializeStudentInputs`; a truncated or altered file is refused (CORRUPT).
 * @example
 * ```ts
 * import { computeStudentInputs, parseStudentInputs, serializeStudentInputs, TextTokenizer, XlirError } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const bytes = serializeStudentInputs(computeStudentInputs(["the fox", "the dog"], ["the fox"], tok, tok, 16));
 * console.assert(parseStudentInputs(bytes, "inputs.bin").studentIdf.sentences === 2);
 * const altered = Buffer.from(bytes);
 * altered[20] ^= 1; // one bit of the header
 * let message = "";
 * try {
 *   parseStudentInputs(altered, "inputs.bin");
 * } catch (e) {
 *   message = e instanceof XlirError ? e.message : "";
 * }
 * console.assert(message.includes("inputs.bin: not a student-inputs file") && message.includes("checksum"));
 * ```
 */
export function parseStudentInputs(buf: Buffer, file = "<buffer>"): StudentInputs {
  const bad = (why: string): XlirError => corrupt(file, "a student-inputs file", why);
  const body = openSealed(buf, MAGIC, 12, file, "a student-inputs file");
  const jsonEnd = 12 + body.readUInt32LE(8);
  let h: Header;
  try {
    h = JSON.parse(body.subarray(12, jsonEnd).toString("utf8")) as Header;
  } catch {
    throw bad("unreadable header");
  }
  const want = jsonEnd + 4 * (h.pairs + h.sentences + 1 + h.teacherTokens);
  if (body.length !== want) throw bad(`${body.length} bytes where the header needs ${want}`);
  // copy out of the file buffer: typed arrays need 4-byte alignment
  const ints = (at: number, n: number): Int32Array =>
    new Int32Array(body.buffer.slice(body.byteOffset + at, body.byteOffset + at + 4 * n));
  const lengths = ints(jsonEnd, h.pairs);
  const offsets = ints(jsonEnd + 4 * h.pairs, h.sentences + 1);
  const at = jsonEnd + 4 * (h.pairs + h.sentences + 1);
  const weights = new Float32Array(body.buffer.slice(body.byteOffset + at, body.byteOffset + want));
  const teacherWeights: Float32Array[] = [];
  for (let k = 0; k < h.sentences; k++) teacherWeights.push(weights.subarray(offsets[k], offsets[k + 1]));
  return {
    maxLength: h.maxLength,
    lengths,
    studentIdf: new IdfTable(h.studentSentences, new Map(h.studentDf)),
    teacherWeights,
  };
}

/**
 * Reads a file written from `serializeStudentInputs` (NOT_FOUND / CORRUPT errors name it).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { computeStudentInputs, readStudentInputsFile, serializeStudentInputs, TextTokenizer, writeFileAtomic } from "xlir";
 * const tok = await TextTokenizer.fromFile("test/fixtures/tiny-bert/tokenizer.json");
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "inputs.bin");
 * await writeFileAtomic(file, serializeStudentInputs(computeStudentInputs(["the fox"], ["the fox"], tok, tok, 16)));
 * console.assert(readStudentInputsFile(file).lengths[0] === 4);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function readStudentInputsFile(file: string): StudentInputs {
  return parseStudentInputs(readNamedFile(file, "student inputs"), file);
}
