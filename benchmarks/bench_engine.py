"""Engine benchmark: the suite's engine category (one game and one week with parameters loaded, beside
classic Elo on the same games), then the 2015-2024 backtest.

Uses the real nflverse files in --nflverse DIR, else ../shared/data/nflverse beside the checkout when
present (fit through 2023 week 17, predict 2023 week 18), else the synthetic league. Run (after
``pip install -e ".[local]"``): python benchmarks/bench_engine.py [--quick] [--json] [--nflverse DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking import engine_speed
from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.engine import format_table, run_backtest
from nfl_predictor_dev.bench.machine import nflverse_dir
from nfl_predictor_dev.bench.progress import Progress


def run(quick: bool = False, nflverse: Path | None = None) -> list[dict[str, Any]]:
    ctx = BenchContext(
        scale="quick" if quick else "full", progress=Progress(), nflverse=nflverse or nflverse_dir()
    )
    return [{"name": m.name, "value_ms": m.value, "reference_ms": m.reference_value, "ratio": m.ratio,
             "target": m.target, "pass": m.ok, "line": m.line(), "stats": m.stats, **m.details}
            for m in engine_speed.run(ctx)]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--nflverse", type=Path, metavar="DIR", help="nflverse CSV files (games.csv, ...)")
    args = parser.parse_args(argv)
    data = engine_speed.load_data(args.nflverse or nflverse_dir())
    fitted = engine_speed.fit_for_bench(data)
    ctx = BenchContext(scale="quick" if args.quick else "full", progress=Progress())
    results = engine_speed.run(ctx, fitted)
    started = time.perf_counter()
    rows = run_backtest(
        data.games, data.team_stats, start=2015 if data.real else 2021, end=2024 if data.real else 2023
    )
    backtest_ms = (time.perf_counter() - started) * 1000.0
    if args.json:
        print(json.dumps({"source": data.source, "model_version": fitted.params.model_version,
                          "fit_ms": round(fitted.fit_ms, 1), "results": [m.to_dict() for m in results],
                          "backtest_ms": round(backtest_ms, 1), "backtest": rows}))  # fmt: skip
        return 0
    details = results[0].details
    print(f"engine benchmark: {data.source}")
    print(f"model {fitted.params.model_version}; fit {fitted.fit_ms:.0f} ms; {details['predictions_per_game']} "
          "predictions per game")  # fmt: skip
    for m in results:
        print(m.line())
    span = "2015-2024" if data.real else "2021-2023 (synthetic)"
    print(f"\nbacktest {span} ({backtest_ms:.0f} ms):")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
