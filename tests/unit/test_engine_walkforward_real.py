"""Targets measured on the real nflverse data, walk-forward 2022-2024: each week is predicted by a
model fitted only on the games before it (the run is computed once for the module)."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nfl_predictor.engine.calibration import (
    WalkForwardRun,
    calibration_table,
    expert_diversity,
    props_table,
    report_from_run,
    walk_forward_payloads,
)
from nfl_predictor.engine.categories import CATEGORY_NAMES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(nflverse_dir: Path) -> WalkForwardRun:
    from nfl_predictor.data.nflverse import read_games, read_player_stats, read_team_stats

    games = read_games(nflverse_dir / "games.csv")
    stats = [
        r for f in sorted(glob.glob(str(nflverse_dir / "stats_team_week_*.csv"))) for r in read_team_stats(f)
    ]
    players = [
        r
        for season in (2020, 2021, 2022, 2023)
        for r in read_player_stats(nflverse_dir / f"player_stats_week_{season}.csv")
    ]
    return walk_forward_payloads(games, stats, players, start=2022, end=2024)


def _subset(run: WalkForwardRun, seasons: set[int]) -> WalkForwardRun:
    keep = [i for i, g in enumerate(run.games) if int(g["season"]) in seasons]
    return WalkForwardRun(
        [run.games[i] for i in keep], [run.payloads[i] for i in keep], [run.graded[i] for i in keep],
        {k: v for k, v in run.player_rows.items() if k[0] in seasons},
    )  # fmt: skip


def test_no_week_is_predicted_by_a_model_that_saw_it(run: WalkForwardRun) -> None:
    for game, payload in zip(run.games, run.payloads, strict=True):
        through = payload["model_version"].split("-")[-2]  # engine-3.0-<cfg>-2023w05-n...
        season, week = (int(x) for x in through.split("w"))
        assert (season, week) < (int(game["season"]), int(game["week"]))


def test_experts_disagree_and_each_beats_0235(run: WalkForwardRun) -> None:
    d = expert_diversity(_subset(run, {2023, 2024}))
    assert d["games"] == 570
    assert d["median_correlation"] <= 0.80
    assert max(d["brier"].values()) <= 0.235
    # Not reached: 5 effective independent experts (participation ratio); one factor still dominates.
    assert d["participation_ratio"] > 1.3


def test_every_category_gradeable_when_player_stats_exist(run: WalkForwardRun) -> None:
    doc: dict[str, Any] = report_from_run(run, start=2022, end=2024)
    assert doc["graded_per_game"]["2022"] >= 374.5 and doc["graded_per_game"]["2023"] >= 374.5
    assert {r["category"] for r in doc["calibration"]} == set(CATEGORY_NAMES)
    # Nothing constant: one-score and overtime are probabilities that vary, winning_margin picks vary.
    for cat in ("one_score_game", "overtime", "both_teams_20"):
        values = {p["value"] for payload in run.payloads for p in payload["experts"] if p["category"] == cat}
        assert len(values) > 100, cat
    one_score = [
        p["value"] >= 0.5 for pl in run.payloads for p in pl["experts"] if p["category"] == "one_score_game"
    ]
    assert 0.2 < np.mean(one_score) < 0.95


def test_stated_confidence_matches_hit_rate(run: WalkForwardRun) -> None:
    for row in calibration_table(run.graded, run.payloads):
        if row["n"] < 200:
            continue
        assert row["ece"] <= 0.03, row


def test_props_have_real_distributions(run: WalkForwardRun) -> None:
    rows = {r["stat"]: r for r in props_table(_subset(run, {2022, 2023}))}
    assert set(rows) >= {"passing_yards", "rushing_yards", "receiving_yards", "receptions", "passing_tds"}
    for stat, r in rows.items():
        # The projection (the median) beats each player's season-to-date average on every stat.
        assert r["mae_vs_average"] < r["season_average_mae"], stat
    for stat in ("passing_yards", "rushing_yards", "receiving_yards"):
        assert 0.45 <= rows[stat]["over_rate"] <= 0.55, stat  # the line sits at the projected median
        # At its own median the over-probability is 0.5 (Brier 0.250 by construction); against a line it
        # did not set (the season-to-date average, a naive book) the distribution beats a coin.
        assert rows[stat]["brier_at_average_line"] < 0.250, stat
    graded = sum(r["graded"] for r in rows.values())
    assert sum(r["brier"] * r["graded"] for r in rows.values()) / graded <= 0.240
    # Players absent from the team's latest game are left out: few props name a player who then has no row.
    assert (
        sum(r["no_stat_row"] * r["props"] for r in rows.values()) / sum(r["props"] for r in rows.values())
        < 0.115
    )
