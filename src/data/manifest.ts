/** The benchmark manifest (`DIR/manifest.json`) and its reader. */
import { join } from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import { readText } from "./io.js";

export interface LanguageCounts {
  helpQueries: number;
  helpUntranslatedTitles?: number;
  /** Training pairs (before deduplication) dropped by the leakage filter. */
  leakageDropped?: number;
  udhrQueries: number;
  bitext: number;
  bitextBySource: Record<string, number>;
  dict: number;
  dictBySource: Record<string, number>;
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

const counts = z.object({
  helpQueries: z.number(),
  helpUntranslatedTitles: z.number().optional(),
  leakageDropped: z.number().optional(),
  udhrQueries: z.number(),
  bitext: z.number(),
  bitextBySource: z.record(z.string(), z.number()),
  dict: z.number(),
  dictBySource: z.record(z.string(), z.number()),
});

export const ManifestSchema = z.object({
  format: z.literal("xlir-benchmark/1"),
  split: z.object({ rule: z.string(), trainPages: z.number(), testPages: z.number() }),
  leakage: z.string(),
  languages: z.record(z.string(), counts),
  udhr: z.array(z.object({ lang: z.string(), udhrCode: z.string(), iso6393: z.string(), bcp47: z.string(), name: z.string(), queries: z.number(), mergedSections: z.number() })),
  teacher: z.object({ pairs: z.number(), droppedForbiddenQueries: z.number() }),
  iso639_3: z.record(z.string(), z.string()),
  sources: z.array(z.object({ name: z.string(), manager: z.enum(["apt", "npm"]), version: z.string(), licence: z.string() })),
  skipped: z.array(z.object({ what: z.string(), reason: z.string() })),
  files: z.record(z.string(), z.object({ lines: z.number(), bytes: z.number(), sha256: z.string() })),
});

export type BenchmarkManifest = z.infer<typeof ManifestSchema>;

/** Reads and validates `dir/manifest.json`. */
export async function readBenchmarkManifest(dir: string): Promise<BenchmarkManifest> {
  const file = join(dir, "manifest.json");
  const text = await readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new XlirError("BAD_INPUT", `${file}: not JSON (${(e as Error).message})`);
  }
  const r = ManifestSchema.safeParse(json);
  if (!r.success) throw new XlirError("BAD_INPUT", `${file}: not an xlir benchmark manifest (${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  return r.data;
}

/** Paths of one benchmark's files inside a built folder (they exist when the manifest lists them). */
export function benchmarkFiles(dir: string, suite: "help" | "udhr", lang: string): { corpus: string; queries: string; queriesEnglish: string; qrels: string } {
  return {
    corpus: join(dir, suite, "corpus.jsonl"),
    queries: join(dir, suite, lang, "queries.tsv"),
    queriesEnglish: join(dir, suite, lang, "queries.en.tsv"),
    qrels: join(dir, suite, lang, "qrels.txt"),
  };
}

/** Paths of the training files for a language: bitext, dictionary, and the (shared) teacher pairs. */
export function trainingFiles(dir: string, lang: string): { bitext: string; dict: string; teacher: string } {
  return { bitext: join(dir, "bitext", `${lang}.tsv`), dict: join(dir, "dict", `${lang}.tsv`), teacher: join(dir, "teacher", "train.tsv") };
}
