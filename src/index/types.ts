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
}

/** One registry entry: how a vector kind is described, finalised from encoded vectors, and loaded. */
export interface VectorKindSpec {
  kind: string;
  description: string;
  queryForm: QueryForm;
  /** Whether the kind needs an HNSW graph file built at finalisation. */
  approximate: boolean;
  load(dir: string, manifest: IndexManifest, opts: VectorBuildOptions): Promise<VectorIndex>;
}
