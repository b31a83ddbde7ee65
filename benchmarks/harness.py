"""The evaluation harness behind `unspin eval` / `make bench`: sets -> detectors -> metrics.

One command builds every set from held-out data, runs unspin and the peers on the same
inputs, measures speed in fresh processes, and writes results JSON, a Markdown report, PNG
plots and (optionally) the matching sections of BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks import detectors, metrics, sets, speed
from benchmarks.spinner import default_data_dir

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"
DOCS_DIR = REPO / "docs"
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
CLEAN_SETS = ("clean-wiki", "clean-wikitext", "clean-wiki-docs", "clean-web")
SECTIONS = ("accuracy", "peers", "speed")


@dataclass
class Config:
    small: bool = False
    sets: tuple[str, ...] = sets.SET_NAMES
    out_dir: Path | None = None
    data_dir: Path = field(default_factory=default_data_dir)
    peers: bool = True
    speed: bool = True
    plots: bool = True
    update_benchmarks_md: bool = False
    command: str = "unspin eval"

    @property
    def out(self) -> Path:
        if self.out_dir is not None:
            return self.out_dir
        return REPO / "benchmarks" / "out" / "small" if self.small else RESULTS_DIR

    @property
    def plots_dir(self) -> Path:
        return self.out if (self.small or self.out_dir is not None) else DOCS_DIR

    @property
    def peer_caps(self) -> dict[str, int]:
        if self.small:
            return {"wordfreq": 12, "torturephrases": 4, "datatrove": 6}
        return {"wordfreq": 5000, "torturephrases": 150, "datatrove": 1000}

    @property
    def speed_docs(self) -> int:
        return 12 if self.small else 400

    @property
    def speed_seconds(self) -> float:
        return 0.5 if self.small else 20.0


FULL_PATH = ":full"
# Sets measured twice, with and without the cascade's screen: its accuracy cost.
CASCADE_SETS = ("real-dev", "clean-web", "spun-cross-dict-20", "spun-cross-dict-20-docs")
PEER_SETS = {
    "wordfreq": None,  # every set
    "torturephrases": (
        "clean-wiki", "spun-in-dict-20", "spun-cross-dict-20", "pps-in-context", "spinbot-sample",
    ),
    "datatrove": (
        "clean-wiki", "clean-wikitext", "spun-in-dict-20", "spun-cross-dict-20",
        "spun-cross-dict-30", "pps-in-context", "keyword-insertion", "spinbot-sample",
        "clean-wiki-docs", "spun-in-dict-20-docs", "spun-cross-dict-20-docs",
    ),
}  # fmt: skip


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "") if head else "unknown"
    except OSError:
        return "unknown"


def _machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, {platform.machine()}, Python {platform.python_version()}"


class Harness:
    def __init__(self, cfg: Config, log: Callable[[str], None] | None = None) -> None:
        self.cfg = cfg
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.builder = sets.Builder(cfg.data_dir, sets.SMALL if cfg.small else sets.FULL)
        self.sets: dict[str, sets.EvalSet] = {}
        self._detectors: dict[str, Callable] = {}
        self.preds: dict[tuple[str, str], list[detectors.Pred]] = {}

    # -- building blocks -----------------------------------------------------------------------
    def get_set(self, name: str) -> sets.EvalSet:
        if name not in self.sets:
            t = time.perf_counter()
            self.sets[name] = es = self.builder.build(name)
            if es.info.get("skipped"):
                self.log(f"  skipped {name}: {es.info['skipped']}")
            else:
                self.log(f"  built {name}: {len(es.docs)} docs "
                         f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
        return self.sets[name]

    def detector(self, key: str) -> Callable:
        """A detector by key; unspin's keys take FULL_PATH ("default:full") for the slow
        path without the cascade's screen."""
        if key not in self._detectors:
            base, _, path = key.partition(":")
            screen = path != "full"
            if base == "default":
                self._detectors[key] = detectors.UnspinDetector(screen=screen)
            elif base == "no-moby":
                dicts = detectors.no_moby_sources()
                self._detectors[key] = detectors.UnspinDetector(dicts, screen=screen)
            elif key == "wordfreq":
                self._detectors[key] = detectors.WordfreqRarity()
            elif key == "torturephrases":
                self._detectors[key] = detectors.TorturePhrases()
            elif key == "datatrove":
                self._detectors[key] = detectors.DatatroveFilters()
            else:
                raise ValueError(key)
        return self._detectors[key]

    def predict(self, key: str, set_name: str, cap: int | None = None) -> list[detectors.Pred]:
        docs = self.get_set(set_name).docs
        if cap is not None:
            docs = docs[:cap]
        ck = (key, set_name)
        have = self.preds.get(ck)
        if have is None or len(have) < len(docs):
            t = time.perf_counter()
            self.preds[ck] = self.detector(key)([d.text for d in docs])
            dt = time.perf_counter() - t
            self.log(f"  {key} on {set_name}: {len(docs)} docs in {dt:.1f} s")
        return self.preds[ck][: len(docs)]

    # -- unspin ---------------------------------------------------------------------------------
    def evaluate(self, name: str, full_path: bool = False) -> dict:
        """unspin's metrics on one set (with `full_path`: the slow path, no screen)."""
        es = self.get_set(name)
        if es.info.get("skipped"):
            return {"skipped": es.info["skipped"], "docs": 0, "info": es.info}
        det = es.detector + (FULL_PATH if full_path else "")
        preds = self.predict(det, name)
        det_name = self.detector(det).name  # type: ignore[attr-defined]
        res: dict = {"detector": det_name, "docs": len(es.docs), "info": es.info}
        if es.detector == "no-moby":
            res["detector_dictionaries"] = list(detectors.no_moby_sources())
        if name in CLEAN_SETS:
            res["clean"] = metrics.clean_metrics(es.docs, preds)
            res["clean"]["mean_spun_probability"] = metrics.verdict_summary(preds)[
                "mean_spun_probability"
            ]
            if name == "clean-web":
                res["by_genre"] = metrics.by_group_clean(es.docs, preds)
                res["judged_spun_docs"] = [
                    {"id": d.id, "title": d.meta.get("title", ""), "verdict": p.verdict,
                     "spun_probability": p.score, "flags": len(p.spans)}
                    for d, p in zip(es.docs, preds)
                    if p.verdict == "spun"
                ][:100]  # fmt: skip
        elif name == "real-dev":
            res.update(metrics.real_dev_metrics(es.docs, preds))
        elif es.negatives:
            neg = self.predict(det, es.negatives)
            res["document"] = metrics.document_metrics(preds, neg)
            res["document"]["negatives_set"] = es.negatives
            res["spans"] = metrics.span_metrics(es.docs, preds)
            res["judged_spun"] = metrics.judged_spun(preds)
        elif name == "keyword-insertion":
            pos = [(d, p) for d, p in zip(es.docs, preds) if d.label == 1]
            neg = [(d, p) for d, p in zip(es.docs, preds) if d.label == 0]
            res["document"] = metrics.document_metrics([p for _, p in pos], [p for _, p in neg])
            res["spans"] = metrics.span_metrics([d for d, _ in pos], [p for _, p in pos])
            res["keyword_spans"] = metrics.span_metrics(
                [d for d, _ in pos], [p for _, p in pos], kinds={"keyword"}
            )
            res["negatives"] = metrics.clean_metrics([d for d, _ in neg], [p for _, p in neg])
            by_kind: dict[str, list[int]] = {}
            for d, p in neg:
                slot = by_kind.setdefault(d.group, [0, 0])
                slot[0] += 1
                slot[1] += any(s["kind"] == "keyword" for s in p.spans)
            res["negatives_with_keyword_flag"] = {
                k: v[1] / v[0] for k, v in sorted(by_kind.items())
            }
        elif name == "spinbot-sample":
            spun = [(d, p) for d, p in zip(es.docs, preds) if d.label == 1]
            orig = [(d, p) for d, p in zip(es.docs, preds) if d.label == 0]
            res["spans"] = metrics.span_metrics([d for d, _ in spun], [p for _, p in spun])
            res["spun_doc"] = {"verdict": spun[0][1].verdict, "score": spun[0][1].score}
            res["original_doc"] = {
                "verdict": orig[0][1].verdict,
                "score": orig[0][1].score,
                "flags": len(orig[0][1].spans),
            }
        if (
            det == "default"
            and name in CLEAN_SETS
            and any(
                self.get_set(s).detector == "no-moby" and self.get_set(s).negatives == name
                for s in self.cfg.sets
                if s.startswith("spun")
            )
        ):
            res["clean_no_moby"] = metrics.clean_metrics(es.docs, self.predict("no-moby", name))
        return res

    # -- peers ----------------------------------------------------------------------------------
    def evaluate_peer(self, key: str) -> dict:
        cap = self.cfg.peer_caps[key]
        wanted = PEER_SETS[key]
        names = [n for n in self.cfg.sets if wanted is None or n in wanted]
        out: dict = {"cap_per_set": cap, "sets": {}}
        try:
            det = self.detector(key)
        except detectors.Unavailable as exc:
            self.log(f"  peer {key} skipped: {exc}")
            return {"skipped": str(exc)}
        out["name"] = det.name  # type: ignore[attr-defined]
        for name in names:
            es = self.get_set(name)
            if es.info.get("skipped"):
                continue
            preds = self.predict(key, name, cap)
            docs = es.docs[: len(preds)]
            n = max(len(preds), 1)
            r: dict = {"docs": len(preds)}
            if name == "real-dev":  # the spun pages and the originals apart
                spun = [p for d, p in zip(docs, preds) if d.label == 1]
                orig = [p for d, p in zip(docs, preds) if d.label == 0]
                r.update(docs=len(spun), flagged=metrics.flagged_share(spun), originals=len(orig),
                         originals_flagged=metrics.flagged_share(orig))  # fmt: skip
                out["sets"][name] = r
                continue
            if key == "datatrove":
                r["rejected_by"] = {
                    f: sum(p.extra["rejected"][f] for p in preds) / n
                    for f in detectors.DATATROVE_FILTERS
                }
                r["flagged"] = r["rejected_by_any"] = sum(bool(p.score) for p in preds) / n
            else:
                r["flagged"] = sum(bool(p.spans) for p in preds) / n
            if name in CLEAN_SETS:
                r["clean"] = metrics.clean_metrics(docs, preds)
            elif es.negatives and es.negatives in names:
                clean = self.predict(key, es.negatives, cap)
                r["document"] = metrics.document_metrics(preds, clean)
                r["spans"] = metrics.span_metrics(docs, preds)
            elif name in ("keyword-insertion", "spinbot-sample"):
                pos = [p for d, p in zip(docs, preds) if d.label == 1]
                neg = [p for d, p in zip(docs, preds) if d.label == 0]
                r["document"] = metrics.document_metrics(pos, neg)
                r["spans"] = metrics.span_metrics([d for d in docs if d.label == 1], pos)
            out["sets"][name] = r
        return out

    # -- speed ----------------------------------------------------------------------------------
    def measure_speed(self) -> dict:
        docs = self.builder.documents(self.cfg.speed_docs)
        sizes = [len(d.encode("utf-8")) for d in docs]
        engines = speed.ENGINES if self.cfg.peers else ("unspin", "unspin-full", "unspin-encoder")
        out: dict = {
            "docs": len(docs),
            "mean_doc_bytes": sum(sizes) / max(len(sizes), 1),
            "seconds_per_engine": self.cfg.speed_seconds,
            "engines": {},
        }
        for e in engines:
            r = speed.run_engine(e, docs, self.cfg.speed_seconds)
            self.log(
                f"  speed {e}: "
                + (f"{r['docs_per_s']:.1f} docs/s" if "docs_per_s" in r else r.get("error", "?"))
            )
            out["engines"][e] = r
        base = out["engines"].get("unspin", {}).get("docs_per_s")
        if base:
            out["unspin_speed_ratio"] = {
                e: base / r["docs_per_s"]
                for e, r in out["engines"].items()
                if e != "unspin" and r.get("docs_per_s")
            }
        out["cold_start"] = speed.cold_start(2 if self.cfg.small else 3)
        return out

    # -- the whole run --------------------------------------------------------------------------
    def run(self) -> dict:
        t0 = time.perf_counter()
        cfg = self.cfg
        self.log(f"unspin eval ({'small' if cfg.small else 'full'}): building sets")
        results: dict = {
            "meta": {
                "date": date.today().isoformat(),
                "command": cfg.command,
                "mode": "small" if cfg.small else "full",
                "machine": _machine(),
                "commit": _git_commit(),
                "data_dir": str(cfg.data_dir),
                "spinner": {
                    "in_dict": sets.IN_DICT,
                    "cross_dict": sets.CROSS_DICT,
                    "function_rate": sets.FUNCTION_RATE,
                    "seeds": sets.SEEDS,
                },
                "cross_dict_detector": list(detectors.no_moby_sources()),
            },
            "results": {},
        }
        for name in cfg.sets:
            self.get_set(name)
        self.log("running unspin")
        for name in cfg.sets:
            results["results"][name] = self.evaluate(name)
        try:
            model = self.detector("default").analyzer.calibration  # type: ignore[attr-defined]
            results["meta"]["spun_cutoff"] = getattr(model, "spun_cutoff", None)
        except Exception:  # noqa: BLE001 - only decorates the plots
            results["meta"]["spun_cutoff"] = None
        self.log("running unspin's slow path (no screen) for the cascade's accuracy cost")
        results["cascade"] = {
            name: self.evaluate(name, full_path=True) for name in CASCADE_SETS if name in cfg.sets
        }
        if cfg.peers:
            self.log("running peers")
            results["peers"] = {k: self.evaluate_peer(k) for k in PEER_SETS}
        if cfg.speed:
            self.log("measuring speed (a fresh process per engine)")
            results["speed"] = self.measure_speed()
        results["meta"]["wall_s"] = round(time.perf_counter() - t0, 1)
        self.write(results)
        return results

    def write(self, results: dict) -> None:
        from benchmarks import report

        out = self.cfg.out
        out.mkdir(parents=True, exist_ok=True)
        if self.cfg.plots:
            results["plots"] = self.plots(results)
        (out / "results.json").write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
        md = report.render(results)
        (out / "results.md").write_text(report.full_document(md) + "\n")
        if self.cfg.update_benchmarks_md:
            missing = report.update_benchmarks_md(BENCHMARKS_MD, md)
            if missing:
                self.log(f"BENCHMARKS.md: no markers for {', '.join(missing)}; left as is")
        self.log(f"wrote {out / 'results.json'} and {out / 'results.md'}")

    def plots(self, results: dict) -> list[str]:
        from benchmarks import plots

        curves: dict[str, tuple[list[float], list[float]]] = {}
        points: dict[str, tuple[float | None, float | None]] = {}
        hist: dict[str, list[float]] = {}
        for name in self.cfg.sets:
            es = self.sets[name]
            if es.negatives != "clean-wiki":
                continue
            pos = [p.score for p in self.predict(es.detector, name)]
            neg = [p.score for p in self.predict(es.detector, es.negatives)]
            det = "unspin" if es.detector == "default" else "unspin, no Moby"
            curves[f"{name} ({det})"] = (pos, neg)
            doc = results["results"][name]["document"]
            points[f"{name} ({det})"] = (doc["recall"], doc["precision"])
            if name in ("spun-in-dict-20", "spun-cross-dict-20", "pps-in-context"):
                hist[f"{name} ({det})"] = pos
        if "clean-wiki" in self.sets:
            hist = {"clean-wiki": [p.score for p in self.predict("default", "clean-wiki")], **hist}
        if not curves and not hist:
            return []
        d = self.cfg.plots_dir
        made = [
            plots.pr_plot(
                curves,
                d / "eval_pr_curve.png",
                "Paragraphs: each spun set vs clean-wiki (dots: default verdict)",
                points,
            ),
            plots.histogram(
                hist,
                d / "eval_score_hist.png",
                "spun_probability by set",
                results["meta"].get("spun_cutoff"),
            ),
        ]
        return [str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in made]


def run(cfg: Config, log: Callable[[str], None] | None = None) -> dict:
    return Harness(cfg, log).run()
