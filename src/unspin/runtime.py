"""Run-time settings of the models: where they run and whether the cascade's screen is used.

One place for the defaults the API, the CLI and the corpus engines share. Unset, they come
from the environment (UNSPIN_DEVICE: auto, cpu or cuda; UNSPIN_SCREEN=0: no screen), so
worker processes started by `scan -j N`, Ray or datatrove inherit what the command chose.
"""

from __future__ import annotations

import os

DEVICES = ("auto", "cpu", "cuda")


def resolve(device: str | None = None, screen: bool | None = None) -> tuple[str, bool]:
    """(device, screen) as given, else from the environment; an unknown device is refused."""
    if device is None:
        device = os.environ.get("UNSPIN_DEVICE") or "auto"
    if screen is None:
        screen = os.environ.get("UNSPIN_SCREEN", "1") != "0"
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    return device, bool(screen)


def set_defaults(device: str | None = None, screen: bool | None = None) -> None:
    """Make these the defaults of every Analyzer this process and its workers create."""
    if device is not None:
        resolve(device)
        os.environ["UNSPIN_DEVICE"] = device
    if screen is not None:
        os.environ["UNSPIN_SCREEN"] = "1" if screen else "0"
