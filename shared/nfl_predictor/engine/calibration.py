"""Walk-forward evaluation of everything a game's payload says: experts, categories, calibration, props.

``walk_forward_payloads`` predicts each week of [start, end] with a model fitted only on the games
before that week (``fit(through=previous week)``), the analogs expert seeing only earlier games and
props only earlier player rows, exactly as the service would have served them; each payload is then
graded against the game and its box score. The tables built from that run:

- ``calibration_table``: per category, graded predictions, mean stated confidence, hit rate and the
  expected calibration error (ECE: |confidence - hit rate| per confidence bin, weighted by its share);
- ``expert_diversity``: median pairwise correlation of the experts' win probabilities and the
  participation ratio of that correlation matrix's eigenvalues (effective independent experts),
  plus each expert's Brier;
- ``props_table``: per stat, props graded, over rate, over-probability Brier, and the projection's MAE
  beside the season-to-date average's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nfl_predictor.engine.embedding import historical_embeddings, nearest_matchups
from nfl_predictor.engine.experts import EXPERT_NAMES
from nfl_predictor.engine.grading import box_score_from_stats, grade
from nfl_predictor.engine.model import ModelParams, WalkForward, fit, fit_walk, game_sort_key, walk_forward
from nfl_predictor.engine.predict import matchup_embeddings, predict_week
from nfl_predictor.engine.props import PlayerIndex, index_player_stats, over_probability
from nfl_predictor.engine.ratings import RatingState

Record = dict[str, Any]
ANALOGS_K = 10
ECE_BINS = 10


@dataclass
class WalkForwardRun:
    """Games in date order with the payload served before each and its graded expert rows."""

    games: list[Record]
    payloads: list[dict[str, Any]]
    graded: list[list[Record]]
    player_rows: dict[tuple[int, int, str], list[Record]] = field(default_factory=dict)


def walk_forward_payloads(
    games: list[Record],
    team_stats: list[Record] | None,
    player_stats: list[Record] | None,
    *,
    start: int,
    end: int,
    analogs: bool = True,
) -> WalkForwardRun:
    """Every played game of seasons [start, end], each week predicted by a model fitted before it."""
    played = _played_in_order(games)
    index: PlayerIndex = index_player_stats(player_stats)
    rows, matrix = historical_embeddings(played, team_stats) if analogs else ([], np.zeros((0, 32)))
    keys = [(int(r["season"]), int(r["week"])) for r in rows]
    weeks = _weeks(played, start, end)
    stats_by_week = _by_week(team_stats)
    players_by_week = _by_week(player_stats)
    out = WalkForwardRun([], [], [])
    # One ratings walk over every game up to `end`, with the state saved before each predicted week:
    # fit(through=previous week) is then its prefix (fit_walk), without re-walking 25 seasons a week.
    history = [g for g in played if int(g["season"]) <= end]
    snapshots: dict[tuple[int, int], RatingState | None] = dict.fromkeys(weeks)
    full = walk_forward(history, team_stats, snapshots=snapshots)
    keys_in_order = [(int(g["season"]), int(g["week"])) for g in full.games]
    for season, week in weeks:
        state = snapshots[(season, week)]
        params = _params_before(full, keys_in_order, state, (season, week), played, team_stats, index)
        if params is None:
            continue
        week_games = [g for g in played if (int(g["season"]), int(g["week"])) == (season, week)]
        upcoming = [_unplayed(g) for g in week_games]
        analog_rows = _analogs(params, upcoming, rows, matrix, keys, (season, week)) if analogs else None
        payloads = predict_week(params, upcoming, player_stats=index, analogs=analog_rows)
        team_rows, player_rows = (
            stats_by_week.get((season, week), []),
            players_by_week.get((season, week), []),
        )
        _record_week(out, (season, week), week_games, payloads, team_rows, player_rows)
    return out


def _played_in_order(games: list[Record]) -> list[Record]:
    return sorted(
        (g for g in games if g.get("home_score") is not None and g.get("away_score") is not None),
        key=game_sort_key,
    )


def _weeks(played: list[Record], start: int, end: int) -> list[tuple[int, int]]:
    return sorted({(int(g["season"]), int(g["week"])) for g in played if start <= int(g["season"]) <= end})


def _by_week(rows: list[Record] | None) -> dict[tuple[int, int], list[Record]]:
    out: dict[tuple[int, int], list[Record]] = {}
    for r in rows or []:
        out.setdefault((int(r["season"]), int(r["week"])), []).append(r)
    return out


def _params_before(
    full: WalkForward,
    keys_in_order: list[tuple[int, int]],
    state: RatingState | None,
    key: tuple[int, int],
    played: list[Record],
    team_stats: list[Record] | None,
    index: PlayerIndex,
) -> ModelParams | None:
    """The model fit(through=the week before ``key``) would return, from the walk's prefix when the
    games are in date order (much cheaper); None when nothing was played before the week."""
    season, week = key
    through = (season, week - 1)
    n = sum(1 for k in keys_in_order if k <= through)
    if n == 0 or state is None:
        return None
    if keys_in_order[n : n + 1] != [key] or any(k <= through for k in keys_in_order[n:]):
        return fit(played, team_stats, index, through=through)  # weeks out of date order: no prefix
    return fit_walk(full.prefix(n, state), team_stats, index, through=through)


def _analogs(
    params: ModelParams,
    upcoming: list[Record],
    rows: list[Record],
    matrix: np.ndarray,
    keys: list[tuple[int, int]],
    key: tuple[int, int],
) -> list[list[Record] | None] | None:
    """Each upcoming game's nearest past matchups, among games before its week only."""
    if not len(matrix):
        return None
    cut = int(np.searchsorted(np.array([k >= key for k in keys]), True))
    queries = matchup_embeddings(params, upcoming)
    return [
        [dict(rows[i], similarity=sim) for i, sim in nearest_matchups(q, matrix[:cut], ANALOGS_K)]
        for q in queries
    ]


def _record_week(
    out: WalkForwardRun,
    key: tuple[int, int],
    week_games: list[Record],
    payloads: list[dict[str, Any]],
    team_rows: list[Record],
    player_rows: list[Record],
) -> None:
    """Grade the week's payloads against its box scores and keep its player rows for the props table."""
    for g, payload in zip(week_games, payloads, strict=True):
        box = box_score_from_stats(g, team_rows, player_rows)
        out.games.append(g)
        out.payloads.append(payload)
        out.graded.append(grade(payload, g, box or None))
    for r in player_rows:
        out.player_rows.setdefault((*key, str(r["player_id"])), []).append(r)


def _unplayed(game: Record) -> Record:
    """The game as it looked before kickoff: no score, no result, no observed weather or starters."""
    hidden = ("home_score", "away_score", "result", "total", "overtime", "temp", "wind", "home_qb_id",
              "away_qb_id", "home_qb_name", "away_qb_name")  # fmt: skip
    return {k: (None if k in hidden else v) for k, v in game.items()}


# ---------------------------------------------------------------------------------------- calibration
def calibration_table(graded: Iterable[Iterable[Record]], payloads: Iterable[dict[str, Any]]) -> list[Record]:
    """Per category: n graded (with a verdict), mean confidence, hit rate, ECE over ECE_BINS bins."""
    conf: dict[str, list[float]] = {}
    hit: dict[str, list[float]] = {}
    for rows, payload in zip(graded, payloads, strict=True):
        stated = {(p["expert"], p["category"]): float(p["confidence"]) for p in payload["experts"]}
        for r in rows:
            if r["correct"] is None:
                continue
            conf.setdefault(r["category"], []).append(stated[(r["expert"], r["category"])])
            hit.setdefault(r["category"], []).append(float(bool(r["correct"])))
    out = []
    for cat in conf:
        c, h = np.array(conf[cat]), np.array(hit[cat])
        out.append({"category": cat, "n": len(c), "confidence": float(c.mean()), "hit_rate": float(h.mean()),
                    "ece": expected_calibration_error(c, h)})  # fmt: skip
    return out


def expected_calibration_error(conf: np.ndarray, hit: np.ndarray, bins: int = ECE_BINS) -> float:
    """Sum over equal-width confidence bins of (bin share) x |mean confidence - hit rate|."""
    if len(conf) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.mean() * abs(float(conf[m].mean()) - float(hit[m].mean()))
    return float(total)


def format_calibration(rows: list[Record], *, min_n: int = 200, target: float = 0.03) -> str:
    header = f"{'category':<30}{'graded':>8}{'confidence':>12}{'hit rate':>10}{'ECE':>8}  target"
    lines = [header, "-" * len(header)]
    for r in rows:
        verdict = "n<min" if r["n"] < min_n else ("met" if r["ece"] <= target else "NOT MET")
        lines.append(f"{r['category']:<30}{r['n']:>8}{r['confidence']:>12.3f}{r['hit_rate']:>10.3f}"
                     f"{r['ece']:>8.3f}  {verdict}")  # fmt: skip
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- expert diversity
def expert_diversity(run: WalkForwardRun) -> Record:
    """Median pairwise correlation and participation ratio of expert win probabilities; Brier per expert."""
    probs = np.array(
        [[_value(p, e, "win_probability") for e in EXPERT_NAMES] for p in run.payloads], dtype=float
    )
    y = np.array([np.sign(int(g["home_score"]) - int(g["away_score"])) for g in run.games])
    decided = y != 0
    corr = np.corrcoef(probs.T)
    pairs = corr[np.triu_indices(len(EXPERT_NAMES), 1)]
    eig = np.linalg.eigvalsh(corr)
    brier = {
        e: float(np.mean((probs[decided, j] - (y[decided] > 0)) ** 2)) for j, e in enumerate(EXPERT_NAMES)
    }
    return {
        "games": len(run.games),
        "median_correlation": float(np.median(pairs)),
        "participation_ratio": float(eig.sum() ** 2 / (eig**2).sum()),
        "top_factor_share": float(eig.max() / eig.sum()),
        "brier": brier,
        "correlation": corr.round(3).tolist(),
    }


def _value(payload: dict[str, Any], expert: str, category: str) -> Any:
    for p in payload["experts"]:
        if p["expert"] == expert and p["category"] == category:
            return p["value"]
    raise KeyError((expert, category))


def format_diversity(d: Record) -> str:
    lines = [
        f"games {d['games']}: median pairwise correlation of expert win probabilities "
        f"{d['median_correlation']:.3f}, participation ratio {d['participation_ratio']:.2f}, "
        f"largest factor {100 * d['top_factor_share']:.1f}% of variance",
        f"{'expert':<24}{'brier':>8}",
    ]
    lines += [f"{e:<24}{b:>8.4f}" for e, b in d["brier"].items()]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- props
def props_table(run: WalkForwardRun) -> list[Record]:
    """Per stat, in seasons that have player stats: props offered, share naming a player with no stat
    row that week, and over the graded ones the over rate, mean over-probability, its Brier, projection MAE and the season-to-date
    average's MAE (on props whose player has earlier games this season)."""
    history: dict[tuple[int, str], list[tuple[int, Record]]] = {}
    for (season, week, pid), rows in run.player_rows.items():
        history.setdefault((season, pid), []).append((week, rows[0]))
    acc: dict[str, dict[str, list[float]]] = {}
    with_stats = {season for season, _, _ in run.player_rows}
    for game, payload in zip(run.games, run.payloads, strict=True):
        season, week = int(game["season"]), int(game["week"])
        if season not in with_stats:
            continue  # no player stats that season: nothing to grade props against
        for prop in payload["props"]:
            stat, pid = prop["stat"], str(prop["player_id"])
            keys = ("missing", "over", "p", "err", "base_err", "proj_err", "p_avg", "over_avg")
            a = acc.setdefault(stat, {k: [] for k in keys})
            played = run.player_rows.get((season, week, pid))
            a["missing"].append(float(played is None))
            if played is not None:
                _grade_prop(a, prop, float(played[0].get(stat) or 0.0), history.get((season, pid), []), week)
    return [_props_row(stat, a) for stat, a in sorted(acc.items())]


def _grade_prop(
    a: dict[str, list[float]], prop: Record, actual: float, history: list[tuple[int, Record]], week: int
) -> None:
    """One played prop into the stat's accumulators (a push is not graded)."""
    if actual == prop["line"]:
        return
    stat = prop["stat"]
    a["over"].append(float(actual > prop["line"]))
    a["p"].append(float(prop["over_probability"]))
    a["err"].append(abs(float(prop["projection"]) - actual))
    earlier = [float(r.get(stat) or 0.0) for w, r in history if w < week]
    if earlier:
        a["base_err"].append(abs(float(np.mean(earlier)) - actual))
        a["proj_err"].append(abs(float(prop["projection"]) - actual))
        # Against a line that is not our own median (a naive book: the season-to-date average), the
        # over-probability can carry information; at the median it is 0.5 by construction.
        avg_line = float(np.floor(np.mean(earlier))) + 0.5
        if actual != avg_line:
            a["p_avg"].append(
                float(over_probability(stat, np.array([float(prop["mean"])]), np.array([avg_line]))[0])
            )
            a["over_avg"].append(float(actual > avg_line))


def _mean_or_nan(values: list[float] | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _props_row(stat: str, a: dict[str, list[float]]) -> Record:
    over, p = np.array(a["over"]), np.array(a["p"])
    return {
        "stat": stat, "props": len(a["missing"]), "no_stat_row": float(np.mean(a["missing"])),
        "graded": len(over), "over_rate": float(over.mean()) if len(over) else float("nan"),
        "over_probability": float(p.mean()) if len(p) else float("nan"),
        "brier": float(np.mean((p - over) ** 2)) if len(p) else float("nan"),
        "mae": _mean_or_nan(a["err"]),
        "mae_vs_average": _mean_or_nan(a["proj_err"]),
        "season_average_mae": _mean_or_nan(a["base_err"]),
        "graded_at_average_line": len(a["p_avg"]),
        "brier_at_average_line": _mean_or_nan((np.array(a["p_avg"]) - np.array(a["over_avg"])) ** 2),
    }  # fmt: skip


def format_props(rows: list[Record]) -> str:
    header = (f"{'stat':<18}{'props':>7}{'no row':>8}{'graded':>8}{'over %':>8}{'p(over)':>9}{'brier':>8}"
              f"{'MAE':>8}{'MAE*':>8}{'avg MAE*':>10}{'brier@avg':>11}")  # fmt: skip
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['stat']:<18}{r['props']:>7}{100 * r['no_stat_row']:>7.1f}%{r['graded']:>8}"
                     f"{100 * r['over_rate']:>7.1f}%{r['over_probability']:>9.3f}{r['brier']:>8.3f}{r['mae']:>8.2f}"
                     f"{r['mae_vs_average']:>8.2f}{r['season_average_mae']:>10.2f}{r['brier_at_average_line']:>11.3f}")  # fmt: skip
    lines.append(
        "MAE* and avg MAE*: projection vs season-to-date average, on props whose player has earlier games;\n"
        "brier@avg: over-probability Brier against a line at that average (a naive book), same props"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- report
def calibration_report(
    games: list[Record],
    team_stats: list[Record] | None,
    player_stats: list[Record] | None,
    *,
    start: int,
    end: int,
) -> Record:
    """The walk-forward run over [start, end] summarised: calibration, experts, props, per season."""
    run = walk_forward_payloads(games, team_stats, player_stats, start=start, end=end)
    return report_from_run(run, start=start, end=end)


def report_from_run(run: WalkForwardRun, *, start: int, end: int) -> Record:
    # Gradeable: the outcome is known from the data (a push is graded, just neither right nor wrong).
    graded_per_game = np.array([sum(r["actual"] is not None for r in rows) for rows in run.graded])
    seasons = np.array([int(g["season"]) for g in run.games])
    return {
        "from": start,
        "to": end,
        "games": len(run.games),
        "graded_per_game": {str(s): float(graded_per_game[seasons == s].mean()) for s in np.unique(seasons)},
        "calibration": calibration_table(run.graded, run.payloads),
        "experts": expert_diversity(run),
        "props": props_table(run),
    }


def format_report(doc: Record) -> str:
    per_game = ", ".join(f"{s}: {n:.1f}" for s, n in doc["graded_per_game"].items())
    return "\n\n".join([
        f"walk-forward {doc['from']}-{doc['to']}: {doc['games']} games, each week from a model fitted before it; "
        f"gradeable expert predictions per game {per_game}",
        format_calibration(doc["calibration"]),
        format_diversity(doc["experts"]),
        format_props(doc["props"]),
    ])  # fmt: skip


def to_json(doc: Record) -> str:
    return json.dumps(doc, sort_keys=False)
