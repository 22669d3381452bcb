/**
 * LibreOffice help pages (XHTML): page title from <title>, paragraphs from elements whose id
 * starts with `par_id` or `hd_id`. Paragraphs of a translated page pair with the en-US page at
 * the same path by (id, occurrence) — an id may repeat when a page embeds another page's text.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { htmlToText, decodeEntities, collapseSpace } from "./text.js";

/** One id-carrying element of a help page. */
export interface HelpParagraph {
  /** `par_id…` or `hd_id…`, with `#k` appended for the k-th repeat (k >= 2) on the same page. */
  key: string;
  /** Heading level 1–6 for <h1>…<h6>, else 0. */
  heading: number;
  text: string;
}

export interface HelpPage {
  /** `/text/…/x.html`, relative to the language folder. */
  path: string;
  title: string;
  paragraphs: HelpParagraph[];
}

const ELEMENT = /<(p|h[1-6]|td|li|span|div)\b([^>]*?)\bid="((?:par|hd)_id[^"]*)"[^>]*>([\s\S]*?)<\/\1>/g;

/** Parses one help page's HTML. */
export function parseHelpPage(path: string, html: string): HelpPage {
  const t = /<title>([\s\S]*?)<\/title>/i.exec(html);
  const title = t ? collapseSpace(decodeEntities(t[1].replace(/<[^>]*>/g, ""))) : "";
  const seen = new Map<string, number>();
  const paragraphs: HelpParagraph[] = [];
  for (const m of html.matchAll(ELEMENT)) {
    const id = m[3];
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    const text = htmlToText(m[4]);
    if (text === "") continue;
    const tag = m[1];
    paragraphs.push({ key: n === 1 ? id : `${id}#${n}`, heading: tag[0] === "h" ? Number(tag[1]) : 0, text });
  }
  return { path, title, paragraphs };
}

async function walk(dir: string, rel: string, out: string[]): Promise<void> {
  const entries = await fsp.readdir(join(dir, rel), { withFileTypes: true });
  for (const e of entries) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) await walk(dir, r, out);
    else if (e.name.endsWith(".html")) out.push(r);
  }
}

/** Lists the `/text/…html` pages under a language folder (`…/help/<lang>`), sorted. */
export async function listHelpPages(langDir: string): Promise<string[]> {
  const out: string[] = [];
  await walk(langDir, "", out);
  return out.filter((p) => p.startsWith("/text/")).sort();
}

/** Reads and parses every help page of one language folder, keyed by path. */
export async function readHelpLanguage(langDir: string): Promise<Map<string, HelpPage>> {
  const paths = await listHelpPages(langDir);
  const pages = new Map<string, HelpPage>();
  for (const p of paths) pages.set(p, parseHelpPage(p, await fsp.readFile(join(langDir, p), "utf8")));
  return pages;
}
