"""Ranking the expert leaderboard: sort by a metric, keep one category, page. Pure and light (the
route imports it at start-up; the database and engine load only when a request needs them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Metric -> whether larger is better (the default order: best first).
LEADERBOARD_METRICS = {"accuracy": True, "units": True, "bets": True, "n": True, "brier": False, "mae": False}


@dataclass(frozen=True, slots=True)
class LeaderboardQuery:
    """Sort by one metric (best first unless ``order`` says otherwise), keep one category, one page."""

    sort: str = "accuracy"
    order: str | None = None  # "asc" | "desc"; None: best first for the metric
    category: str | None = None
    limit: int = 50
    offset: int = 0

    def key_params(self) -> dict[str, Any]:
        return {"sort": self.sort, "order": self.order, "category": self.category, "limit": self.limit,
                "offset": self.offset}  # fmt: skip

    def descending(self) -> bool:
        return LEADERBOARD_METRICS[self.sort] if self.order is None else self.order == "desc"


def rank_leaderboard(experts: list[dict[str, Any]], query: LeaderboardQuery) -> dict[str, Any]:
    """Filter to a category (each expert's figures become that category's), sort (experts without the
    metric last), then page. Every row keeps its per-category breakdown."""
    rows = [
        row for row in (_leaderboard_row(expert, query.category) for expert in experts) if row is not None
    ]
    present = [r for r in rows if r.get(query.sort) is not None]
    absent = [r for r in rows if r.get(query.sort) is None]
    present.sort(key=lambda r: (r[query.sort], r["expert"]), reverse=query.descending())
    ordered = present + sorted(absent, key=lambda r: r["expert"])
    page = ordered[query.offset : query.offset + query.limit]
    following = query.offset + len(page)
    return {"category": query.category, "sort": query.sort, "order": "desc" if query.descending() else "asc",
            "total": len(ordered), "limit": query.limit, "offset": query.offset,
            "next_offset": following if following < len(ordered) else None, "experts": page}  # fmt: skip


def _leaderboard_row(expert: dict[str, Any], category: str | None) -> dict[str, Any] | None:
    """One expert's row: its overall figures, or one category's (None when it has no such bets)."""
    categories = expert["categories"]
    if category is None:
        row = {k: v for k, v in expert.items() if k != "categories"}
    else:
        categories = [c for c in categories if c["category"] == category]
        if not categories:
            return None
        only = categories[0]
        row = {"season": expert["season"], "expert": expert["expert"], "n": only["n"],
               "accuracy": _round(only.get("accuracy")), "units": round(float(only.get("units") or 0.0), 2),
               "bets": only.get("bets") or 0}  # fmt: skip
    row["brier"] = _round(next((c.get("brier") for c in categories if c.get("brier") is not None), None))
    row["mae"] = _weighted_mae(categories)
    row["categories"] = categories
    return row


def _weighted_mae(categories: list[dict[str, Any]]) -> float | None:
    weighted = [(c["mae"], c["n"]) for c in categories if c.get("mae") is not None and c["n"]]
    return _round(sum(m * n for m, n in weighted) / sum(n for _, n in weighted)) if weighted else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)
