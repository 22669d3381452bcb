/** Finds the TypeScript examples of README.md (```ts blocks) and of doc comments (@example blocks) under src/. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface Example {
  /** Where it comes from: "README.md:225" or "src/ot/sinkhorn.ts:40 sinkhorn". */
  name: string;
  code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/** ```ts blocks of a Markdown file. */
export function markdownExamples(root: string, file: string): Example[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({
    name: `${file}:${lineOf(text, m.index)}`,
    code: m[1],
  }));
}

/** The ```ts block after each `@example` of each doc comment, with the name of the declaration that follows. */
export function docExamples(root: string): Example[] {
  const out: Example[] = [];
  for (const path of sourceFiles(join(root, "src"))) {
    const text = readFileSync(path, "utf8");
    for (const c of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const lines = c[0].split("\n").map((l) => l.replace(/^\s*\*( |$)/, "").replace(/^\/\*\*\s?/, ""));
      const after = text.slice(c.index + c[0].length);
      const decl =
        /^\s*(?:\/\*\*[\s\S]*?\*\/\s*)*export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|class|const|let|interface|type|enum)\s+([\w$]+)/.exec(
          after,
        );
      for (let i = 0; i < lines.length; i++) {
        if (!/^@example\b/.test(lines[i].trim())) continue;
        const open = lines.findIndex((l, j) => j > i && /^```ts\s*$/.test(l.trim()));
        const close = lines.findIndex((l, j) => j > open && /^```\s*$/.test(l.trim()));
        if (open < 0 || close < 0)
          throw new Error(
            `${relative(root, path)}:${lineOf(text, c.index)}: @example without a \`\`\`ts block`,
          );
        out.push({
          name: `${relative(root, path)}:${lineOf(text, c.index)} ${decl?.[1] ?? "?"}`,
          code: lines.slice(open + 1, close).join("\n"),
        });
      }
    }
  }
  return out;
}
