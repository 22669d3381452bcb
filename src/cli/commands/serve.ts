import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { OnnxEncoder } from "../../models/onnx-encoder.js";
import { indexKindOf, Searcher } from "../../search/searcher.js";
import { closeOnSignals, createServer, DEFAULT_LIMITS } from "../../server/server.js";
import { parseIntOption } from "../util.js";

/** Registers `xlir serve`: an HTTP JSON search API on loopback by default. */
export function register(program: Command): void {
  program
    .command("serve")
    .description("serve an index over HTTP: POST /search {\"query\",\"k\"}, GET /health (loopback by default)")
    .requiredOption("--index <dir>", "index folder")
    .option("--model <dir>", "query encoder folder (vector indexes)")
    .option("--port <n>", "TCP port (0 = any free port)", parseIntOption("--port"), 8080)
    .option("--host <addr>", "address to bind (default loopback only)", "127.0.0.1")
    .option("--max-k <n>", "largest k a request may ask for", parseIntOption("--max-k"), DEFAULT_LIMITS.maxK)
    .option("--max-query-chars <n>", "longest query", parseIntOption("--max-query-chars"), DEFAULT_LIMITS.maxQueryChars)
    .option("--body-limit <bytes>", "largest request body", parseIntOption("--body-limit"), DEFAULT_LIMITS.bodyLimit)
    .option("--max-length <n>", "longest query in tokens", parseIntOption("--max-length"))
    .option("--threads <n>", "encoder threads", parseIntOption("--threads"))
    .option("--log", "log every request (fastify logger)")
    .action(async (o: { index: string; model?: string; port: number; host: string; maxK: number; maxQueryChars: number; bodyLimit: number; maxLength?: number; threads?: number; log?: boolean }) => {
      if (o.port < 0 || o.port > 65535) throw new XlirError("USAGE", `--port must be 0..65535, got ${o.port}`);
      const kind = await indexKindOf(o.index);
      if (kind !== "bm25" && !o.model) throw new XlirError("USAGE", `index ${o.index} is a ${kind} vector index: give the query encoder with --model DIR`);
      const encoder = kind === "bm25" || !o.model ? null : await OnnxEncoder.fromFolder(o.model, { maxLength: o.maxLength, threads: o.threads });
      const searcher = await Searcher.open(o.index, encoder, { modelName: `the query model ${o.model}` });
      const app = createServer({ searcher, limits: { maxK: o.maxK, maxQueryChars: o.maxQueryChars, bodyLimit: o.bodyLimit }, logger: o.log ?? false });
      const address = await app.listen({ host: o.host, port: o.port });
      process.stderr.write(`xlir serve: ${searcher.summary.kind} index ${o.index} (${searcher.summary.docCount} docs) on ${address}\n`);
      await new Promise<void>((resolve) => {
        closeOnSignals(app, async () => {
          searcher.close();
          await encoder?.dispose();
          process.stderr.write("xlir serve: closed\n");
          // Native thread pools may keep the loop alive after close; leave once nothing else runs.
          setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
          resolve();
        });
      });
    });
}
