"""`nfl-predictor backtest --oracle` and `nfl-predictor calibration` on the real files (JSON output)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest
from nfl_predictor.cli.main import main

pytestmark = pytest.mark.slow


def test_backtest_oracle_and_calibration_print_their_tables(
    nflverse_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = sorted(glob.glob(str(nflverse_dir / "stats_team_week_*.csv")))
    games = str(nflverse_dir / "games.csv")
    assert main(["backtest", "--from", "2023", "--to", "2024", "--oracle", "--json", "--games", games,
                 "--team-stats", *teams]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in doc["rows"]]
    assert names[:4] == ["main model (no market)", "market-adjusted model", "main model, oracle inputs",
                         "market-adjusted, oracle"]  # fmt: skip
    assert [s["season"] for s in doc["seasons"]] == [2023, 2024]
    assert main(["calibration", "--from", "2024", "--to", "2024", "--json", "--games", games,
                 "--team-stats", *teams]) == 0  # fmt: skip
    cal = json.loads(capsys.readouterr().out)
    assert cal["games"] == 285 and len(cal["calibration"]) == 19  # no player stats in 2024: 19 categories
    assert {"median_correlation", "participation_ratio", "brier"} <= set(cal["experts"])
