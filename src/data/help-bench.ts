/**
 * Builds the help-page known-item CLIR benchmark and the help-derived training data from parsed
 * pages (pure functions over HelpPage maps, so the leakage rules are testable on small pages).
 */
import type { HelpPage } from "./help-pages.js";
import { LeakageFilter } from "./leakage.js";
import { isTestPage } from "./split.js";
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

/** Splits paths into train and test (sorted). `isTest` defaults to the docs/data.md hash rule. */
export function splitPages(paths: Iterable<string>, isTest: (p: string) => boolean = isTestPage): { train: string[]; test: string[] } {
  const train: string[] = [];
  const test: string[] = [];
  for (const p of [...paths].sort(byCodeUnit)) (isTest(p) ? test : train).push(p);
  return { train, test };
}

/** The corpus document of an English page: title, and its paragraphs joined by newlines. */
export function corpusDoc(page: HelpPage): { id: string; title: string; text: string } {
  return { id: page.path, title: page.title, text: page.paragraphs.map((p) => p.text).join("\n") };
}

/**
 * The forbidden texts: titles and paragraphs of every test page, in English and in every
 * language given.
 */
export function helpLeakageFilter(test: string[], en: Map<string, HelpPage>, foreign: Iterable<Map<string, HelpPage>>): LeakageFilter {
  const f = new LeakageFilter();
  const all = [en, ...foreign];
  for (const pages of all) {
    for (const p of test) {
      const page = pages.get(p);
      if (!page) continue;
      f.add(page.title);
      for (const par of page.paragraphs) f.add(par.text);
    }
  }
  return f;
}

/**
 * Queries and qrels for one language: a test page gives a query when its translated title
 * differs (by normKey) from the English title; relevant = every corpus page whose English title
 * equals that page's English title (by normKey).
 */
export function helpQueries(test: string[], en: Map<string, HelpPage>, foreign: Map<string, HelpPage>): HelpLanguageBench {
  const byTitle = new Map<string, string[]>();
  for (const [path, page] of en) {
    const k = normKey(page.title);
    if (k === "") continue;
    const list = byTitle.get(k);
    if (list) list.push(path);
    else byTitle.set(k, [path]);
  }
  const queries: HelpQuery[] = [];
  const qrels = new Map<string, string[]>();
  let untranslated = 0;
  let missing = 0;
  for (const path of test) {
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
export function helpBitext(train: string[], en: Map<string, HelpPage>, foreign: Map<string, HelpPage>, filter: LeakageFilter): { pairs: Array<[string, string]>; dropped: number } {
  const pairs: Array<[string, string]> = [];
  let dropped = 0;
  const consider = (f: string, e: string) => {
    if (f === "" || e === "" || normKey(f) === normKey(e)) return;
    if (filter.keepPair(f, e)) pairs.push([f, e]);
    else dropped++;
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
 * pair whose query is forbidden (e.g. equals a test page's title) is dropped.
 */
export function teacherPairs(train: string[], en: Map<string, HelpPage>, filter: LeakageFilter): { pairs: Array<[string, string]>; dropped: number } {
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
    add(page.title, page.paragraphs.map((p) => p.text));
    for (let i = 0; i < page.paragraphs.length; i++) {
      const h = page.paragraphs[i];
      if (h.heading === 0) continue;
      const section: string[] = [];
      for (let j = i + 1; j < page.paragraphs.length && page.paragraphs[j].heading === 0; j++) section.push(page.paragraphs[j].text);
      add(h.text, section);
    }
  }
  return { pairs, dropped };
}
