"""One benchmark's outcome: its samples, the same-run reference's samples, target and verdict.

Samples are kept in the measurement's own unit (us, ms, req/s) so a saved run can be compared, plotted
and re-summarised later without knowing how it was taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nfl_predictor.benchmarking.stats import describe, thin
from nfl_predictor.benchmarking.timing import verdict

# Enough for the rank test and the plots; keeps a saved run small (a run has ~25 measurements).
SAVED_SAMPLES = 2000


def figure(value: float) -> str:
    """Two decimals, or four significant digits below 1 (a classic-Elo call is ~0.001 ms)."""
    return f"{value:.2f}" if abs(value) >= 1 or value == 0 else f"{value:.4g}"


@dataclass
class Reference:
    label: str  # e.g. "bare route", "raw GET", "exact scan"
    samples: list[float]


@dataclass
class Measurement:
    name: str  # "<category>.<what>", the key baselines are matched on
    title: str
    unit: str
    samples: list[float]
    reference: Reference | None = None
    figure: str = "median"  # the statistic the target and the ratio are about
    target: str = ""
    ok: bool | None = None  # None: informational, no target
    higher_is_better: bool = False
    peak_memory_bytes: int | None = None  # Python allocations (tracemalloc), not the process RSS
    queries_per_call: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # shown in the result line after the ratio, e.g. "overhead 42.1 us"
    # Set when the verdict uses a sturdier figure than the pooled statistic, e.g. the median over
    # rounds of each round's p99 (one noisy round from another process cannot decide it).
    project_figure: float | None = None
    reference_figure: float | None = None
    # False: shown by ``bench validate`` but never flagged (too noisy between runs to judge).
    judged: bool = True

    @property
    def category(self) -> str:
        return self.name.split(".", 1)[0]

    @cached_property
    def stats(self) -> dict[str, Any]:
        return describe(self.samples)

    @cached_property
    def reference_stats(self) -> dict[str, Any] | None:
        return describe(self.reference.samples) if self.reference and self.reference.samples else None

    @property
    def value(self) -> float:
        return self.project_figure if self.project_figure is not None else float(self.stats[self.figure])

    @property
    def reference_value(self) -> float | None:
        if self.reference_figure is not None:
            return self.reference_figure
        ref = self.reference_stats
        return None if ref is None else float(ref[self.figure])

    @property
    def ratio(self) -> float | None:
        ref = self.reference_value
        return round(self.value / ref, 4) if ref else None

    def line(self) -> str:
        """``title: project X | <reference> Y | ratio Z | target T | PASS`` (what the scripts print)."""
        ref, ratio = self.reference_value, self.ratio
        parts = [f"{self.title} ({self.figure}): project {figure(self.value)} {self.unit}"]
        if ref is not None and self.reference is not None:
            parts.append(f"{self.reference.label} {figure(ref)} {self.unit}")
            parts.append(f"ratio {ratio:.3f}")
        if self.note:
            parts.append(self.note)
        parts.append(f"target {self.target or '(informational)'}")
        parts.append("INFO" if self.ok is None else verdict(self.ok))
        return " | ".join(parts)

    def to_dict(self, sample_limit: int = SAVED_SAMPLES) -> dict[str, Any]:
        ref = self.reference
        return {
            "name": self.name,
            "category": self.category,
            "title": self.title,
            "unit": self.unit,
            "figure": self.figure,
            "higher_is_better": self.higher_is_better,
            "stats": self.stats,
            "reference": None
            if ref is None
            else {
                "label": ref.label,
                "stats": self.reference_stats,
                "samples": thin(ref.samples, sample_limit),
            },
            "value": self.value,
            "reference_value": self.reference_value,
            "ratio": self.ratio,
            "note": self.note,
            "target": self.target,
            "ok": self.ok,
            "peak_memory_bytes": self.peak_memory_bytes,
            "queries_per_call": self.queries_per_call,
            "details": self.details,
            "project_figure": self.project_figure,
            "reference_figure": self.reference_figure,
            "judged": self.judged,
            "line": self.line(),
            "samples": thin(self.samples, sample_limit),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        ref = data.get("reference")
        return cls(
            name=data["name"], title=data["title"], unit=data["unit"], samples=list(data["samples"]),
            reference=Reference(ref["label"], list(ref["samples"])) if ref else None,
            figure=data.get("figure", "median"), target=data.get("target", ""), ok=data.get("ok"),
            higher_is_better=bool(data.get("higher_is_better", False)),
            peak_memory_bytes=data.get("peak_memory_bytes"), queries_per_call=data.get("queries_per_call"),
            details=dict(data.get("details") or {}), note=data.get("note", ""),
            project_figure=data.get("project_figure"), reference_figure=data.get("reference_figure"),
            judged=bool(data.get("judged", True)),
        )  # fmt: skip
