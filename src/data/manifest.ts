/** The benchmark manifest (`DIR/manifest.json`) and its reader. */
import { join } from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import { readText } from "./io.js";

/** Query counts of one held-out split of the help benchmark for one language. */
export interface HelpSplitCounts {
  queries: number;
  /** Held-out pages whose translated title equals the English one (no query). */
  untranslatedTitles: number;
  /** Held-out pages with no translated page or an empty title (no query). */
  missing: number;
}

/** The reversed help benchmark of one language (English queries over its help pages). */
export interface HelpRevCounts {
  documents: number;
  /** Pages of the package left out: nothing translated. */
  droppedPages: number;
  /** Documents whose title was left in English (title field empty). */
  untranslatedTitles: number;
  /** Paragraphs left out: equal to the English paragraph of the same id. */
  untranslatedParagraphs: number;
  test: { queries: number };
  dev: { queries: number };
}

export interface LeakCountsJson {
  exact: number;
  near: number;
}

export interface LanguageCounts {
  help?: { test: HelpSplitCounts; dev: HelpSplitCounts };
  helpRev?: HelpRevCounts;
  udhrQueries: number;
  bitext: number;
  bitextBySource: Record<string, number>;
  dict: number;
  dictBySource: Record<string, number>;
  /** Lines of dict-rev/<l>.tsv (english<TAB>foreign). */
  dictRev: number;
  /** Items dropped by the leakage filter, by rule: bitext pairs (before deduplication) and dictionary entries. */
  leakageDropped?: { bitext: LeakCountsJson; dict: LeakCountsJson };
}

export interface UdhrLanguage {
  lang: string;
  udhrCode: string;
  iso6393: string;
  bcp47: string;
  name: string;
  queries: number;
  /** Sections whose paragraph count differs from English, merged into one query each. */
  mergedSections: number;
}

/** The manifest format this version writes and reads. */
export const MANIFEST_FORMAT = "xlir-benchmark/2";

const leak = z.strictObject({ exact: z.number(), near: z.number() });
const helpSplit = z.strictObject({
  queries: z.number(),
  untranslatedTitles: z.number(),
  missing: z.number(),
});

const counts = z.strictObject({
  help: z.strictObject({ test: helpSplit, dev: helpSplit }).optional(),
  helpRev: z
    .strictObject({
      documents: z.number(),
      droppedPages: z.number(),
      untranslatedTitles: z.number(),
      untranslatedParagraphs: z.number(),
      test: z.strictObject({ queries: z.number() }),
      dev: z.strictObject({ queries: z.number() }),
    })
    .optional(),
  udhrQueries: z.number(),
  bitext: z.number(),
  bitextBySource: z.record(z.string(), z.number()),
  dict: z.number(),
  dictBySource: z.record(z.string(), z.number()),
  dictRev: z.number(),
  leakageDropped: z.strictObject({ bitext: leak, dict: leak }).optional(),
});

export const ManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  /** The target languages the build was asked for (sorted, deduplicated): a folder built for other languages is not this one. */
  langs: z.array(z.string()),
  split: z.strictObject({
    rule: z.string(),
    trainPages: z.number(),
    devPages: z.number(),
    testPages: z.number(),
  }),
  leakage: z.strictObject({
    rule: z.string(),
    jaccard: z.number(),
    minTokens: z.number(),
    forbiddenTexts: z.number(),
  }),
  languages: z.record(z.string(), counts),
  udhr: z.array(
    z.strictObject({
      lang: z.string(),
      udhrCode: z.string(),
      iso6393: z.string(),
      bcp47: z.string(),
      name: z.string(),
      queries: z.number(),
      mergedSections: z.number(),
    }),
  ),
  teacher: z.strictObject({ pairs: z.number(), droppedForbiddenQueries: z.number() }),
  iso639_3: z.record(z.string(), z.string()),
  sources: z.array(
    z.strictObject({
      name: z.string(),
      manager: z.enum(["apt", "npm"]),
      version: z.string(),
      licence: z.string(),
    }),
  ),
  skipped: z.array(z.strictObject({ what: z.string(), reason: z.string() })),
  files: z.record(z.string(), z.strictObject({ lines: z.number(), bytes: z.number(), sha256: z.string() })),
});

export type BenchmarkManifest = z.infer<typeof ManifestSchema>;

/**
 * Reads and validates `dir/manifest.json`.
 * @example
 * ```ts
 * import { readBenchmarkManifest, XlirError } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const manifest = {
 *   format: "xlir-benchmark/2",
 *   langs: [],
 *   split: { rule: "r", trainPages: 0, devPages: 0, testPages: 0 },
 *   leakage: { rule: "r", jaccard: 0.9, minTokens: 3, forbiddenTexts: 0 },
 *   languages: {},
 *   udhr: [],
 *   teacher: { pairs: 0, droppedForbiddenQueries: 0 },
 *   iso639_3: {},
 *   sources: [],
 *   skipped: [],
 *   files: {},
 * };
 * writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
 * console.assert((await readBenchmarkManifest(dir)).leakage.jaccard === 0.9);
 * writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, extra: 1 })); // unknown keys are refused
 * const err = await readBenchmarkManifest(dir).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "BAD_INPUT");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readBenchmarkManifest(dir: string): Promise<BenchmarkManifest> {
  const file = join(dir, "manifest.json");
  const text = await readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new XlirError("BAD_INPUT", `${file}: not JSON (${(e as Error).message})`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === "string" && format !== MANIFEST_FORMAT)
    throw new XlirError(
      "BAD_INPUT",
      `${file}: benchmark format '${format}', this xlir reads '${MANIFEST_FORMAT}' (rebuild the folder with xlir data build)`,
    );
  const r = ManifestSchema.safeParse(json);
  if (!r.success)
    throw new XlirError(
      "BAD_INPUT",
      `${file}: not an xlir benchmark manifest (${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`,
    );
  return r.data;
}

/** The built-in benchmark suites: help (foreign queries, English pages), help-rev (English queries, foreign pages), udhr (test only). */
export type BuiltinSuite = "help" | "help-rev" | "udhr";

/**
 * Paths of one benchmark's files inside a built folder (they exist when the manifest lists them):
 * - help: `help/corpus.jsonl`, `help/<l>/<split>/{queries.tsv,queries.en.tsv,qrels.txt}`;
 * - help-rev: `help-rev/<l>/corpus.jsonl`, `help-rev/<l>/<split>/{queries.tsv,qrels.txt}` (the queries are English; no queries.en.tsv);
 * - udhr: `udhr/corpus.jsonl`, `udhr/<l>/{queries.tsv,queries.en.tsv,qrels.txt}` (test only; `split` must be "test").
 * @example
 * ```ts
 * import { benchmarkFiles, XlirError } from "xlir";
 * import { join } from "node:path";
 * const f = benchmarkFiles("bench", "help", "eu", "dev");
 * console.assert(f.corpus === join("bench", "help", "corpus.jsonl") && f.qrels === join("bench", "help", "eu", "dev", "qrels.txt"));
 * console.assert(benchmarkFiles("bench", "help-rev", "eu").queriesEnglish === undefined); // its queries are English
 * let err: unknown;
 * try {
 *   benchmarkFiles("bench", "udhr", "eu", "dev");
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "CONFIG"); // UDHR is test only
 * ```
 */
export function benchmarkFiles(
  dir: string,
  suite: BuiltinSuite,
  lang: string,
  split: "test" | "dev" = "test",
): { corpus: string; queries: string; queriesEnglish?: string; qrels: string } {
  if (suite === "udhr") {
    if (split !== "test") throw new XlirError("CONFIG", "the UDHR benchmark has no dev split");
    return {
      corpus: join(dir, "udhr", "corpus.jsonl"),
      queries: join(dir, "udhr", lang, "queries.tsv"),
      queriesEnglish: join(dir, "udhr", lang, "queries.en.tsv"),
      qrels: join(dir, "udhr", lang, "qrels.txt"),
    };
  }
  if (suite === "help-rev")
    return {
      corpus: join(dir, "help-rev", lang, "corpus.jsonl"),
      queries: join(dir, "help-rev", lang, split, "queries.tsv"),
      qrels: join(dir, "help-rev", lang, split, "qrels.txt"),
    };
  return {
    corpus: join(dir, "help", "corpus.jsonl"),
    queries: join(dir, "help", lang, split, "queries.tsv"),
    queriesEnglish: join(dir, "help", lang, split, "queries.en.tsv"),
    qrels: join(dir, "help", lang, split, "qrels.txt"),
  };
}

/**
 * Paths of the training files for a language: bitext, dictionary (foreign<TAB>english), reverse dictionary (english<TAB>foreign), and the (shared) teacher pairs.
 * @example
 * ```ts
 * import { trainingFiles } from "xlir";
 * import { join } from "node:path";
 * const f = trainingFiles("bench", "eu");
 * console.assert(f.dict === join("bench", "dict", "eu.tsv") && f.dictRev === join("bench", "dict-rev", "eu.tsv"));
 * console.assert(f.teacher === join("bench", "teacher", "train.tsv")); // shared by every language
 * ```
 */
export function trainingFiles(
  dir: string,
  lang: string,
): { bitext: string; dict: string; dictRev: string; teacher: string } {
  return {
    bitext: join(dir, "bitext", `${lang}.tsv`),
    dict: join(dir, "dict", `${lang}.tsv`),
    dictRev: join(dir, "dict-rev", `${lang}.tsv`),
    teacher: join(dir, "teacher", "train.tsv"),
  };
}
