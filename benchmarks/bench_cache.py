"""Cache benchmark: the suite's cache category (nfl_predictor.benchmarking.cache_latency), run on its own.

1. L2 hit through the manager (L1 off) vs a raw redis-py GET of the same bytes: median ratio <= 1.3.
2. L1 hit: median <= 5 us (beside a plain dict lookup).
3. Redis unreachable, breaker open: get_or_compute of cold keys vs the bare producer: p99 overhead <= 50 us.

Uses a private redis-server unless REDIS_URL is set. Same as ``nfl-predictor bench create --category
cache`` but prints only, saving nothing. Run (after ``pip install -e ".[local]"``):
python benchmarks/bench_cache.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.result import Measurement
from nfl_predictor.cache.codec import ETAG_ALGORITHM
from nfl_predictor_dev.bench import cache_local
from nfl_predictor_dev.bench.progress import Progress


def as_result(m: Measurement) -> dict[str, Any]:
    """The shape this script has always returned, plus the suite's statistics."""
    reference = m.reference_value
    return {"name": m.name.split(".", 1)[1], "project_us": round(m.value, 3),
            "reference_us": None if reference is None else round(reference, 3), "ratio": m.ratio,
            "target": m.target, "pass": m.ok, "line": m.line(), "stats": m.stats, **m.details}  # fmt: skip


def run(quick: bool = False, redis_url: str | None = None) -> list[dict[str, Any]]:
    """Run all three measurements; one dict per target (figures, reference, pass, details)."""
    ctx = BenchContext(scale="quick" if quick else "full", progress=Progress())
    return [as_result(m) for m in cache_local.run(ctx, redis_url)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (smoke run)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    body_len = results[0]["payload_bytes"]
    print(f"cache benchmark: payload {body_len} bytes ({body_len / 1000:.1f} KB), stored as "
          f"{results[0]['encoding']} ({results[0]['stored_bytes']} bytes in Redis), "
          f"ETag {ETAG_ALGORITHM}")  # fmt: skip
    for result in results:
        print(result["line"])
        for info in result["info"]:
            print(f"    {info}")
    failed = [r["name"] for r in results if not r["pass"]]
    print("ALL TARGETS PASS" if not failed else f"FAILED: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
