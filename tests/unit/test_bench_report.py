"""Baseline storage, machine info, Lambda cost and the three report formats, on a made-up run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from nfl_predictor.benchmarking.baseline import FileStore, baseline_store
from nfl_predictor.benchmarking.compare import compare_runs
from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.machine import machine_info
from nfl_predictor.benchmarking.result import Measurement, Reference
from nfl_predictor.benchmarking.suite import resolve_categories, run_record
from nfl_predictor.config import Settings
from nfl_predictor_dev.bench.cost import Prices, cost_of, costs_for_run, predict_memory_mb
from nfl_predictor_dev.bench.machine import checkout_root, git_commit
from nfl_predictor_dev.bench.machine import machine_info as local_machine_info
from nfl_predictor_dev.bench.report import ReportInput, html_report, text_report, write_reports

from tests.conftest import REPO_ROOT


def made_up_run(scale: float = 1.0) -> dict[str, object]:
    cached = Measurement("api.cached_game", "cached game", "ms", [0.4 * scale + i / 1000 for i in range(200)],
                         Reference("bare route", [0.6 + i / 1000 for i in range(200)]), target="<= 1.5 ms", ok=True,
                         queries_per_call=0.0, peak_memory_bytes=65536, details={"prediction_count": 448})  # fmt: skip
    uncached = Measurement("api.uncached_game", "uncached game", "ms", [20.2 * scale + i / 10 for i in range(30)],
                           Reference("engine alone", [4.0] * 30), figure="p95", target="p95 <= 60 ms", ok=True,
                           details={"prediction_count": 448})  # fmt: skip
    l1 = Measurement(
        "cache.l1_hit", "L1 hit", "us", [3.0 * scale] * 100, None, target="median <= 5 us", ok=True
    )
    return run_record(BenchContext(scale="smoke"), ["api", "cache"], [cached, uncached, l1])


def test_a_run_records_machine_and_software() -> None:
    info = machine_info()
    assert info["cpu_count"] and info["cpu_model"] and info["python"].startswith("3.1")
    assert info["numpy"] and "numpy" in info["packages"] and "platform" in info
    assert "git_commit" in info  # None outside a checkout


def test_a_local_run_records_the_commit_of_the_checkout_it_runs_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO_ROOT / "shared")
    assert checkout_root() == REPO_ROOT.resolve()
    if (REPO_ROOT / ".git").exists():
        commit = git_commit()
        assert commit is not None and re.fullmatch(r"[0-9a-f]{40}", commit)
        assert local_machine_info()["git_commit"] == commit
    monkeypatch.chdir(tmp_path)  # no checkout here: nothing is guessed from where the package lives
    assert checkout_root() is None and git_commit() is None


def test_the_lambda_keeps_its_baseline_in_a_folder_per_environment_without_a_bucket(tmp_path: Path) -> None:
    store = baseline_store(Settings(environment="dev", data_dir=str(tmp_path)))
    assert isinstance(store, FileStore)
    assert store.baseline_file == tmp_path / "benchmarks" / "dev" / "baseline.json"


def test_file_store_keeps_the_baseline_and_a_history_of_runs(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "b" / "baseline.json")
    assert store.load_baseline() is None and store.history() == []
    first, second = made_up_run(), made_up_run(1.1)
    store.save_baseline(first)
    store.save_run(first)
    store.save_run(second)
    assert store.load_baseline() == json.loads(json.dumps(first))
    assert [len(r["measurements"]) for r in store.history()] == [3, 3]
    assert store.history(1)[0]["measurements"][0]["stats"] == second["measurements"][0]["stats"]  # type: ignore[index]


def test_lambda_cost_rounds_each_duration_up_to_the_millisecond() -> None:
    prices = Prices(per_gb_second=0.0000166667, per_million_requests=0.20, memory_mb=1024)
    cost = cost_of("cached game", [0.4, 0.6, 1.2], 448, prices)  # billed 1, 1, 2 ms
    per_request = (4 / 3) / 1000 * 1.0 * 0.0000166667 + 0.20 / 1e6
    assert cost.billed_ms_mean == pytest.approx(4 / 3, abs=1e-3)
    assert cost.per_million_requests == pytest.approx(per_request * 1e6, rel=1e-3)
    assert cost.per_million_predictions == pytest.approx(per_request / 448 * 1e6, rel=1e-3)
    assert cost_of("x", [10.0], 0, prices).per_million_predictions is None


def test_memory_comes_from_the_environment_or_the_predict_function(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", raising=False)
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  PredictFunction:\n    Properties:\n      MemorySize: 1536\n"
                        "  OtherFunction:\n    Properties:\n      MemorySize: 256\n")  # fmt: skip
    assert predict_memory_mb(template) == 1536  # PredictFunction's MemorySize, not another function's
    assert predict_memory_mb(tmp_path / "missing.yaml") == 1024  # no template: the default
    monkeypatch.chdir(REPO_ROOT)
    assert predict_memory_mb() == 1024  # ./infra/template.yaml of the checkout
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
    assert predict_memory_mb(template) == 2048


def test_reports_in_text_json_and_html(tmp_path: Path) -> None:
    baseline, current = made_up_run(), made_up_run(2.0)
    prices = Prices(memory_mb=1024)
    costs = costs_for_run(current, prices)
    assert [c.label for c in costs] == ["cached game", "uncached game"]
    data = ReportInput(current, baseline, compare_runs(baseline, current), [baseline, current], costs, prices)
    text = text_report(data)
    assert "cached game (median): project" in text and "| ratio " in text and "REGRESSION" in text
    assert "per million requests" in text and "per million predictions" in text
    html = html_report(data)
    assert html.count("<svg") >= 1 + 3 + 3  # ratios, a distribution and a history line per measurement
    assert "Lambda cost" in html and "http" not in html.split("<body>")[1].replace("http://www.w3.org", "")
    paths = write_reports(data, tmp_path / "out")
    assert json.loads(Path(paths["json"]).read_text())["cost"]["prices"]["memory_mb"] == 1024
    assert set(paths) == {"text", "json", "html"}


def test_categories_resolve_in_suite_order_and_lambda_excludes_load() -> None:
    assert resolve_categories(["all"]) == ["api", "engine", "database", "cache", "load"]
    assert resolve_categories(["all"], in_lambda=True) == ["api", "engine", "database", "cache"]
    assert resolve_categories(["cache,api"]) == ["api", "cache"]
    with pytest.raises(ValueError, match="inside Lambda"):
        resolve_categories(["load"], in_lambda=True)
    with pytest.raises(ValueError, match="unknown category"):
        resolve_categories(["nope"])


def test_charts_colour_by_verdict_mark_median_and_p99_and_carry_values() -> None:
    from nfl_predictor_dev.bench import svg

    bars = svg.ratio_bars(
        [("api.cached_game", 1.6, "PASS"), ("api.cold_start", 2.2, "FAIL"), ("x.info", 0.8, "INFO")]
    )
    # A ratio above 1x that passes its target is green, not red.
    assert re.search(
        r'fill="#1a7f37" data-verdict="PASS"><title>api.cached_game: 1.6x the reference, PASS', bars
    )
    assert 'fill="#cf222e" data-verdict="FAIL"' in bars and 'fill="#8c959f" data-verdict="INFO"' in bars
    chart = svg.histogram([float(v) for v in range(1, 101)], [float(v) for v in range(1, 51)], "ms", "x")
    for marker in ("project-p50", "project-p99", "reference-p50", "reference-p99"):
        assert f'data-marker="{marker}"' in chart
    assert "<title>project median 50.5 ms</title>" in chart and "p99" in chart
    assert chart.count('stroke="#57606a"') == 5  # axis ticks
    line = svg.history_line([("2026-01-01", 1.0), ("2026-01-02", 1.2)], 1.1, "ms", "h")
    assert "<title>2026-01-02: 1.2 ms</title>" in line and "<title>baseline median 1.1 ms</title>" in line
