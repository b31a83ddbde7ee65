"""`unspin eval`: the evaluation harness (held-out sets, metrics, peers, speed).

The harness lives in the source checkout's benchmarks/ (the spinner and the sets are benchmark
code, not library code), so this command works from a checkout, not from an installed wheel.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from unspin.errors import DataError, InputError, UnspinError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="measure accuracy and speed on held-out data (source checkout)",
        description=(
            "Build the evaluation sets from ../shared/data (held-out inputs only), run unspin "
            "and the peers on them, and write results JSON, a Markdown report and plots."
        ),
    )
    p.add_argument("--small", action="store_true", help="tiny sets (seconds; used by the tests)")
    p.add_argument("--sets", default=None, help="comma-separated set names (default: all)")
    p.add_argument("--list-sets", action="store_true", help="print the set names and exit")
    p.add_argument("--out", type=Path, default=None, help="output directory for results")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="shared data (default: $UNSPIN_SHARED_DATA or ../shared/data)",
    )
    p.add_argument("--no-peers", action="store_true", help="skip the peers")
    p.add_argument("--no-speed", action="store_true", help="skip the speed measurements")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument(
        "--update-benchmarks-md",
        action="store_true",
        help="rewrite the Accuracy / Peers / Core speed sections of BENCHMARKS.md",
    )
    p.set_defaults(run=run)


def find_checkout() -> Path:
    """The repository root that holds benchmarks/harness.py next to this package."""
    here = Path(__file__).resolve()
    for root in here.parents:
        if (root / "benchmarks" / "harness.py").is_file():
            return root
    raise UnspinError(
        "`unspin eval` needs a source checkout of unspin (benchmarks/ was not found next to "
        f"{here.parents[2]})"
    )


def run(args: argparse.Namespace) -> int:
    root = find_checkout()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from benchmarks import harness, sets

    if args.list_sets:
        print("\n".join(sets.SET_NAMES))
        return 0
    names = sets.SET_NAMES
    if args.sets:
        names = tuple(s.strip() for s in args.sets.split(",") if s.strip())
        unknown = [s for s in names if s not in sets.SET_NAMES]
        if unknown:
            raise UnspinError(f"unknown set(s): {', '.join(unknown)} (see --list-sets)")
    data_dir = args.data_dir
    if data_dir is None:
        env = os.environ.get("UNSPIN_SHARED_DATA")
        data_dir = Path(env) if env else root.parent / "shared" / "data"
    if not data_dir.is_dir():
        raise InputError(f"shared data not found at {data_dir} (use --data-dir)")
    argv = sys.argv[1:]
    cmd = "unspin " + " ".join(argv) if argv[:1] == ["eval"] else "unspin eval"
    cfg = harness.Config(
        small=args.small,
        sets=names,
        out_dir=args.out,
        data_dir=data_dir,
        peers=not args.no_peers,
        speed=not args.no_speed,
        plots=not args.no_plots,
        update_benchmarks_md=args.update_benchmarks_md,
        command=cmd,
    )
    try:
        results = harness.run(cfg)
    except FileNotFoundError as exc:
        raise DataError(str(exc)) from None
    except (UnspinError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug in the engine or the harness: one line, unless debugging
        if os.environ.get("UNSPIN_DEBUG"):
            raise
        raise UnspinError(
            f"evaluation failed: {type(exc).__name__}: {exc} (UNSPIN_DEBUG=1 shows the traceback)"
        ) from None
    from benchmarks import report

    print(report.full_document(report.render(results)))
    return 0
