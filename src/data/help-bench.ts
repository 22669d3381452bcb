/**
 * Builds the help-page known-item CLIR benchmark and the help-derived training data from parsed
 * pages (pure functions over HelpPage maps, so the leakage rules are testable on small pages).
 */
import type { HelpPage } from "./help-pages.js";
import { LeakageFilter, type LeakCounts } from "./leakage.js";
import { pageSplit, type PageSplit } from "./split.js";
import { byCodeUnit, normKey } from "./text.js";

export interface HelpQuery {
  qid: string;
  text: string;
  english: string;
}

export interface HelpLanguageBench {
  queries: HelpQuery[];
  /** qid -> relevant docids, sorted. */
  qrels: Map<string, string[]>;
  /** Test pages whose translated title equals the English one (left out). */
  untranslated: number;
  /** Test pages with no translated page or no title. */
  missing: number;
}

/** Splits paths into train, dev and test (each sorted). `splitOf` defaults to the docs/data.md hash rule. */
export function splitPages(
  paths: Iterable<string>,
  splitOf: (p: string) => PageSplit = pageSplit,
): Record<PageSplit, string[]> {
  const out: Record<PageSplit, string[]> = { train: [], dev: [], test: [] };
  for (const p of [...paths].sort(byCodeUnit)) out[splitOf(p)].push(p);
  return out;
}

/** The corpus document of an English page: title, and its paragraphs joined by newlines. */
export function corpusDoc(page: HelpPage): { id: string; title: string; text: string } {
  return { id: page.path, title: page.title, text: page.paragraphs.map((p) => p.text).join("\n") };
}

/**
 * The forbidden texts: titles and paragraphs of every held-out page (dev and test pages), in
 * English and in every language given. The same set covers both directions: a help query (a
 * foreign title), a reversed query (an English title) and the text of every held-out document.
 */
export function helpLeakageFilter(
  heldOut: string[],
  en: Map<string, HelpPage>,
  foreign: Iterable<Map<string, HelpPage>>,
): LeakageFilter {
  const f = new LeakageFilter();
  const all = [en, ...foreign];
  for (const pages of all) {
    for (const p of heldOut) {
      const page = pages.get(p);
      if (!page) continue;
      f.add(page.title);
      for (const par of page.paragraphs) f.add(par.text);
    }
  }
  return f;
}

/**
 * Queries and qrels for one language and one held-out split (`pages` = its test or dev pages): a
 * page gives a query when its translated title
 * differs (by normKey) from the English title; relevant = every corpus page whose English title
 * equals that page's English title (by normKey).
 */
export function helpQueries(
  pages: string[],
  en: Map<string, HelpPage>,
  foreign: Map<string, HelpPage>,
): HelpLanguageBench {
  const byTitle = pagesByEnglishTitle(en, en.keys());
  const queries: HelpQuery[] = [];
  const qrels = new Map<string, string[]>();
  let untranslated = 0;
  let missing = 0;
  for (const path of pages) {
    const e = en.get(path);
    const f = foreign.get(path);
    if (!e || normKey(e.title) === "") continue;
    if (!f || normKey(f.title) === "") {
      missing++;
      continue;
    }
    if (normKey(f.title) === normKey(e.title)) {
      untranslated++;
      continue;
    }
    queries.push({ qid: path, text: f.title, english: e.title });
    qrels.set(path, [...(byTitle.get(normKey(e.title)) ?? [path])].sort(byCodeUnit));
  }
  return { queries, qrels, untranslated, missing };
}

/**
 * Paragraph pairs (foreign, English) of train pages, paired by element id and occurrence, the
 * titles included; untranslated pairs (equal by normKey) and forbidden pairs are dropped.
 */
export function helpBitext(
  train: string[],
  en: Map<string, HelpPage>,
  foreign: Map<string, HelpPage>,
  filter: LeakageFilter,
): { pairs: Array<[string, string]>; dropped: LeakCounts } {
  const pairs: Array<[string, string]> = [];
  const dropped: LeakCounts = { exact: 0, near: 0 };
  const consider = (f: string, e: string) => {
    if (f === "" || e === "" || normKey(f) === normKey(e)) return;
    const r = filter.pairRule(f, e);
    if (r) dropped[r]++;
    else pairs.push([f, e]);
  };
  for (const path of train) {
    const e = en.get(path);
    const f = foreign.get(path);
    if (!e || !f) continue;
    consider(f.title, e.title);
    const enByKey = new Map(e.paragraphs.map((p) => [p.key, p.text]));
    for (const par of f.paragraphs) {
      const et = enByKey.get(par.key);
      if (et !== undefined) consider(par.text, et);
    }
  }
  return { pairs, dropped };
}

/**
 * English-only teacher pairs from train pages: title -> page text, heading -> its section (the
 * paragraphs up to the next heading). Forbidden paragraphs are removed from documents, and a
 * pair whose query is forbidden (e.g. equals a held-out page's title) is dropped.
 */
export function teacherPairs(
  train: string[],
  en: Map<string, HelpPage>,
  filter: LeakageFilter,
): { pairs: Array<[string, string]>; dropped: number } {
  const pairs: Array<[string, string]> = [];
  let dropped = 0;
  const add = (q: string, texts: string[]) => {
    const qk = normKey(q);
    const doc = texts.filter((t) => !filter.isForbidden(t) && normKey(t) !== qk).join(" ");
    if (qk === "" || doc === "") return;
    if (filter.isForbidden(q)) dropped++;
    else pairs.push([q, doc]);
  };
  for (const path of train) {
    const page = en.get(path);
    if (!page) continue;
    add(
      page.title,
      page.paragraphs.map((p) => p.text),
    );
    for (let i = 0; i < page.paragraphs.length; i++) {
      const h = page.paragraphs[i];
      if (h.heading === 0) continue;
      const section: string[] = [];
      for (let j = i + 1; j < page.paragraphs.length && page.paragraphs[j].heading === 0; j++)
        section.push(page.paragraphs[j].text);
      add(h.text, section);
    }
  }
  return { pairs, dropped };
}

/** English title key (normKey) -> the paths among `paths` with that English title, in order. */
function pagesByEnglishTitle(en: Map<string, HelpPage>, paths: Iterable<string>): Map<string, string[]> {
  const byTitle = new Map<string, string[]>();
  for (const path of paths) {
    const page = en.get(path);
    const k = page ? normKey(page.title) : "";
    if (k === "") continue;
    const list = byTitle.get(k);
    if (list) list.push(path);
    else byTitle.set(k, [path]);
  }
  return byTitle;
}

/** A document of the reversed help benchmark: a foreign help page, its translated text only. */
export interface ReversedDoc {
  id: string;
  title: string;
  text: string;
  lang: string;
}

export interface ReversedCorpus {
  docs: ReversedDoc[];
  /** Pages of the foreign package. */
  pages: number;
  /** Pages left out: neither the title nor any paragraph is translated. */
  droppedPages: number;
  /** Kept pages whose title is left in English (their title field is empty). */
  untranslatedTitles: number;
  /** Paragraphs left out because they equal (normKey) the English paragraph of the same id. */
  untranslatedParagraphs: number;
  paragraphs: number;
}

/**
 * The documents of the reversed help benchmark (English queries over a help language's pages):
 * one per page of the foreign package, id = path, title = the foreign title, text = the foreign
 * paragraphs joined by newlines, `lang` = the language. Text left in English is removed, since
 * English queries would find it by English search: a title equal (normKey) to the page's
 * English title becomes "", a paragraph equal to the English paragraph with the same id is left
 * out, and a page with nothing translated is not a document. (Partly translated packages are
 * mostly English: untranslated paragraphs hold 2% of the Basque characters, 52-57% of om/km/dz
 * and 93% of Hindi.)
 */
export function reversedCorpus(
  en: Map<string, HelpPage>,
  foreign: Map<string, HelpPage>,
  lang: string,
): ReversedCorpus {
  const docs: ReversedDoc[] = [];
  let droppedPages = 0;
  let untranslatedTitles = 0;
  let untranslatedParagraphs = 0;
  let paragraphs = 0;
  const paths = [...foreign.keys()].sort(byCodeUnit);
  for (const path of paths) {
    const f = foreign.get(path)!;
    const e = en.get(path);
    const enByKey = new Map((e?.paragraphs ?? []).map((p) => [p.key, p.text]));
    const title = e && normKey(f.title) === normKey(e.title) ? "" : f.title;
    const texts: string[] = [];
    for (const par of f.paragraphs) {
      paragraphs++;
      const et = enByKey.get(par.key);
      if (et !== undefined && normKey(et) === normKey(par.text)) untranslatedParagraphs++;
      else texts.push(par.text);
    }
    if (normKey(title) === "" && texts.length === 0) {
      droppedPages++;
      continue;
    }
    if (title === "" && f.title !== "") untranslatedTitles++;
    docs.push({ id: path, title, text: texts.join("\n"), lang });
  }
  return { docs, pages: paths.length, droppedPages, untranslatedTitles, untranslatedParagraphs, paragraphs };
}

export interface ReversedQuery {
  qid: string;
  /** The English title (the query). */
  text: string;
  /** The page's foreign title (not a query field; for inspection). */
  foreign: string;
}

/**
 * English queries and qrels of the reversed benchmark for one held-out split: the same pages as
 * `helpQueries` gives queries for (translated foreign title, so the qids of both directions
 * agree; a page whose title is left in English would be found by English search), query = the
 * English title, relevant = every document of `corpus` whose English title equals it (normKey).
 */
export function reversedQueries(
  pages: string[],
  en: Map<string, HelpPage>,
  foreign: Map<string, HelpPage>,
  corpus: ReversedDoc[],
): { queries: ReversedQuery[]; qrels: Map<string, string[]> } {
  const byTitle = pagesByEnglishTitle(
    en,
    corpus.map((d) => d.id),
  );
  const fwd = helpQueries(pages, en, foreign);
  const queries: ReversedQuery[] = [];
  const qrels = new Map<string, string[]>();
  for (const q of fwd.queries) {
    const rel = byTitle.get(normKey(q.english));
    if (!rel || !rel.includes(q.qid)) continue; // cannot happen: a translated title keeps its page
    queries.push({ qid: q.qid, text: q.english, foreign: q.text });
    qrels.set(q.qid, [...rel].sort(byCodeUnit));
  }
  return { queries, qrels };
}
