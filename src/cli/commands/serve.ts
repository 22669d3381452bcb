import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { DEFAULT_LIMITS } from "../../server/schemas.js";
import { createServer } from "../../server/server.js";
import { closeOnSignals } from "../../server/signals.js";
import {
  experimentServeOptions,
  openServeSetup,
  parseModelSpec,
  type ModelSpec,
  type ServeSetupOptions,
} from "../../server/setup.js";
import { parseFloatOption, parseIntOption } from "../util.js";

interface ServeOptions {
  index?: string;
  model: ModelSpec[];
  experiment?: string;
  benchmark?: string;
  corpus?: string;
  idField?: string;
  titleField?: string;
  textField?: string;
  bm25?: boolean;
  bm25Analyzer?: string;
  defaultModel?: string;
  port: number;
  host: string;
  maxK: number;
  maxQueryChars: number;
  bodyLimit: number;
  maxBatch: number;
  maxLength?: number;
  docMaxLength?: number;
  epsilon?: number;
  threads?: number;
  page: boolean;
  log?: boolean;
}

/** Registers `xlir serve`: the search page and HTTP JSON API, on loopback by default. */
export function register(program: Command): void {
  program
    .command("serve")
    .description(
      "serve an index over HTTP on loopback by default: the search page at /, POST /search, /search/batch, /explain, GET /models, /health. " +
        "Several query models may share the index (--model NAME=DIR, repeatable), or take the teacher, students and BM25 of an experiment (--experiment DIR)",
    )
    .option("--index <dir>", "index folder")
    .option(
      "--model <[name=]dir>",
      "query encoder folder, repeatable; NAME defaults to the folder name",
      (v: string, acc: ModelSpec[]) => [...acc, parseModelSpec(v)],
      [] as ModelSpec[],
    )
    .option(
      "--experiment <dir>",
      "an experiment output folder: its index, teacher, students, BM25 and corpus",
    )
    .option("--benchmark <name>", "with --experiment: which benchmark's index (default help)")
    .option("--corpus <file>", "JSONL/TSV corpus giving titles, snippets and explanations")
    .option("--id-field <name>", "corpus id field (default: id, _id, doc_id, docid)")
    .option("--title-field <name>", "corpus title field (default title)")
    .option("--text-field <name>", "corpus text field (default: text, contents, body)")
    .option("--bm25", "also serve BM25 built from the corpus, as model 'bm25'")
    .option("--bm25-analyzer <name>", "analyser of --bm25 (default en)")
    .option(
      "--default-model <name>",
      "model used when a request names none (default: the first student, else the first model)",
    )
    .option("--port <n>", "TCP port (0 = any free port)", parseIntOption("--port"), 8080)
    .option("--host <addr>", "address to bind (default loopback only)", "127.0.0.1")
    .option("--max-k <n>", "largest k a request may ask for", parseIntOption("--max-k"), DEFAULT_LIMITS.maxK)
    .option(
      "--max-query-chars <n>",
      "longest query",
      parseIntOption("--max-query-chars"),
      DEFAULT_LIMITS.maxQueryChars,
    )
    .option(
      "--body-limit <bytes>",
      "largest request body",
      parseIntOption("--body-limit"),
      DEFAULT_LIMITS.bodyLimit,
    )
    .option(
      "--max-batch <n>",
      "most queries in one /search/batch request",
      parseIntOption("--max-batch"),
      DEFAULT_LIMITS.maxBatch,
    )
    .option("--max-length <n>", "longest query in tokens", parseIntOption("--max-length"))
    .option(
      "--doc-max-length <n>",
      "longest document in tokens for explanations (default: the index's)",
      parseIntOption("--doc-max-length"),
    )
    .option(
      "--epsilon <x>",
      "entropic regularisation of explained OT plans (default 0.02)",
      parseFloatOption("--epsilon"),
    )
    .option("--threads <n>", "encoder threads", parseIntOption("--threads"))
    .option("--no-page", "serve the JSON API only")
    .option("--log", "log every request (fastify logger)")
    .action(async (o: ServeOptions) => {
      if (o.port < 0 || o.port > 65535)
        throw new XlirError("USAGE", `--port must be 0..65535, got ${o.port}`);
      if (o.maxBatch < 1) throw new XlirError("USAGE", `--max-batch must be >= 1, got ${o.maxBatch}`);
      if (o.epsilon !== undefined && !(o.epsilon > 0))
        throw new XlirError("USAGE", `--epsilon must be > 0, got ${o.epsilon}`);
      const fields = { id: o.idField, title: o.titleField, text: o.textField };
      let opts: ServeSetupOptions;
      if (o.experiment) {
        if (o.index || o.model.length)
          throw new XlirError(
            "USAGE",
            "--experiment DIR brings its own index and models: leave out --index and --model",
          );
        opts = experimentServeOptions(o.experiment, { benchmark: o.benchmark, corpus: o.corpus });
        if (o.corpus) opts.corpusFields = fields;
      } else {
        if (!o.index)
          throw new XlirError(
            "USAGE",
            "give --index DIR (with --model for vector indexes) or --experiment DIR",
          );
        if (o.benchmark) throw new XlirError("USAGE", "--benchmark goes with --experiment");
        opts = { index: o.index, models: o.model, corpus: o.corpus, corpusFields: fields, bm25: o.bm25 };
      }
      opts = {
        ...opts,
        ...(o.bm25Analyzer ? { bm25Analyzer: o.bm25Analyzer } : {}),
        ...(o.maxLength !== undefined ? { queryMaxLength: o.maxLength } : {}),
        ...(o.docMaxLength !== undefined ? { docMaxLength: o.docMaxLength } : {}),
        ...(o.epsilon !== undefined ? { epsilon: o.epsilon } : {}),
        threads: o.threads,
        defaultModel: o.defaultModel,
      };
      const setup = await openServeSetup(opts);
      const app = createServer({
        models: setup.models,
        index: setup.index,
        defaultModel: setup.defaultModel,
        corpus: setup.corpus,
        docEncoder: setup.docEncoder,
        epsilon: setup.epsilon,
        page: o.page,
        limits: {
          maxK: o.maxK,
          maxQueryChars: o.maxQueryChars,
          bodyLimit: o.bodyLimit,
          maxBatch: o.maxBatch,
        },
        logger: o.log ?? false,
      });
      const address = await app.listen({ host: o.host, port: o.port });
      const names = setup.models
        .map((m) => (m.name === setup.defaultModel ? `${m.name}*` : m.name))
        .join(", ");
      process.stderr.write(
        `xlir serve: ${setup.index.kind} index ${setup.index.dir} (${setup.index.docCount} docs), models ${names}${setup.corpus ? `, corpus of ${setup.corpus.size} docs` : ""} on ${address}\n`,
      );
      await new Promise<void>((resolve) => {
        closeOnSignals(app, async () => {
          await setup.close();
          process.stderr.write("xlir serve: closed\n");
          // Native thread pools may keep the loop alive after close; leave once nothing else runs.
          setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
          resolve();
        });
      });
    });
}
