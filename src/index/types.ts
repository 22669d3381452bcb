/** Types shared by every vector index kind (multi-vector, single-vector; exact and approximate). */
import type { TokenVectors } from "../models/types.js";

/** Current on-disk layout version of an index folder; readers refuse any other. */
export const INDEX_FORMAT_VERSION = 1;

/** `manifest.json` of an index folder. */
export interface IndexManifest {
  formatVersion: number;
  kind: string;
  /** RetrievalEncoder.hash of the document encoder ("none" for BM25). */
  encoderHash: string;
  dim: number;
  docCount: number;
  /** Total stored vectors (tokens for multi-vector kinds, documents for single-vector kinds). */
  vectorCount: number;
  storage: VectorDtype;
  buildParams: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

export type VectorDtype = "float32" | "float16";

/** One retrieved document. */
export interface DocHit {
  docno: string;
  score: number;
}

/** What an index needs from the query encoder: token vectors (late interaction) or one pooled vector. */
export type QueryForm = "tokens" | "pooled";

/**
 * A loaded vector index. Queries arrive as TokenVectors: for `tokens` indexes each query is its
 * token rows, for `pooled` indexes each query is exactly one row (offsets 0,1,2,...).
 */
export interface VectorIndex {
  readonly dir: string;
  readonly manifest: IndexManifest;
  readonly queryForm: QueryForm;
  /** Top-k documents per query, sorted by score descending, docno descending on ties. */
  search(queries: TokenVectors, k: number): Promise<DocHit[][]>;
  close(): void;
}

/** Build-time options every vector kind accepts (kind-specific ones live in `params`). */
export interface VectorBuildOptions {
  storage?: VectorDtype;
  /** HNSW: graph degree (usearch connectivity), default 16. */
  connectivity?: number;
  /** HNSW: candidate list size while building, default 128. */
  expansionAdd?: number;
  /** HNSW: candidate list size while searching, default 128. */
  expansionSearch?: number;
  /** Multi-vector ANN: token hits per query token, default 64. */
  tokenK?: number;
  /** Multi-vector ANN: candidates re-ranked by exact MaxSim per query (at least k), default 1024. */
  rerankDepth?: number;
  /** Threads for native work (0 = library default). */
  threads?: number;
  /** multi-plaid: bits per residual dimension, 1, 2 or 4 (default 2). */
  nbits?: number;
  /**
   * multi-plaid: how residual buckets are fitted on held-out tokens: "pooled" (ColBERTv2: quantile
   * cutoffs and mid-quantile values over all dimensions), "pooled-mean" (same cutoffs, bucket means),
   * "per-dim" (per-dimension quantile cutoffs and bucket means). Default "per-dim" (recall@10 0.903
   * against 0.883 for "pooled" on the help collection at 2 bits, same size).
   */
  buckets?: "pooled" | "pooled-mean" | "per-dim";
  /** multi-plaid: k-means centroids (default ColBERTv2's rule 2^floor(log2(16 sqrt(tokens)))). */
  centroids?: number;
  /** multi-plaid: k-means iterations (default 8). */
  kmeansIterations?: number;
  /** multi-plaid: k-means training points per centroid, at most (default 64). */
  pointsPerCentroid?: number;
  /** Seed of sampling and k-means initialisation (default 42). */
  seed?: number;
  /** multi-plaid: centroids probed per query token at search (default 8). */
  nprobe?: number;
  /** multi-plaid: candidates kept after the centroid-interaction estimate, decompressed and scored (default 256, at least k). */
  candidates?: number;
  /** Parts: the most bytes of vectors kept loaded across searches; larger parted indexes load one part at a time (default 4 GiB). */
  residentBytes?: number;
}

/** One block of encoded documents, in corpus order. */
export interface VectorChunk {
  /** [rows, dim] token rows (multi kinds) or document rows (single kinds). */
  vectors: Float32Array;
  /** [n + 1] offsets of the chunk's documents into its rows (from 0). */
  offsets: Int32Array;
  docnos: string[];
}

/** Encoded documents that a kind writer may read more than once (each call of `chunks` starts over). */
export interface ChunkSource {
  dim: number;
  docCount: number;
  vectorCount: number;
  chunks(): Iterable<VectorChunk> | AsyncIterable<VectorChunk>;
}

/** What a kind writer leaves for the manifest. */
export interface KindWriteResult {
  storage: VectorDtype;
  buildParams: Record<string, unknown>;
  /** Seconds spent on the kind's own structure (HNSW graph, k-means), for build statistics. */
  structureSeconds: number;
}

/** One registry entry: how a vector kind is described, finalised from encoded vectors, and loaded. */
export interface VectorKindSpec {
  kind: string;
  description: string;
  queryForm: QueryForm;
  /** Whether the kind needs an HNSW graph file built at finalisation. */
  approximate: boolean;
  load(dir: string, manifest: IndexManifest, opts: VectorBuildOptions): Promise<VectorIndex>;
  /** Writes the kind's files (all but manifest.json and docnos.json) into `dir` from the encoded documents. */
  write(dir: string, source: ChunkSource, opts: VectorBuildOptions): Promise<KindWriteResult>;
  /** Bytes a loaded index holds in memory (default vectorCount * dim * 4). */
  memoryBytes?(m: IndexManifest): number;
}

/** The `kind` of a folder that holds the parts of a parted build (see parts.ts); not a `--kind` value. */
export const PARTS_KIND = "parts";
