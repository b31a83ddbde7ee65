"""The evaluation harness end to end at tiny size, so it cannot rot: every set, the real
analyzer, the CLI, the report and the speed runner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import harness, report, sets  # noqa: E402
from benchmarks.spinner import default_data_dir  # noqa: E402
from unspin.cli import main  # noqa: E402


def _in01(x: object) -> bool:
    return isinstance(x, float) and 0.0 <= x <= 1.0


@pytest.mark.parametrize("name", sets.SET_NAMES)
def test_every_set_small(name: str, tmp_path: Path) -> None:
    cfg = harness.Config(
        small=True, sets=(name,), out_dir=tmp_path, peers=False, speed=False, plots=False,
        data_dir=default_data_dir(),
    )  # fmt: skip
    h = harness.Harness(cfg, log=lambda _m: None)
    res = h.run()["results"][name]
    assert res["docs"] > 0
    if name == "real-dev":
        assert res["docs"] == 26  # 16 spun pages and the 10 originals
        assert set(res["by_kind"]) == {
            "word_spinner", "paraphrase", "homoglyph_obfuscation", "keyword_stuffed_rewrite",
        }  # fmt: skip
        assert sum(k["pages"] for k in res["by_kind"].values()) == 16
        for k in res["by_kind"].values():
            assert _in01(k["judged_spun"]) and _in01(k["mean_spun_probability"])
        assert res["originals"]["docs"] == 10 and _in01(res["originals"]["judged_spun"])
        ws, pa = res["swaps"]["word_spinner"], res["swaps"]["paraphrase"]
        assert ws["pages"] == 3 and ws["swaps"] > 50 and _in01(ws["swap_recall"])
        assert pa["pages"] == 6 and pa["flags_on_unchanged_per_1k_words"] >= 0
        assert len(res["pages"]) == 16
        assert all(p["verdict"] and "spun_probability" in p for p in res["pages"])
        assert sum("original" in p for p in res["pages"]) == 10
    elif name.startswith("clean"):
        c = res["clean"]
        assert c["words"] > 500 and c["false_flags_per_1k_words"] >= 0
        assert _in01(c["docs_with_flag"]) and _in01(c["judged_spun"])
        if name == "clean-web":
            genres = res["by_genre"]["genres"]
            assert len(genres) == 9 and all(g["docs"] <= 2 for g in genres.values())
            assert all(g["false_flags_per_1k_words"] >= 0 for g in genres.values())
    elif name == "keyword-insertion":
        assert res["document"]["positives"] > 0 and res["document"]["negatives"] > 0
        assert _in01(res["keyword_spans"]["span_recall"])
        assert set(res["negatives_with_keyword_flag"]) == {"quoted", "list", "title"}
    elif name == "spinbot-sample":
        assert res["spans"]["true_spans"] > 20
        assert res["original_doc"]["verdict"] in {"clean", "uncertain", "spun", "unsupported"}
    else:
        assert _in01(res["document"]["auroc"]) and _in01(res["spans"]["span_recall"])
        want = "clean-wiki-docs" if name.endswith("-docs") else "clean-wiki"
        assert res["document"]["negatives_set"] == want
        if "cross" in name:
            assert res["detector"] == "unspin (no Moby)"
            assert "moby" not in res["detector_dictionaries"]
        if name == "pps-in-context":
            assert res["info"]["pairs_with_context"] >= res["docs"]
    written = json.loads((tmp_path / "results.json").read_text())
    assert name in written["results"]
    assert "## Accuracy" in (tmp_path / "results.md").read_text()


def test_cli_eval_with_peers_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["eval", "--small", "--sets", "clean-wiki,spun-cross-dict-20,spinbot-sample",
                 "--no-speed", "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "## Accuracy" in out and "## Peers" in out
    res = json.loads((tmp_path / "results.json").read_text())
    wf = res["peers"]["wordfreq"]["sets"]["spun-cross-dict-20"]
    assert _in01(wf["document"]["auroc"])
    dt = res["peers"]["datatrove"]
    if "skipped" not in dt:
        assert set(dt["sets"]["clean-wiki"]["rejected_by"]) == {
            "gopher-repetition", "gopher-quality", "c4", "fineweb",
        }  # fmt: skip
    for p in res["plots"]:
        assert Path(p).is_file() and Path(p).stat().st_size > 1000


def test_real_sets_lead_the_report_and_skip_without_data(tmp_path: Path) -> None:
    code = main(["eval", "--small", "--sets", "clean-wiki,real-dev,clean-web", "--no-peers",
                 "--no-speed", "--no-plots", "--out", str(tmp_path / "with")])  # fmt: skip
    assert code == 0
    md = (tmp_path / "with" / "results.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert rows[1].startswith("| real-dev | word_spinner |")  # the headline, under the header
    assert md.index("| clean-web | all genres") < md.index("| target (issue 2)")
    empty = tmp_path / "no-data"
    empty.mkdir()
    cfg = harness.Config(small=True, sets=sets.REAL_SETS, out_dir=tmp_path / "without",
                         data_dir=empty, peers=False, speed=False, plots=False)  # fmt: skip
    logged: list[str] = []
    res = harness.Harness(cfg, log=logged.append).run()["results"]
    for name in sets.REAL_SETS:
        assert "shared data missing" in res[name]["skipped"]
        assert any(m.startswith(f"  skipped {name}: shared data missing") for m in logged)
    md = (tmp_path / "without" / "results.md").read_text()
    assert "| real-dev | **skipped**: shared data missing" in md
    assert "| clean-web | **skipped**: shared data missing" in md


def test_cli_rejects_unknown_set(capsys: pytest.CaptureFixture) -> None:
    assert main(["eval", "--small", "--sets", "nope"]) == 2
    assert "unknown set" in capsys.readouterr().err


def test_speed_small(tmp_path: Path) -> None:
    cfg = harness.Config(small=True, sets=("clean-wiki",), out_dir=tmp_path, peers=False,
                         data_dir=default_data_dir())  # fmt: skip
    s = harness.Harness(cfg, log=lambda _m: None).measure_speed()
    u = s["engines"]["unspin"]
    assert "error" not in u, u
    assert u["docs_per_s"] > 0 and 10 < u["peak_rss_mb"] < 4096
    assert 1800 < s["mean_doc_bytes"] < 3000
    assert s["cold_start"]["exit_codes"][0] in (0, 1)


def test_benchmarks_md_markers_replace_only_their_section(tmp_path: Path) -> None:
    md = tmp_path / "BENCHMARKS.md"
    md.write_text(
        "# B\n\n## Accuracy\nintro stays\n<!-- eval:accuracy:start -->\nold\n"
        "<!-- eval:accuracy:end -->\nafter stays\n## Other\nkeep\n"
    )
    missing = report.update_benchmarks_md(md, {"accuracy": "NEW TABLE", "speed": "x"})
    text = md.read_text()
    assert missing == ["speed"]
    assert "NEW TABLE" in text and "old" not in text
    assert "intro stays" in text and "after stays" in text and "## Other\nkeep" in text
