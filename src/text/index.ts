export {
  checkAnalyzerOptions,
  foldCase,
  wordTokens,
  charNgrams,
  resolveOptions,
  type AnalyzerOptions,
  type AnalyzerSpec,
  type Analyzer,
} from "./analyzer.js";
export {
  normalizeLang,
  analyzerFamily,
  getAnalyzer,
  analyzerFromSpec,
  sameAnalyzer,
  NGRAM_LANGS,
  UNSEGMENTED_LANGS,
  LANG_ALIASES,
} from "./analyzers/registry.js";
export {
  snowballAlgorithms,
  snowballStemmer,
  isoStopwords,
  LUCENE_ENGLISH_STOPWORDS,
  SNOWBALL_BY_LANG,
} from "./analyzers/resources.js";
export { type EncodeBatchOptions, type TokenBatch, TextTokenizer, padIdRows } from "./tokenizer.js";
export {
  trainSentencePiece,
  readSpmPieces,
  spmModelToTokenizerJson,
  type TrainSentencePieceOptions,
} from "./spm.js";
