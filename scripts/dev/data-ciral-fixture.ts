/**
 * Dev: writes test/fixtures/ciral-shape/, a tiny benchmark in the shapes CIRAL and NeuCLIR ship
 * (English queries over Hausa news passages): `corpus.jsonl.gz` (CIRAL passages: docid, title,
 * text, url), the same six topics as `topics.tsv` (CIRAL: qid<TAB>query), `topics.xml` (TREC
 * `<top>` with English title and description) and `topics.jsonl` (NeuCLIR: topic_id + topics[] with
 * an English original and a Hausa translation), and `qrels.txt` (TREC: qid Q0 docid rel, judged
 * hard negatives at 0). The Hausa text was written for this fixture. Deterministic (gzip without
 * a timestamp). Usage: npx tsx scripts/dev/data-ciral-fixture.ts [OUT_DIR]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const out = process.argv[2] ?? "test/fixtures/ciral-shape";

interface Passage {
  docid: string;
  title: string;
  text: string;
}

interface TopicDef {
  qid: string;
  title: string;
  description: string;
  haTitle: string;
  haDescription: string;
  relevant: string[];
  /** Judged, not relevant: same field, other event. */
  judgedOut: string[];
}

const passages: Passage[] = [
  // 101 flooding in Kano
  {
    docid: "dtha-0101#0#0",
    title: "Ambaliyar ruwa ta lalata gidaje a Kano",
    text: "Ambaliyar ruwa ta lalata gidaje fiye da ɗari biyu a jihar Kano bayan ruwan sama mai yawa da aka yi a ranar Litinin.",
  },
  {
    docid: "dtha-0101#0#1",
    title: "Ambaliyar ruwa ta lalata gidaje a Kano",
    text: "Hukumar bada agajin gaggawa ta jihar Kano ta ce mutane goma sun rasa rayukansu sakamakon ambaliyar ruwa a ƙananan hukumomi uku.",
  },
  {
    docid: "voha-0102#0#0",
    title: "Gwamnati ta tallafa wa waɗanda ambaliya ta shafa",
    text: "Gwamnatin jihar Kano ta raba abinci da tabarmi da barguna ga iyalan da ambaliyar ruwa ta raba da muhallansu.",
  },
  {
    docid: "lgha-0103#0#0",
    title: "Manoma sun fara shuka gero a Sokoto",
    text: "Ruwan sama ya fara sauka a jihar Sokoto, kuma manoma sun fara shuka gero da dawa a gonakinsu.",
  },
  // 102 fuel price increase
  {
    docid: "dtha-0201#0#0",
    title: "Farashin man fetur ya ƙaru a Abuja",
    text: "Farashin man fetur ya ƙaru zuwa naira ɗari shida kan kowace lita a gidajen mai na Abuja da kewaye.",
  },
  {
    docid: "voha-0202#0#0",
    title: "Direbobi sun ƙara kuɗin mota",
    text: "Direbobin motocin haya sun ƙara kuɗin mota saboda tsadar man fetur, fasinjoji sun koka da ƙarin.",
  },
  {
    docid: "voha-0202#0#1",
    title: "Direbobi sun ƙara kuɗin mota",
    text: "Wasu fasinjoji sun ce yanzu suna tafiya da ƙafa zuwa wurin aiki saboda tsadar man fetur da kuɗin mota.",
  },
  {
    docid: "lgha-0203#0#0",
    title: "Farashin gas ɗin girki ya sauka",
    text: "Farashin gas ɗin girki ya sauka a kasuwannin Kaduna a wannan makon, in ji 'yan kasuwa.",
  },
  // 103 polio vaccination
  {
    docid: "dtha-0301#0#0",
    title: "An fara allurar rigakafin shan inna a Katsina",
    text: "Ma'aikatan lafiya sun fara allurar rigakafin cutar shan inna ga yara 'yan ƙasa da shekara biyar a jihar Katsina.",
  },
  {
    docid: "voha-0302#0#0",
    title: "WHO ta yaba wa Najeriya kan shan inna",
    text: "Hukumar lafiya ta duniya ta yaba wa Najeriya kan nasarar yaƙi da cutar shan inna da allurar rigakafi a arewacin ƙasar.",
  },
  {
    docid: "voha-0302#0#1",
    title: "WHO ta yaba wa Najeriya kan shan inna",
    text: "Wasu iyaye sun ƙi a yi wa 'ya'yansu allurar rigakafin shan inna, in ji jami'an lafiya, amma sarakuna sun shiga tsakani.",
  },
  {
    docid: "isha-0303#0#0",
    title: "Asibitin Aminu Kano ya sami sabbin injuna",
    text: "Asibitin koyarwa na Aminu Kano ya sami sabbin injunan wanke ƙoda domin kula da marasa lafiya.",
  },
  // 104 Super Eagles football
  {
    docid: "lgha-0401#0#0",
    title: "Super Eagles ta doke Ghana",
    text: "Super Eagles ta doke Ghana da ci biyu da ɗaya a wasan sada zumunta da aka buga a Legas ranar Asabar.",
  },
  {
    docid: "lgha-0401#0#1",
    title: "Super Eagles ta doke Ghana",
    text: "Magoya bayan ƙwallon ƙafa sun yi murna a titunan Kano da Legas bayan nasarar Super Eagles a kan Ghana.",
  },
  {
    docid: "voha-0402#0#0",
    title: "Kocin Super Eagles ya fitar da sunayen 'yan wasa",
    text: "Kocin Super Eagles ya bayyana sunayen 'yan wasa ashirin da uku da za su buga gasar cin kofin Afirka.",
  },
  {
    docid: "dtha-0403#0#0",
    title: "Kano Pillars ta sha kashi",
    text: "Kano Pillars ta sha kashi a hannun Enyimba da ci ɗaya mai ban haushi a gasar firimiya ta Najeriya.",
  },
  // 105 fertilizer prices
  {
    docid: "dtha-0501#0#0",
    title: "Manoma sun koka kan tsadar taki",
    text: "Manoma a jihar Kaduna sun koka kan tsadar takin zamani a bana, suna cewa ba za su iya sayen isasshen taki ba.",
  },
  {
    docid: "voha-0502#0#0",
    title: "Gwamnati za ta raba takin zamani",
    text: "Gwamnatin tarayya ta ce za ta raba buhunan takin zamani ga manoma a farashi mai rahusa kafin damina.",
  },
  {
    docid: "isha-0503#0#0",
    title: "Buhun taki ya kai naira dubu ashirin",
    text: "Buhun takin zamani ya kai naira dubu ashirin a kasuwar Zaria, farashin da manoma suka ce ya yi tsada.",
  },
  {
    docid: "lgha-0504#0#0",
    title: "Manoman shinkafa sun yi girbi mai yawa",
    text: "Manoman shinkafa a jihar Kebbi sun girbe amfanin gona mai yawa a bana saboda ruwan sama mai kyau.",
  },
  // 106 election results
  {
    docid: "dtha-0601#0#0",
    title: "INEC ta bayyana sakamakon zaɓen Bauchi",
    text: "Hukumar zaɓe mai zaman kanta INEC ta bayyana sakamakon zaɓen gwamna a jihar Bauchi a safiyar Talata.",
  },
  {
    docid: "dtha-0601#0#1",
    title: "INEC ta bayyana sakamakon zaɓen Bauchi",
    text: "INEC ta ce fiye da mutane miliyan biyu ne suka kaɗa ƙuri'a a zaɓen, kuma an soke ƙuri'u dubu talatin.",
  },
  {
    docid: "voha-0602#0#0",
    title: "Jam'iyyar adawa ta ƙi amincewa da sakamako",
    text: "Jam'iyyar adawa ta ƙi amincewa da sakamakon zaɓen da INEC ta sanar, ta ce za ta tafi kotu.",
  },
  {
    docid: "lgha-0603#0#0",
    title: "Majalisa ta amince da kasafin kuɗi",
    text: "'Yan majalisar dokoki sun amince da kasafin kuɗin shekara mai zuwa bayan muhawara ta kwanaki uku.",
  },
  // unjudged news
  {
    docid: "voha-0701#0#0",
    title: "Shugaban ƙasa ya ziyarci Nijar",
    text: "Shugaban ƙasa ya kai ziyara ƙasar Nijar domin tattaunawa kan tsaron iyakoki da kasuwanci.",
  },
  {
    docid: "dtha-0702#0#0",
    title: "'Yan sanda sun kama ɓarayin shanu",
    text: "'Yan sanda sun kama mutane biyar da ake zargi da satar shanu a jihar Zamfara.",
  },
  {
    docid: "isha-0703#0#0",
    title: "Jami'ar Bayero ta yaye ɗalibai",
    text: "Jami'ar Bayero ta Kano ta yaye ɗalibai fiye da dubu goma a bikin da aka yi a ranar Asabar.",
  },
  {
    docid: "dtha-0704#0#0",
    title: "Farashin shinkafa ya sauka a Dawanau",
    text: "Farashin shinkafa da masara ya sauka a kasuwar Dawanau, in ji 'yan kasuwa.",
  },
  {
    docid: "lgha-0705#0#0",
    title: "An buɗe sabuwar gada a Kano",
    text: "Gwamnan jihar Kano ya buɗe sabuwar gadar sama a birnin Kano domin rage cunkoson ababen hawa.",
  },
  {
    docid: "voha-0706#0#0",
    title: "ASUU ta janye yajin aiki",
    text: "Ƙungiyar malaman jami'o'i ASUU ta janye yajin aikin da ta shafe watanni takwas tana yi.",
  },
];

const topics: TopicDef[] = [
  {
    qid: "101",
    title: "flooding in Kano State",
    description:
      "Reports of floods in Kano State: houses destroyed, people killed, and relief given to the victims.",
    haTitle: "ambaliyar ruwa a jihar Kano",
    haDescription:
      "Labarai kan ambaliyar ruwa a jihar Kano: gidajen da suka lalace, mutanen da suka rasu, da tallafin da aka ba waɗanda abin ya shafa.",
    relevant: ["dtha-0101#0#0", "dtha-0101#0#1", "voha-0102#0#0"],
    judgedOut: ["lgha-0103#0#0"],
  },
  {
    qid: "102",
    title: "fuel price increase",
    description: "The rise in the price of petrol and its effect on transport fares and passengers.",
    haTitle: "ƙarin farashin man fetur",
    haDescription: "Ƙarin farashin man fetur da tasirinsa kan kuɗin mota da fasinjoji.",
    relevant: ["dtha-0201#0#0", "voha-0202#0#0", "voha-0202#0#1"],
    judgedOut: ["lgha-0203#0#0"],
  },
  {
    qid: "103",
    title: "polio vaccination campaign",
    description:
      "Campaigns to vaccinate children against polio and how parents and health officials respond.",
    haTitle: "allurar rigakafin cutar shan inna",
    haDescription:
      "Gangamin allurar rigakafin shan inna ga yara da yadda iyaye da jami'an lafiya suka karɓe shi.",
    relevant: ["dtha-0301#0#0", "voha-0302#0#0", "voha-0302#0#1"],
    judgedOut: ["isha-0303#0#0"],
  },
  {
    qid: "104",
    title: "Super Eagles football match",
    description: "Matches and squad news of the Nigerian national football team, the Super Eagles.",
    haTitle: "wasan ƙwallon ƙafa na Super Eagles",
    haDescription: "Wasanni da labaran 'yan wasan ƙungiyar ƙwallon ƙafa ta Najeriya, Super Eagles.",
    relevant: ["lgha-0401#0#0", "lgha-0401#0#1", "voha-0402#0#0"],
    judgedOut: ["dtha-0403#0#0"],
  },
  {
    qid: "105",
    title: "price of fertilizer for farmers",
    description: "Farmers' complaints about the cost of fertilizer and government plans to sell it cheaply.",
    haTitle: "farashin takin zamani ga manoma",
    haDescription:
      "Kokawar manoma kan tsadar takin zamani da shirin gwamnati na sayar da shi a farashi mai rahusa.",
    relevant: ["dtha-0501#0#0", "voha-0502#0#0", "isha-0503#0#0"],
    judgedOut: ["lgha-0504#0#0"],
  },
  {
    qid: "106",
    title: "election results announced by INEC",
    description: "Results of elections declared by the electoral commission INEC and reactions to them.",
    haTitle: "sakamakon zaɓe da INEC ta sanar",
    haDescription: "Sakamakon zaɓen da hukumar zaɓe INEC ta bayyana da martanin jam'iyyu.",
    relevant: ["dtha-0601#0#0", "dtha-0601#0#1", "voha-0602#0#0"],
    judgedOut: ["lgha-0603#0#0"],
  },
];

const urlOf = (docid: string) => `https://news.example/ha/${docid.split("#")[0]}`;
mkdirSync(out, { recursive: true });
const corpus =
  passages
    .map((p) => JSON.stringify({ docid: p.docid, title: p.title, text: p.text, url: urlOf(p.docid) }))
    .join("\n") + "\n";
writeFileSync(join(out, "corpus.jsonl.gz"), gzipSync(Buffer.from(corpus, "utf8"), { level: 9 }));
writeFileSync(join(out, "topics.tsv"), topics.map((t) => `${t.qid}\t${t.title}`).join("\n") + "\n");
writeFileSync(
  join(out, "topics.xml"),
  topics
    .map(
      (t) =>
        `<top>\n<num> Number: ${t.qid}\n<title> ${t.title}\n\n<desc> Description:\n${t.description}\n\n</top>\n`,
    )
    .join("\n"),
);
writeFileSync(
  join(out, "topics.jsonl"),
  topics
    .map((t) =>
      JSON.stringify({
        topic_id: t.qid,
        topics: [
          { lang: "eng", source: "original", topic_title: t.title, topic_description: t.description },
          {
            lang: "hau",
            source: "human translation",
            topic_title: t.haTitle,
            topic_description: t.haDescription,
          },
        ],
        narratives: {
          hau: {
            "1": "A passage about this event or its direct effects.",
            "0": "A passage about another event in the same field.",
          },
        },
        languages_with_qrels: ["hau"],
      }),
    )
    .join("\n") + "\n",
);
const qrels: string[] = [];
for (const t of topics) {
  const judged = [...t.relevant.map((d) => [d, 1] as const), ...t.judgedOut.map((d) => [d, 0] as const)].sort(
    (a, b) => (a[0] < b[0] ? -1 : 1),
  );
  for (const [d, r] of judged) qrels.push(`${t.qid} Q0 ${d} ${r}`);
}
writeFileSync(join(out, "qrels.txt"), qrels.join("\n") + "\n");
console.log(
  `wrote ${passages.length} passages, ${topics.length} topics, ${qrels.length} judgements to ${out}`,
);
