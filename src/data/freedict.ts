/**
 * FreeDict dictionaries in dictd format: `<name>.index` lines `headword<TAB>offset<TAB>length`
 * (numbers in dictd base64), `<name>.dict.dz` a gzip (dictzip) file of entry bodies. An entry body
 * is the headword line (`word /pron/ <pos>`) then senses, optionally numbered `1.`; quoted lines
 * are examples, `See also:` lines cross-references. Words inside senses are split on `,` and `;`.
 */
import { promises as fsp } from "node:fs";
import { gunzipSync } from "node:zlib";
import { collapseSpace } from "./text.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a dictd base64 number. */
export function dictdNumber(s: string): number {
  let v = 0;
  for (const c of s) v = v * 64 + B64.indexOf(c);
  return v;
}

/** Extracts the translations of one entry body. */
export function parseDictEntry(body: string): string[] {
  const lines = body.split("\n").slice(1);
  const out: string[] = [];
  for (let raw of lines) {
    raw = raw.trim();
    if (raw === "" || raw.startsWith('"') || /^see also:/i.test(raw) || /^synonyms?:/i.test(raw)) continue;
    raw = raw
      .replace(/^\d+\.\s*/, "")
      .replace(/~/g, " ")
      .replace(/[{}]/g, "");
    raw = raw.replace(/\([^)]*\)/g, " ").replace(/<[^>]*>/g, " ");
    for (const part of raw.split(/[;,]/)) {
      const w = collapseSpace(part);
      if (w !== "" && w.length < 80 && !w.includes(":")) out.push(w);
    }
  }
  return out;
}

/**
 * Reads a dictd dictionary as (headword, translation) pairs, in index order. `reverse` swaps
 * them (for eng-X dictionaries read as X -> eng).
 */
export async function readDictd(indexFile: string, dictFile: string): Promise<Array<[string, string]>> {
  const data = gunzipSync(await fsp.readFile(dictFile));
  const index = (await fsp.readFile(indexFile, "utf8")).split("\n");
  const pairs: Array<[string, string]> = [];
  for (const line of index) {
    const [head, off, len] = line.split("\t");
    if (!head || len === undefined || head.startsWith("00database") || head.startsWith("00-database"))
      continue;
    const o = dictdNumber(off);
    const body = data.subarray(o, o + dictdNumber(len)).toString("utf8");
    for (const t of parseDictEntry(body)) pairs.push([collapseSpace(head), t]);
  }
  return pairs;
}
