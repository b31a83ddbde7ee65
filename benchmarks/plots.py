"""Precision-recall curves and score histograms (PNG) from the harness's document scores."""

from __future__ import annotations

from pathlib import Path

from benchmarks.metrics import pr_curve


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pr_plot(
    curves: dict[str, tuple[list[float], list[float]]],
    path: Path,
    title: str,
    points: dict[str, tuple[float | None, float | None]] | None = None,
) -> Path:
    """One precision-recall curve per set: (spun scores, clean scores), swept over the score;
    `points` marks each set's operating point (recall, precision) at the default verdict."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=110)
    for label, (pos, neg) in curves.items():
        if not pos or not neg:
            continue
        p, r = pr_curve(pos, neg)
        (line,) = ax.plot(r, p, label=label, linewidth=1.4)
        rec, prec = (points or {}).get(label, (None, None))
        if rec is not None and prec is not None:
            ax.plot([rec], [prec], "o", color=line.get_color(), markersize=5)
    ax.set_xlabel("recall (spun documents scoring at or above a threshold)")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.0)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def histogram(groups: dict[str, list[float]], path: Path, title: str, cutoff: float | None) -> Path:
    """Distribution of spun_probability per set, with the verdict cutoff marked."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=110)
    bins = [i / 40 for i in range(41)]
    for label, scores in groups.items():
        if scores:
            ax.hist(
                scores,
                bins=bins,
                histtype="step",
                linewidth=1.5,
                density=True,
                label=f"{label} (n={len(scores)})",
            )
    if cutoff is not None:
        ax.axvline(
            cutoff, color="k", linestyle="--", linewidth=1, label=f"'spun' cutoff {cutoff:.2f}"
        )
    ax.set_xlabel("spun_probability")
    ax.set_ylabel("density")
    ax.set_yscale("log")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
