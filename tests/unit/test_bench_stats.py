"""The statistics behind `bench validate`: the numpy Mann-Whitney U against scipy, sample summaries, and
the regression rule (slower than the tolerance AND significant)."""

from __future__ import annotations

import copy
import sys
from typing import Any

import numpy as np
import pytest
from nfl_predictor.benchmarking.compare import compare_measurement, compare_runs, improvements, regressions
from nfl_predictor.benchmarking.stats import describe, mann_whitney, mann_whitney_numpy, thin
from scipy.stats import mannwhitneyu

RNG = np.random.default_rng(7)
SAMPLE_SETS = [
    ("shifted normals", RNG.normal(100, 10, 300), RNG.normal(103, 10, 250)),
    ("same distribution", RNG.normal(50, 5, 400), RNG.normal(50, 5, 400)),
    ("heavy ties (integers)", RNG.integers(0, 6, 200).astype(float), RNG.integers(1, 7, 180).astype(float)),
    ("latency-like lognormal", RNG.lognormal(3.0, 0.4, 1000), RNG.lognormal(3.1, 0.5, 900)),
    ("tiny and unequal", np.array([1.0, 2.0, 2.0, 5.0]), np.array([2.0, 3.0, 3.0, 3.0, 9.0, 10.0])),
    ("far apart", np.arange(30, dtype=float), np.arange(100, 140, dtype=float)),
]


@pytest.mark.parametrize(("label", "x", "y"), SAMPLE_SETS, ids=[s[0] for s in SAMPLE_SETS])
def test_numpy_mann_whitney_matches_scipy(label: str, x: np.ndarray, y: np.ndarray) -> None:
    expected = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    u, p = mann_whitney_numpy(x, y)
    assert u == pytest.approx(float(expected.statistic))
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-15)
    assert mann_whitney(x.tolist(), y.tolist())[1] == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_without_scipy_the_numpy_version_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy.stats", None)  # what the Lambda layer looks like
    _, x, y = SAMPLE_SETS[0]
    assert mann_whitney(x.tolist(), y.tolist()) == mann_whitney_numpy(x, y)


def test_identical_constant_samples_show_no_difference() -> None:
    assert mann_whitney_numpy([3.0] * 10, [3.0] * 12) == (60.0, 1.0)
    assert mann_whitney([3.0] * 10, [3.0] * 12)[1] == 1.0


def test_describe_reports_every_figure() -> None:
    stats = describe([float(v) for v in range(1, 101)])
    assert stats["n"] == 100 and stats["min"] == 1 and stats["max"] == 100
    assert stats["mean"] == 50.5 and stats["median"] == 50.5
    assert stats["p95"] == 95 and stats["p99"] == 99  # nearest rank
    assert stats["stddev"] == pytest.approx(np.std(np.arange(1, 101), ddof=1), abs=1e-3)


def test_thin_keeps_the_spread() -> None:
    kept = thin([float(v) for v in range(10_000)], 1000)
    assert len(kept) == 1000 and kept[0] == 0 and kept[-1] >= 9_980
    assert thin([1.0, 2.0], 1000) == [1.0, 2.0]


def measurement(
    name: str, samples: list[float], reference: list[float] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"name": name, "category": name.split(".")[0], "unit": "us", "samples": samples,
            "reference": {"label": "ref", "samples": reference} if reference else None, **extra}  # fmt: skip


def run(*measurements: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": "2025-01-01T00:00:00+00:00", "categories": sorted({m["category"] for m in measurements}),
            "measurements": list(measurements)}  # fmt: skip


SAMPLES = RNG.lognormal(np.log(40.0), 0.2, 2000).round(3).tolist()


def test_a_baseline_from_the_same_code_does_not_flag() -> None:
    again = RNG.lognormal(np.log(40.0), 0.2, 2000).round(3).tolist()  # the same code, measured again
    [same] = compare_runs(run(measurement("cache.l2_hit", SAMPLES)), run(measurement("cache.l2_hit", again)))
    assert same.status == "unchanged" and 0.9 < same.slowdown < 1.1


def test_a_baseline_twice_as_fast_flags_a_regression() -> None:
    halved = [v / 2 for v in SAMPLES]
    [c] = compare_runs(run(measurement("cache.l2_hit", halved)), run(measurement("cache.l2_hit", SAMPLES)))
    assert c.status == "regression" and c.slowdown == pytest.approx(2.0, rel=0.01) and c.p_value < 1e-10
    assert "REGRESSION" in c.line()


def test_a_baseline_twice_as_slow_reports_an_improvement() -> None:
    doubled = [v * 2 for v in SAMPLES]
    comparisons = compare_runs(
        run(measurement("cache.l2_hit", doubled)), run(measurement("cache.l2_hit", SAMPLES))
    )
    assert [c.status for c in comparisons] == ["improvement"]
    assert improvements(comparisons) and not regressions(comparisons)


def test_significant_but_within_tolerance_is_not_a_regression() -> None:
    slower = [v * 1.1 for v in SAMPLES]
    c = compare_measurement(measurement("x.y", SAMPLES), measurement("x.y", slower))
    assert c.p_value is not None and c.p_value < 0.01  # clearly different...
    assert c.status == "unchanged"  # ...but 10% is inside the 20% tolerance


def test_slower_but_too_few_samples_to_be_sure_is_not_a_regression() -> None:
    c = compare_measurement(measurement("x.y", [10.0, 11.0, 12.0]), measurement("x.y", [14.0, 15.0, 13.0]))
    assert c.slowdown > 1.2 and c.status == "unchanged" and "not significant" in c.detail


def test_throughput_regresses_when_it_drops() -> None:
    base = measurement("api.server_rps", [3000.0 + i for i in range(40)], higher_is_better=True)
    lower = measurement("api.server_rps", [1500.0 + i for i in range(40)], higher_is_better=True)
    assert compare_measurement(base, lower).status == "regression"
    assert compare_measurement(lower, base).status == "improvement"


def test_a_slowdown_the_reference_shares_is_machine_drift() -> None:
    base = measurement("x.y", SAMPLES, reference=SAMPLES)
    current = measurement("x.y", [v * 2 for v in SAMPLES], reference=[v * 1.9 for v in SAMPLES])
    c = compare_measurement(base, current)
    assert c.status == "drift" and c.reference_slowdown == pytest.approx(1.9, rel=0.01)
    assert "reference x1.9" in c.line() and c.line().startswith("MACHINE DRIFT")
    alone = compare_measurement(base, measurement("x.y", [v * 2 for v in SAMPLES], reference=SAMPLES))
    assert alone.status == "regression" and alone.relative_slowdown == pytest.approx(2.0, rel=0.01)


def test_new_and_missing_measurements_are_listed() -> None:
    base = run(measurement("cache.l1_hit", SAMPLES), measurement("cache.gone", SAMPLES))
    current = run(measurement("cache.l1_hit", SAMPLES), measurement("cache.added", SAMPLES))
    statuses = {c.name: c.status for c in compare_runs(base, current)}
    assert statuses == {"cache.l1_hit": "unchanged", "cache.added": "new", "cache.gone": "missing"}
    other = copy.deepcopy(current)
    other["categories"] = ["engine"]  # a baseline measurement of a category not run now is not "missing"
    assert "cache.gone" not in {c.name for c in compare_runs(base, other)}
