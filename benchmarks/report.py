"""Markdown for the results: the Accuracy, Peers and Core speed sections of BENCHMARKS.md.

Each section is written between markers (`<!-- eval:NAME:start -->` ... `end -->`) so that a
re-run replaces exactly the harness's numbers and nothing a person wrote around them.
"""

from __future__ import annotations

import re
from pathlib import Path

TITLES = {"accuracy": "Accuracy", "peers": "Peers", "speed": "Core speed"}


def _n(x: object, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def _get(d: dict, *path: str) -> object:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _provenance(results: dict) -> str:
    m = results["meta"]
    return (
        f"Command: `{m['command']}` ({m['mode']} run, {m.get('wall_s', '?')} s). "
        f"Date: {m['date']}. Machine: {m['machine']}. Commit: `{m['commit']}`. "
        "Data: held-out inputs only (`real-spun-dev`, the web-genres `*_heldout` files, "
        "`enwiki2021slice_part01`, WikiText-103 test, `pps_test.tsv`, the SpinBot pair)."
    )


KIND_ORDER = ("word_spinner", "paraphrase", "homoglyph_obfuscation", "keyword_stuffed_rewrite")


def _real_text(results: dict) -> list[str]:
    """The headline: real spun pages (real-dev) and clean web prose (clean-web)."""
    r = results["results"]
    if "real-dev" not in r and "clean-web" not in r:
        return []
    out = [
        "Real text first. real-dev: 16 real spun web pages (a development set: measured, "
        "never tuned on; kinds grouped as in its SOURCE.md), and the originals found for 10 "
        "of them, which are clean text. clean-web: held-out clean web prose, the same number "
        "of documents from each genre. Judged spun: verdict `spun`. On clean text every flag "
        "is a false flag.",
        "",
        "| set | slice | docs | words | judged spun | mean spun_probability "
        "| flags / 1k words | swap recall | swap precision | exact restoration |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    rd = r.get("real-dev")
    if rd and "skipped" in rd:
        out.append(f"| real-dev | **skipped**: {rd['skipped']} | | | | | | | | |")
    elif rd:
        groups = [g for g in KIND_ORDER if g in rd["by_kind"]]
        groups += [g for g in rd["by_kind"] if g not in groups]
        for g in groups:
            k = rd["by_kind"][g]
            sw = rd["swaps"].get(g)
            aligned = ("–", "–", "–")
            if sw and sw["pages"]:
                aligned = (_n(sw["swap_recall"]), _n(sw["swap_precision"]),
                           _n(sw["exact_restoration"]))  # fmt: skip
            label = g + (" (flags: invented swaps)" if g == "paraphrase" else "")
            out.append(
                f"| real-dev | {label} | {k['pages']} | {k['words']} | {_pct(k['judged_spun'])} | "
                f"{_n(k['mean_spun_probability'])} | {_n(k['flags_per_1k_words'], 1)} | "
                f"{' | '.join(aligned)} |"
            )
        o = rd["originals"]
        out.append(
            f"| real-dev | originals (clean: false flags) | {o['docs']} | {o['words']} | "
            f"{_pct(o['judged_spun'])} | {_n(o['mean_spun_probability'])} | "
            f"{_n(o['false_flags_per_1k_words'], 2)} | – | – | – |"
        )
        for g, sw in rd["swaps"].items():
            if not sw["pages"]:
                continue
            notes.append(
                f"{g}: {sw['pages']} pages with an original, {sw['swaps']} true swaps "
                f"({sw['other_changes']} other changed regions: rewrites, moved clauses, "
                f"insertions); {sw['flags']} substitution flags: {sw['flags_on_swaps']} on "
                f"swaps, {sw['flags_on_other_changes']} on other changes, "
                f"{sw['flags_on_unchanged']} on unchanged text "
                f"({_n(sw['flags_on_unchanged_per_1k_words'], 1)} / 1k words)."
            )
    cw = r.get("clean-web")
    if cw and "skipped" in cw:
        out.append(f"| clean-web | **skipped**: {cw['skipped']} | | | | | | | | |")
    elif cw:
        c = cw["clean"]
        out.append(
            f"| clean-web | all genres (false flags) | {c['docs']} | {c['words']} | "
            f"{_pct(c['judged_spun'], 2)} | {_n(c.get('mean_spun_probability'))} | "
            f"{_n(c['false_flags_per_1k_words'], 2)} | – | – | – |"
        )
        g = cw["by_genre"]
        per = "; ".join(
            f"{name} {v['docs']} docs, {_n(v['false_flags_per_1k_words'], 2)} / 1k, "
            f"{_pct(v['judged_spun'])}"
            for name, v in g["genres"].items()
        )
        mm = g["macro_mean"]
        notes.append(
            f"clean-web by genre (false flags / 1k words, judged spun): {per}. Mean over "
            f"genres: {_n(mm['false_flags_per_1k_words'], 2)} / 1k, {_pct(mm['judged_spun'])}."
        )
    out.append("")
    if notes:
        out += [
            "Swaps on real-dev come from a word alignment with the original "
            "(`benchmarks/sets.py: classify_regions`): a swap is a replaced region of 1-4 words "
            "a side whose sides differ by at most 2 words; longer or lopsided replacements "
            "(rewrites), reordered clauses and insertions are counted apart and are not truth "
            "swaps. A flag is right when it overlaps a swap; exact restoration is over the "
            "swaps found. " + " ".join(notes),
            "",
        ]
    return out


def _targets(results: dict) -> list[str]:
    r = results["results"]
    rows = []

    def row(target: str, value: object, shown: str, ok: bool | None) -> None:
        verdict = "–" if ok is None or value is None else ("met" if ok else "**MISSED**")
        rows.append(f"| {target} | {shown} | {verdict} |")

    ff = _get(r, "clean-wiki", "clean", "false_flags_per_1k_words")
    row(
        "clean-wiki: <= 1 flagged span per 5,000 words (0.2 / 1k)",
        ff,
        f"{_n(ff, 2)} / 1k words",
        ff is not None and ff <= 0.2,
    )
    js = _get(r, "clean-wiki", "clean", "judged_spun")
    row(
        "clean-wiki: <= 0.5% of paragraphs judged spun",
        js,
        _pct(js, 2),
        js is not None and js <= 0.005,
    )
    rec = _get(r, "pps-in-context", "spans", "span_recall")
    row("pps-in-context: detection recall >= 0.85", rec, _n(rec), rec is not None and rec >= 0.85)
    t1 = _get(r, "pps-in-context", "spans", "restore_top1")
    row("pps-in-context: restoration top-1 >= 0.50", t1, _n(t1), t1 is not None and t1 >= 0.5)
    t5 = _get(r, "pps-in-context", "spans", "restore_top5")
    row("pps-in-context: restoration top-5 >= 0.75", t5, _n(t5), t5 is not None and t5 >= 0.75)
    sr = _get(r, "spun-cross-dict-20", "spans", "span_recall")
    sp = _get(r, "spun-cross-dict-20", "spans", "span_precision")
    row(
        "spun-cross-dict-20: span recall >= 0.70 at precision >= 0.90",
        sr,
        f"R {_n(sr)} at P {_n(sp)}",
        sr is not None and sp is not None and sr >= 0.7 and sp >= 0.9,
    )
    au = _get(r, "spun-cross-dict-20", "document", "auroc")
    row("spun-cross-dict-20: document AUROC >= 0.99", au, _n(au), au is not None and au >= 0.99)
    sp_eng = _get(results, "speed", "engines", "unspin")
    dps = _get(sp_eng or {}, "docs_per_s")
    row(">= 500 docs/s per core (~2.3 KB docs)", dps, _n(dps, 1), dps is not None and dps >= 500)
    rss = _get(sp_eng or {}, "peak_rss_mb")
    row("peak memory < 1 GB", rss, f"{_n(rss, 0)} MB", rss is not None and rss < 1024)
    cs = _get(results, "speed", "cold_start", "median_s")
    row(
        "cold `unspin check` of a short text < 2 s", cs, f"{_n(cs, 2)} s", cs is not None and cs < 2
    )
    return ["| target (issue 2) | measured | |", "|---|---|---|", *rows]


def _accuracy(results: dict) -> str:
    r = results["results"]
    m = results["meta"]
    out = [_provenance(results), "", *_real_text(results), *_targets(results), ""]
    clean = [n for n in ("clean-wiki", "clean-wikitext", "clean-wiki-docs") if n in r]
    if clean:
        out += [
            "Clean held-out text (every flag is a false flag):",
            "",
            "| set | detector | paragraphs | words | false flags / 1k words "
            "| paragraphs with a flag | judged spun | uncertain |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for n in clean:
            for key, det in (("clean", r[n]["detector"]), ("clean_no_moby", "unspin (no Moby)")):
                c = r[n].get(key)
                if not c:
                    continue
                out.append(
                    f"| {n} | {det} | {c['docs']} | {c['words']} | "
                    f"{_n(c['false_flags_per_1k_words'], 2)} | {_pct(c['docs_with_flag'])} | "
                    f"{_pct(c['judged_spun'], 2)} | {_pct(c['uncertain'])} |"
                )
        out.append("")
    spun = [n for n in r if r[n].get("document") and n != "keyword-insertion"]
    if spun:
        out += [
            "Spun sets. Documents: each spun set against clean-wiki (the `-docs` sets: against "
            "clean-wiki-docs, the same ~2.3 KB documents unspun) scored by the same detector. "
            "Spans: a flag is correct when it overlaps a true span.",
            "",
            "| set | detector | docs | AUROC | F1 | FPR | judged spun | span P | span R | span F1 "
            "| restore top-1 | top-5 | recall synonym / function swaps |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for n in spun:
            d, s = r[n]["document"], r[n]["spans"]
            rb = s.get("recall_by_swap", {})
            by = " / ".join(_n(rb.get(k)) for k in ("synonym", "function")) if rb else "–"
            if "synonym" not in rb:
                by = "–"
            out.append(
                f"| {n} | {r[n]['detector']} | {r[n]['docs']} | {_n(d['auroc'])} | {_n(d['f1'])} | "
                f"{_pct(d['fpr'], 2)} | {_pct(r[n]['judged_spun'])} | {_n(s['span_precision'])} | "
                f"{_n(s['span_recall'])} | {_n(s['span_f1'])} | {_n(s['restore_top1'])} | "
                f"{_n(s['restore_top5'])} | {by} |"
            )
        out.append("")
    if "pps-in-context" in r:
        i = r["pps-in-context"]["info"]
        out += [
            f"pps-in-context: {i['pairs_with_context']} of {i['pairs_in_pps_test']} pps_test pairs "
            f"found a held-out paragraph containing their expected term (skipped: "
            f"{', '.join(f'{k} {v}' for k, v in i['pairs_skipped'].items())}); "
            f"{i['docs']} were used (one paragraph per pair, capped).",
            "",
        ]
    if "keyword-insertion" in r:
        k = r["keyword-insertion"]
        d, ks, neg = k["document"], k["keyword_spans"], k["negatives"]
        by = ", ".join(f"{g} {_pct(v)}" for g, v in k["negatives_with_keyword_flag"].items())
        out += [
            f"keyword-insertion: {d['positives']} paragraphs with a pasted query, "
            f"{d['negatives']} with query-like strings used legitimately. Document AUROC "
            f"{_n(d['auroc'])}, F1 {_n(d['f1'])}, FPR {_pct(d['fpr'])}; keyword spans: precision "
            f"{_n(ks['span_precision'])}, recall {_n(ks['span_recall'])}, removal exact "
            f"{_n(ks['restore_top1'])}. Negatives with a keyword flag: {by}; their false flags "
            f"(any kind): {_n(neg['false_flags_per_1k_words'], 2)} / 1k words.",
            "",
        ]
    if "spinbot-sample" in r:
        b = r["spinbot-sample"]
        s = b["spans"]
        out += [
            f"spinbot-sample (one real SpinBot pair; truth from a word alignment, "
            f"{s['true_spans']} changed regions): spun text judged **{b['spun_doc']['verdict']}** "
            f"(p={_n(b['spun_doc']['score'])}), original judged **{b['original_doc']['verdict']}** "
            f"(p={_n(b['original_doc']['score'])}, {b['original_doc']['flags']} flags); span "
            f"precision {_n(s['span_precision'])}, recall {_n(s['span_recall'])}, restoration "
            f"top-1 {_n(s['restore_top1'])}, top-5 {_n(s['restore_top5'])}.",
            "",
        ]
    sp = m["spinner"]
    out += [
        f"Spinner (benchmarks/spinner.py): in-dict uses `{sp['in_dict']}` and the default "
        f"Analyzer(); cross-dict uses `{sp['cross_dict']}` and "
        f"`Analyzer(dictionaries={tuple(m['cross_dict_detector'])})`, a detector whose lexicon "
        f"has no Moby. Function-word swaps at {sp['function_rate']:.0%} of eligible places, "
        f"seeds {sp['seeds']}. Restoration is scored over the true spans that were found.",
    ]
    plots = results.get("plots") or []
    if plots:
        out += ["", "Plots: " + ", ".join(f"[{Path(p).name}]({p})" for p in plots)]
    return "\n".join(out)


def _peers(results: dict) -> str:
    peers = results.get("peers")
    if not peers:
        return "Peers were not run (`--no-peers`)."
    out = [
        _provenance(results),
        "",
        "Same inputs, same run (each peer on the first N documents of a set; a spun set's "
        "AUROC is against the same number of clean-wiki paragraphs, or clean-wiki-docs for the "
        "`-docs` sets). unspin's own numbers for the same sets are in Accuracy above.",
        "",
        "| peer | set | docs | AUROC vs clean | docs flagged (datatrove: rejected) "
        "| span P | span R |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = []
    for key, p in peers.items():
        if "skipped" in p:
            notes.append(f"- {key}: **skipped**: {p['skipped']}")
            continue
        for n, s in p["sets"].items():
            flagged = s.get("flagged")
            sp = s.get("spans") or {}
            out.append(
                f"| {p['name']} | {n} | {s['docs']} | {_n(_get(s, 'document', 'auroc'))} | "
                f"{_pct(flagged)} | {_n(sp.get('span_precision'))} | {_n(sp.get('span_recall'))} |"
            )
    dt = peers.get("datatrove", {})
    if dt.get("sets"):
        from benchmarks.detectors import DATATROVE_FILTERS

        out += [
            "",
            "Do datatrove's quality filters reject spun text? Share of documents rejected:",
            "",
            "| set | " + " | ".join(DATATROVE_FILTERS) + " | any |",
            "|---|" + "---|" * (len(DATATROVE_FILTERS) + 1),
        ]
        for n, s in dt["sets"].items():
            cells = " | ".join(_pct(s["rejected_by"][f]) for f in DATATROVE_FILTERS)
            out.append(f"| {n} | {cells} | {_pct(s['rejected_by_any'])} |")
        out += [
            "",
            "Paragraph-sized inputs (40+ words) often fail Gopher's 50-word minimum and C4's "
            "5-sentence minimum whether spun or not, so compare each spun row with its clean row.",
        ]
        docs = {n: dt["sets"].get(n, {}).get("rejected_by_any") for n in
                ("clean-wiki-docs", "spun-in-dict-20-docs", "spun-cross-dict-20-docs")}  # fmt: skip
        if None not in docs.values():
            out += [
                f"On ~2.3 KB documents they reject {_pct(docs['clean-wiki-docs'])} of clean "
                f"documents and {_pct(docs['spun-in-dict-20-docs'])} / "
                f"{_pct(docs['spun-cross-dict-20-docs'])} of the same documents spun at 20% "
                "(in-dict / cross-dict): "
                + (
                    "quality filters do not catch synonym spinning."
                    if max(docs["spun-in-dict-20-docs"], docs["spun-cross-dict-20-docs"])
                    < docs["clean-wiki-docs"] + 0.05
                    else "they reject noticeably more spun documents."
                ),
            ]
    out += [
        "",
        "wordfreq rarity: score = mean of max(0, 5 - Zipf) over lowercase words; a span for "
        "each lowercase word under Zipf 2.5 (no restoration). torturephrases-estimator: its "
        "fixed list as lowercase substrings; its list comes from the same Problematic Paper "
        "Screener fingerprints, so on pps-in-context it is a lookup, not generalisation.",
    ]
    if notes:
        out += ["", *notes]
    return "\n".join(out)


def _speed(results: dict) -> str:
    s = results.get("speed")
    if not s:
        return "Speed was not measured (`--no-speed`)."
    out = [
        _provenance(results),
        "",
        f"{s['docs']} documents of {s['mean_doc_bytes'] / 1000:.2f} KB on average (held-out "
        f"paragraphs joined), each engine in a fresh single-threaded process for "
        f"{s['seconds_per_engine']} CPU-seconds after loading and one warm-up document. Rates are "
        "per CPU-second (per core); the wall-clock rate, lower when the shared machine is busy, "
        "is in results.json.",
        "",
        "| engine | docs/s per core | MB/s per core | load s | peak RSS MB "
        "| unspin ÷ engine speed |",
        "|---|---|---|---|---|---|",
    ]
    ratios = s.get("unspin_speed_ratio", {})
    for e, r in s["engines"].items():
        if "error" in r:
            out.append(f"| {e} | not run: {r['error']} | | | | |")
            continue
        ratio = "–" if e == "unspin" else _n(ratios.get(e), 2)
        out.append(
            f"| {e} | {_n(r['docs_per_s'], 1)} | {_n(r['mb_per_s'], 3)} | {_n(r['load_s'], 2)} | "
            f"{_n(r['peak_rss_mb'], 0)} | {ratio} |"
        )
    out += _cascade(results)
    enc = s["engines"].get("unspin-encoder", {})
    if enc.get("tokens_per_s"):
        out += [
            "",
            f"unspin-encoder is the learned detector alone (sub-word windows of 128, int8 ONNX, "
            f"one thread): {enc['tokens_per_s']:,.0f} sub-words per CPU-second.",
        ]
    c = s.get("cold_start")
    if c:
        out += [
            "",
            f"Cold start of `unspin check` on a one-line text (new process each run): "
            f"median {c['median_s']:.2f} s (runs: {', '.join(f'{t:.2f}' for t in c['runs_s'])}).",
        ]
    return "\n".join(out)


CASCADE_ROWS = (
    ("real-dev", "word_spinner pages judged spun", ("by_kind", "word_spinner", "judged_spun")),
    ("real-dev", "word_spinner swap recall", ("swaps", "word_spinner", "swap_recall")),
    ("real-dev", "originals judged spun", ("originals", "judged_spun")),
    ("clean-web", "false flags / 1k words", ("clean", "false_flags_per_1k_words")),
    ("clean-web", "judged spun", ("clean", "judged_spun")),
    ("spun-cross-dict-20", "AUROC (vs clean-wiki)", ("document", "auroc")),
    ("spun-cross-dict-20", "judged spun", ("judged_spun",)),
    ("spun-cross-dict-20-docs", "AUROC (vs clean-wiki-docs)", ("document", "auroc")),
    ("spun-cross-dict-20-docs", "judged spun", ("judged_spun",)),
)


def _cascade(results: dict) -> list[str]:
    """The screen's accuracy cost: the default (cascade) against the slow path."""
    slow = results.get("cascade") or {}
    fast = results["results"]
    rows = []
    for name, label, path in CASCADE_ROWS:
        a, b = _get(fast.get(name, {}), *path), _get(slow.get(name, {}), *path)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            rows.append(f"| {name} | {label} | {_n(a)} | {_n(b)} | {_n(a - b)} |")
    if not rows:
        return []
    return [
        "",
        "The cascade's accuracy cost: the same sets through the default analysis (the screen "
        "clears what it can) and the slow path (`Analyzer(screen=False)`, every text through "
        "the full detector), in the same run.",
        "",
        "| set | measure | default (cascade) | slow path | difference |",
        "|---|---|---|---|---|",
        *rows,
    ]


def render(results: dict) -> dict[str, str]:
    return {"accuracy": _accuracy(results), "peers": _peers(results), "speed": _speed(results)}


def full_document(md: dict[str, str]) -> str:
    return "\n\n".join(f"## {TITLES[k]}\n\n{v}" for k, v in md.items())


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- eval:{name}:start -->", f"<!-- eval:{name}:end -->"


def update_benchmarks_md(path: Path, md: dict[str, str]) -> list[str]:
    """Replace the text between each section's markers; returns the sections with no markers."""
    if not path.exists():
        return list(md)
    text = path.read_text(encoding="utf-8")
    missing = []
    for name, body in md.items():
        start, end = _markers(name)
        pat = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pat.search(text):
            missing.append(name)
            continue
        text = pat.sub(lambda _m, b=body, s=start, e=end: f"{s}\n{b}\n{e}", text, count=1)
    path.write_text(text, encoding="utf-8")
    return missing
