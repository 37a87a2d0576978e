"""Regression check: a run against the baseline, measurement by measurement.

A regression needs both: the median slower than the baseline's by more than the tolerance (20% by
default), and the difference significant (two-sided Mann-Whitney U on the samples, p < alpha). Either
alone is not enough: on a noisy machine a 25% swing in a few samples is chance, and with thousands of
samples a 2% shift is "significant" yet not worth failing a build over. Improvements are the mirror
image. For throughput (higher is better) "slower" means fewer requests per second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_TOLERANCE = 0.20
DEFAULT_ALPHA = 0.01


@dataclass(frozen=True)
class Comparison:
    name: str
    status: str  # regression | improvement | unchanged | new | missing
    unit: str
    baseline_median: float | None
    current_median: float | None
    slowdown: float | None  # current / baseline time (baseline / current for throughput); 1.0 = same
    p_value: float | None
    detail: str
    # How much the same-run reference moved too: near the project's slowdown, the machine (not the
    # code) is likely slower (these machines drift by 1.5x and more between runs).
    reference_slowdown: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        if self.status in ("new", "missing"):
            return f"{self.status.upper():<11} {self.name}: {self.detail}"
        reference = "" if self.reference_slowdown is None else f", reference x{self.reference_slowdown:.3f}"
        return (f"{self.status.upper():<11} {self.name}: median {self.current_median:.3f} {self.unit} vs baseline "
                f"{self.baseline_median:.3f} {self.unit} (x{self.slowdown:.3f}, p={self.p_value:.2g}{reference}) "
                f"{self.detail}").rstrip()  # fmt: skip


def _median(samples: list[float]) -> float:
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def compare_measurement(base: dict[str, Any], current: dict[str, Any], tolerance: float = DEFAULT_TOLERANCE,
                        alpha: float = DEFAULT_ALPHA) -> Comparison:  # fmt: skip
    from nfl_predictor.benchmarking.stats import mann_whitney  # numpy: only when comparing

    b, c = list(base["samples"]), list(current["samples"])
    b_med, c_med = _median(b), _median(c)
    higher_is_better = bool(current.get("higher_is_better", False))
    ratio = b_med / c_med if higher_is_better else c_med / b_med
    slowdown = ratio if b_med > 0 and c_med > 0 else 1.0
    _, p = mann_whitney(c, b)
    significant = p < alpha
    status = "unchanged"
    detail = ""
    if slowdown > 1 + tolerance:
        status = "regression" if significant else "unchanged"
        detail = (
            "" if significant else f"(slower but not significant at alpha {alpha:g}; n={len(c)} vs {len(b)})"
        )
    elif slowdown < 1 / (1 + tolerance):
        status = "improvement" if significant else "unchanged"
        detail = (
            "" if significant else f"(faster but not significant at alpha {alpha:g}; n={len(c)} vs {len(b)})"
        )
    return Comparison(current["name"], status, current["unit"], round(b_med, 4), round(c_med, 4),
                      round(slowdown, 4), p, detail, _reference_slowdown(base, current))  # fmt: skip


def _reference_slowdown(base: dict[str, Any], current: dict[str, Any]) -> float | None:
    b, c = base.get("reference") or {}, current.get("reference") or {}
    if not b.get("samples") or not c.get("samples"):
        return None
    b_med, c_med = _median(b["samples"]), _median(c["samples"])
    if b_med <= 0 or c_med <= 0:
        return None
    return round(b_med / c_med if current.get("higher_is_better") else c_med / b_med, 4)


def compare_runs(baseline: dict[str, Any], current: dict[str, Any], tolerance: float = DEFAULT_TOLERANCE,
                 alpha: float = DEFAULT_ALPHA) -> list[Comparison]:  # fmt: skip
    """One Comparison per measurement of the current run (and one per baseline measurement it lacks,
    among the categories it ran)."""
    base = {m["name"]: m for m in baseline.get("measurements", [])}
    out = []
    for m in current.get("measurements", []):
        if m["name"] in base:
            out.append(compare_measurement(base[m["name"]], m, tolerance, alpha))
        else:
            out.append(Comparison(m["name"], "new", m["unit"], None, None, None, None, "not in the baseline"))
    ran = set(current.get("categories", []))
    seen = {m["name"] for m in current.get("measurements", [])}
    for name, m in base.items():
        if name not in seen and m.get("category", name.split(".")[0]) in ran:
            out.append(
                Comparison(
                    name, "missing", m["unit"], None, None, None, None, "in the baseline, not measured now"
                )
            )
    return out


def regressions(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.status == "regression"]


def improvements(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.status == "improvement"]
