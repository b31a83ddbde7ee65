"""unspin: see through machine-spun text.

>>> import unspin
>>> report = unspin.analyze("The counterfeit consciousness system ...")
>>> report.verdict, [(s.text, s.original) for s in report.spans]
>>> unspin.restore("...")

`Analyzer` loads the shipped artifacts once (lazily, memory-mapped) and is safe to reuse
for many documents; the module-level functions share one default instance.
"""

from __future__ import annotations

import typing

from unspin.report import Alternative, Report, Span

if typing.TYPE_CHECKING:
    from unspin.analyzer import Analyzer

__version__ = "0.1.0"
__all__ = ["Analyzer", "Report", "Span", "Alternative", "analyze", "restore", "default_analyzer"]

_default: Analyzer | None = None


def __dir__() -> list[str]:
    # What `dir(unspin)` and tab completion show: the API, not the typing helpers.
    return sorted([*__all__, "__version__"])


def __getattr__(name: str) -> object:
    # The analyzer (and numpy) load on first use, so `import unspin` stays cheap.
    if name == "Analyzer":
        from unspin.analyzer import Analyzer

        return Analyzer
    raise AttributeError(name)


def default_analyzer() -> Analyzer:
    """The shared Analyzer behind `analyze` and `restore` (created on first use)."""
    global _default
    if _default is None:
        from unspin.analyzer import Analyzer

        _default = Analyzer()
    return _default


def analyze(text: str, *, threshold: float | None = None) -> Report:
    """Analyse one text: verdict, spun probability, flagged spans, restored text."""
    return default_analyzer().analyze(text, threshold=threshold)


def restore(text: str, *, threshold: float | None = None) -> str:
    """The text with every flagged span replaced by its most likely original."""
    return default_analyzer().analyze(text, threshold=threshold).restored
