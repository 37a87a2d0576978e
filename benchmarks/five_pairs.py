"""Five `bench create` / `bench validate` pairs on the tree as it is, each verdict printed: on unchanged
code every pair should come back with 0 regressions (a drifting machine shows as MACHINE DRIFT).

Live timings, so this is a script for a person on a quiet machine, not a test (tests never assert on
wall-clock figures; tests/unit/test_bench_compare.py checks the same verdict logic on injected and
recorded series). Each pair gets its own baseline in a temporary directory, so the project's
baseline is never touched.

    python benchmarks/five_pairs.py [--category cache] [--scale quick] [--pairs 5] [--save-dir DIR]

``--save-dir`` keeps every pair's baseline and run (for example to record series for the tests).
Exit status: 0 when every pair validated clean, 1 otherwise. Needs ``pip install -e ".[local]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from nfl_predictor.cli.main import main as cli


def bench(action: str, baseline: Path, args: argparse.Namespace) -> list[str]:
    return ["bench", action, "--category", args.category, "--scale", args.scale, "--no-progress",
            "--baseline-file", str(baseline), *(["--tolerance", str(args.tolerance)] if action == "validate" else [])]  # fmt: skip


def one_pair(pair: int, root: Path, args: argparse.Namespace) -> tuple[int, list[str]]:
    baseline = root / f"pair{pair}" / "baseline.json"
    with contextlib.redirect_stdout(io.StringIO()):
        if cli(bench("create", baseline, args)) != 0:
            raise SystemExit(f"pair {pair}: bench create failed")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(bench("validate", baseline, args))
    verdicts = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    summary = [line for line in out.getvalue().splitlines() if "regression(s)" in line]
    return code, verdicts + summary


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--category", default="cache", help="benchmark category (default: cache, the fastest)"
    )
    parser.add_argument("--scale", default="quick", choices=("full", "quick", "smoke"), help="default: quick")
    parser.add_argument("--pairs", type=int, default=5, help="create/validate pairs (default: 5)")
    parser.add_argument("--tolerance", type=float, default=0.2, help="validate's tolerance (default: 0.2)")
    parser.add_argument("--save-dir", type=Path, help="keep every pair's baseline and runs here")
    args = parser.parse_args()
    root = args.save_dir or Path(tempfile.mkdtemp(prefix="nflp-five-pairs-"))
    clean = 0
    try:
        for pair in range(1, args.pairs + 1):
            code, lines = one_pair(pair, root, args)
            clean += code == 0
            print(f"pair {pair}/{args.pairs}: {'clean' if code == 0 else 'REGRESSION FLAGGED'}")
            for line in lines:
                print("    " + line)
            sys.stdout.flush()
    finally:
        if args.save_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{clean}/{args.pairs} pairs validated clean on an unchanged tree")
    return 0 if clean == args.pairs else 1


if __name__ == "__main__":
    sys.exit(main())
