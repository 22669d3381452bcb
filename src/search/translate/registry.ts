/**
 * Query translators (foreign query -> English query) by name:
 *   dict  DictionaryTranslator: word by word from a TSV dictionary (dictionary.ts)
 *   mt    CommandTranslator: any stdin -> stdout machine translation command, e.g.
 *         `apertium eu-en` (command.ts)
 * A translator turns a batch of queries into the same number of translations, in order.
 */
import { XlirError } from "../../errors.js";
import { CommandTranslator } from "./command.js";
import type { CommandTranslatorOptions } from "./command.js";
import { DictionaryTranslator } from "./dictionary.js";
import type { DictionaryOptions } from "./dictionary.js";

export interface QueryTranslator {
  /** A short description for reports, e.g. "dict:eu.tsv" or "mt:apertium eu-en". */
  readonly name: string;
  /** Translates a batch; the result has one string per query, in order. */
  translate(queries: readonly string[]): Promise<string[]>;
}

export interface TranslatorConfigs {
  dict: DictionaryOptions & { path: string };
  mt: CommandTranslatorOptions;
}
export type TranslatorName = keyof TranslatorConfigs;

export const TRANSLATORS: {
  [K in TranslatorName]: (config: TranslatorConfigs[K]) => Promise<QueryTranslator>;
} = {
  dict: async ({ path, ...options }) => DictionaryTranslator.fromTsv(path, options),
  mt: async (options) => new CommandTranslator(options),
};

/**
 * Creates a translator by registry name; unknown names are refused with the list of known ones.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileSync } from "node:fs";
 * import { XlirError, createTranslator } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "eu-en.tsv"), "etxe\thouse\nzuri\twhite\n");
 * const dict = await createTranslator("dict", { path: join(dir, "eu-en.tsv") });
 * console.assert((await dict.translate(["etxe zuri"]))[0] === "house white");
 * const mt = await createTranslator("mt", { command: "cat" });
 * console.assert(mt.name === "mt:cat" && (await mt.translate(["kaixo"]))[0] === "kaixo");
 * const err = await createTranslator("nmt" as "mt", { command: "cat" }).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "USAGE");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function createTranslator<K extends TranslatorName>(
  name: K,
  config: TranslatorConfigs[K],
): Promise<QueryTranslator> {
  const make = TRANSLATORS[name];
  if (!make)
    throw new XlirError(
      "USAGE",
      `translator '${String(name)}' is unknown; known: ${Object.keys(TRANSLATORS).join(", ")}`,
    );
  return make(config);
}
