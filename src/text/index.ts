export {};
export * from "./analyzer.js";
export * from "./analyzers/registry.js";
export { snowballAlgorithms, snowballStemmer, isoStopwords, LUCENE_ENGLISH_STOPWORDS, SNOWBALL_BY_LANG } from "./analyzers/resources.js";
export * from "./tokenizer.js";
export * from "./spm.js";
