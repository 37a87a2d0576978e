"""`nfl-predictor loadtest` for real, kept tiny: the server on loopback, a warm cache, locust headless
with a two-step load of the full mix, and the per-step / per-endpoint report it writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from nfl_predictor.cli.main import main
from nfl_predictor_dev.bench.loadtest import LoadOptions, summarise
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import fresh_database_url

ENDPOINTS = {"/v1/games/[id]/predictions", "/v1/games/[id]/predictions?view", "/v1/predictions (week)",
             "/v1/search", "/v1/experts/leaderboard"}  # fmt: skip


def test_step_load_reports_each_step_and_endpoint(
    tmp_path: Path, pg_server: EmbeddedPostgres, template_database: str, redis_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", fresh_database_url(pg_server, template_database))
    monkeypatch.setenv("REDIS_URL", redis_url)
    out_dir = tmp_path / "load"
    assert main(["loadtest", "--max-users", "6", "--step-users", "3", "--step-seconds", "1.5", "--weeks", "1",
                 "--output-dir", str(out_dir)]) == 0  # fmt: skip
    table = capsys.readouterr().out
    assert "holds 0 errors and p99 <= 100 ms up to" in table
    steps = list(csv.DictReader((out_dir / "steps.csv").open()))
    assert [int(r["users"]) for r in steps] == [3, 6]
    assert all(int(r["errors"]) == 0 and int(r["requests"]) > 0 for r in steps)
    endpoints = {r["endpoint"] for r in csv.DictReader((out_dir / "endpoints.csv").open())}
    assert endpoints <= ENDPOINTS and "/v1/games/[id]/predictions" in endpoints
    summary = json.loads((out_dir / "summary.json").read_text())
    assert {"rps", "error_rate", "p50_ms", "p95_ms", "p99_ms"} <= set(summary["steps"][0])
    assert (out_dir / "locust_stats.csv").is_file()  # locust's own CSVs sit beside the summary


def test_the_highest_holding_step_needs_every_step_below_to_hold() -> None:
    options = LoadOptions(max_users=30, step_users=10, step_seconds=10.0, p99_target_ms=100.0)
    fast = [(float(t) / 10, "/x", 5.0, 0) for t in range(100)]  # step 1: fine
    slow = [(10 + float(t) / 10, "/x", 500.0, 0) for t in range(100)]  # step 2: p99 500 ms
    fine_again = [(20 + float(t) / 10, "/x", 5.0, 0) for t in range(100)]  # step 3: fine, but too late
    report = summarise(fast + slow + fine_again, options)
    assert [r.meets_target for r in report.steps] == [True, False, True]
    assert report.holds_up_to_users == 10
    errors = summarise([(1.0, "/x", 5.0, 1), *fast[1:]], options)
    assert (
        errors.steps[0].errors == 1 and errors.steps[0].error_rate == 0.01 and errors.holds_up_to_users == 0
    )
