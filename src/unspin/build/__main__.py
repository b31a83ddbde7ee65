"""`python -m unspin.build [STEP...]`: rebuild shipped artifacts from ../shared/data.

The detector step fine-tunes the encoder and the screen step trains its small student (the
`build` extra: torch, transformers, the pinned weights package); every step is
deterministic for a fixed seed and thread count. `--quick` builds everything small and fast
into a separate folder (for the tests), never over the shipped artifacts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from unspin.resources.paths import ARTIFACT_DIR, shared_data_dir

# Intel's conditions for run-to-run reproducible BLAS results: a thread count the library
# may not lower at run time (it may under load otherwise). Read when torch loads, so here.
for _var in ("MKL_DYNAMIC", "OMP_DYNAMIC"):
    os.environ.setdefault(_var, "FALSE")

STEPS = (
    "ngrams",
    "lexicon",
    "embeddings",
    "model",
    "trace_lexicon",
    "detector",
    "screen",
    "calibration",
)
QUICK_STEPS = ("detector", "screen", "calibration")  # the steps with a quick mode


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m unspin.build")
    p.add_argument("steps", nargs="*", choices=STEPS, help="default: all, in order")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a tiny detector, screen and calibration (minutes) written to --out; for the tests",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="artifact folder (default: the package's)"
    )
    args = p.parse_args()
    data = shared_data_dir()
    if not data.is_dir():
        print(f"unspin.build: error: source data not found at {data}", file=sys.stderr)
        return 4
    out = args.out or ARTIFACT_DIR
    if args.quick and out.resolve() == ARTIFACT_DIR.resolve():
        print("unspin.build: error: --quick needs --out (a folder of its own)", file=sys.stderr)
        return 2
    steps = args.steps or STEPS
    if out.resolve() != ARTIFACT_DIR.resolve():
        # Steps not rebuilt here come from the shipped artifacts.
        out.mkdir(parents=True, exist_ok=True)
        for f in ARTIFACT_DIR.iterdir():
            if f.is_file() and not (out / f.name).exists():
                shutil.copy2(f, out / f.name)
    for step in steps:
        t0 = time.time()
        print(f"building {step} ...", file=sys.stderr)
        module = __import__(f"unspin.build.{step}", fromlist=["build"])
        if step in QUICK_STEPS:
            module.build(data, out, quick=args.quick)
        else:
            module.build(data, out)
        print(f"  {step}: {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
