export {
  toAnalyzer,
  type Bm25Params,
  BM25_DEFAULTS,
  type CorpusDocument,
  type ScoredDoc,
  type Bm25BuildOptions,
  type Bm25Data,
  Bm25Builder,
  Bm25Index,
} from "./bm25.js";
export {
  bm25AnalyzerHash,
  saveBm25,
  readBm25Manifest,
  loadBm25,
  BM25_FORMAT_VERSION,
  type Bm25Manifest,
} from "./bm25-store.js";
export { lengthToByte, byteToLength, normalisedLength, type LengthNorm, LENGTH_NORMS } from "./bm25-norms.js";
export {
  INDEX_FORMAT_VERSION,
  type IndexManifest,
  type VectorDtype,
  type DocHit,
  type QueryForm,
  type VectorIndex,
  type VectorBuildOptions,
  type VectorChunk,
  type ChunkSource,
  type KindWriteResult,
  type VectorKindSpec,
  PARTS_KIND,
} from "./types.js";
export { compareHits, docnoRanks, TopK } from "./topk.js";
export { gemmABt, denseTopK, maxSimAll, maxSimReference } from "./exact.js";
export { type HnswParams, HNSW_DEFAULTS, Hnsw } from "./hnsw.js";
export { MultiVectorIndex, multiSpec, multiExactSpec, hnswParams } from "./multi.js";
export { SingleVectorIndex, singleSpec, singleHnswSpec } from "./single.js";
export { vectorKind, openVectorIndex, VECTOR_KINDS, INDEX_KINDS } from "./registry.js";
export { docText } from "./build-chunks.js";
export { buildVectorIndex, type BuildIndexOptions, type BuildStats } from "./build.js";
export { indexFiles, writeVectorIndex, writeVectorIndexFrom, type VectorIndexData } from "./write.js";
export {
  type PartSpec,
  PART_RULE,
  partName,
  partDir,
  parsePartSpec,
  type PartFile,
  type PartEntry,
  type PartsManifest,
  partsComplete,
  checkSiblingParts,
  assembleParts,
} from "./parts.js";
export { checkParts, PartedIndex } from "./parted-index.js";
export {
  PLAID_DEFAULTS,
  BUCKET_MODES,
  type BucketMode,
  type ResidualCodec,
  kmeans,
  residualBuckets,
  trainCodec,
} from "./plaid-codec.js";
export { PlaidIndex, plaidSpec } from "./plaid.js";
export { writePlaid } from "./plaid-write.js";
export { RowFile, VectorFile } from "./vector-file.js";
export { EXPORT_FORMATS, exportIndex, type ExportFormat, type ExportOptions } from "./export.js";
