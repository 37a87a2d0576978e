"""`nfl-predictor bench create | validate | report` end to end, at the smoke scale.

A baseline made from the same code does not flag; the same baseline edited to be 2x faster (every
sample halved) makes validate exit 1 with the regression named; report writes text, JSON and HTML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from nfl_predictor.cli.main import main
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import fresh_database_url


def bench(action: str, baseline: Path, *extra: str) -> list[str]:
    return ["bench", action, "--category", "cache", "--scale", "smoke", "--no-progress", "--baseline-file",
            str(baseline), *extra]  # fmt: skip


def validate_same_code(
    baseline: Path, capsys: pytest.CaptureFixture[str], attempts: int = 3
) -> tuple[int, str]:
    """Validate against a baseline from the same code: verdicts follow each measurement's ratio to its
    same-run reference, so a machine that drifted between the two runs shows as MACHINE DRIFT, not as
    a regression. Live timings: a false alarm on unchanged code is a rare, independent event per run,
    so up to ``attempts`` runs are allowed to come back clean; a real regression fails every one."""
    code, out = 1, ""
    for _ in range(attempts):
        code = main(bench("validate", baseline))
        out = capsys.readouterr().out
        if code == 0 and "0 regression(s)" in out:
            break
    return code, out


def test_same_code_passes_a_2x_faster_baseline_fails_and_the_report_is_written(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    baseline = tmp_path / "bench" / "baseline.json"
    assert main(bench("create", baseline)) == 0
    created = capsys.readouterr().out
    assert (
        "L2 hit (manager vs raw GET of the same bytes) (median): project" in created and "| ratio " in created
    )
    saved = json.loads(baseline.read_text())
    assert saved["machine"]["cpu_count"] and saved["machine"]["python"].startswith("3.11")
    assert {m["name"] for m in saved["measurements"]} == {
        "cache.l2_hit",
        "cache.l1_hit",
        "cache.breaker_open_overhead",
    }
    for m in saved["measurements"]:
        assert set(m["stats"]) >= {"n", "mean", "median", "min", "max", "stddev", "p95", "p99"}
        assert m["peak_memory_bytes"] > 0 and m["reference"]["samples"] and m["ratio"] > 0

    code, out = validate_same_code(baseline, capsys)
    assert code == 0, out
    assert "0 regression(s)" in out

    # The baseline edited so the machine was 2x faster (project and reference samples halved), against
    # the very run it was made from: machine drift, not a regression.
    first_run = sorted((tmp_path / "bench" / "runs").glob("*.json"))[0]
    faster_machine = dict(saved, measurements=[halved(m) for m in saved["measurements"]])
    baseline.write_text(json.dumps(faster_machine))
    assert main(bench("validate", baseline, "--run-file", str(first_run))) == 0
    out = capsys.readouterr().out
    assert "MACHINE DRIFT cache.l1_hit" in out and "x2.000" in out and "0 regression(s)" in out
    # Edited so only the project's code was 2x faster: the judged measurements regress.
    faster_code = dict(saved, measurements=[halved(m, reference=False) for m in saved["measurements"]])
    baseline.write_text(json.dumps(faster_code))
    assert main(bench("validate", baseline, "--run-file", str(first_run))) == 1
    out = capsys.readouterr().out
    assert "REGRESSION  cache.l1_hit" in out and "vs reference x2.000" in out and "2 regression(s)" in out
    assert "INFO        cache.breaker_open_overhead" in out  # too noisy to judge: shown only

    assert main([*bench("report", baseline), "--output-dir", str(tmp_path / "report")]) == 0
    text = capsys.readouterr().out
    assert "against the baseline of" in text
    html = (tmp_path / "report" / "report.html").read_text()
    assert html.count("<svg") >= 7 and "History across saved runs" in html
    assert json.loads((tmp_path / "report" / "report.json").read_text())["comparisons"]
    assert len(list((tmp_path / "bench" / "runs").glob("*.json"))) >= 2  # create, validate


def halved(m: dict[str, Any], reference: bool = True) -> dict[str, Any]:
    out = dict(m, samples=[v / 2 for v in m["samples"]])
    if m.get("reference") and reference:
        out["reference"] = dict(m["reference"], samples=[v / 2 for v in m["reference"]["samples"]])
    return out


def test_database_category_on_the_database_url_with_recall_and_query_counts(
    tmp_path: Path, pg_server: EmbeddedPostgres, template_database: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = fresh_database_url(pg_server, template_database)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    baseline = tmp_path / "baseline.json"
    assert main(["bench", "create", "--category", "database", "--scale", "smoke", "--no-progress",
                 "--baseline-file", str(baseline)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "| SELECT 1 " in out and "| exact scan " in out and "recall@10" in out
    found = {m["name"]: m for m in json.loads(baseline.read_text())["measurements"]}
    assert set(found) == {"database.stored_week", "database.api_key_lookup", "database.week_games",
                          "database.similar_matchups"}  # fmt: skip
    assert all(m["queries_per_call"] == 1 for m in found.values())
    assert found["database.stored_week"]["details"]["rows"] > 0
    assert 0.8 <= found["database.similar_matchups"]["details"]["recall_at_k"] <= 1.0
    # The stack loaded the demo league into the empty database, and left no working key behind.
    db = make_database(parse_database_url(url), pooled=False)
    try:
        assert db.scalar("SELECT count(*) FROM api_keys WHERE name = 'benchmark' AND revoked_at IS NULL") == 0
        assert db.scalar("SELECT count(*) FROM games") > 0
    finally:
        db.close()


def test_validate_is_clean_beside_a_cpu_burner_and_flags_a_2x_slower_code_path(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real suite (cache category, smoke scale): a baseline on the machine as it is, then validate
    with two processes burning CPU beside it (the machine slows; the code does not) -> exit 0; then
    with CacheManager.get doing its work twice (a 2x slower code path) -> cache.l1_hit flagged."""
    import subprocess
    import sys

    monkeypatch.setenv("REDIS_URL", redis_url)
    baseline = tmp_path / "baseline.json"
    assert main(bench("create", baseline)) == 0
    capsys.readouterr()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        code, out = validate_same_code(baseline, capsys)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert code == 0 and "0 regression(s)" in out, out

    from nfl_predictor.cache import CacheManager

    original = CacheManager.get

    def twice(self: CacheManager, *args: Any, **kwargs: Any) -> Any:
        original(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CacheManager, "get", twice)
    assert main(bench("validate", baseline)) == 1
    out = capsys.readouterr().out
    assert "REGRESSION  cache.l1_hit" in out, out
