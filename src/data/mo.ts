/**
 * GNU gettext `.mo` reader (the binary catalogue format, read without gettext). Layout: magic
 * 0x950412de (byte order from the magic), revision, N strings, offset of the original-string
 * table, offset of the translation table; each table holds N (length, offset) pairs. A msgid may
 * carry a context (`ctxt\x04id`) and plural forms separated by NUL; the first form is kept.
 */
import { XlirError } from "../errors.js";

export interface MoEntry {
  context: string;
  msgid: string;
  msgstr: string;
}

/** Parses a `.mo` buffer; `file` names it in errors. Entries with an empty msgid (the header) are skipped. */
export function parseMo(buf: Uint8Array, file: string): MoEntry[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 20) throw new XlirError("CORRUPT", `${file}: too short for a .mo file`);
  const magic = view.getUint32(0, true);
  const le = magic === 0x950412de ? true : magic === 0xde120495 ? false : undefined;
  if (le === undefined)
    throw new XlirError("CORRUPT", `${file}: not a GNU .mo file (magic ${magic.toString(16)})`);
  const n = view.getUint32(8, le);
  const origTab = view.getUint32(12, le);
  const transTab = view.getUint32(16, le);
  const dec = new TextDecoder("utf-8", { fatal: false });
  const str = (tab: number, i: number): string => {
    const at = tab + 8 * i;
    if (at + 8 > buf.byteLength) throw new XlirError("CORRUPT", `${file}: string table runs past the end`);
    const len = view.getUint32(at, le);
    const off = view.getUint32(at + 4, le);
    if (off + len > buf.byteLength) throw new XlirError("CORRUPT", `${file}: string ${i} runs past the end`);
    return dec.decode(buf.subarray(off, off + len));
  };
  const out: MoEntry[] = [];
  for (let i = 0; i < n; i++) {
    const rawId = str(origTab, i);
    if (rawId === "") continue;
    const sep = rawId.indexOf("\x04");
    const context = sep >= 0 ? rawId.slice(0, sep) : "";
    const msgid = (sep >= 0 ? rawId.slice(sep + 1) : rawId).split("\0")[0];
    const msgstr = str(transTab, i).split("\0")[0];
    out.push({ context, msgid, msgstr });
  }
  return out;
}

/** Builds a little-endian `.mo` buffer (used by tests and fixtures). */
export function buildMo(entries: ReadonlyArray<MoEntry>): Uint8Array {
  const enc = new TextEncoder();
  const ids = entries.map((e) => enc.encode(e.context ? `${e.context}\x04${e.msgid}` : e.msgid));
  const strs = entries.map((e) => enc.encode(e.msgstr));
  const n = entries.length;
  const header = 28;
  const origTab = header;
  const transTab = origTab + 8 * n;
  let off = transTab + 8 * n;
  const total = off + [...ids, ...strs].reduce((s, b) => s + b.length + 1, 0);
  const buf = new Uint8Array(total);
  const view = new DataView(buf.buffer);
  view.setUint32(0, 0x950412de, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, n, true);
  view.setUint32(12, origTab, true);
  view.setUint32(16, transTab, true);
  const put = (tab: number, i: number, b: Uint8Array) => {
    view.setUint32(tab + 8 * i, b.length, true);
    view.setUint32(tab + 8 * i + 4, off, true);
    buf.set(b, off);
    off += b.length + 1;
  };
  ids.forEach((b, i) => put(origTab, i, b));
  strs.forEach((b, i) => put(transTab, i, b));
  return buf;
}
