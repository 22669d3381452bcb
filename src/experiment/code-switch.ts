/**
 * Code-switching: dictionary-based augmentation of the students' bitext. For each language with a
 * dictionary, every pair gets a copy whose foreign side has each dictionary match replaced, with
 * probability `students.codeSwitch.rate`, by its first English translation
 * (DictionaryTranslator.switchOne); a copy with no replacement is not added. The copies join the
 * pairs the students train on, beside the originals; the tokenizer, the teacher and MLM
 * pre-training read the original bitext only, so the teacher and its English ceiling do not move.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { DictionaryTranslator } from "../search/translate/dictionary.js";
import { mulberry32 } from "../util/random.js";
import { type ExperimentConfig } from "./config.js";
import { hashOf } from "./stages.js";
import { fileDigest } from "../data/io.js";
import type { BitextRow } from "./pipeline.js";

/** What code-switching added for one language. */
export interface CodeSwitchCounts {
  /** The dictionary read. */
  dictionary: string;
  /** Original pairs of the language. */
  pairs: number;
  /** Code-switched copies added (pairs with at least one replacement). */
  added: number;
  /** Words (dictionary matches) replaced over all the copies. */
  switched: number;
}

/** The code-switched copies and the hash that keys the stages reading the bitext with them. */
export interface CodeSwitched {
  /** The copies, language by language, each pair's in the bitext's order (none when off). */
  copies: BitextRow[];
  /** `bitextHash` itself when code-switching is off. */
  hash: string;
  perLanguage: Record<string, CodeSwitchCounts>;
}

/** The dictionary of each bitext language: the configuration's, else the built-in data's. */
function dictionaryFiles(config: ExperimentConfig, languages: ReadonlySet<string>): Map<string, string> {
  const given = config.students.codeSwitch.dictionaries;
  for (const lang of Object.keys(given))
    if (!languages.has(lang))
      throw new XlirError(
        "CONFIG",
        `students.codeSwitch.dictionaries.${lang}: no training bitext for '${lang}' (languages with bitext: ${[...languages].join(", ")})`,
      );
  const out = new Map<string, string>();
  for (const lang of [...languages].sort()) {
    const builtin = join(config.data.dir, "dict", `${lang}.tsv`);
    const file = given[lang] ?? (config.data.builtin && existsSync(builtin) ? builtin : undefined);
    if (file) out.set(lang, file);
  }
  return out;
}

/**
 * The code-switched copies of the bitext's pairs (see the module comment), drawn from a generator
 * seeded by `seed` (the run's first seed: the same copies for every student). With
 * `students.codeSwitch.rate` 0 there are none, and the hash is `bitextHash`.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { codeSwitchBitext, parseExperimentConfig } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-cs-"));
 * writeFileSync(join(dir, "eu.tsv"), "etxe\thouse\n");
 * const config = parseExperimentConfig({
 *   data: { builtin: false, bitext: { eu: [join(dir, "eu.tsv")] } },
 *   students: { codeSwitch: { rate: 1, dictionaries: { eu: join(dir, "eu.tsv") } } },
 * });
 * const bitext = [{ language: "eu", foreign: "etxe zuria", english: "the white house" }];
 * const out = await codeSwitchBitext(config, bitext, "abc", 13);
 * console.assert(out.copies.length === 1 && out.copies[0].foreign === "house zuria" && out.hash !== "abc");
 * console.assert(out.perLanguage.eu.added === 1 && out.perLanguage.eu.switched === 1);
 * ```
 */
export async function codeSwitchBitext(
  config: ExperimentConfig,
  bitext: readonly BitextRow[],
  bitextHash: string,
  seed: number,
): Promise<CodeSwitched> {
  const { rate } = config.students.codeSwitch;
  if (rate === 0) return { copies: [], hash: bitextHash, perLanguage: {} };
  const files = dictionaryFiles(config, new Set(bitext.map((p) => p.language)));
  const random = mulberry32(seed);
  const copies: BitextRow[] = [];
  const perLanguage: Record<string, CodeSwitchCounts> = {};
  const digests: Array<[string, string]> = [];
  for (const [lang, file] of files) {
    digests.push([lang, await fileDigest(file)]);
    const dict = await DictionaryTranslator.fromTsv(file, { lang });
    const counts: CodeSwitchCounts = { dictionary: file, pairs: 0, added: 0, switched: 0 };
    for (const p of bitext) {
      if (p.language !== lang) continue;
      counts.pairs++;
      const { text, switched } = dict.switchOne(p.foreign, rate, random);
      if (switched === 0) continue;
      copies.push({ language: lang, foreign: text, english: p.english });
      counts.added++;
      counts.switched += switched;
    }
    perLanguage[lang] = counts;
  }
  return { copies, hash: hashOf(bitextHash, "code-switch", rate, seed, digests), perLanguage };
}
