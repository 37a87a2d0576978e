"""The timing helpers, now part of the benchmark suite (nfl_predictor_dev.bench.timing); kept here so
the scripts and anything importing ``benchmarks.common`` keep working."""

from nfl_predictor_dev.bench.timing import (
    PERCENTILES,
    Summary,
    compare_line,
    describe,
    per_round_percentile,
    percentile,
    pooled,
    ratio,
    sample,
    sample_interleaved,
    summarise,
    verdict,
)

__all__ = [
    "PERCENTILES",
    "Summary",
    "compare_line",
    "describe",
    "per_round_percentile",
    "percentile",
    "pooled",
    "ratio",
    "sample",
    "sample_interleaved",
    "summarise",
    "verdict",
]
