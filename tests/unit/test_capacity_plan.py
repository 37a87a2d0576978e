"""The capacity model's arithmetic on fixed inputs (no run, no stack), and the command's bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nfl_predictor_dev.bench import prices as P
from nfl_predictor_dev.bench.capacity import Assumptions, Measured, measured_from_run, plan

FIXED = Measured(cached_ms=2.0, uncached_ms=40.0, week_ms=10.0, payload_bytes=20_000)
ASSUME = Assumptions(hit_rate=0.95, week_share=0.0, headroom=1.5, peak_minutes=100, game_days_per_month=10)


def test_littles_law_headroom_and_connections() -> None:
    p = plan(1000, FIXED, ASSUME)
    assert p.value("mean handler time") == pytest.approx(0.95 * 2 + 0.05 * 40)  # 3.9 ms
    assert p.value("concurrency (Little's law)") == pytest.approx(3.9)
    assert p.value("concurrency to plan for") == 6  # ceil(3.9 x 1.5)
    assert p.value("database connections through the proxy") == 3  # ceil(1000 x 5% x 0.04 s x 1.5)
    assert p.value("Redis operations") == pytest.approx(1100)
    assert p.value("Redis read bandwidth (primary)") == pytest.approx(1000 * 20_000 * 8 / 1e9 / 0.937 * 100)


def test_monthly_costs_from_prices() -> None:
    p = plan(1000, FIXED, ASSUME)
    requests = 1000 * 100 * 60 * 10  # 60 M
    assert p.value("Lambda requests") == pytest.approx(60 * 0.20)
    assert p.value("Lambda duration") == pytest.approx(
        requests * 0.004 * P.LAMBDA_ARM_PER_GB_SECOND
    )  # 4 ms billed
    assert p.value("API Gateway (HTTP API)") == pytest.approx(60.0)
    assert p.value("ElastiCache") == pytest.approx(2 * 0.219 * 730)
    assert p.value("RDS") == pytest.approx(2 * 0.225 * 730)
    assert p.value("RDS Proxy") == pytest.approx(2 * 0.015 * 730)
    assert p.value("data transfer out") == pytest.approx(requests * 20_000 / 1024**3 * 0.09)
    provisioned = (
        2 * 730 * 3600 + 4 * 100 * 60 * 10
    ) * P.LAMBDA_ARM_PROVISIONED_PER_GB_SECOND  # floor 2 + peak
    snapstart = 730 * 3600 * P.SNAPSTART_CACHE_PER_GB_SECOND + 6 * 10 * P.SNAPSTART_RESTORE_PER_GB
    assert p.value("provisioned concurrency (if chosen)") == pytest.approx(provisioned)
    assert p.value("SnapStart (if chosen)") == pytest.approx(snapstart)
    chosen = min(provisioned, snapstart)
    assert p.recommendation.startswith("SnapStart" if snapstart <= provisioned else "provisioned")
    others = sum(line.value for line in p.lines if line.unit == "USD/month" and line.what != "total"
                 and "(if chosen)" not in line.what)  # fmt: skip
    assert p.value("total") == pytest.approx(others + chosen)


def test_every_line_states_its_basis() -> None:
    for line in plan(10_000, FIXED, ASSUME).lines:
        assert line.basis, line.what


def run_file(tmp_path: Path) -> Path:
    record = {"created_at": "fixed", "measurements": [
        {"name": "api.cached_game", "unit": "ms", "samples": [1.0, 2.0, 3.0]},
        {"name": "api.uncached_game", "unit": "ms", "samples": [40.0]},
        {"name": "api.cached_week", "unit": "ms", "samples": [10.0]}]}  # fmt: skip
    path = tmp_path / "run.json"
    path.write_text(json.dumps(record))
    return path


def test_medians_come_from_the_run(tmp_path: Path) -> None:
    m = measured_from_run(json.loads(run_file(tmp_path).read_text()), "run.json")
    assert (m.cached_ms, m.uncached_ms, m.week_ms, m.payload_bytes) == (2.0, 40.0, 10.0, 23_500)
    with pytest.raises(ValueError, match=r"api\.cached_game"):
        measured_from_run({"measurements": []}, "empty")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("nfl-predictor")), "capacity", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_command_prints_json_and_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    done = cli("--rps", "1000", "--from-run", str(run_file(tmp_path)), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rps"] == 1000
    bad = cli("--rps", "1000", "--hit-rate", "1.5", "--from-run", str(run_file(tmp_path)))
    assert bad.returncode != 0 and "--hit-rate" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_the_html_report_plans_for_100_1000_and_10000_requests_per_second(tmp_path: Path) -> None:
    from nfl_predictor_dev.bench.report import capacity_html

    html = capacity_html(json.loads(run_file(tmp_path).read_text()))
    for load in ("100 req/s", "1,000 req/s", "10,000 req/s"):
        assert f"<th>{load}</th>" in html and f"<li>{load}: " in html
    assert "concurrency to plan for" in html and "total" in html
    assert capacity_html({"measurements": []}) == "<p>needs the api category</p>"
