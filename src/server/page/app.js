/* global document, window, fetch, history, URLSearchParams, DOMParser, performance */
/**
 * The search page: plain DOM, no framework, no external resource. Every text that comes from the
 * corpus or a request is written with textContent (never innerHTML); the only markup inserted is
 * the transport-plan SVG drawn by the server's renderer (tokens escaped there), parsed as XML and
 * checked for script before it is adopted.
 */

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const queryBox = $("q");
const modelSelect = $("model");
const kSelect = $("k");
const status = $("status");
const list = $("results");

let info = null; // GET /models
let searchSeq = 0; // answers to older searches are dropped

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

async function api(path, body) {
  const res = await fetch(
    path,
    body === undefined
      ? {}
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data && typeof data.error === "string" ? data.error : `HTTP ${res.status}`);
  return data;
}

function fmt(x, digits = 3) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

function modelLabel(m) {
  const role = m.role === "model" || m.role === m.name ? "" : ` · ${m.role}`;
  return `${m.name}${role}`;
}

function currentModel() {
  return info ? info.models.find((m) => m.name === modelSelect.value) : undefined;
}

/** Title / text segments -> nodes; matched pieces become <mark> with the matching query tokens. */
function renderSegments(target, segments, queryTokens, range) {
  target.replaceChildren();
  for (const s of segments) {
    if (!s.hits.length) {
      target.append(document.createTextNode(s.text));
      continue;
    }
    const m = el("mark", "hit", s.text);
    m.dataset.hits = s.hits.join(" ");
    const who = s.hits.map(
      (i) =>
        queryTokens[i].token +
        (queryTokens[i].similarity === null ? "" : ` (${fmt(queryTokens[i].similarity)})`),
    );
    m.title = `matched by ${who.join(", ")}`;
    if (s.similarity !== null && range) {
      const t = range.max > range.min ? (s.similarity - range.min) / (range.max - range.min) : 1;
      m.style.setProperty("--strength", String(0.25 + 0.75 * Math.max(0, Math.min(1, t))));
    }
    target.append(m);
  }
}

function focusHits(card, i, on) {
  for (const m of card.querySelectorAll("mark.hit")) {
    if (m.dataset.hits.split(" ").includes(String(i))) m.classList.toggle("focus", on);
  }
}

function insertPlan(box, svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg" || svg.querySelector("script, foreignObject, parsererror"))
    throw new Error("the plan image is not a plain SVG");
  for (const n of svg.querySelectorAll("*"))
    for (const a of [...n.attributes])
      if (/^on/i.test(a.name) || /^\s*javascript:/i.test(a.value))
        throw new Error("the plan image is not a plain SVG");
  box.replaceChildren(document.importNode(svg, true));
}

async function showPlan(card, hit, query, model, button, box) {
  button.disabled = true;
  button.textContent = "Computing the transport plan…";
  try {
    const e = await api("/explain", { query, docno: hit.docno, model, plan: true });
    insertPlan(box, e.plan.svg);
    const cap = el(
      "p",
      "plan-caption",
      `Entropic OT between ${e.query_tokens.length} query tokens (rows) and ${e.document_tokens.length} document tokens (columns): ε = ${e.plan.epsilon}, cost ⟨P, C⟩ = ${fmt(e.plan.cost, 4)}, ${e.plan.iterations} Sinkhorn iterations${e.plan.converged ? "" : " (not converged)"}. Darker = more mass; the red square is each row's largest entry.`,
    );
    box.append(cap);
    button.remove();
  } catch (err) {
    button.disabled = false;
    button.textContent = "Show the transport plan";
    box.replaceChildren(el("p", "error", String(err.message)));
  }
}

async function explain(card, hit, query, model, button) {
  const panel = card.querySelector(".explain");
  if (button.getAttribute("aria-expanded") === "true") {
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Why it matched";
    panel.hidden = true;
    card.querySelector(".title").textContent = hit.title ?? hit.docno;
    card.querySelector(".snippet").textContent = hit.snippet ?? "";
    return;
  }
  button.disabled = true;
  try {
    const e = await api("/explain", { query, docno: hit.docno, model });
    const sims = e.query_tokens.map((t) => t.similarity).filter((s) => s !== null);
    const range = sims.length ? { min: Math.min(...sims), max: Math.max(...sims) } : null;
    if (e.title.length) renderSegments(card.querySelector(".title"), e.title, e.query_tokens, range);
    const snippet = card.querySelector(".snippet");
    renderSegments(snippet, e.text, e.query_tokens, range);
    if (e.truncated) snippet.append(el("span", "cut", " … (the model read no further)"));
    snippet.classList.add("full");

    panel.replaceChildren();
    const head = el("p", "explain-head");
    head.append(
      el(
        "strong",
        null,
        e.kind === "bm25"
          ? "Query terms and the words they matched"
          : "Each query token and the document token it matched (MaxSim)",
      ),
    );
    if (e.score !== null)
      head.append(el("span", "muted", ` · Σ max sim = ${fmt(e.score)} (search score ${fmt(hit.score)})`));
    panel.append(head);
    const chips = el("ul", "chips");
    e.query_tokens.forEach((t, i) => {
      const c = el("li", t.match === null ? "chip none" : "chip");
      c.append(el("span", "qt", t.token), el("span", "arrow", "→"), el("span", "dt", t.match ?? "no match"));
      if (t.similarity !== null) c.append(el("span", "sim", fmt(t.similarity, 2)));
      c.addEventListener("mouseenter", () => focusHits(card, i, true));
      c.addEventListener("mouseleave", () => focusHits(card, i, false));
      chips.append(c);
    });
    panel.append(chips);
    if (e.kind === "late-interaction") {
      const box = el("div", "plan");
      const planButton = el("button", "plan-btn", "Show the transport plan");
      planButton.type = "button";
      planButton.addEventListener("click", () => showPlan(card, hit, query, model, planButton, box));
      panel.append(planButton, box);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Hide the explanation";
  } catch (err) {
    panel.replaceChildren(el("p", "error", String(err.message)));
    panel.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function renderResults(data, query, model, clientMs) {
  list.replaceChildren();
  const m = info.models.find((x) => x.name === model);
  data.results.forEach((hit) => {
    const card = el("li", "result");
    const head = el("div", "result-head");
    head.append(
      el("span", "rank", hit.rank),
      el("h2", "title", hit.title ?? hit.docno),
      el("span", "score", fmt(hit.score)),
    );
    head.querySelector(".score").title = "score";
    card.append(head);
    const meta = el("div", "meta");
    meta.append(el("code", "docno", hit.docno));
    card.append(meta);
    card.append(el("p", "snippet", hit.snippet ?? ""));
    if (m && m.explain) {
      const why = el("button", "why", "Why it matched");
      why.type = "button";
      why.setAttribute("aria-expanded", "false");
      why.addEventListener("click", () => explain(card, hit, query, model, why));
      card.append(why);
    }
    const panel = el("section", "explain");
    panel.hidden = true;
    card.append(panel);
    list.append(card);
  });
  const n = data.results.length;
  setStatus(
    `${n} result${n === 1 ? "" : "s"} from ${model} · ${fmt(data.took_ms, 1)} ms on the server, ${fmt(clientMs, 0)} ms in all`,
  );
}

async function search() {
  const query = queryBox.value.trim();
  if (!query) {
    setStatus("Type a query first.", true);
    queryBox.focus();
    return;
  }
  const model = modelSelect.value;
  const k = Number(kSelect.value);
  const seq = ++searchSeq;
  setStatus("Searching…");
  const t0 = performance.now();
  try {
    const data = await api("/search", { query, k, model });
    if (seq !== searchSeq) return;
    renderResults(data, query, model, performance.now() - t0);
    const p = new URLSearchParams({ q: query, model, k: String(k) });
    history.replaceState(null, "", `?${p}`);
  } catch (err) {
    if (seq !== searchSeq) return;
    list.replaceChildren();
    setStatus(`Search failed: ${err.message}`, true);
  }
}

async function init() {
  try {
    info = await api("/models");
  } catch (err) {
    setStatus(`Cannot reach the server: ${err.message}`, true);
    return;
  }
  for (const m of info.models) {
    const o = el("option", null, modelLabel(m));
    o.value = m.name;
    modelSelect.append(o);
  }
  modelSelect.value = info.default;
  for (const k of [5, 10, 20, 50, 100].filter((k) => k <= info.limits.maxK)) {
    const o = el("option", null, k);
    o.value = String(k);
    kSelect.append(o);
  }
  kSelect.value = String(Math.min(10, info.limits.maxK));
  queryBox.maxLength = info.limits.maxQueryChars;
  const docs = info.corpus ? `${info.corpus.docs} documents with text` : "no corpus loaded (ids only)";
  $("index-info").textContent =
    `Index: ${info.index.kind}, ${info.index.docCount} documents · ${docs} · ${info.models.length} model${info.models.length === 1 ? "" : "s"}`;
  const p = new URLSearchParams(window.location.search);
  if (p.get("model") && info.models.some((m) => m.name === p.get("model")))
    modelSelect.value = p.get("model");
  if (p.get("k") && [...kSelect.options].some((o) => o.value === p.get("k"))) kSelect.value = p.get("k");
  if (p.get("q")) {
    queryBox.value = p.get("q");
    await search();
  }
  if (!currentModel()) modelSelect.value = info.default;
  queryBox.focus();
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  search();
});

init();
