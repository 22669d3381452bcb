/**
 * Why a document matched a query.
 *
 * Late interaction: the query's token vectors q_i (the chosen query encoder) against the
 * document's token vectors d_j (the encoder that built the index, re-encoding the document as the
 * index did: title + " " + text, cut at the same length). Every query token's match is
 * j*(i) = argmax_j <q_i, d_j> and the score is s(q, d) = sum_i <q_i, d_{j*(i)}> (the index's
 * MaxSim, Khattab & Zaharia 2020, eq. 3; rows are L2-normalised so <,> is the cosine). On demand
 * the entropic OT plan between the two token sets (uniform marginals, cost 1 - cos, log-domain
 * Sinkhorn: ot/alignment.ts), drawn by the report's heatmap renderer.
 * BM25: the analysed query terms and the document words that analyse to them.
 *
 * The document comes back as segments of its own text (title and body) with the query tokens that
 * matched each piece, so the page can highlight them with text nodes only (nothing is HTML).
 */
import type { CorpusDoc } from "../data/corpus.js";
import { XlirError } from "../errors.js";
import { docText } from "../index/build-chunks.js";
import type { OnnxEncoder } from "../models/onnx-encoder.js";
import { alignTokenVectors } from "../ot/alignment.js";
import { transportPlanSvg } from "../report/plan-svg.js";
import type { Analyzer } from "../text/analyzer.js";

/** A piece of the document's text; `hits` are the query-token indices matched inside it. */
export interface Segment {
  text: string;
  hits: number[];
  /** Largest similarity among those matches (late interaction), null without matches or for BM25. */
  similarity: number | null;
}

export interface QueryTokenMatch {
  token: string;
  /** The document token (or word, for BM25) it matched; null: no match. */
  match: string | null;
  /** Position of that token in `document_tokens` (late interaction), else null. */
  doc_index: number | null;
  similarity: number | null;
}

export interface PlanView {
  svg: string;
  epsilon: number;
  cost: number;
  iterations: number;
  converged: boolean;
}

export interface Explanation {
  kind: "late-interaction" | "bm25";
  /** s(q, d) recomputed from the token vectors (late interaction); null for BM25. */
  score: number | null;
  query_tokens: QueryTokenMatch[];
  document_tokens: string[];
  title: Segment[];
  text: Segment[];
  /** The model read only the beginning of the document; `text` stops where it stopped. */
  truncated: boolean;
  plan: PlanView | null;
}

/** Case- and accent-insensitive form used to find tokens in the text. */
function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** A token without its sub-word markers (WordPiece "##", SentencePiece "▁", byte-level BPE "Ġ"). */
export function tokenSurface(token: string): string {
  return token.replace(/^##/, "").replace(/^[▁Ġ]+/, "");
}

/**
 * Character span [start, end) in `text` of every token, found left to right in the folded text
 * (tokenizers here give no offsets); null for special tokens and tokens not found within
 * `maxGap` characters after the previous one (e.g. [UNK]).
 */
export function tokenSpans(
  text: string,
  tokens: readonly string[],
  isSpecial: (i: number) => boolean,
  maxGap = 200,
): Array<[number, number] | null> {
  let norm = "";
  const start: number[] = []; // original start index of each UTF-16 unit of `norm`
  const end: number[] = [];
  for (let i = 0; i < text.length;) {
    const ch = String.fromCodePoint(text.codePointAt(i) as number);
    const f = fold(ch);
    for (let u = 0; u < f.length; u++) {
      start.push(i);
      end.push(i + ch.length);
    }
    norm += f;
    i += ch.length;
  }
  let cursor = 0;
  return tokens.map((tok, i) => {
    if (isSpecial(i)) return null;
    const s = fold(tokenSurface(tok));
    if (s === "") return null;
    const at = norm.indexOf(s, cursor);
    if (at < 0 || at - cursor > maxGap) return null;
    cursor = at + s.length;
    return [start[at], end[at + s.length - 1]];
  });
}

/**
 * Cuts text[from, to) into segments at the marked spans. `marks` are non-overlapping spans in
 * increasing order with their hits; offsets are relative to `text`.
 */
function segmentsOf(
  text: string,
  from: number,
  to: number,
  marks: Array<{ span: [number, number]; hits: number[]; similarity: number | null }>,
): Segment[] {
  const out: Segment[] = [];
  let at = from;
  for (const m of marks) {
    const a = Math.max(m.span[0], from);
    const b = Math.min(m.span[1], to);
    if (b <= a || a < at) continue;
    if (a > at) out.push({ text: text.slice(at, a), hits: [], similarity: null });
    const last = out[out.length - 1];
    // adjacent pieces of one word matched by the same query tokens read as one highlight
    if (last && last.hits.length && a === at && last.hits.join() === m.hits.join()) {
      last.text += text.slice(a, b);
      last.similarity = Math.max(last.similarity ?? -Infinity, m.similarity ?? -Infinity);
    } else out.push({ text: text.slice(a, b), hits: m.hits, similarity: m.similarity });
    at = b;
  }
  if (to > at) out.push({ text: text.slice(at, to), hits: [], similarity: null });
  return out;
}

/** Splits docText(doc) marks into title and body segments; the body stops at `textEnd` (relative to the body). */
function documentSegments(
  doc: CorpusDoc,
  marks: Array<{ span: [number, number]; hits: number[]; similarity: number | null }>,
  textEnd: number,
): { title: Segment[]; text: Segment[] } {
  const full = docText(doc);
  const bodyStart = doc.title ? doc.title.length + 1 : 0;
  const sorted = [...marks].sort((x, y) => x.span[0] - y.span[0]);
  const title = doc.title ? segmentsOf(full, 0, doc.title.length, sorted) : [];
  const text = segmentsOf(full, bodyStart, bodyStart + textEnd, sorted);
  return { title, text };
}

/**
 * Late-interaction explanation of one (query, document) pair.
 * @param queryEncoder the query model (colbert head), its own maximum length
 * @param docEncoder   the encoder that built the index, with the index's document length
 * @param plan         compute the OT plan with this epsilon (> 0), or leave it out
 * @example
 * ```ts
 * import { explainLateInteraction, OnnxEncoder } from "xlir";
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * const doc = { id: "d1", title: "Fox", text: "the quick brown fox" };
 * const e = await explainLateInteraction({ query: "quick fox", doc, queryEncoder: enc, docEncoder: enc, plan: { epsilon: 0.05 } });
 * console.assert(e.query_tokens.map((t) => t.token).join(" ") === "[CLS] quick fox [SEP]");
 * // s(q, d) = sum over query tokens of the best match's similarity; each match is a document token
 * const sum = e.query_tokens.reduce((s, t) => s + t.similarity!, 0);
 * console.assert(Math.abs(sum - e.score!) < 1e-5);
 * console.assert(e.query_tokens.every((t) => e.document_tokens[t.doc_index!] === t.match));
 * // the document comes back as its own text, in segments
 * console.assert(e.title.map((s) => s.text).join("") === "Fox" && e.text.map((s) => s.text).join("") === doc.text);
 * console.assert(e.plan!.converged && e.plan!.svg.startsWith("<svg"));
 * await enc.dispose();
 * ```
 */
export async function explainLateInteraction(o: {
  query: string;
  doc: CorpusDoc;
  queryEncoder: OnnxEncoder;
  docEncoder: OnnxEncoder;
  plan?: { epsilon: number; title?: string };
}): Promise<Explanation> {
  const q = await o.queryEncoder.encodeTokensDetailed([o.query]);
  const d = await o.docEncoder.encodeTokensDetailed([docText(o.doc)]);
  const dim = q.vectors.dim;
  if (d.vectors.dim !== dim)
    throw new XlirError("MISMATCH", `query vectors are ${dim}-d, document vectors ${d.vectors.dim}-d`);
  const qt = q.tokens[0];
  const dt = d.tokens[0];
  const qv = q.vectors.vectors; // [m, dim]
  const dv = d.vectors.vectors; // [n, dim]
  const m = qt.length;
  const n = dt.length;
  const queryTokens: QueryTokenMatch[] = [];
  let score = 0;
  for (let i = 0; i < m; i++) {
    let best = 0;
    let bestSim = -Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += qv[i * dim + c] * dv[j * dim + c];
      if (s > bestSim) {
        bestSim = s;
        best = j;
      }
    }
    score += bestSim;
    queryTokens.push({ token: qt[i], match: dt[best], doc_index: best, similarity: bestSim });
  }
  const ids = d.ids[0];
  const spans = tokenSpans(docText(o.doc), dt, (j) => o.docEncoder.tokenizer.isSpecial(ids[j]));
  const hitsOf = new Map<number, number[]>();
  queryTokens.forEach((t, i) =>
    hitsOf.set(t.doc_index as number, [...(hitsOf.get(t.doc_index as number) ?? []), i]),
  );
  const marks = [...hitsOf].flatMap(([j, hits]) => {
    const span = spans[j];
    return span
      ? [{ span, hits, similarity: Math.max(...hits.map((i) => queryTokens[i].similarity as number)) }]
      : [];
  });
  // the body as far as the model read it: to the end of the last token found in the text
  const bodyStart = o.doc.title ? o.doc.title.length + 1 : 0;
  let textEnd = o.doc.text.length;
  if (d.truncated[0]) {
    const lastEnd = Math.max(0, ...spans.filter((s): s is [number, number] => s !== null).map((s) => s[1]));
    textEnd = Math.max(0, Math.min(o.doc.text.length, lastEnd - bodyStart));
  }
  const { title, text } = documentSegments(o.doc, marks, textEnd);
  let plan: PlanView | null = null;
  if (o.plan) {
    const a = alignTokenVectors(qv, dv, dim, { epsilon: o.plan.epsilon });
    const svg = transportPlanSvg(a.plan, qt, dt, {
      title: o.plan.title,
      cell: n > 48 ? 14 : n > 24 ? 18 : 22,
    });
    plan = { svg, epsilon: o.plan.epsilon, cost: a.cost, iterations: a.iterations, converged: a.converged };
  }
  return {
    kind: "late-interaction",
    score,
    query_tokens: queryTokens,
    document_tokens: dt,
    title,
    text,
    truncated: d.truncated[0],
    plan,
  };
}

/** BM25 explanation: each analysed query term and the document words that analyse to it. */
export function explainBm25(o: { query: string; doc: CorpusDoc; analyzer: Analyzer }): Explanation {
  const terms = [...new Set(o.analyzer.analyze(o.query))];
  const termIndex = new Map(terms.map((t, i) => [t, i]));
  const full = docText(o.doc);
  const marks: Array<{ span: [number, number]; hits: number[]; similarity: number | null }> = [];
  const firstWord = new Map<number, string>();
  const analysed = new Map<string, string[]>();
  for (const w of full.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu)) {
    const word = w[0];
    let wordTerms = analysed.get(word);
    if (!wordTerms) analysed.set(word, (wordTerms = o.analyzer.analyze(word)));
    const hits = [
      ...new Set(wordTerms.map((t) => termIndex.get(t)).filter((i): i is number => i !== undefined)),
    ].sort((a, b) => a - b);
    if (hits.length === 0) continue;
    for (const h of hits) if (!firstWord.has(h)) firstWord.set(h, word);
    marks.push({ span: [w.index, w.index + word.length], hits, similarity: null });
  }
  const { title, text } = documentSegments(o.doc, marks, o.doc.text.length);
  return {
    kind: "bm25",
    score: null,
    query_tokens: terms.map((t, i) => ({
      token: t,
      match: firstWord.get(i) ?? null,
      doc_index: null,
      similarity: null,
    })),
    document_tokens: [],
    title,
    text,
    truncated: false,
    plan: null,
  };
}
