// unspin review page. Plain JavaScript, no dependencies; the text never goes to innerHTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    text: $("text"), analyze: $("analyze"), openFile: $("open-file"), file: $("file"),
    example: $("example"), clear: $("clear"), count: $("count"), error: $("error"),
    results: $("results"), gauge: $("gauge"), gaugeValue: $("gauge-value"),
    gaugeKnob: $("gauge-knob"), gaugePct: $("gauge-pct"), verdict: $("verdict"),
    explain: $("verdict-explain"), stats: $("stats"), doc: $("doc"), diff: $("diff"),
    diffRows: $("diff-rows"), flags: $("flags"), flagCount: $("flag-count"),
    noFlags: $("no-flags"), copy: $("copy"), download: $("download"), tip: $("tip"),
    drop: $("drop"), toast: $("toast"), sourcesCard: $("sources-card"),
    sources: $("sources"), sourceCount: $("source-count"), noSources: $("no-sources"),
    sentences: $("sentences"),
  };
  const EXAMPLE =
    "Over the past decade, hospitals have started to utilize counterfeit consciousness to " +
    "read restorative pictures and to foresee which patients need pressing consideration. " +
    "The frameworks learn from colossal information: millions of scans, research facility " +
    "results and specialists' notes. In the event that the preparation information is " +
    "one-sided, the outcomes can be off-base for entire gatherings of patients [seven].\n\n" +
    "Profound learning has been particularly fruitful in radiology. A neural system can " +
    "discover little tumours in bosom malignant growth screening that a worn out specialist " +
    "may miss, and it can do as such in a small amount of a second. Be that as it may, the " +
    "product does not supplant the radiologist.";
  const VERDICTS = {
    spun: ["Likely spun", "Parts of this text look machine-spun. Check the highlights below."],
    uncertain: ["Uncertain", "Some words look swapped, but not enough to be sure."],
    clean: ["Looks clean", "No sign of spinning."],
    unsupported: ["Can't judge", ""],
  };
  const KINDS = {
    substitution: "Swapped word",
    keyword: "Pasted keyword",
    artifact: "Spinner artifact",
  };

  let limits = { max_text_chars: 200000, max_body_bytes: 2000000 };
  let canTrace = false; // the server has an index: show the sources of every text
  let state = null; // {text, report, name, segs, exact}
  let fileName = "";

  fetch("/healthz")
    .then((r) => (r.ok ? r.json() : null))
    .then((h) => {
      if (h && h.limits) { limits = h.limits; updateCount(); }
      canTrace = Boolean(h && h.trace);
    })
    .catch(() => {});

  // ---- helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const kid of kids) node.append(kid);
    return node;
  }
  const fmt = (n) => n.toLocaleString("en-US");
  const codePoints = (s) => (/[\uD800-\uDFFF]/.test(s) ? Array.from(s).length : s.length);

  let toastTimer = 0;
  function toast(msg) {
    ui.toast.textContent = msg;
    ui.toast.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => ui.toast.classList.remove("show"), 2200);
  }
  function showError(msg) {
    ui.error.textContent = msg;
    ui.error.hidden = !msg;
  }
  function updateCount() {
    const n = codePoints(ui.text.value);
    ui.count.textContent = `${fmt(n)} / ${fmt(limits.max_text_chars)} characters`;
    ui.count.classList.toggle("over", n > limits.max_text_chars);
  }

  // The API gives code-point offsets (Python string indices); JavaScript strings index
  // UTF-16 units, so text with emoji or other astral characters needs a mapping.
  function offsetMap(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
    const map = [];
    let u = 0;
    for (const ch of text) { map.push(u); u += ch.length; }
    map.push(u);
    return (i) => map[Math.min(i, map.length - 1)];
  }

  // Same rule as unspin.restore.apply_spans: the text between spans is kept byte for byte,
  // each span becomes its original, and deleting a pasted keyword takes one space with it.
  function segments(text, spans) {
    const at = offsetMap(text);
    const order = spans
      .map((s, i) => ({ s, i, a: at(s.start), b: at(s.end) }))
      .sort((x, y) => x.a - y.a);
    const segs = [];
    let pos = 0;
    for (const { s, i, a, b } of order) {
      if (a < pos) continue;
      let same = text.slice(pos, a);
      let lead = "";
      if (s.original === "" && same.endsWith(" ") && (b >= text.length || text[b] === " ")) {
        same = same.slice(0, -1);
        lead = " ";
      }
      if (same) segs.push({ same });
      segs.push({ i, kind: s.kind, lead, from: text.slice(a, b), to: s.original });
      pos = b;
    }
    if (pos < text.length) segs.push({ same: text.slice(pos) });
    return segs;
  }

  // ---- analysis ----------------------------------------------------------------------------
  async function analyze() {
    const text = ui.text.value;
    hideTip();
    if (!text.trim()) { showError("Paste some text or drop a file first."); ui.text.focus(); return; }
    if (codePoints(text) > limits.max_text_chars) {
      showError(`The text is ${fmt(codePoints(text))} characters; this server takes at most ` +
        `${fmt(limits.max_text_chars)}. Split it and check the parts.`);
      return;
    }
    showError("");
    ui.analyze.disabled = true;
    ui.analyze.classList.add("busy");
    ui.analyze.setAttribute("aria-busy", "true");
    try {
      const resp = await fetch("/v1/analyze", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
      });
      let body = null;
      try { body = await resp.json(); } catch { body = null; }
      if (!resp.ok) {
        const why = body && body.detail ? body.detail : `${resp.status} ${resp.statusText}`;
        showError(`The server could not analyse this text: ${why}`);
        return;
      }
      show(text, body);
      if (canTrace) await traceSources(text);
    } catch {
      showError("Could not reach the unspin server. Is it still running?");
    } finally {
      ui.analyze.disabled = false;
      ui.analyze.classList.remove("busy");
      ui.analyze.removeAttribute("aria-busy");
    }
  }

  function show(text, report) {
    const segs = segments(text, report.spans);
    const rebuilt = segs.map((x) => ("same" in x ? x.same : x.to)).join("");
    state = { text, report, segs, exact: rebuilt === report.restored };
    renderSummary(report);
    renderFlags(report);
    renderView();
    ui.results.hidden = false;
    ui.results.focus({ preventScroll: true });
    ui.results.scrollIntoView({ behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth", block: "start" });
    const n = report.spans.length;
    const judged = report.spun_probability === null ? "" : ` · ${Math.round(report.spun_probability * 100)}%`;
    toast(`${VERDICTS[report.verdict][0]}${judged} · ${n} flag${n === 1 ? "" : "s"}`);
  }

  // ---- sources (only when the server has an index) ----------------------------------------
  async function traceSources(text) {
    ui.sourcesCard.hidden = true;
    const resp = await fetch("/v1/trace", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    if (!resp.ok) return;
    renderSources(text, await resp.json());
  }

  function renderSources(text, t) {
    ui.sourceCount.textContent = String(t.sources.length);
    ui.noSources.hidden = t.sources.length > 0;
    ui.sources.replaceChildren(...t.sources.map((s) =>
      el("li", {}, el("b", { text: s.id }),
        ` explains ${Math.round(s.explains * 100)}% of the text · ${s.sentences} sentences aligned`)));
    // Offsets are code points; Array.from indexes a string by code point.
    const cps = Array.from(text);
    const slice = (a, b) => cps.slice(a, b).join("");
    ui.sentences.replaceChildren(...t.sentences.map((s) => {
      const snippet = slice(s.start, s.end);
      const short = snippet.length > 90 ? `${snippet.slice(0, 87)}…` : snippet;
      const where = s.source === null ? "no source" :
        `${s.source} · ${Math.round(s.changed * 100)}% of its words changed`;
      return el("li", { class: s.source === null ? "unsourced" : "" },
        el("span", { class: "sentence", text: short }),
        el("span", { class: "from-source", text: `← ${where}` }));
    }));
    ui.sourcesCard.hidden = false;
  }

  function renderSummary(r) {
    const p = r.spun_probability === null ? 0 : r.spun_probability; // null: unsupported, not judged
    const pct = Math.round(p * 100);
    const [label, explain] = VERDICTS[r.verdict] || [r.verdict, ""];
    ui.results.dataset.verdict = r.verdict;
    ui.verdict.dataset.verdict = r.verdict;
    ui.verdict.textContent = label;
    ui.explain.textContent = r.reason ? `${explain} ${capital(r.reason)}.`.trim() : explain;
    ui.gaugeValue.setAttribute("stroke-dasharray", `${pct} 100`);
    const angle = Math.PI * (1 - p);
    ui.gaugeKnob.setAttribute("cx", (100 + 80 * Math.cos(angle)).toFixed(1));
    ui.gaugeKnob.setAttribute("cy", (100 - 80 * Math.sin(angle)).toFixed(1));
    ui.gaugePct.textContent = r.spun_probability === null ? "–" : `${pct}%`;
    ui.gauge.setAttribute("aria-valuenow", String(pct));
    ui.gauge.setAttribute("aria-valuetext", `${pct}% spun probability: ${label}`);
    const counts = { substitution: 0, keyword: 0, artifact: 0 };
    for (const s of r.spans) counts[s.kind] = (counts[s.kind] || 0) + 1;
    ui.stats.replaceChildren(
      el("li", {}, el("b", { text: fmt(r.words) }), " words"),
      ...Object.entries(counts).map(([k, n]) =>
        el("li", {}, el("span", { class: `swatch k-${k}`, "aria-hidden": "true" }),
          el("b", { text: String(n) }), ` ${KINDS[k].toLowerCase()}${n === 1 ? "" : "s"}`)),
    );
  }
  const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  function renderFlags(r) {
    ui.flagCount.textContent = String(r.spans.length);
    ui.noFlags.hidden = r.spans.length > 0;
    const order = r.spans.map((s, i) => [s, i]).sort((a, b) => a[0].start - b[0].start);
    ui.flags.replaceChildren(...order.map(([s, i]) => {
      const to = s.original === "" ? "(delete)" : s.original === s.text ? "?" : s.original;
      const btn = el("button", { type: "button", "data-i": String(i) },
        el("span", { class: `kind k-${s.kind}`, text: KINDS[s.kind] || s.kind }),
        el("span", { class: "change" },
          el("span", { class: "from", text: s.text }),
          el("span", { class: "arrow", "aria-label": "likely originally", text: "→" }),
          el("span", { class: "to", text: to })),
        el("span", { class: "score", text: `score ${s.score.toFixed(2)}` }));
      btn.addEventListener("click", () => jumpTo(i));
      return el("li", {}, btn);
    }));
  }

  function currentView() {
    return document.querySelector('input[name="view"]:checked').value;
  }

  function renderView() {
    if (!state) return;
    hideTip();
    const view = currentView();
    ui.doc.hidden = view === "diff";
    ui.diff.hidden = view !== "diff";
    if (view === "spun") renderSpun();
    else if (view === "restored") renderRestored();
    else renderDiff();
  }

  function markFor(seg, restored) {
    if (restored) {
      const m = el("mark", { class: seg.to === "" ? "removed" : "restored", tabindex: "0",
        "data-i": String(seg.i), "data-side": "restored" });
      if (seg.to !== "") m.textContent = seg.to;
      else m.setAttribute("aria-label", `removed: ${seg.from.trim()}`);
      return m;
    }
    return el("mark", { class: `k-${seg.kind}`, tabindex: "0", "data-i": String(seg.i),
      "data-side": "spun", text: seg.from.slice(seg.lead.length) });
  }

  function renderSpun() {
    const frag = document.createDocumentFragment();
    for (const seg of state.segs) {
      if ("same" in seg) frag.append(seg.same);
      else { if (seg.lead) frag.append(seg.lead); frag.append(markFor(seg, false)); }
    }
    ui.doc.replaceChildren(frag);
    ui.doc.setAttribute("aria-label", "Text with flagged spans highlighted");
  }

  function renderRestored() {
    if (!state.exact) { ui.doc.replaceChildren(state.report.restored); return; }
    const frag = document.createDocumentFragment();
    for (const seg of state.segs) {
      if ("same" in seg) frag.append(seg.same);
      else frag.append(markFor(seg, true));
    }
    ui.doc.replaceChildren(frag);
    ui.doc.setAttribute("aria-label", "Restored text, with restored words highlighted");
  }

  // One row per line of the input, the spun version on the left and the restored one on
  // the right, so a reviewer reads each paragraph against its repair.
  function renderDiff() {
    const rows = [];
    let left = [], right = [], changed = false;
    const flush = () => {
      const hasText = left.some((n) => (typeof n === "string" ? n.trim() : true)) ||
        right.some((n) => (typeof n === "string" ? n.trim() : true));
      if (hasText) rows.push({ left, right, changed });
      left = []; right = []; changed = false;
    };
    const segs = state.exact ? state.segs : [{ same: state.text }];
    for (const seg of segs) {
      if ("same" in seg) {
        const lines = seg.same.split("\n");
        lines.forEach((line, k) => {
          if (k > 0) flush();
          if (line) { left.push(line); right.push(line); }
        });
      } else {
        changed = true;
        if (seg.lead) left.push(seg.lead);
        left.push(el("del", { class: "d" }, markFor(seg, false)));
        if (seg.to !== "") right.push(el("ins", { class: "i" }, markFor(seg, true)));
        else right.push(markFor(seg, true));
      }
    }
    flush();
    if (!state.exact) {
      rows.length = 0;
      rows.push({ left: [state.text], right: [state.report.restored], changed: true });
    }
    ui.diffRows.replaceChildren(...rows.map((r) =>
      el("div", { class: `drow${r.changed ? " changed" : ""}`, role: "row" },
        el("div", { class: "dcell", role: "cell" }, el("span", { class: "side", text: "Spun" }), ...r.left),
        el("div", { class: "dcell", role: "cell" }, el("span", { class: "side", text: "Restored" }), ...r.right))));
  }

  function jumpTo(i) {
    if (currentView() === "diff") $("view-spun").checked = true;
    renderView();
    const m = ui.doc.querySelector(`mark[data-i="${i}"]`);
    if (!m) return;
    for (const a of document.querySelectorAll("mark.active")) a.classList.remove("active");
    m.classList.add("active");
    m.scrollIntoView({ block: "center" });
    m.focus({ preventScroll: true });
  }

  // ---- tooltip -----------------------------------------------------------------------------
  let tipFor = null;
  function showTip(m) {
    if (!state || tipFor === m) return;
    const s = state.report.spans[Number(m.dataset.i)];
    if (!s) return;
    const parts = [];
    if (m.dataset.side === "restored") {
      parts.push(el("span", { class: "t-kind", text: s.original === "" ? "Removed" : "Restored · was" }));
      parts.push(el("span", { class: "t-orig", text: s.text }));
    } else {
      parts.push(el("span", { class: "t-kind", text: `${KINDS[s.kind] || s.kind} · score ${s.score.toFixed(2)}` }));
      const orig = s.original === "" ? "delete it (pasted into the sentence)"
        : s.original === s.text ? "no better wording found" : s.original;
      parts.push(el("span", { class: "t-orig", text: s.original && s.original !== s.text ? `originally: ${orig}` : orig }));
      const alts = (s.alternatives || []).filter((a) => a.text !== s.original).slice(0, 3);
      if (alts.length) {
        parts.push(el("span", { class: "t-alt", text: "also: " + alts.map((a) => `${a.text} (${a.score.toFixed(2)})`).join(", ") }));
      }
      if (s.evidence) parts.push(el("span", { class: "t-ev", text: s.evidence }));
    }
    ui.tip.replaceChildren(...parts);
    ui.tip.hidden = false;
    tipFor = m;
    m.setAttribute("aria-describedby", "tip");
    positionTip();
  }
  function positionTip() {
    if (!tipFor) return;
    const box = tipFor.getClientRects()[0] || tipFor.getBoundingClientRect();
    const tw = ui.tip.offsetWidth, th = ui.tip.offsetHeight;
    let left = Math.min(Math.max(8, box.left), window.innerWidth - tw - 8);
    let top = box.bottom + 8;
    if (top + th > window.innerHeight - 8) top = Math.max(8, box.top - th - 8);
    ui.tip.style.left = `${left}px`;
    ui.tip.style.top = `${top}px`;
  }
  function hideTip() {
    if (tipFor) tipFor.removeAttribute("aria-describedby");
    tipFor = null;
    ui.tip.hidden = true;
  }
  for (const root of [ui.doc, ui.diffRows]) {
    root.addEventListener("mouseover", (e) => { const m = e.target.closest("mark"); if (m) showTip(m); });
    root.addEventListener("mouseout", (e) => {
      const m = e.target.closest("mark");
      if (m && m === tipFor && !m.contains(e.relatedTarget) && document.activeElement !== m) hideTip();
    });
    root.addEventListener("focusin", (e) => { const m = e.target.closest("mark"); if (m) { hideTip(); showTip(m); } });
    root.addEventListener("focusout", () => hideTip());
  }
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });
  // Scrolling moves a tooltip that keyboard focus opened, and closes one the mouse opened.
  const onScroll = () => (tipFor && document.activeElement === tipFor ? positionTip() : hideTip());
  for (const target of [window, ui.doc, ui.diffRows]) {
    target.addEventListener("scroll", onScroll, { passive: true });
  }

  // ---- files -------------------------------------------------------------------------------
  // Text from an HTML page as a reader sees it: blocks become paragraphs, scripts vanish.
  function htmlToText(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("script,style,noscript,template,svg,head,nav,footer,iframe").forEach((n) => n.remove());
    const root = doc.querySelector("article") || doc.querySelector("main") || doc.body;
    const BLOCK = /^(P|DIV|H[1-6]|LI|UL|OL|BLOCKQUOTE|PRE|SECTION|ARTICLE|HEADER|TR|TABLE|FIGCAPTION|DD|DT)$/;
    let out = "";
    const walk = (node) => {
      for (const c of node.childNodes) {
        if (c.nodeType === Node.TEXT_NODE) out += c.data.replace(/\s+/g, " ");
        else if (c.nodeType === Node.ELEMENT_NODE) {
          if (c.tagName === "BR") { out += "\n"; continue; }
          const block = BLOCK.test(c.tagName);
          if (block) out += "\n\n";
          walk(c);
          if (block) out += "\n\n";
        }
      }
    };
    if (root) walk(root);
    return out.split("\n").map((l) => l.trim()).join("\n").replace(/\n{3,}/g, "\n\n").trim();
  }

  async function loadFile(file) {
    if (!file) return;
    if (file.size > limits.max_body_bytes) {
      showError(`${file.name} is ${fmt(file.size)} bytes; this server takes at most ${fmt(limits.max_body_bytes)}.`);
      return;
    }
    const buf = await file.arrayBuffer();
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
    } catch {
      text = new TextDecoder("windows-1252").decode(buf);
      toast(`${file.name} is not UTF-8; read it as Windows-1252`);
    }
    const isHtml = /\.html?$/i.test(file.name) || file.type === "text/html" ||
      /^\s*(<!doctype html|<html)/i.test(text.slice(0, 200));
    if (isHtml) text = htmlToText(text);
    fileName = file.name.replace(/\.[^.]+$/, "");
    ui.text.value = text;
    updateCount();
    showError("");
    await analyze();
  }

  let dragDepth = 0;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  document.addEventListener("dragenter", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth += 1;
    ui.drop.hidden = false;
  });
  document.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
  document.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) ui.drop.hidden = true;
  });
  document.addEventListener("drop", (e) => {
    dragDepth = 0;
    ui.drop.hidden = true;
    if (!hasFiles(e)) return;
    e.preventDefault();
    loadFile(e.dataTransfer.files[0]);
  });

  // ---- buttons -----------------------------------------------------------------------------
  ui.analyze.addEventListener("click", analyze);
  ui.text.addEventListener("input", updateCount);
  ui.text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyze(); }
  });
  ui.openFile.addEventListener("click", () => ui.file.click());
  ui.file.addEventListener("change", () => { loadFile(ui.file.files[0]); ui.file.value = ""; });
  ui.example.addEventListener("click", () => {
    ui.text.value = EXAMPLE;
    fileName = "example";
    updateCount();
    analyze();
  });
  ui.clear.addEventListener("click", () => {
    ui.text.value = "";
    fileName = "";
    state = null;
    ui.results.hidden = true;
    showError("");
    updateCount();
    ui.text.focus();
  });
  for (const r of document.querySelectorAll('input[name="view"]')) r.addEventListener("change", renderView);

  ui.copy.addEventListener("click", async () => {
    if (!state) return;
    const text = state.report.restored;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const t = el("textarea", { "aria-hidden": "true" });
      t.value = text;
      t.style.position = "fixed"; t.style.opacity = "0";
      document.body.append(t);
      t.select();
      document.execCommand("copy");
      t.remove();
    }
    toast("Restored text copied");
  });

  ui.download.addEventListener("click", () => {
    if (!state) return;
    const blob = new Blob([JSON.stringify(state.report, null, 2) + "\n"], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: `${fileName || "text"}.unspin.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  updateCount();
})();
