/**
 * Load test of `xlir serve` from a second process, on loopback only.
 *
 *   node --import tsx scripts/loadtest-server.ts --index IDX --model DIR [--seconds 10] [--connections 16]
 *        [--queries FILE.tsv] [--xlir "./bin/xlir"] [--corpus FILE.jsonl [--baseline-xlir "CMD"] [--interleaved N [--baseline-src DIR]]]
 *
 * With --corpus the whole run is made twice on the same index, model, queries and machine: first
 * the server without a corpus (results are ids and scores, as before titles and snippets existed;
 * --baseline-xlir runs that one with another build, e.g. an older checkout), then with the corpus
 * (every result carries its title and a snippet); the JSON gives both and their latency ratio.
 *
 * Starts the server as a child process on 127.0.0.1 (free port), then:
 *  1. autocannon: `connections` clients for `seconds` s of valid POST /search requests (queries
 *     cycle through the query file or a built-in list) -> p50/p99 latency, requests/s, failures;
 *  2. malformed and oversized requests (bad JSON, missing/empty/too long query, k out of range,
 *     wrong types, unknown fields, body over the limit) -> every answer must be 4xx;
 *  3. the server's RSS sampled every 250 ms during the run (first/last/max, growth);
 *  4. SIGTERM while requests are in flight -> they complete and the server exits 0.
 * With --corpus and --interleaved N, additionally: one process, one index and model, two apps (without
 * and with the corpus) answering N alternating in-process requests each (fastify inject, no
 * network), so that both see the same machine load; gives the median time of each and their ratio
 * (--baseline-src DIR: the app without the corpus is the server module of another source tree).
 * Prints one JSON object; exit status 1 if any check failed.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (dflt === undefined) {
    process.stderr.write(`loadtest: --${name} is required\n`);
    process.exit(2);
  }
  return dflt;
}

const HOST = "127.0.0.1"; // never anything else
const index = arg("index");
const model = arg("model", "");
const seconds = Number(arg("seconds", "10"));
const connections = Number(arg("connections", "16"));
const xlir = arg("xlir", "./bin/xlir").split(" ");
const queryFile = arg("queries", "");
const queries = queryFile
  ? readFileSync(queryFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("\t"))
      .map((l) => l.slice(l.indexOf("\t") + 1).trim())
  : [
      "river mountain",
      "how to install a printer",
      "music language",
      "garden in winter",
      "engine forest planet",
      "library opening hours",
    ];

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

const corpus = arg("corpus", "");
const baselineXlir = arg("baseline-xlir", "").split(" ").filter(Boolean);

async function loadRun(
  cmd: string[],
  withCorpus: boolean,
): Promise<Record<string, unknown> & { checks: Record<string, boolean> }> {
  const args = [
    ...cmd.slice(1),
    "serve",
    "--index",
    index,
    "--port",
    "0",
    "--host",
    HOST,
    "--body-limit",
    "16384",
    "--max-k",
    "1000",
    "--max-query-chars",
    "1000",
  ];
  if (model) args.push("--model", model);
  if (withCorpus) args.push("--corpus", corpus);
  const child = spawn(cmd[0], args, { stdio: ["ignore", "inherit", "pipe"] });
  const address = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stderr.on("data", (d: Buffer) => {
      buf += d.toString();
      process.stderr.write(d);
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`server exited early with ${code}`)));
    setTimeout(() => reject(new Error("server did not start in 120 s")), 120_000);
  });
  const exitPromise = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const pid = child.pid as number;

  // Warm-up
  let titled = true;
  for (const q of queries.slice(0, 3)) {
    const r = await fetch(`${address}/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: q, k: 10 }),
    });
    const body = (await r.json()) as { results: Array<{ title?: string | null; snippet?: string | null }> };
    if (withCorpus)
      titled &&=
        body.results.length > 0 &&
        body.results.every((h) => typeof h.title === "string" && typeof h.snippet === "string");
  }

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssKiB(pid)), 250);
  rss.push(rssKiB(pid));
  const requests = queries.map((q) => ({
    method: "POST",
    path: "/search",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: q, k: 10 }),
  }));
  const result = await autocannon({ url: address, connections, duration: seconds, requests });
  clearInterval(sampler);
  rss.push(rssKiB(pid));

  // Malformed and oversized requests
  const bad: Array<[string, string, string]> = [
    ["bad json", '{"query": ', "application/json"],
    ["missing query", JSON.stringify({ k: 3 }), "application/json"],
    ["empty query", JSON.stringify({ query: "" }), "application/json"],
    ["blank query", JSON.stringify({ query: "   " }), "application/json"],
    ["too long query", JSON.stringify({ query: "x".repeat(1001) }), "application/json"],
    ["k zero", JSON.stringify({ query: "a", k: 0 }), "application/json"],
    ["k too large", JSON.stringify({ query: "a", k: 100000 }), "application/json"],
    ["k string", JSON.stringify({ query: "a", k: "5" }), "application/json"],
    ["query number", JSON.stringify({ query: 5 }), "application/json"],
    ["unknown field", JSON.stringify({ query: "a", x: 1 }), "application/json"],
    ["array body", JSON.stringify(["a"]), "application/json"],
    ["xml", "<q/>", "application/xml"],
    ["oversized", JSON.stringify({ query: "a", pad: "y".repeat(100_000) }), "application/json"],
  ];
  const badResults: Array<{ name: string; status: number }> = [];
  for (const [name, body, type] of bad) {
    const r = await fetch(`${address}/search`, { method: "POST", headers: { "content-type": type }, body });
    await r.arrayBuffer();
    badResults.push({ name, status: r.status });
  }

  // Graceful shutdown with requests in flight
  let killedAt = Infinity;
  const inflight = Array.from({ length: 8 }, (_, i) =>
    fetch(`${address}/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: queries[i % queries.length], k: 100 }),
    }).then(
      async (r) => {
        await r.arrayBuffer();
        return `${r.status}${performance.now() > killedAt ? " after SIGTERM" : ""}`;
      },
      (e: unknown) => String((e as { cause?: { code?: string } }).cause?.code ?? "error"),
    ),
  );
  await new Promise((r) => setTimeout(r, 20));
  killedAt = performance.now();
  child.kill("SIGTERM");
  const inflightStatus = await Promise.all(inflight);
  const exitCode = await Promise.race([
    exitPromise,
    new Promise<string>((r) => setTimeout(() => r("timeout"), 15_000)),
  ]);

  const valid = rss.filter(Number.isFinite);
  const checks = {
    zeroFailedValid: result.errors === 0 && result.timeouts === 0 && result.non2xx === 0,
    malformedAll4xx: badResults.every((b) => b.status >= 400 && b.status < 500),
    oversizedIs413: badResults.find((b) => b.name === "oversized")?.status === 413,
    // requests being handled when SIGTERM arrives still get their 200 (answers arriving after the
    // signal); requests not yet read are refused (503 / connection closed), as intended
    inflightCompleted: inflightStatus.includes("200 after SIGTERM"),
    exitedCleanly: exitCode === 0,
    titlesAndSnippets: titled,
    // "stable": no growth over the second half of the run: its last sample within 10% (or 20 MiB)
    // of the highest sample of the first half (the first half includes JIT and allocator warm-up)
    rssStable:
      valid.length > 4 &&
      valid[valid.length - 1] - Math.max(...valid.slice(0, valid.length >> 1)) <
        Math.max(0.1 * valid[0], 20 * 1024),
  };
  const out = {
    server: cmd.join(" "),
    withTitlesAndSnippets: withCorpus,
    target: address,
    seconds,
    connections,
    queries: queries.length,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    requestsPerSecond: result.requests.average,
    totalRequests: result.requests.total,
    ok2xx: result["2xx"],
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    malformed: badResults,
    inflightStatus,
    exitCode,
    rssMiB: {
      first: valid[0] / 1024,
      last: valid[valid.length - 1] / 1024,
      max: Math.max(...valid) / 1024,
      samples: valid.length,
      series: valid.filter((_, i) => i % 4 === 0).map((x) => Math.round(x / 1024)),
    },
    checks,
  };
  return out;
}

/** In-process A/B: the same Searcher behind an app without and one with the corpus, requests alternating. */
async function interleaved(n: number): Promise<Record<string, number>> {
  const { openServeSetup } = await import("../src/server/setup.js");
  const { createServer } = await import("../src/server/server.js");
  const { Searcher } = await import("../src/search/searcher.js");
  const setup = await openServeSetup({ index, models: model ? [{ name: "m", dir: model }] : [], corpus });
  const titled = createServer({
    models: setup.models,
    index: setup.index,
    corpus: setup.corpus,
    page: false,
  });
  // ids only: this build without a corpus, or the server module of another source tree (e.g. the
  // commit before titles and snippets) over a plain Searcher with the same encoder
  const baseSrc = arg("baseline-src", "");
  const plainSearcher = baseSrc ? await Searcher.open(index, setup.models[0].tokenEncoder ?? null) : null;
  const plain: typeof titled = baseSrc
    ? (
        (await import(`${baseSrc}/src/server/server.ts`)) as { createServer: (o: unknown) => typeof titled }
      ).createServer({ searcher: plainSearcher })
    : createServer({ models: setup.models, index: setup.index, page: false });
  const times: [number[], number[]] = [[], []];
  // CPU time of the whole process (all threads, ONNX Runtime's included): what a busy machine does
  // not inflate the way it inflates wall time
  const cpu: [number[], number[]] = [[], []];
  try {
    for (let i = -10; i < n; i++) {
      for (const [j, app] of (i % 2 ? [plain, titled] : [titled, plain]).entries()) {
        const which = app === plain ? 0 : 1;
        const t = performance.now();
        const c = process.cpuUsage();
        const r = await app.inject({
          method: "POST",
          url: "/search",
          payload: { query: queries[i < 0 ? 0 : i % queries.length], k: 10 },
        });
        const dc = process.cpuUsage(c);
        const ms = performance.now() - t;
        if (r.statusCode !== 200) throw new Error(`interleaved request ${i}.${j}: HTTP ${r.statusCode}`);
        if (i >= 0) {
          times[which].push(ms);
          cpu[which].push((dc.user + dc.system) / 1000);
        }
      }
    }
  } finally {
    await plain.close();
    await titled.close();
    plainSearcher?.close();
    await setup.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const [a, b] = times.map(median);
  const [ca, cb] = cpu.map(median);
  return {
    requests: n,
    medianMsWithout: a,
    medianMsWith: b,
    ratio: b / a,
    addedMs: b - a,
    medianCpuMsWithout: ca,
    medianCpuMsWith: cb,
    cpuRatio: cb / ca,
  };
}

async function main(): Promise<void> {
  if (!corpus) {
    const out = await loadRun(xlir, false);
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    process.exitCode = Object.values(out.checks).every(Boolean) ? 0 : 1;
    return;
  }
  const n = Number(arg("interleaved", "0"));
  if (arg("only-interleaved", "") === "yes") {
    process.stdout.write(JSON.stringify({ inProcess: await interleaved(n) }, null, 2) + "\n");
    return;
  }
  // titles and snippets: ask for them and check they come back
  const baseline = await loadRun(baselineXlir.length ? baselineXlir : xlir, false);
  const withText = await loadRun(xlir, true);
  const lat = (r: Record<string, unknown>) => r.latencyMs as { p50: number; p99: number; mean: number };
  const ratio = {
    p50: lat(withText).p50 / lat(baseline).p50,
    p99: lat(withText).p99 / lat(baseline).p99,
    mean: lat(withText).mean / lat(baseline).mean,
    requestsPerSecond: (withText.requestsPerSecond as number) / (baseline.requestsPerSecond as number),
  };
  const inProcess = n > 0 ? await interleaved(n) : null;
  process.stdout.write(
    JSON.stringify({ baseline, withTitlesAndSnippets: withText, latencyRatio: ratio, inProcess }, null, 2) +
      "\n",
  );
  process.exitCode = [baseline, withText].every((r) => Object.values(r.checks).every(Boolean)) ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`loadtest: ${String(err)}\n`);
  process.exitCode = 1;
});
