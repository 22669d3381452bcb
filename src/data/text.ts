/** Text helpers for the benchmark builder: HTML to text, normalisation used by the leakage filter. */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Decodes the HTML entities that occur in the help pages, UDHR and TMX (named + numeric). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === "#") {
      const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/**
 * Collapses runs of white space (tabs and newlines included) to one space and trims. Zero-width
 * spaces (U+200B, Khmer word separators) are kept: they are not JavaScript white space.
 */
export function collapseSpace(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Removes tags, decodes entities and collapses white space: the text of an HTML fragment. */
export function htmlToText(fragment: string): string {
  const noScript = fragment.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ");
  return collapseSpace(decodeEntities(noScript.replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "")));
}

/**
 * The key the leakage filter compares: NFC, lower-cased (case-folded), zero-width spaces and
 * BOMs treated as spaces, white space collapsed. Two strings "are the same text" iff their keys
 * are equal.
 */
export function normKey(s: string): string {
  return collapseSpace(
    s
      .normalize("NFC")
      .replace(/[\u200b\ufeff]/g, " ")
      .toLowerCase(),
  );
}

/**
 * The key every leakage filter compares (one normalisation for bitext, dictionaries, teacher
 * pairs and the checks of built data): NFKC (so "…" is "...", full-width forms are ASCII);
 * LibreOffice mnemonic markers `~`, soft hyphens, zero-width (non-)joiners and word joiners
 * removed; zero-width spaces and BOMs treated as spaces (Khmer word separators); case-folded
 * (upper- then lower-case, so "ß" and "SS" agree); every punctuation or symbol character
 * (Unicode P and S: edge ellipses, trailing colons, brackets, quotes, inner dashes) turned into a
 * space; white space collapsed and trimmed. "Gertaerak...", "~Bete:" and " BETE " have the keys
 * "gertaerak", "bete" and "bete". A string made only of punctuation has the key "".
 */
export function leakKey(s: string): string {
  // ASCII fast path (most UI strings and all English text): NFKC is the identity, case folding is
  // toLowerCase, and every ASCII punctuation or symbol character is in Unicode P or S.
  // eslint-disable-next-line no-control-regex -- the ASCII range test needs \x00
  if (/^[\x00-\x7f]*$/.test(s)) {
    return s
      .replace(/~/g, "")
      .toLowerCase()
      .replace(/[!-/:-@[-`{-~]+/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  }
  return s
    .normalize("NFKC")
    .replace(/~|\u00ad|\u200c|\u200d|\u2060/g, "")
    .replace(/[\u200b\ufeff]/g, " ")
    .toUpperCase()
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The distinct tokens of a leakage key (split on spaces), in first-seen order. */
export function leakTokens(key: string): string[] {
  return key === "" ? [] : [...new Set(key.split(" "))];
}

/** Makes a string safe for one TSV field: tabs and newlines become spaces. */
export function tsvField(s: string): string {
  return s.replace(/[\t\r\n]+/g, " ");
}

/** Compares strings by UTF-16 code units: the one sort order used for every output file. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
