export {
  openBytes,
  readLines,
  readText,
  drain,
  type TextLine,
  type DuplicatePolicy,
  IdGuard,
  fileSha256,
  fileDigest,
} from "./io.js";
export { writeFileAtomic, writeLinesAtomic, AtomicLineWriter } from "./atomic.js";
export { buildBenchmark, type BuildProgress, type BuildOptions } from "./build.js";
export {
  readBenchmarkManifest,
  benchmarkFiles,
  trainingFiles,
  type LanguageCounts,
  type UdhrLanguage,
  ManifestSchema,
  type BenchmarkManifest,
} from "./manifest.js";
export { readTopics, readAllTopics, writeTopicsTsv, type Topic, type TopicReadOptions } from "./topics.js";
export {
  formatOf,
  readCorpus,
  readAllCorpus,
  readQueries,
  readAllQueries,
  writeCorpusJsonl,
  writeQueriesTsv,
  type CorpusDoc,
  type QueryRecord,
  type CorpusReadOptions,
  DEFAULT_ID_FIELDS,
  DEFAULT_TITLE_FIELDS,
  DEFAULT_TEXT_FIELDS,
} from "./corpus.js";
export {
  readBitextTsv,
  readBitextMoses,
  parseTu,
  readBitextTmx,
  readAllBitext,
  writeBitextTsv,
  type BitextPair,
  type TmxOptions,
} from "./bitext.js";
export { isTestPage, TEST_BYTE_THRESHOLD, SPLIT_RULE } from "./split.js";
export { filterPairs, LeakageFilter } from "./leakage.js";
export {
  debSuffix,
  candidatePackages,
  DEFAULT_LANGS,
  ISO639_3,
  ENGLISH_HELP_PACKAGE,
  FIREFOX_PACKAGE,
  FIREFOX_SUFFIX,
} from "./languages.js";
