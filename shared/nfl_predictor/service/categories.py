"""What each prediction category is and how it is graded, from the engine's own category table.

Read by ``GET /v1/categories``. The table (``engine.categories.CATEGORIES``: kind, tolerance, factor)
is the one source; what a kind means and how grading judges it (engine/grading.py) is described
here once per kind, with the line-based and box-score categories called out by name.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

CONFIDENCE = (
    "confidence in [0, 1] is the calibrated probability that the call is right when graded: that the named "
    "team, side or band happens, or that the outcome lands within the category's tolerance of the value"
)
SPREAD_CONVENTION = (
    "spreads and margins are the home margin in points (home minus away); positive = home favoured. The "
    "reverse of sportsbook notation: a home favourite listed at -3.5 is +3.5 here"
)

# kind -> (JSON type, what the value is, unit, how it is graded)
KINDS: dict[str, tuple[str, str, str | None, str]] = {
    "team": ("string", "a team code", None, "right when that team wins (a tie is not graded)"),
    "side": ("string", "'over' or 'under' the line", None,
             "right when the points finish on that side of the line (exactly on it is a push: not graded)"),
    "band": ("string", "who wins and by how much: home/away 1-6, 7-13 or 14+", None,
             "right when the final margin falls in that band (a tie is not graded)"),
    "probability": ("number", "the probability in [0, 1] that the event happens", "probability",
                    "error is the squared error against 1 or 0 (its Brier score); right when the side it "
                    "favours (>= 0.5) happened"),
    "points": ("number", "points", "points", "right within the tolerance (points); error is the absolute error"),
    "signed": ("number", "the home margin in points (home minus away; positive = home ahead)", "points",
               "right within the tolerance (points); error is the absolute error"),
    "count": ("number", "a count for both teams together", "count",
              "right within the tolerance; error is the absolute error"),
    "yards": ("number", "yards for one player", "yards",
              "right within the tolerance as a fraction of the actual yards; error is the absolute error"),
}  # fmt: skip
LINE_GRADED = {
    "spread_pick": "right when that team covers expert_lines.spread_pick: the home team covers when its "
    "margin beats the line (home-margin convention); exactly on it is a push, not graded",
    "over_under": "right when the game's total points finish on that side of expert_lines.over_under; "
    "exactly on it is a push, not graded",
    "home_team_total": "right when the home team's points finish on that side of expert_lines.home_team_total",
    "away_team_total": "right when the away team's points finish on that side of expert_lines.away_team_total",
}
SOURCES = {"count": "team box score", "yards": "player box score"}


def describe(name: str, kind: str, tolerance: float, factor: str) -> dict[str, Any]:
    value_type, value, unit, graded = KINDS.get(kind, ("string", kind, None, "see the engine's grading"))
    numeric = value_type == "number" and kind != "probability"
    return {
        "name": name, "kind": kind, "value_type": value_type, "value": value, "unit": unit,
        "tolerance": tolerance if numeric else None, "relative_tolerance": kind == "yards",
        "line": name in LINE_GRADED, "graded_from": SOURCES.get(kind, "final score"),
        "graded": LINE_GRADED.get(name, graded), "factor": factor,
    }  # fmt: skip


def categories() -> dict[str, Any]:
    from nfl_predictor.engine.categories import CATEGORIES  # numpy: loaded on first use

    items = [describe(name, spec[0], float(spec[1]), str(spec[2])) for name, spec in CATEGORIES.items()]
    return {"confidence": CONFIDENCE, "spread_convention": SPREAD_CONVENTION, "categories": items}


@functools.lru_cache(maxsize=1)
def categories_json() -> bytes:
    """The document as bytes, built once per process (the table is code: it changes with a deploy)."""
    return orjson.dumps(categories())
