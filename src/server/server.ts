/**
 * The search server: an HTTP JSON API over a Searcher (fastify).
 *   POST /search {"query": string, "k"?: integer}  -> {results: [{docno, score, rank}], took_ms}
 *   GET  /health                                   -> {status: "ok", index: {dir, kind, docCount, dim, encoderHash}}
 * Requests are validated by JSON schema (400 with a message), bodies over `bodyLimit` get 413,
 * library errors map to their XlirError HTTP status, anything else is a 500 without internals.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { XlirError } from "../errors.js";
import type { Searcher } from "../search/searcher.js";

export interface ServerLimits {
  /** Largest accepted k (default 1000). */
  maxK: number;
  /** k when the request gives none (default 10). */
  defaultK: number;
  /** Longest query in characters (default 1000). */
  maxQueryChars: number;
  /** Largest request body in bytes (default 16 KiB). */
  bodyLimit: number;
}

export const DEFAULT_LIMITS: ServerLimits = { maxK: 1000, defaultK: 10, maxQueryChars: 1000, bodyLimit: 16 * 1024 };

export interface CreateServerOptions {
  searcher: Searcher;
  limits?: Partial<ServerLimits>;
  /** fastify request logging (default off). */
  logger?: boolean;
}

interface SearchBody {
  query: string;
  k?: number;
}

/** Builds the fastify app (not listening yet: call `listen`, or `inject` in tests). */
export function createServer(o: CreateServerOptions): FastifyInstance {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: limits.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Strict validation: no type coercion ("k": "5" or "query": 42 are refused), unknown fields refused.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const searcher = o.searcher;

  app.setErrorHandler((err: FastifyError | XlirError | Error, _req, reply) => {
    if (err instanceof XlirError) return reply.code(err.httpStatus).send({ error: err.message, code: err.code });
    const status = (err as FastifyError).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return reply.code(status).send({ error: err.message, code: (err as FastifyError).code ?? "BAD_REQUEST" });
    }
    app.log.error(err);
    return reply.code(500).send({ error: "internal error", code: "INTERNAL" });
  });

  app.get("/health", async () => ({ status: "ok", index: searcher.summary }));

  app.post<{ Body: SearchBody }>(
    "/search",
    {
      schema: {
        body: {
          type: "object",
          required: ["query"],
          additionalProperties: false,
          properties: {
            query: { type: "string", minLength: 1, maxLength: limits.maxQueryChars },
            k: { type: "integer", minimum: 1, maximum: limits.maxK },
          },
        },
      },
    },
    async (req) => {
      const t = performance.now();
      const query = req.body.query.trim();
      if (query === "") throw new XlirError("BAD_INPUT", "body/query must contain non-whitespace text");
      const k = req.body.k ?? limits.defaultK;
      const hits = await searcher.searchText(query, k);
      return {
        results: hits.map((h, i) => ({ docno: h.docno, score: h.score, rank: i + 1 })),
        took_ms: performance.now() - t,
      };
    },
  );
  return app;
}

/**
 * Closes the app on SIGINT/SIGTERM: stops accepting connections, lets in-flight requests finish,
 * then runs `onClosed`. Returns a function that removes the handlers.
 */
export function closeOnSignals(app: FastifyInstance, onClosed: () => Promise<void> | void, graceMs = 10_000): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`xlir serve: ${signal} received, finishing in-flight requests\n`);
    // Keep-alive connections that stay idle would hold close() open: drop them now and again
    // shortly, and cut everything left after the grace period.
    const idle = setInterval(() => app.server.closeIdleConnections(), 100);
    const hard = setTimeout(() => app.server.closeAllConnections(), graceMs);
    app.close().finally(() => {
      clearInterval(idle);
      clearTimeout(hard);
    }).then(onClosed, (err: unknown) => {
      process.stderr.write(`xlir serve: error while closing: ${String(err)}\n`);
      process.exitCode = 1;
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
