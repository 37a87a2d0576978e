"""The cluster benchmark script runs end to end (figures are printed, never asserted on)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_bench_cache_cluster_reports_both_and_the_ratio() -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_cache_cluster.py"
    spec = importlib.util.spec_from_file_location("bench_cache_cluster", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(reads=20, body_bytes=200)
    assert set(result) >= {"single", "cluster", "ratio_p50", "ratio_p99"}
    assert result["single"]["p50_us"] > 0 and result["cluster"]["p50_us"] > 0
