/**
 * Runnable documentation: every ```ts block of README.md and every @example of a doc comment
 * under src/ is written to a module (`from "xlir"` pointing at src/index.ts) and imported; a
 * `console.assert` that fails, or any exception, fails the test. Examples that need the libtorch
 * binding are skipped, with the reason, when it is not built. A second part checks that every
 * function and class of the public API carries an @example (test/docs/missing-examples.json lists
 * those still without one; the list may only shrink).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it, vi } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { docExamples, markdownExamples } from "./extract.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const OUT = join(ROOT, ".vitest-artifacts", `examples-${process.pid}`);
mkdirSync(OUT, { recursive: true });
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const EXAMPLES = [...markdownExamples(ROOT, "README.md"), ...docExamples(ROOT)];
const INDEX = pathToFileURL(join(ROOT, "src", "index.ts")).href;

function moduleFor(code: string, k: number): string {
  const file = join(OUT, `example-${k}.ts`);
  writeFileSync(file, code.replace(/from\s+"xlir"/g, `from ${JSON.stringify(INDEX)}`) + "\nexport {};\n");
  return pathToFileURL(file).href;
}

describe(torchSuite("examples of README.md and of doc comments run"), () => {
  it("finds the examples", () => {
    expect(EXAMPLES.filter((e) => e.name.startsWith("README.md")).length).toBeGreaterThan(0);
    expect(EXAMPLES.length).toBeGreaterThan(50);
  });

  EXAMPLES.forEach((ex, k) => {
    it(ex.name, async (ctx) => {
      const assertSpy = vi
        .spyOn(console, "assert")
        .mockImplementation((cond?: unknown, ...msg: unknown[]) => {
          if (!cond)
            throw new Error(`console.assert failed in ${ex.name}${msg.length ? `: ${msg.join(" ")}` : ""}`);
        });
      try {
        await import(moduleFor(ex.code, k));
      } catch (err) {
        if (NO_TORCH && (err as { code?: string }).code === "NATIVE_MISSING") {
          ctx.skip("needs the libtorch binding, which is not built (npm run build:native)");
        }
        throw err;
      } finally {
        assertSpy.mockRestore();
      }
    });
  });
});

/** Functions and classes re-exported by src/index.ts, with whether their declaration documents an @example. */
function publicEntryPoints(): { name: string; file: string; hasExample: boolean }[] {
  const program = ts.createProgram([join(ROOT, "src", "index.ts")], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(join(ROOT, "src", "index.ts"));
  if (!index) throw new Error("src/index.ts not found");
  const out: { name: string; file: string; hasExample: boolean }[] = [];
  for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    if (!(target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
    const decls = target.declarations ?? [];
    const hasExample = decls.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === "example"));
    out.push({ name: s.name, file: decls[0].getSourceFile().fileName.slice(ROOT.length + 1), hasExample });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

describe("every public function and class has an @example", () => {
  const missingFile = join(ROOT, "test", "docs", "missing-examples.json");
  const allowed = new Set(JSON.parse(readFileSync(missingFile, "utf8")) as string[]);
  const entries = publicEntryPoints();

  it("no public function or class lacks an @example unless listed in missing-examples.json", () => {
    expect(entries.length).toBeGreaterThan(100);
    const missing = entries
      .filter((e) => !e.hasExample && !allowed.has(e.name))
      .map((e) => `${e.name} (${e.file})`);
    expect(missing).toEqual([]);
  });

  it("missing-examples.json lists only public names that still lack one (it may only shrink)", () => {
    const byName = new Map(entries.map((e) => [e.name, e]));
    const stale = [...allowed].filter((n) => !byName.has(n) || byName.get(n)!.hasExample);
    expect(stale).toEqual([]);
  });
});
