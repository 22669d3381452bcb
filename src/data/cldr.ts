/**
 * CLDR display names (`cldr-localenames-full`): language, script and territory names keyed
 * identically across locales, so a locale's name and the English name of the same key form a
 * pair. Emoji annotations are deliberately NOT used: docs/data.md keeps them out of training so an
 * emoji-name benchmark stays possible.
 */
import { promises as fsp } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The CLDR locale for an xlir language code (Tagalog is `fil` in CLDR). */
export function cldrLocale(lang: string): string {
  return lang === "tl" ? "fil" : lang;
}

export async function cldrNamesPackage(): Promise<{ dir: string; version: string }> {
  const req = createRequire(import.meta.url);
  const p = req.resolve("cldr-localenames-full/package.json");
  return {
    dir: dirname(p),
    version: (JSON.parse(await fsp.readFile(p, "utf8")) as { version: string }).version,
  };
}

async function names(dir: string, locale: string, kind: string): Promise<Record<string, string>> {
  try {
    const j = JSON.parse(await fsp.readFile(join(dir, "main", locale, `${kind}.json`), "utf8")) as {
      main: Record<string, { localeDisplayNames: Record<string, Record<string, string>> }>;
    };
    return j.main[locale].localeDisplayNames[kind] ?? {};
  } catch {
    return {};
  }
}

/** (foreign name, English name) pairs for a locale; empty when CLDR has no such locale. */
export async function cldrNamePairs(dir: string, lang: string): Promise<Array<[string, string]>> {
  const loc = cldrLocale(lang);
  const out: Array<[string, string]> = [];
  for (const kind of ["languages", "territories", "scripts"]) {
    const en = await names(dir, "en", kind);
    const fx = await names(dir, loc, kind);
    for (const key of Object.keys(fx).sort()) {
      if (key.includes("-alt-") || en[key] === undefined) continue;
      out.push([fx[key], en[key]]);
    }
  }
  return out;
}
