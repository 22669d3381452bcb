/** Minimal JSONL corpus reader for indexing: one {id, title?, text} object a line. */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { inputError, XlirError } from "../errors.js";

export interface IndexDoc {
  id: string;
  title: string;
  text: string;
}

/** The text a document encoder sees: title and body joined by a space. */
export function docText(d: IndexDoc): string {
  return d.title ? `${d.title} ${d.text}` : d.text;
}

/**
 * Reads a JSONL corpus. Accepted id fields: id, _id, docid, docno; text fields: text, contents;
 * optional title. Refuses malformed lines and duplicate ids with file:line messages.
 */
export async function readCorpusJsonl(file: string): Promise<IndexDoc[]> {
  if (!existsSync(file)) throw new XlirError("NOT_FOUND", `${file}: corpus file not found`);
  const docs: IndexDoc[] = [];
  const seen = new Set<string>();
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const raw of rl) {
    line++;
    if (raw.trim() === "") continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch (err) {
      throw inputError(file, line, `not valid JSON (${(err as Error).message}); expected {"id","title","text"}`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw inputError(file, line, `expected a JSON object {"id","title","text"}`);
    const idv = o.id ?? o._id ?? o.docid ?? o.docno;
    const id = typeof idv === "number" ? String(idv) : idv;
    if (typeof id !== "string" || id === "" || /\s/.test(id)) throw inputError(file, line, `missing or invalid "id" (a non-empty string without whitespace)`);
    const text = o.text ?? o.contents;
    if (typeof text !== "string") throw inputError(file, line, `missing "text" string for document ${id}`);
    const title = o.title === undefined || o.title === null ? "" : o.title;
    if (typeof title !== "string") throw inputError(file, line, `"title" must be a string for document ${id}`);
    if (seen.has(id)) throw inputError(file, line, `duplicate document id '${id}'`);
    seen.add(id);
    docs.push({ id, title, text });
  }
  if (docs.length === 0) throw inputError(file, undefined, "corpus has no documents");
  return docs;
}
