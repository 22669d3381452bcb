export {
  createTranslator,
  type QueryTranslator,
  type TranslatorConfigs,
  type TranslatorName,
  TRANSLATORS,
} from "./translate/registry.js";
export {
  type DictionaryOptions,
  type DictionaryEntry,
  DictionaryTranslator,
} from "./translate/dictionary.js";
export { stripApertiumMarks, type CommandTranslatorOptions, CommandTranslator } from "./translate/command.js";
export {
  indexKindOf,
  checkEncoder,
  type QueryEncoder,
  type SearcherOptions,
  type IndexSummary,
  type OpenedIndex,
  openIndex,
  Searcher,
} from "./searcher.js";
