"""Where artifacts live (inside the package) and where the build reads its sources."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACT_DIR = Path(__file__).resolve().parent.parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    """`../shared/data` beside the checkout, or $UNSPIN_SHARED_DATA."""
    env = os.environ.get("UNSPIN_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"
