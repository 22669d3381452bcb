/**
 * The UDHR paragraph CLIR benchmark: queries are foreign paragraphs, documents the English
 * paragraphs (`udhr/corpus.jsonl`). A version is used when it has every English section
 * (preamble + 30 articles) with text. Within a section whose paragraph count equals English,
 * paragraph k is the query for English paragraph k; in a section whose count differs, the
 * section's paragraphs are joined into one query (qid = section key) judging every English
 * paragraph of that section relevant.
 */
import { byCodeUnit, tsvField } from "./text.js";
import { readUdhr, udhrPackage, udhrVersions, type UdhrUnit, type UdhrVersion } from "./udhr.js";
import type { UdhrLanguage } from "./manifest.js";

interface Writer {
  write(rel: string, lines: string[]): Promise<void>;
}

function bySection(units: UdhrUnit[]): Map<string, UdhrUnit[]> {
  const m = new Map<string, UdhrUnit[]>();
  for (const u of units) {
    if (u.text === "") continue;
    const s = u.id.split(".")[0];
    const list = m.get(s);
    if (list) list.push(u);
    else m.set(s, [u]);
  }
  return m;
}

export interface UdhrQuerySet {
  queries: Array<{ qid: string; text: string; english: string; relevant: string[] }>;
  merged: number;
}

/** Aligns one version with English; undefined when a section is missing. */
export function alignUdhr(english: UdhrUnit[], units: UdhrUnit[]): UdhrQuerySet | undefined {
  const en = bySection(english);
  const fx = bySection(units);
  const queries: UdhrQuerySet["queries"] = [];
  let merged = 0;
  for (const [sec, eu] of en) {
    const fu = fx.get(sec);
    if (!fu) return undefined;
    if (fu.length === eu.length) {
      fu.forEach((u, k) =>
        queries.push({ qid: eu[k].id, text: u.text, english: eu[k].text, relevant: [eu[k].id] }),
      );
    } else {
      merged++;
      queries.push({
        qid: sec,
        text: fu.map((u) => u.text).join(" "),
        english: eu.map((u) => u.text).join(" "),
        relevant: eu.map((u) => u.id),
      });
    }
  }
  return { queries, merged };
}

/** Directory names: the BCP 47 tag; when several versions share it, the version whose code is its ISO 639-3 code (else the first without digits, else one named `<iso6393>_…`, else the first) keeps the plain tag and the others get `<tag>_<code>`. */
export function udhrLangNames(versions: UdhrVersion[]): Map<string, string> {
  const groups = new Map<string, UdhrVersion[]>();
  for (const v of versions) groups.set(v.bcp47, [...(groups.get(v.bcp47) ?? []), v]);
  const names = new Map<string, string>();
  for (const [tag, vs] of groups) {
    const sorted = [...vs].sort((a, b) => byCodeUnit(a.code, b.code));
    const main =
      sorted.find((v) => v.code === v.iso6393) ??
      sorted.find((v) => !/\d/.test(v.code)) ??
      sorted.find((v) => v.code.startsWith(`${v.iso6393}_`)) ??
      sorted[0];
    for (const v of sorted) names.set(v.code, v === main ? tag : `${tag}_${v.code}`);
  }
  return names;
}

/** Writes `udhr/corpus.jsonl` and `udhr/<lang>/{queries.tsv,queries.en.tsv,qrels.txt}` for every aligned version. */
export async function buildUdhr(
  o: Writer,
  progress: (p: { stage: string; done: number; total: number; detail?: string }) => void,
): Promise<{ version: string; languages: UdhrLanguage[] }> {
  const pkg = await udhrPackage();
  const en = await readUdhr(pkg.dir, "eng");
  if (!en) return { version: pkg.version, languages: [] };
  await o.write(
    "udhr/corpus.jsonl",
    en.map((u) => JSON.stringify({ id: u.id, title: u.section, text: u.text })),
  );
  const versions = (await udhrVersions())
    .filter((v) => v.code !== "eng" && !v.bcp47.toLowerCase().startsWith("en"))
    .sort((a, b) => byCodeUnit(a.code, b.code));
  const names = udhrLangNames(versions);
  const languages: UdhrLanguage[] = [];
  let i = 0;
  for (const v of versions) {
    progress({ stage: "udhr", done: ++i, total: versions.length, detail: v.code });
    const units = await readUdhr(pkg.dir, v.code);
    const set = units && alignUdhr(en, units);
    if (!set) continue;
    const lang = names.get(v.code)!;
    await o.write(
      `udhr/${lang}/queries.tsv`,
      set.queries.map((q) => `${q.qid}\t${tsvField(q.text)}`),
    );
    await o.write(
      `udhr/${lang}/queries.en.tsv`,
      set.queries.map((q) => `${q.qid}\t${tsvField(q.english)}`),
    );
    await o.write(
      `udhr/${lang}/qrels.txt`,
      set.queries.flatMap((q) => q.relevant.map((d) => `${q.qid} 0 ${d} 1`)),
    );
    languages.push({
      lang,
      udhrCode: v.code,
      iso6393: v.iso6393,
      bcp47: v.bcp47,
      name: v.name,
      queries: set.queries.length,
      mergedSections: set.merged,
    });
  }
  languages.sort((a, b) => byCodeUnit(a.lang, b.lang));
  return { version: pkg.version, languages };
}
