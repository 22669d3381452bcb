/**
 * Layering, read from the source: every relative import (static, `export ... from`, dynamic) of
 * every file under src/ is resolved to the folder it lands in and checked against the layer order
 * of docs/architecture.md. A folder may import only folders of a strictly lower layer (and itself).
 * The package root src/index.ts is the one file above every layer (it re-exports the folder
 * barrels, the server's included).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const SRC = join(ROOT, "src");

/** Layer of each top-level unit of src/ (folder, or root file without .ts). Lower never imports higher or equal. */
const LAYERS: Record<string, number> = {
  errors: 0,
  util: 0,
  engine: 1,
  text: 1,
  data: 1,
  ot: 2,
  models: 2,
  eval: 2,
  losses: 3,
  index: 3,
  train: 4,
  search: 4,
  report: 4,
  bench: 5,
  experiment: 5,
  server: 6,
  cli: 7,
};

/** Modules for tests and benchmarks only: importable by path, never re-exported by a barrel. */
const NOT_PUBLIC = [
  "src/eval/synthetic.ts",
  "src/index/synthetic.ts",
  "src/models/hf-random.ts",
  "src/ot/random.ts",
  "src/train/bench.ts",
  "src/search/bench.ts",
  "src/bench/distill-step.ts",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Top-level unit of a path under src/: "losses" for src/losses/ot.ts, "errors" for src/errors.ts. */
function unitOf(file: string): string {
  const rel = relative(SRC, file).split("/");
  return rel.length === 1 ? rel[0].replace(/\.ts$/, "") : rel[0];
}

interface Edge {
  from: string; // repository-relative file
  to: string; // repository-relative target (.ts)
  spec: string;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(file, "utf8");
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => ({
      from: relative(ROOT, file),
      to: relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))),
      spec,
    }));
}

const FILES = sourceFiles(SRC);
const EDGES = FILES.flatMap(importsOf);

function violations(rule: (e: Edge, from: string, to: string) => boolean): string[] {
  return EDGES.filter((e) => e.from !== "src/index.ts")
    .filter((e) => rule(e, unitOf(join(ROOT, e.from)), unitOf(join(ROOT, e.to))))
    .map((e) => `${e.from} imports ${e.spec}`);
}

describe("layering of src/ (read from the imports)", () => {
  it("reads the imports (the test sees the real graph)", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(EDGES.some((e) => e.from === "src/train/distill.ts" && e.to === "src/losses/registry.ts")).toBe(
      true,
    );
    expect(EDGES.some((e) => e.from === "src/cli/main.ts")).toBe(true);
  });

  it("every unit of src/ has a layer", () => {
    const units = [...new Set(FILES.map(unitOf))].filter((u) => u !== "index");
    expect(units.filter((u) => !(u in LAYERS))).toEqual([]);
  });

  it("no relative import leaves src/ (nothing from test/ or scripts/)", () => {
    expect(EDGES.filter((e) => !e.to.startsWith("src/")).map((e) => `${e.from} imports ${e.spec}`)).toEqual(
      [],
    );
  });

  it("losses know no training loop; ot/ draws no report; eval/, engine/ and data/ know no models", () => {
    const banned: [string, string][] = [
      ["losses", "train"],
      ["ot", "report"],
      ["eval", "models"],
      ["engine", "models"],
      ["data", "models"],
    ];
    expect(violations((_, from, to) => banned.some(([a, b]) => from === a && to === b))).toEqual([]);
  });

  it("the library (src/ but cli/ and server/) never imports cli/ or server/", () => {
    expect(
      violations((_, from, to) => from !== "cli" && from !== "server" && (to === "cli" || to === "server")),
    ).toEqual([]);
  });

  it("every import goes to a strictly lower layer or stays in its folder", () => {
    expect(violations((_, from, to) => from !== to && LAYERS[to] >= LAYERS[from])).toEqual([]);
  });
});

describe("public API", () => {
  const barrels = FILES.filter((f) => /^src\/[^/]+\/index\.ts$/.test(relative(ROOT, f)));

  it("folder barrels list their exports (no `export *`)", () => {
    expect(barrels.length).toBeGreaterThan(10);
    const star = barrels
      .filter((f) => /^\s*export\s*\*/m.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(star).toEqual([]);
  });

  it("src/index.ts re-exports folder barrels and errors only", () => {
    const specs = importsOf(join(SRC, "index.ts")).map((e) => e.to);
    expect(specs.filter((s) => !/^src\/([^/]+\/index|errors)\.ts$/.test(s))).toEqual([]);
  });

  it("no barrel re-exports a test or benchmark helper", () => {
    const leaked = barrels.flatMap((f) =>
      importsOf(f)
        .filter((e) => NOT_PUBLIC.includes(e.to))
        .map((e) => `${e.from} -> ${e.to}`),
    );
    expect(leaked).toEqual([]);
  });
});
