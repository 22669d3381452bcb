import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { charNgrams, wordTokens } from "../../src/text/analyzer.js";
import { analyzerFamily, getAnalyzer, normalizeLang } from "../../src/text/analyzers/registry.js";

describe("tokenisation", () => {
  it("splits on anything that is not a letter, mark or digit, keeps internal apostrophes", () => {
    expect(wordTokens("Hello, world! user's 3.5 e-mail")).toEqual([
      "Hello",
      "world",
      "user's",
      "3",
      "5",
      "e",
      "mail",
    ]);
  });
  it("keeps Devanagari vowel signs (combining marks) inside words", () => {
    expect(wordTokens("तालिका सम्मिलित")).toEqual(["तालिका", "सम्मिलित"]);
  });
  it("treats U+200B and the Tibetan tsheg U+0F0B as separators", () => {
    expect(wordTokens("ស្វាគមន៍\u200bមក")).toEqual(["ស្វាគមន៍", "មក"]);
    expect(wordTokens("རྫོང\u0F0Bཁ")).toEqual(["རྫོང", "ཁ"]);
  });
  it("character n-grams: L-n+1 grams over code points, short words whole", () => {
    expect(charNgrams("abcdef", 4)).toEqual(["abcd", "bcde", "cdef"]);
    expect(charNgrams("abc", 4)).toEqual(["abc"]);
    expect(charNgrams("abcd", 4)).toEqual(["abcd"]);
  });
});

describe("English analyser", () => {
  const en = getAnalyzer("en");
  it("folds case, drops Lucene stopwords and possessives, stems with Porter2", () => {
    expect(en.analyze("The user's Inserting of Tables is running generously")).toEqual([
      "user",
      "insert",
      "tabl",
      "run",
      "generous",
    ]);
    expect(en.resolved).toEqual({ stopwords: "lucene", stemmer: "english", ngram: 0, maxSegment: 0 });
  });
  it("original Porter differs from Porter2 on 'generously'", () => {
    expect(getAnalyzer("en", { stemmer: "porter" }).analyze("generously")).toEqual(["gener"]);
  });
  it("NFKC folds ligatures and full-width letters", () => {
    expect(en.analyze("ﬁle ＡＢＣ")).toEqual(["file", "abc"]);
  });
  it("the iso list is much longer than Lucene's", () => {
    expect(en.analyze("about above")).toEqual(["about", "abov"]);
    expect(getAnalyzer("en", { stopwords: "iso" }).analyze("about above")).toEqual([]);
  });
});

describe("other families", () => {
  it("Basque: stopwords-iso + Snowball basque", () => {
    const eu = getAnalyzer("eu");
    expect(eu.family).toBe("snowball");
    expect(eu.resolved.stemmer).toBe("basque");
    // "bat" and "eta" are Basque stopwords; dokumentuak -> doku (Snowball basque)
    expect(eu.analyze("Taula bat eta dokumentuak")).toEqual(["tau", "doku"]);
  });
  it("Swahili: stopwords + 4-grams", () => {
    const sw = getAnalyzer("sw");
    expect(sw.family).toBe("ngram");
    // "ya" and "kila" are stopwords; "haki" has 4 code points -> kept whole
    expect(sw.analyze("Kila mtu ana haki ya kuishi")).toEqual(["mtu", "ana", "haki", "kuis", "uish", "ishi"]);
  });
  it("Khmer: segments kept whole plus 3-grams, a run without separators gives 3-grams only", () => {
    const km = getAnalyzer("km");
    // "ស្វាគមន៍" has 8 code points (<= 12): kept whole + its 8-3+1 = 6 3-grams; "មក" (2) whole only
    const t = km.analyze("ស្វាគមន៍\u200bមក");
    expect(t.length).toBe(1 + 6 + 1);
    expect(t[0]).toBe("ស្វាគមន៍");
    expect(t[1]).toBe("ស្វ");
    expect(t[7]).toBe("មក");
    const long = "ការបញ្ចូលតារាងទៅក្នុងឯកសារ"; // 26 code points, no separator
    const grams = km.analyze(long);
    expect(grams.length).toBe(Array.from(long).length - 3 + 1);
    expect(grams[0]).toBe("ការ");
    expect(grams).not.toContain(long);
  });
  it("Dzongkha: syllables between tshegs (whole, plus 3-grams when longer than 3)", () => {
    // རྫོང = 4 code points -> whole + 2 grams; ཁ, གི, ཡིག, ཆ have <= 3 -> whole only
    expect(getAnalyzer("dz").analyze("རྫོང་ཁ་གི་ཡིག་ཆ།")).toEqual(["རྫོང", "རྫོ", "ྫོང", "ཁ", "གི", "ཡིག", "ཆ"]);
    expect(getAnalyzer("dz", { ngram: 0 }).analyze("རྫོང་ཁ")).toEqual(["རྫོང", "ཁ"]);
  });
  it("unknown languages get the generic analyser: lower-cased words only", () => {
    const xx = getAnalyzer("xx");
    expect(xx.family).toBe("generic");
    expect(xx.analyze("The Foo-BAR")).toEqual(["the", "foo", "bar"]);
  });
  it("codes are normalised: region dropped, ISO 639-3 aliases", () => {
    expect(normalizeLang("en-US")).toBe("en");
    expect(normalizeLang("eus")).toBe("eu");
    expect(analyzerFamily("swh")).toBe("ngram");
    expect(analyzerFamily("fil")).toBe("ngram");
  });
  it("refuses unknown options and bad values", () => {
    expect(() => getAnalyzer("en", { stemer: "x" } as never)).toThrow(XlirError);
    expect(() => getAnalyzer("en", { ngram: -1 })).toThrow(/ngram/);
    expect(() => getAnalyzer("en", { stemmer: "klingon" })).toThrow(/klingon/);
    expect(() => getAnalyzer("cy", { stopwords: "iso" })).toThrow(/no list for 'cy'/);
  });
});
