/**
 * Graceful shutdown of the search server on SIGINT/SIGTERM (used by `xlir serve`).
 */
import type { FastifyInstance } from "fastify";

/**
 * Closes the app on SIGINT/SIGTERM: stops accepting connections, lets in-flight requests finish,
 * then runs `onClosed`. Returns a function that removes the handlers.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, closeOnSignals, createServer, saveBm25, Searcher } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * await saveBm25(Bm25Index.build([{ id: "d1", title: "", text: "hello world" }]), join(dir, "bm25"));
 * const searcher = await Searcher.open(join(dir, "bm25"), null);
 * const app = createServer({ searcher, page: false });
 * await app.listen({ host: "127.0.0.1", port: 0 });
 * const before = process.listenerCount("SIGTERM");
 * let closed = (): void => {};
 * const done = new Promise<void>((r) => (closed = r));
 * const remove = closeOnSignals(app, () => closed());
 * console.assert(process.listenerCount("SIGTERM") === before + 1);
 * // what a SIGTERM runs: the server stops listening, then onClosed is called
 * (process.listeners("SIGTERM").at(-1) as (signal: NodeJS.Signals) => void)("SIGTERM");
 * await done;
 * console.assert(!app.server.listening);
 * remove();
 * console.assert(process.listenerCount("SIGTERM") === before);
 * searcher.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function closeOnSignals(
  app: FastifyInstance,
  onClosed: () => Promise<void> | void,
  graceMs = 10_000,
): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`xlir serve: ${signal} received, finishing in-flight requests\n`);
    // Keep-alive connections that stay idle would hold close() open: drop them now and again
    // shortly, and cut everything left after the grace period.
    const idle = setInterval(() => app.server.closeIdleConnections(), 100);
    const hard = setTimeout(() => app.server.closeAllConnections(), graceMs);
    app
      .close()
      .finally(() => {
        clearInterval(idle);
        clearTimeout(hard);
      })
      .then(onClosed, (err: unknown) => {
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
