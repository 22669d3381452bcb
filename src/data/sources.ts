/** Readers for the unpacked Debian packages: help folders, LibreOffice UI strings, FreeDict. */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { readDictd } from "./freedict.js";
import { readHelpLanguage, type HelpPage } from "./help-pages.js";
import { parseMo } from "./mo.js";
import { collapseSpace, normKey } from "./text.js";

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Parses the help pages of an unpacked help package (the language folder is discovered). */
export async function loadHelpPackage(root: string): Promise<Map<string, HelpPage>> {
  const base = join(root, "usr/share/libreoffice/help");
  const langs = (await subdirs(base)).filter((d) => d !== "media");
  const pages = new Map<string, HelpPage>();
  for (const l of langs)
    for (const [p, page] of await readHelpLanguage(join(base, l))) if (!pages.has(p)) pages.set(p, page);
  return pages;
}

/** Removes LibreOffice mnemonic markers (`~`) and collapses white space. */
export function cleanUiString(s: string): string {
  return collapseSpace(s.replace(/~/g, ""));
}

/** (foreign, English) UI string pairs from every `.mo` file of an unpacked l10n package; untranslated ones dropped. */
export async function loadMoPairs(root: string): Promise<Array<[string, string]>> {
  const res = join(root, "usr/lib/libreoffice/program/resource");
  const pairs: Array<[string, string]> = [];
  for (const l of await subdirs(res)) {
    const dir = join(res, l, "LC_MESSAGES");
    const files = (await fsp.readdir(dir).catch(() => [] as string[]))
      .filter((f) => f.endsWith(".mo"))
      .sort();
    for (const f of files) {
      for (const e of parseMo(await fsp.readFile(join(dir, f)), join(dir, f))) {
        const en = cleanUiString(e.msgid);
        const fx = cleanUiString(e.msgstr);
        if (en === "" || fx === "" || normKey(en) === normKey(fx)) continue;
        pairs.push([fx, en]);
      }
    }
  }
  return pairs;
}

/** (foreign, English) pairs from an unpacked FreeDict package; `engFirst` for eng-X dictionaries. */
export async function loadFreedictPairs(root: string, engFirst: boolean): Promise<Array<[string, string]>> {
  const dir = join(root, "usr/share/dictd");
  const files = (await fsp.readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".index"))
    .sort();
  const out: Array<[string, string]> = [];
  for (const idx of files) {
    const dict = join(dir, idx.replace(/\.index$/, ".dict.dz"));
    for (const [h, t] of await readDictd(join(dir, idx), dict)) out.push(engFirst ? [t, h] : [h, t]);
  }
  return out;
}
