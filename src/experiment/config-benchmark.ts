/**
 * The schema of a benchmark the user brings (its corpus, and per language the queries, judgments,
 * dev split, English originals, dictionary and translator): a part of the experiment's
 * configuration (config.ts), validated with it.
 */
import { z } from "zod";

/** A language code as the configuration takes it. */
export const lang = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/, "a language code such as 'eu' or 'swh'");

/** The dev split of one benchmark language: what `xlir tune` selects settings on. */
const devSplitSchema = z.strictObject({
  queries: z.string().describe("dev queries: TSV qid<TAB>text, JSONL, or a TREC topics file"),
  qrels: z.string().describe("dev TREC qrels"),
  englishQueries: z.string().optional(),
});

/** One language of a user benchmark: queries, judgments, optional English originals and dev split. */
const userLanguageSchema = z.strictObject({
  language: lang.refine((l) => !/^(en|eng)(-|$)/.test(l), {
    message:
      "the benchmark language is the foreign side: with 'en' both queries and documents would be English (nothing cross-lingual to learn)",
  }),
  queries: z.string().describe("test queries: TSV qid<TAB>text, JSONL, or a TREC topics file"),
  qrels: z.string().describe("test TREC qrels"),
  corpus: z
    .string()
    .optional()
    .describe("this language's own collection (en-xx), instead of the benchmark's corpus"),
  englishCorpus: z
    .string()
    .optional()
    .describe("en-xx: English versions of the documents (same ids), for the teacher-english ceiling"),
  englishQueries: z
    .string()
    .optional()
    .describe("xx-en: English originals of the same qids (the ceiling system)"),
  dictionary: z
    .string()
    .optional()
    .describe("TSV word dictionary: foreign<TAB>english (xx-en) or english<TAB>foreign (en-xx)"),
  translator: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      "stdin->stdout MT command translating foreign text to English: the queries (xx-en) or the documents (en-xx)",
    ),
  dev: devSplitSchema.optional(),
});

/**
 * A benchmark the user brings. `direction` says which side is foreign: `xx-en` (default) is
 * foreign queries over an English corpus, `en-xx` English queries over a foreign corpus (CIRAL,
 * NeuCLIR, HC4).
 */
export const userBenchmarkSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  direction: z.enum(["xx-en", "en-xx"]).default("xx-en"),
  corpus: z.string().describe("JSONL {id,title?,text,lang?} (fields configurable below)"),
  idField: z.string().default("id"),
  titleField: z.string().default("title"),
  textField: z.string().default("text"),
  topicField: z
    .enum(["title", "description", "title+description"])
    .default("title")
    .describe("query text taken from TREC/NeuCLIR topic files"),
  languages: z.array(userLanguageSchema).min(1),
});

export type UserBenchmark = z.infer<typeof userBenchmarkSchema>;
