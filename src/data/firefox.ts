/**
 * Firefox ESR UI strings: the English strings live in `firefox-esr` (`omni.ja` and
 * `browser/omni.ja`, zip files), a language's in `firefox-esr-l10n-<l>` (a langpack `.xpi`).
 * Files are matched by path with the locale segments (`en-US`, `eu`, …) replaced, then strings by
 * key: Fluent `.ftl` messages and attributes (`id`, `id.attr`; select expressions skipped) and
 * `.properties` entries. Both packages must have the same version. Zip archives are unpacked
 * with `unzip` into the package cache.
 */
import { spawnSync } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import { join, relative } from "node:path";
import { collapseSpace, htmlToText, normKey } from "./text.js";

/** Parses Fluent source into key -> text (message values and attributes; multi-line values joined). */
export function parseFtl(src: string): Map<string, string> {
  const out = new Map<string, string>();
  let id = "";
  let key = "";
  let buf: string[] = [];
  const flush = () => {
    if (key) {
      const v = collapseSpace(buf.join(" ")).replace(/\{\s*-brand-[\w-]*\s*\}/g, "Firefox");
      if (v !== "" && !v.includes("->") && !/^\{[^}]*\}$/.test(v)) out.set(key, v);
    }
    key = "";
    buf = [];
  };
  for (const line of src.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") {
      if (!line.startsWith(" ")) flush();
      continue;
    }
    const msg = /^(-?[a-zA-Z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (msg) {
      flush();
      id = msg[1];
      if (id.startsWith("-")) continue; // terms are not UI strings
      key = id;
      buf = [msg[2]];
      continue;
    }
    const attr = /^\s+\.([a-zA-Z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (attr && id && !id.startsWith("-")) {
      flush();
      key = `${id}.${attr[1]}`;
      buf = [attr[2]];
      continue;
    }
    if (/^\s/.test(line) && key) buf.push(line.trim());
  }
  flush();
  return out;
}

/** Parses a Java `.properties` file into key -> text (comments, continuations and \uXXXX escapes handled). */
export function parseProperties(src: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = src.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/\r$/, "").trimStart();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length)
      line = line.slice(0, -1) + lines[++i].trimStart();
    const m = /^([^=:\s]+)\s*[=:]?\s*(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]
      .replace(/\\u([0-9a-fA-F]{4})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\(.)/g, "$1");
    const t = collapseSpace(v);
    if (t !== "") out.set(m[1], t);
  }
  return out;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.name.endsWith(".ftl") || e.name.endsWith(".properties")) out.push(p);
  }
}

async function unzipInto(archive: string, dest: string): Promise<void> {
  await fsp.mkdir(dest, { recursive: true });
  // unzip exits 1 or 2 on the warnings omni.ja triggers; the files are still extracted.
  spawnSync("unzip", ["-q", "-o", archive, "*.ftl", "*.properties", "-d", dest], { stdio: "ignore" });
}

async function extracted(root: string, archives: Array<[string, string]>): Promise<string> {
  const dest = join(root, ".xlir-extracted");
  const stamp = join(dest, ".done");
  if (existsSync(stamp)) return dest;
  await fsp.rm(dest, { recursive: true, force: true });
  for (const [a, sub] of archives) if (existsSync(a)) await unzipInto(a, join(dest, sub));
  await fsp.mkdir(dest, { recursive: true });
  await fsp.writeFile(stamp, "");
  return dest;
}

/** Key of a string file with locale path segments replaced by `@`. */
function fileKey(rel: string, locales: string[]): string {
  return rel
    .split("/")
    .map((s) => (locales.includes(s) ? "@" : s))
    .join("/");
}

async function strings(
  dir: string,
  locales: string[],
  prefix: (rel: string) => string,
): Promise<Map<string, string>> {
  const files: string[] = [];
  await walk(dir, files);
  const out = new Map<string, string>();
  for (const f of files.sort()) {
    const rel = prefix(relative(dir, f).split("\\").join("/"));
    const src = await fsp.readFile(f, "utf8");
    const m = f.endsWith(".ftl") ? parseFtl(src) : parseProperties(src);
    const fk = fileKey(rel, locales);
    for (const [k, v] of m) out.set(`${fk}#${k}`, v);
  }
  return out;
}

/** Keys whose values are access keys, shortcuts or CSS sizes, not text. */
const NOT_TEXT = /(accesskey|\.key|commandkey|keycode|\.width|\.height|\.style|\.size)$/i;

/** True when `unzip` can be run. */
export function unzipAvailable(): boolean {
  const r = spawnSync("unzip", ["-v"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/** The English strings of the last firefox-esr tree read (every language pairs with the same one). */
const englishCache = new Map<string, Map<string, string>>();

/** (foreign, English) Firefox UI string pairs; untranslated ones dropped. */
export async function loadFirefoxPairs(enRoot: string, l10nRoot: string): Promise<Array<[string, string]>> {
  const lib = "usr/lib/firefox-esr";
  const en = await extracted(enRoot, [
    [join(enRoot, lib, "omni.ja"), "toolkit"],
    [join(enRoot, lib, "browser/omni.ja"), "browser"],
  ]);
  const xpis = (await fsp.readdir(join(l10nRoot, lib, "browser/extensions")).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".xpi"))
    .sort();
  const lp = await extracted(
    l10nRoot,
    xpis.map((x) => [join(l10nRoot, lib, "browser/extensions", x), "langpack"] as [string, string]),
  );
  const locales = (await fsp.readdir(join(lp, "langpack/localization")).catch(() => [] as string[])).filter(
    (d) => d !== "en-US",
  );
  let enMap = englishCache.get(en);
  if (!enMap) {
    enMap = new Map<string, string>([
      ...(await strings(join(en, "toolkit"), ["en-US"], (r) => r)),
      ...(await strings(join(en, "browser"), ["en-US"], (r) => `browser/${r}`)),
    ]);
    englishCache.clear();
    englishCache.set(en, enMap);
  }
  const fxMap = await strings(join(lp, "langpack"), locales, (r) => r);
  const pairs: Array<[string, string]> = [];
  for (const [k, fv0] of fxMap) {
    if (NOT_TEXT.test(k)) continue;
    const ev0 = enMap.get(k);
    if (ev0 === undefined) continue;
    const fv = htmlToText(fv0);
    const ev = htmlToText(ev0);
    if (fv.length < 2 || ev.length < 2 || normKey(ev) === normKey(fv)) continue;
    pairs.push([fv, ev]);
  }
  return pairs;
}
