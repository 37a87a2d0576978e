"""API speed, each figure beside a reference measured in the same run: the suite's api category
(nfl_predictor.benchmarking.api_latency in process, nfl_predictor_dev.bench.api_process out of process), run
on its own.

1. Cached game and week through the Lambda handler in process vs a bare FastAPI+Mangum route.
2. Uncached game (p95) and week (max), every tier missing for real, beside the engine alone.
3. Local server (one uvicorn worker), cached game, wrk with 32 connections vs the bare route.
4. Cold start: import the predict handler and build the app in a fresh process vs the bare app.

Run from the checkout after ``pip install -e ".[local]"``: ``python benchmarks/bench_api.py [--quick]``
(uses DATABASE_URL / REDIS_URL when set).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nfl_predictor.benchmarking.context import ApiBindings, BenchContext
from nfl_predictor_dev.bench import api_process
from nfl_predictor_dev.bench.bench_stack import BenchStack
from nfl_predictor_dev.bench.progress import Progress


def run(quick: bool = False) -> list[dict[str, Any]]:
    with BenchStack() as stack:
        bindings = ApiBindings.over(stack.runtime)
        ctx = BenchContext(scale="quick" if quick else "full", stack=stack, api=bindings, progress=Progress())
        results = api_process.run(ctx)
    ctx.progress.close()
    for m in results:
        print(m.line())
    return [{"name": m.name, "value": m.value, "unit": m.unit, "reference": m.reference_value, "ratio": m.ratio,
             "target": m.target, "ok": m.ok, "stats": m.stats, **m.details} for m in results]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    args = parser.parse_args()
    results = run(args.quick)
    failed = [r["name"] for r in results if r.get("ok") is False]
    print("all API targets met" if not failed else f"targets missed: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
