"""Engine benchmark: one game and one 16-game week with parameters loaded, then the 2015-2024 backtest.

Uses the real nflverse files when ../shared/data/nflverse is present (fit through 2023 week 17,
predict 2023 week 18), else the synthetic league. Run: python benchmarks/bench_engine.py [--json]
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nfl_predictor.engine import (
    ModelParams,
    fit,
    format_table,
    index_player_stats,
    predict_game,
    predict_week,
    run_backtest,
)
from nfl_predictor.engine.synthetic import synthetic_league

NFLVERSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "nflverse"
TARGET_GAME_MS = 20.0
TARGET_WEEK_MS = 200.0


def measure(fn: Callable[[], Any], repeat: int, warmup: int = 3) -> dict[str, float]:
    """Median and p95 wall time in milliseconds (self-contained; no shared helper needed)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, int(0.95 * len(samples)))],
        "n": repeat,
    }


def load_real() -> tuple[list[dict], list[dict], list[dict]] | None:
    if not (NFLVERSE / "games.csv").exists():
        return None
    from nfl_predictor.data.nflverse import read_games, read_player_stats, read_team_stats

    games = read_games(NFLVERSE / "games.csv")
    stats = [
        r for f in sorted(glob.glob(str(NFLVERSE / "stats_team_week_*.csv"))) for r in read_team_stats(f)
    ]
    players = [
        r for f in sorted(glob.glob(str(NFLVERSE / "player_stats_week_*.csv"))) for r in read_player_stats(f)
    ]
    return games, stats, players


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)

    real = load_real()
    if real is not None:
        games, team_stats, player_stats = real
        source = "nflverse (fit through 2023 week 17, predict week 18)"
        through, season, week = (2023, 17), 2023, 18
    else:
        league = synthetic_league(seasons=(2019, 2020, 2021, 2022, 2023), weeks=18, unplayed_last_weeks=1)
        games, team_stats, player_stats = league.games, league.team_stats, league.player_stats
        source = "synthetic league (no nflverse files found)"
        through, season, week = (2023, 17), 2023, 18

    t0 = time.perf_counter()
    params = fit(games, team_stats, player_stats, through=through)
    fit_ms = (time.perf_counter() - t0) * 1000.0
    params = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))  # as a Lambda loads it
    slate = [g for g in games if g["season"] == season and g["week"] == week][:16]
    index = index_player_stats([r for r in player_stats if (r["season"], r["week"]) < (season, week)])

    game_t = measure(lambda: predict_game(params, slate[0], player_stats=index), args.repeat)
    week_t = measure(lambda: predict_week(params, slate, player_stats=index), max(20, args.repeat // 4))
    count = predict_game(params, slate[0], player_stats=index)["prediction_count"]

    bt_t0 = time.perf_counter()
    rows = run_backtest(games, team_stats, start=2015, end=2024) if real is not None else run_backtest(
        games, team_stats, start=2021, end=2023
    )  # fmt: skip
    bt_ms = (time.perf_counter() - bt_t0) * 1000.0

    report = {
        "source": source, "model_version": params.model_version, "fit_ms": round(fit_ms, 1),
        "games_in_week": len(slate), "predictions_per_game": count,
        "one_game": {**{k: round(v, 3) for k, v in game_t.items()}, "target_median_ms": TARGET_GAME_MS,
                     "pass": game_t["median_ms"] <= TARGET_GAME_MS},
        "one_week": {**{k: round(v, 3) for k, v in week_t.items()}, "target_ms": TARGET_WEEK_MS,
                     "pass": week_t["median_ms"] <= TARGET_WEEK_MS},
        "backtest_ms": round(bt_ms, 1), "backtest": rows,
    }  # fmt: skip
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"engine benchmark: {source}")
    print(f"model {params.model_version}; fit {fit_ms:.0f} ms; {count} predictions per game")
    print(
        f"one game : median {game_t['median_ms']:.2f} ms, p95 {game_t['p95_ms']:.2f} ms "
        f"(target median <= {TARGET_GAME_MS:.0f} ms: {'PASS' if report['one_game']['pass'] else 'FAIL'})"
    )
    print(
        f"one week : {len(slate)} games, median {week_t['median_ms']:.2f} ms, p95 {week_t['p95_ms']:.2f} ms "
        f"(target <= {TARGET_WEEK_MS:.0f} ms: {'PASS' if report['one_week']['pass'] else 'FAIL'})"
    )
    span = "2015-2024" if real is not None else "2021-2023 (synthetic)"
    print(f"\nbacktest {span} ({bt_ms:.0f} ms):")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
