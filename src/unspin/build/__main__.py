"""`python -m unspin.build [STEP...]`: rebuild shipped artifacts from ../shared/data."""

from __future__ import annotations

import argparse
import sys
import time

from unspin.resources.paths import ARTIFACT_DIR, shared_data_dir

STEPS = ("ngrams", "lexicon", "embeddings", "model", "trace_lexicon")


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m unspin.build")
    p.add_argument("steps", nargs="*", choices=STEPS, help="default: all, in order")
    args = p.parse_args()
    data = shared_data_dir()
    if not data.is_dir():
        print(f"unspin.build: error: source data not found at {data}", file=sys.stderr)
        return 4
    for step in args.steps or STEPS:
        t0 = time.time()
        print(f"building {step} ...", file=sys.stderr)
        module = __import__(f"unspin.build.{step}", fromlist=["build"])
        module.build(data, ARTIFACT_DIR)
        print(f"  {step}: {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
