"""Engine category: one game and one week predicted with parameters loaded, beside classic Elo.

The engine is pure computation, so the reference is the classic Elo prediction of the same games
from the same fitted state (a few dictionary lookups and one power): the floor any model sits on.
Data: the real nflverse files when the caller hands their folder in (``BenchContext.nflverse``; fit
through 2023 week 17, predict week 18), else (and always inside Lambda) the deterministic synthetic
league.
"""

from __future__ import annotations

import glob
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking.context import BenchContext, profile_calls
from nfl_predictor.benchmarking.result import Measurement, Reference
from nfl_predictor.benchmarking.stats import from_ns
from nfl_predictor.benchmarking.timing import pooled, sample_interleaved

TARGET_GAME_MS = 20.0
TARGET_WEEK_MS = 200.0


@dataclass
class EngineData:
    source: str
    games: list[dict[str, Any]]
    team_stats: list[dict[str, Any]]
    player_stats: list[dict[str, Any]]
    real: bool
    through: tuple[int, int] = (2023, 17)
    season: int = 2023
    week: int = 18


def load_data(nflverse: Path | None = None) -> EngineData:
    """The nflverse files in ``nflverse`` when it holds them, else the synthetic league."""
    if nflverse is not None and (nflverse / "games.csv").exists():
        from nfl_predictor.data.nflverse import read_games, read_player_stats, read_team_stats

        team = [
            r for f in sorted(glob.glob(str(nflverse / "stats_team_week_*.csv"))) for r in read_team_stats(f)
        ]
        players = [r for f in sorted(glob.glob(str(nflverse / "player_stats_week_*.csv")))
                   for r in read_player_stats(f)]  # fmt: skip
        return EngineData("nflverse (fit through 2023 week 17, predict week 18)", read_games(nflverse / "games.csv"),
                          team, players, real=True)  # fmt: skip
    from nfl_predictor.engine.synthetic import synthetic_league

    league = synthetic_league(seasons=(2019, 2020, 2021, 2022, 2023), weeks=18, unplayed_last_weeks=1)
    return EngineData("synthetic league (no nflverse files found)", league.games, league.team_stats,
                      league.player_stats, real=False)  # fmt: skip


@dataclass
class Fitted:
    data: EngineData
    params: Any
    slate: list[dict[str, Any]]
    index: Any
    fit_ms: float


def fit_for_bench(data: EngineData) -> Fitted:
    from nfl_predictor.engine import ModelParams, fit, index_player_stats

    started = time.perf_counter()
    params = fit(data.games, data.team_stats, data.player_stats, through=data.through)
    fit_ms = (time.perf_counter() - started) * 1000.0
    params = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))  # as a Lambda loads it
    slate = [g for g in data.games if g["season"] == data.season and g["week"] == data.week][:16]
    index = index_player_stats(
        [r for r in data.player_stats if (r["season"], r["week"]) < (data.season, data.week)]
    )
    return Fitted(data, params, slate, index, fit_ms)


def _measure(ctx: BenchContext, name: str, title: str, project: Any, elo: Any, rounds: int, per_round: int,
             target_ms: float, target: str) -> Measurement:  # fmt: skip
    samples = sample_interleaved({"engine": project, "elo": elo}, rounds, per_round, warmup=3,
                                 on_round=ctx.progress.rounds)  # fmt: skip
    peak, _ = profile_calls(project, calls=2)
    m = Measurement(name, title, "ms", from_ns(pooled(samples["engine"]), "ms"),
                    Reference("classic Elo", from_ns(pooled(samples["elo"]), "ms")), target=target,
                    peak_memory_bytes=peak)  # fmt: skip
    m.ok = m.value <= target_ms
    return m


def run(ctx: BenchContext, fitted: Fitted | None = None) -> list[Measurement]:
    from nfl_predictor.engine import predict_game, predict_week

    ctx.progress.begin("engine: loading data and fitting")
    # Inside Lambda there are no nflverse files: always the synthetic league, so runs compare alike.
    fitted = fitted or fit_for_bench(load_data(None if ctx.in_lambda else ctx.nflverse))
    params, slate, index = fitted.params, fitted.slate, fitted.index
    elo = params.elo
    count = predict_game(params, slate[0], player_stats=index)["prediction_count"]
    ctx.progress.begin("engine.game")
    game = _measure(ctx, "engine.game", "one game, parameters loaded", lambda: predict_game(params, slate[0], player_stats=index),
                    lambda: elo.predict(slate[0]), *ctx.pick((10, 20), (5, 10), (3, 4)),
                    TARGET_GAME_MS, f"median <= {TARGET_GAME_MS:g} ms")  # fmt: skip
    ctx.progress.end()
    ctx.progress.begin("engine.week")
    week = _measure(ctx, "engine.week", f"one week ({len(slate)} games)", lambda: predict_week(params, slate, player_stats=index),
                    lambda: [elo.predict(g) for g in slate], *ctx.pick((10, 5), (5, 3), (2, 2)),
                    TARGET_WEEK_MS, f"median <= {TARGET_WEEK_MS:g} ms")  # fmt: skip
    ctx.progress.end()
    for m in (game, week):
        m.details.update(source=fitted.data.source, model_version=params.model_version,
                         predictions_per_game=count, games_in_week=len(slate), fit_ms=round(fitted.fit_ms, 1))  # fmt: skip
    return [game, week]
