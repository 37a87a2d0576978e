"""bench validate's verdicts: by the ratio to the same-run reference, with machine drift told apart.

Runs are built from seeded samples (a machine factor per run, noise per sample), so the verdicts are
checked without waiting for a machine to misbehave; tests/integration/test_bench_suite.py does the
same through the real suite.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking.compare import compare_measurement, compare_runs, regressions


def measurement(name: str, project_ms: float, reference_ms: float, machine: float, rng: random.Random, *,
                n: int = 300, judged: bool = True) -> dict[str, Any]:  # fmt: skip
    def samples(centre: float) -> list[float]:
        return [centre * machine * rng.lognormvariate(0, 0.08) for _ in range(n)]

    return {"name": name, "unit": "ms", "samples": samples(project_ms), "judged": judged,
            "reference": {"label": "ref", "samples": samples(reference_ms)}}  # fmt: skip


def run(machine: float, seed: int, slow: dict[str, float] | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    slow = slow or {}
    figures = {"api.cached_game": (0.2, 0.1), "api.uncached_week": (120.0, 60.0), "cache.l1_hit": (2.0, 1.5)}
    return {"categories": ["api", "cache"],
            "measurements": [measurement(name, p * slow.get(name, 1.0), r, machine, rng)
                             for name, (p, r) in figures.items()]}  # fmt: skip


def test_a_machine_slowed_1_7x_is_drift_not_a_regression() -> None:
    """The issue's case: l1_hit x1.708 against a reference x1.810 exited 1 on an unchanged tree."""
    comparisons = compare_runs(run(1.0, 1), run(1.75, 2))
    assert not regressions(comparisons)
    assert {c.status for c in comparisons} == {"drift"}
    line = comparisons[0].line()
    assert (
        line.startswith("MACHINE DRIFT") and "reference x1.7" in line and "the machine, not the code" in line
    )


def test_a_2x_slowdown_in_one_code_path_is_flagged_even_on_a_faster_machine() -> None:
    comparisons = {c.name: c for c in compare_runs(run(1.0, 3), run(0.8, 4, slow={"cache.l1_hit": 2.0}))}
    assert comparisons["cache.l1_hit"].status == "regression"
    assert 1.9 < (comparisons["cache.l1_hit"].relative_slowdown or 0) < 2.1
    assert all(c.status != "regression" for name, c in comparisons.items() if name != "cache.l1_hit")


def test_five_create_validate_pairs_on_an_unchanged_tree_are_clean() -> None:
    rng = random.Random(7)
    for pair in range(5):
        baseline = run(rng.uniform(0.6, 1.8), 100 + pair)
        current = run(rng.uniform(0.6, 1.8), 200 + pair)
        assert not regressions(compare_runs(baseline, current)), pair


def test_informational_measurements_are_shown_not_judged() -> None:
    rng = random.Random(5)
    base = measurement("cache.breaker_open_overhead", 5.0, 4.0, 1.0, rng, judged=False)
    current = measurement("cache.breaker_open_overhead", 10.0, 4.0, 1.0, rng, judged=False)
    comparison = compare_measurement(base, current)
    assert comparison.status == "info" and comparison.line().startswith("INFO")


def test_without_a_reference_the_raw_median_decides() -> None:
    rng = random.Random(9)
    base = {"name": "load.rps", "unit": "req/s", "higher_is_better": True,
            "samples": [100 * rng.lognormvariate(0, 0.05) for _ in range(200)]}  # fmt: skip
    slower = dict(base, samples=[v / 2 for v in base["samples"]])
    assert compare_measurement(base, slower).status == "regression"
    assert compare_measurement(base, base).status == "unchanged"


# -- five create/validate pairs, on series recorded from a real run ------------------------------
# The recorded run keeps the real shape of the samples (skew, outliers from other processes); each
# "run" below draws from it again (a bootstrap: the same code) and applies what a machine does to
# project and reference alike. No wall clock anywhere: benchmarks/five_pairs.py runs the live pairs.

RECORDED = Path(__file__).parents[1] / "data" / "bench_recorded_cache_run.json"


def replay(rng: random.Random, machine: float, *, burner: float = 1.0, burner_share: float = 0.0,
           slow: dict[str, float] | None = None) -> dict[str, Any]:  # fmt: skip
    """A run of the recorded code on a machine ``machine`` times slower, with a CPU burner that slows
    ``burner_share`` of the interleaved rounds by ``burner`` (project and reference sampled in turn, so
    the same rounds); ``slow`` multiplies one measurement's project samples (a slower code path)."""
    recorded = json.loads(RECORDED.read_text())
    out = []
    for m in recorded["measurements"]:
        n = len(m["samples"])
        rounds = [machine * (burner if rng.random() < burner_share else 1.0) for _ in range(n)]
        factor = (slow or {}).get(m["name"], 1.0)
        # Resample whole moments (a project sample with the reference sample taken beside it).
        picks = [rng.randrange(n) for _ in range(n)]
        project = [m["samples"][i] * r * factor for i, r in zip(picks, rounds, strict=True)]
        reference = [m["reference"]["samples"][i] * r for i, r in zip(picks, rounds, strict=True)]
        out.append({**m, "samples": project, "reference": {**m["reference"], "samples": reference}})
    return {"categories": recorded["categories"], "measurements": out}


def five_pairs(seed: int, **current: Any) -> list[dict[str, str]]:
    rng = random.Random(seed)
    verdicts = []
    for _ in range(5):
        baseline = replay(rng, rng.uniform(0.7, 1.5))
        validated = replay(rng, rng.uniform(0.7, 1.5), **current)
        verdicts.append({c.name: c.status for c in compare_runs(baseline, validated)})
    return verdicts


def test_recorded_series_five_pairs_with_machine_drift_validate_clean() -> None:
    pairs = five_pairs(11)
    assert all("regression" not in verdict.values() for verdict in pairs), pairs
    # The drift is reported as the machine's, not hidden: some pair moved past the tolerance.
    assert any("drift" in verdict.values() for verdict in pairs), pairs


def test_recorded_series_a_2x_slower_code_path_is_flagged_in_every_pair() -> None:
    for verdict in five_pairs(13, slow={"cache.l2_hit": 2.0}):
        assert verdict == {"cache.l2_hit": "regression", "cache.l1_hit": verdict["cache.l1_hit"],
                           "cache.breaker_open_overhead": "info"}  # fmt: skip
        assert verdict["cache.l1_hit"] in ("unchanged", "drift")
    # Also when a CPU burner slows a third of the validating run's rounds.
    burnt = five_pairs(14, slow={"cache.l2_hit": 2.0}, burner=1.8, burner_share=0.3)
    assert all(verdict["cache.l2_hit"] == "regression" for verdict in burnt), burnt


def test_a_burner_on_part_of_a_run_rarely_flags_unchanged_code() -> None:
    """A known limit: a burner slowing only some rounds of one run shifts the pooled medians of two
    differently shaped distributions (l1_hit's project samples are bimodal, its reference is at the
    timer's resolution) by different factors. Measured here: 1 false flag in 40 pairs."""
    flags = 0
    for seed in range(40):
        rng = random.Random(1000 + seed)
        baseline = replay(rng, rng.uniform(0.7, 1.5))
        validated = replay(rng, rng.uniform(0.7, 1.5), burner=1.8, burner_share=0.3)
        flags += len(regressions(compare_runs(baseline, validated)))
    assert flags <= 2
