"""Grade expert predictions against final results and box scores; aggregate a leaderboard.

Per prediction: ``correct`` (True/False, None when ungradeable or a push), ``error`` (absolute
error for numbers, squared error for the win probability), ``units`` won at the market line for
bets (winner at the moneyline, spread and totals at their odds, -110 when unknown; push = 0).
Categories that need box-score facts (player yards, turnovers, field goals...) are graded only when
``box_score`` has them (see ``box_score_from_stats``). Probability categories (win_probability,
one_score_game, both_teams_20, overtime) carry a squared error (their Brier) and count as correct
when the side they favour happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nfl_predictor.engine.categories import CATEGORIES, margin_band
from nfl_predictor.engine.features import franchise
from nfl_predictor.engine.metrics import american_profit
from nfl_predictor.engine.ratings import giveaways

Record = dict[str, Any]
DEFAULT_ODDS = -110


def actuals(game: Record, box_score: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Category -> actual outcome, from the final score (and the box score where needed)."""
    hs, as_ = int(game["home_score"]), int(game["away_score"])
    home, away = game["home_team"], game["away_team"]
    margin = hs - as_
    out: dict[str, Any] = {
        "winner": home if margin > 0 else away if margin < 0 else "tie",
        "win_probability": 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5,
        "home_score": hs, "away_score": as_, "margin": margin, "total_points": hs + as_,
        "one_score_game": 1.0 if abs(margin) <= 8 else 0.0,
        "both_teams_20": 1.0 if hs >= 20 and as_ >= 20 else 0.0,
        "winning_margin": margin_band(margin) or "tie",
    }  # fmt: skip
    if game.get("overtime") is not None:
        out["overtime"] = 1.0 if game["overtime"] else 0.0
    box = dict(box_score or {})
    out.update({k: v for k, v in box.items() if k in CATEGORIES and v is not None})
    return out


def box_score_from_stats(
    game: Record, team_stats: Iterable[Record] = (), player_stats: Iterable[Record] = ()
) -> dict[str, Any]:
    """Box-score actuals from nflverse weekly team and player rows of this game (whatever is present)."""
    season, week = int(game["season"]), int(game["week"])
    sides = {franchise(game["home_team"]): "home", franchise(game["away_team"]): "away"}
    box: dict[str, Any] = {}
    teams = {sides[franchise(r["team"])]: r for r in team_stats
             if int(r["season"]) == season and int(r["week"]) == week and franchise(r["team"]) in sides}  # fmt: skip
    if len(teams) == 2:
        box["total_turnovers"] = giveaways(teams["home"]) + giveaways(teams["away"])
        box["total_sacks"] = sum(float(t.get("sacks_suffered") or 0.0) for t in teams.values())
        box["total_passing_tds"] = sum(float(t.get("passing_tds") or 0.0) for t in teams.values())
        box["total_field_goals"] = sum(float(t.get("fg_made") or 0.0) for t in teams.values())
        box["offensive_touchdowns"] = sum(
            float(t.get("passing_tds") or 0.0) + float(t.get("rushing_tds") or 0.0) for t in teams.values()
        )
    players: dict[str, list[Record]] = {"home": [], "away": []}
    for r in player_stats:
        team = franchise(str(r["recent_team"]))
        if int(r["season"]) == season and int(r["week"]) == week and team in sides:
            players[sides[team]].append(r)
    for side, rows in players.items():
        if not rows:
            continue
        qb_id = game.get(f"{side}_qb_id")
        qb_rows = [r for r in rows if r["player_id"] == qb_id] or sorted(
            rows, key=lambda r: -float(r.get("attempts") or 0.0)
        )[:1]
        box[f"{side}_qb_passing_yards"] = float(qb_rows[0].get("passing_yards") or 0.0)
        box[f"{side}_rushing_leader_yards"] = max(float(r.get("rushing_yards") or 0.0) for r in rows)
        box[f"{side}_receiving_leader_yards"] = max(float(r.get("receiving_yards") or 0.0) for r in rows)
    return box


def units(won: bool | None, odds: float | None) -> float:
    """Units won staking 1 at American odds: profit if won, -1 if lost, 0 for a push (None)."""
    if won is None:
        return 0.0
    return american_profit(odds if odds is not None else DEFAULT_ODDS) if won else -1.0


def _team_total_side(points: int, line: float) -> str | None:
    return "over" if points > line else "under" if points < line else None


def grade(
    predictions: Iterable[Record] | Mapping[str, Any],
    game: Record,
    box_score: Mapping[str, Any] | None = None,
) -> list[Record]:
    """Grade expert prediction dicts (or a whole payload with ``experts``) against the finished game.

    Returns one row per prediction: expert, category, season, week, game_id, value, actual, correct,
    error, units. Rows whose category cannot be graded from what is known have actual None.
    """
    items = predictions["experts"] if isinstance(predictions, Mapping) else predictions
    act = actuals(game, box_score)
    hs, as_ = int(game["home_score"]), int(game["away_score"])
    margin, total = hs - as_, hs + as_
    home, away = game["home_team"], game["away_team"]
    rows = []
    for p in items:
        cat, value = p["category"], p["value"]
        kind = CATEGORIES[cat][0]
        line = p.get("line")
        actual: Any = act.get(cat)
        correct: bool | None = None
        error: float | None = None
        won_units: float | None = None
        if cat == "spread_pick" and line is not None:
            cover = margin - float(line)
            actual = home if cover > 0 else away if cover < 0 else "push"
            correct = None if cover == 0 else value == actual
            odds = game.get("home_spread_odds") if value == home else game.get("away_spread_odds")
            won_units = units(correct, odds)
        elif cat == "over_under" and line is not None:
            actual = "over" if total > float(line) else "under" if total < float(line) else "push"
            correct = None if actual == "push" else value == actual
            won_units = units(correct, game.get("over_odds") if value == "over" else game.get("under_odds"))
        elif cat in ("home_team_total", "away_team_total") and line is not None:
            actual = _team_total_side(hs if cat == "home_team_total" else as_, float(line))
            correct = None if actual is None else value == actual
            won_units = units(correct, DEFAULT_ODDS)
        elif actual is None:
            pass
        elif cat == "winner":
            correct = None if actual == "tie" else value == actual
            odds = game.get("home_moneyline") if value == home else game.get("away_moneyline")
            won_units = units(correct, odds) if odds is not None else None
        elif kind == "probability":
            error = (float(value) - float(actual)) ** 2
            correct = None if actual == 0.5 else (float(value) >= 0.5) == (float(actual) == 1.0)
        elif kind == "band":
            correct = None if actual == "tie" else value == actual
        elif kind in ("team", "side"):
            correct = value == actual
        else:
            error = abs(float(value) - float(actual))
            tol = CATEGORIES[cat][1]
            limit = tol * max(abs(float(actual)), 1.0) if kind == "yards" else tol
            correct = error <= limit
        rows.append({
            "expert": p["expert"], "category": cat, "season": game.get("season"), "week": game.get("week"),
            "game_id": game.get("game_id"), "value": value, "actual": actual, "correct": correct,
            "error": error, "units": won_units, "confidence": p.get("confidence"),
        })  # fmt: skip
    return rows


def leaderboard(graded: Iterable[Record], *, by_season: bool = True) -> list[Record]:
    """Aggregate graded rows per (season, expert, category): n, accuracy, confidence, brier, mae, units.

    accuracy over rows with a verdict; confidence = the mean confidence stated on those same rows (a
    calibrated expert's confidence equals its accuracy; calibration_gap = confidence - accuracy); brier = mean squared error of the win probability; mae =
    mean absolute error of numeric categories; units = total units at the market line (bets only).
    Sorted by season, category, then accuracy (best first).
    """
    groups: dict[tuple[Any, str, str], dict[str, Any]] = {}
    for r in graded:
        key = (r.get("season") if by_season else None, r["expert"], r["category"])
        acc = groups.setdefault(
            key,
            {"n": 0, "right": 0, "judged": 0, "err": 0.0, "n_err": 0, "units": 0.0, "bets": 0, "conf": 0.0},
        )
        acc["n"] += 1
        if r["correct"] is not None:
            acc["judged"] += 1
            acc["right"] += int(bool(r["correct"]))
            acc["conf"] += float(r.get("confidence") or 0.0)
        if r["error"] is not None:
            acc["err"] += float(r["error"])
            acc["n_err"] += 1
        if r["units"] is not None:
            acc["units"] += float(r["units"])
            acc["bets"] += 1
    out = []
    for (season, expert, category), a in groups.items():
        mean_err = a["err"] / a["n_err"] if a["n_err"] else None
        accuracy = a["right"] / a["judged"] if a["judged"] else None
        confidence = a["conf"] / a["judged"] if a["judged"] else None
        out.append({
            "season": season, "expert": expert, "category": category, "n": a["n"],
            "accuracy": accuracy, "confidence": confidence,
            "calibration_gap": None if accuracy is None or confidence is None else confidence - accuracy,
            "brier": mean_err if CATEGORIES[category][0] == "probability" else None,
            "mae": mean_err if CATEGORIES[category][0] != "probability" else None,
            "units": round(a["units"], 4) if a["bets"] else None, "bets": a["bets"],
        })  # fmt: skip
    out.sort(key=lambda r: (r["season"] or 0, r["category"], -(r["accuracy"] or 0.0), r["expert"]))
    return out
