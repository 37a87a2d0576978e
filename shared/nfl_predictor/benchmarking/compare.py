"""Regression check: a run against the baseline, measurement by measurement.

Each measurement is judged by its ratio to its same-run reference (the bare route, the raw GET, the
engine alone...), compared with the baseline's ratio: these machines drift by 1.5x and more between
runs, and a drift slows the project and its reference alike. So:

- ``regression``: the project's median, relative to its reference, is slower than the baseline's
  relative figure by more than the tolerance (20% by default), and significantly so (two-sided
  Mann-Whitney U on the samples, each divided by its own run's reference median, p < alpha);
- ``drift`` (printed MACHINE DRIFT): the raw median moved past the tolerance, but the reference moved
  with it, so the ratio held: the machine, not the code;
- ``improvement`` is the mirror image of a regression; ``unchanged`` otherwise.

Either condition alone is not enough: on a noisy machine a 25% swing in a few samples is chance, and
with thousands of samples a 2% shift is "significant" yet not worth failing a build over. A
measurement without a reference is judged on its raw median. A measurement saved with
``judged: false`` (too noisy to judge, e.g. a p99 of microseconds) is shown, never flagged. For
throughput (higher is better) "slower" means fewer requests per second. The raw comparison is always
shown beside the verdict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_TOLERANCE = 0.20
DEFAULT_ALPHA = 0.01
LABELS = {"drift": "MACHINE DRIFT", "info": "INFO"}


@dataclass(frozen=True)
class Comparison:
    name: str
    status: str  # regression | improvement | unchanged | drift | info | new | missing
    unit: str
    baseline_median: float | None
    current_median: float | None
    slowdown: float | None  # raw: current / baseline time (baseline / current for throughput); 1.0 = same
    p_value: float | None
    detail: str
    # How much the same-run reference moved too (same direction convention as ``slowdown``).
    reference_slowdown: float | None = None
    # slowdown / reference_slowdown: what the verdict is about when there is a reference.
    relative_slowdown: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        label = LABELS.get(self.status, self.status.upper())
        if self.status in ("new", "missing"):
            return f"{label:<11} {self.name}: {self.detail}"
        reference = "" if self.reference_slowdown is None else f", reference x{self.reference_slowdown:.3f}"
        relative = "" if self.relative_slowdown is None else f", vs reference x{self.relative_slowdown:.3f}"
        return (f"{label:<11} {self.name}: median {self.current_median:.3f} {self.unit} vs baseline "
                f"{self.baseline_median:.3f} {self.unit} (x{self.slowdown:.3f}, p={self.p_value:.2g}{reference}"
                f"{relative}) {self.detail}").rstrip()  # fmt: skip


def _median(samples: list[float]) -> float:
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _direction(slowdown: float, tolerance: float) -> int:
    """1 slower past the tolerance, -1 faster past it, 0 within."""
    return 1 if slowdown > 1 + tolerance else -1 if slowdown < 1 / (1 + tolerance) else 0


def compare_measurement(base: dict[str, Any], current: dict[str, Any], tolerance: float = DEFAULT_TOLERANCE,
                        alpha: float = DEFAULT_ALPHA) -> Comparison:  # fmt: skip
    from nfl_predictor.benchmarking.stats import mann_whitney  # numpy: only when comparing

    b, c = list(base["samples"]), list(current["samples"])
    b_med, c_med = _median(b), _median(c)
    higher_is_better = bool(current.get("higher_is_better", False))
    ratio = b_med / c_med if higher_is_better else c_med / b_med
    slowdown = ratio if b_med > 0 and c_med > 0 else 1.0
    _, p = mann_whitney(c, b)
    raw = _direction(slowdown, tolerance) if p < alpha else 0
    ref_slowdown = _reference_slowdown(base, current)

    def result(status: str, detail: str, relative: float | None = None) -> Comparison:
        return Comparison(current["name"], status, current["unit"], round(b_med, 4), round(c_med, 4),
                          round(slowdown, 4), p, detail, ref_slowdown,
                          None if relative is None else round(relative, 4))  # fmt: skip

    if current.get("judged") is False or base.get("judged") is False:
        return result("info", "(informational: too noisy to judge)")
    if ref_slowdown is None:
        return result(*_raw_verdict(raw, slowdown, tolerance, alpha))
    relative = slowdown / ref_slowdown
    status, detail = _relative_verdict(base, current, relative, raw=raw, ref_slowdown=ref_slowdown,
                                       tolerance=tolerance, alpha=alpha)  # fmt: skip
    return result(status, detail, relative)


def _raw_verdict(raw: int, slowdown: float, tolerance: float, alpha: float) -> tuple[str, str]:
    """No same-run reference: the raw median comparison decides."""
    status = {1: "regression", -1: "improvement", 0: "unchanged"}[raw]
    detail = "" if raw or _direction(slowdown, tolerance) == 0 else f"(not significant at alpha {alpha:g})"
    return status, (detail + " (no reference: judged on the raw median)").strip()


def _relative_verdict(base: dict[str, Any], current: dict[str, Any], relative: float, *, raw: int,
                      ref_slowdown: float, tolerance: float, alpha: float) -> tuple[str, str]:  # fmt: skip
    """The ratio to the same-run reference decides; a raw change the reference shares is the machine."""
    from nfl_predictor.benchmarking.stats import mann_whitney

    b, c = list(base["samples"]), list(current["samples"])
    b_ref, c_ref = _median(base["reference"]["samples"]), _median(current["reference"]["samples"])
    _, p_rel = mann_whitney([v / c_ref for v in c], [v / b_ref for v in b])
    moved = _direction(relative, tolerance) if p_rel < alpha else 0
    if moved:
        return ("regression" if moved > 0 else "improvement"), ""
    if raw:
        return "drift", f"(the reference moved x{ref_slowdown:.3f} too: the machine, not the code)"
    return "unchanged", "" if _direction(
        relative, tolerance
    ) == 0 else f"(not significant at alpha {alpha:g})"


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


def drifts(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.status == "drift"]
