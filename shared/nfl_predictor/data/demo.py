"""A deterministic demo league in nflverse's record shapes, so the API runs with no download.

Same seed, same league: the 32 real teams, a full 18-week schedule per season (17 games and one
bye per team), scores drawn to match real NFL distributions (home edge about 1.9 points, margin
SD about 13, mean total about 44), closing lines with a realistic error, starting quarterbacks
(with occasional backup starts), rest days, roof/surface/weather, and a 7-man skill-position
roster per team with weekly stats consistent with the team's score. The last season is played
through ``played_weeks``; later weeks are upcoming (lines known, no scores).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from nfl_predictor.data.teams import TEAMS
from nfl_predictor.records import PLAYER_STAT_NUMERIC, GameRecord, PlayerRecord, PlayerStatRecord

DOME_TEAMS = {"ARI", "ATL", "DAL", "DET", "HOU", "IND", "LV", "LA", "LAC", "MIN", "NO"}
WEEKS = 18
BYE_WEEKS = range(5, 13)
HOME_EDGE = 1.9
MEAN_TEAM_POINTS = 22.8


@dataclass
class DemoLeague:
    games: list[GameRecord] = field(default_factory=list)
    players: list[PlayerRecord] = field(default_factory=list)
    player_stats: list[PlayerStatRecord] = field(default_factory=list)


def _week_pairs(
    rng: np.random.Generator, teams: list[str], met: set[frozenset[str]]
) -> list[tuple[str, str]]:
    """A random pairing of ``teams`` in which no two teams meet a second time."""
    for _attempt in range(500):
        pool = [str(t) for t in rng.permutation(teams)]
        pairs: list[tuple[str, str]] = []
        while pool:
            first = pool.pop()
            partner = next((t for t in pool if frozenset((first, t)) not in met), None)
            if partner is None:
                break
            pool.remove(partner)
            pairs.append((first, partner))
        else:
            return pairs
    raise RuntimeError("could not pair the week")  # pragma: no cover - 500 shuffles never all fail


def _season_schedule(rng: np.random.Generator, abbrs: list[str]) -> list[list[tuple[str, str]]]:
    """18 weeks of (away, home) pairs; each team 17 games and exactly one bye in weeks 5-12."""
    bye_order = [str(t) for t in rng.permutation(abbrs)]
    byes = {week: set(bye_order[i * 4 : i * 4 + 4]) for i, week in enumerate(BYE_WEEKS)}
    met: set[frozenset[str]] = set()
    weeks = []
    for week in range(1, WEEKS + 1):
        playing = [t for t in abbrs if t not in byes.get(week, set())]
        pairs = _week_pairs(rng, playing, met)
        met.update(frozenset(p) for p in pairs)
        weeks.append([(a, h) if rng.random() < 0.5 else (h, a) for a, h in pairs])
    return weeks


def _football_score(points: float) -> int:
    value = max(0, round(points))
    return {1: 0, 4: 3, 5: 6}.get(value, value)


def _moneylines(home_prob: float) -> tuple[int, int]:
    """American odds with a ~4.5% overround, as closing lines carry."""

    def american(prob: float) -> int:
        prob = min(max(prob * 1.0225, 0.02), 0.98)
        return -round(100 * prob / (1 - prob)) if prob >= 0.5 else round(100 * (1 - prob) / prob)

    return american(home_prob), american(1 - home_prob)


def _roster(rng: np.random.Generator, team: str, season_index: int) -> list[dict[str, Any]]:
    roles = [("QB", "QB"), ("QB", "QB"), ("RB", "RB"), ("RB", "RB"), ("WR", "WR"), ("WR", "WR"), ("WR", "WR"),
             ("TE", "TE")]  # fmt: skip
    players = []
    for slot, (position, group) in enumerate(roles):
        pid = f"DM-{team}-{slot:02d}"
        name = f"{team} {position}{slot + 1}"
        players.append({
            "player_id": pid, "player_name": name, "display_name": name, "position": position,
            "position_group": group, "team": team,
            "skill": float(rng.normal(1.0, 0.12)) * (1.0 if slot not in (1, 3) else 0.6),
        })  # fmt: skip
    return players


def _player_lines(rng: np.random.Generator, roster: list[dict[str, Any]], points: int, qb_slot: int,
                  season: int, week: int, opponent: str) -> list[PlayerStatRecord]:  # fmt: skip
    """A box score for one team-game that adds up to plausible totals for the score it had."""
    pass_yards = max(60.0, rng.normal(215 + 4.0 * (points - MEAN_TEAM_POINTS), 55))
    rush_yards = max(20.0, rng.normal(115 + 1.5 * (points - MEAN_TEAM_POINTS), 35))
    touchdowns = max(0, round(points / 7.5 + rng.normal(0, 0.5)))
    pass_tds = int(rng.binomial(touchdowns, 0.62))
    rush_tds = touchdowns - pass_tds
    receivers = [p for p in roster if p["position"] in ("WR", "TE", "RB")]
    shares = rng.dirichlet([5.0 * p["skill"] if p["position"] != "RB" else 1.5 for p in receivers])
    rb_shares = rng.dirichlet([6.0 * roster[2]["skill"], 2.5 * roster[3]["skill"]])
    qb = roster[qb_slot]
    attempts = max(15, int(rng.normal(34, 6)))
    completions = int(attempts * min(0.8, max(0.45, rng.normal(0.64, 0.06))))
    rows: dict[str, dict[str, Any]] = {}

    def row(player: dict[str, Any]) -> dict[str, Any]:
        return rows.setdefault(player["player_id"], {
            "player_id": player["player_id"], "player_name": player["player_name"],
            "player_display_name": player["display_name"], "position": player["position"],
            "position_group": player["position_group"], "recent_team": player["team"], "season": season,
            "week": week, "season_type": "REG", "opponent_team": opponent,
            **{k: 0.0 for k in PLAYER_STAT_NUMERIC},
        })  # fmt: skip

    q = row(qb)
    q.update(
        completions=float(completions),
        attempts=float(attempts),
        passing_yards=round(pass_yards),
        passing_tds=float(pass_tds),
        interceptions=float(rng.poisson(0.8)),
        sacks=float(rng.poisson(2.3)),
    )
    q["sack_yards"] = q["sacks"] * 7.0
    for player, share in zip(receivers, shares, strict=True):
        r = row(player)
        r["receptions"] = float(round(completions * share))
        r["targets"] = float(round(attempts * share * 1.1))
        r["receiving_yards"] = float(round(pass_yards * share))
    for _ in range(pass_tds):
        row(receivers[int(rng.choice(len(receivers), p=shares))])["receiving_tds"] += 1
    for player, share in zip(roster[2:4], rb_shares, strict=True):
        r = row(player)
        r["carries"] = float(round(26 * share))
        r["rushing_yards"] = float(round(rush_yards * share * 0.88))
    q["carries"] = float(rng.poisson(3))
    q["rushing_yards"] = float(round(rush_yards * 0.12))
    for _ in range(rush_tds):
        row(roster[2] if rng.random() < rb_shares[0] else roster[3])["rushing_tds"] += 1
    for r in rows.values():
        r["fantasy_points"] = round(
            r["passing_yards"] / 25 + 4 * r["passing_tds"] - 2 * r["interceptions"] + r["rushing_yards"] / 10
            + 6 * r["rushing_tds"] + r["receiving_yards"] / 10 + 6 * r["receiving_tds"], 2)  # fmt: skip
        r["fantasy_points_ppr"] = round(r["fantasy_points"] + r["receptions"], 2)
    return cast(list[PlayerStatRecord], list(rows.values()))


def _season_start(season: int) -> dt.date:
    """The Thursday after Labor Day (first Monday of September)."""
    first = dt.date(season, 9, 1)
    labor_day = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return labor_day + dt.timedelta(days=3)


def generate_demo_league(seasons: tuple[int, ...] = (2024, 2025), played_weeks: int = 12, seed: int = 2025
                         ) -> DemoLeague:  # fmt: skip
    rng = np.random.default_rng(seed)
    abbrs = [t[0] for t in TEAMS]
    divisions = {t[0]: t[4] for t in TEAMS}
    league = DemoLeague()
    offense = dict(zip(abbrs, rng.normal(0, 2.5, len(abbrs)), strict=True))
    defense = dict(zip(abbrs, rng.normal(0, 2.5, len(abbrs)), strict=True))
    for season_index, season in enumerate(seasons):
        # Strength carries over with regression, as real teams do.
        offense = {t: 0.6 * v + rng.normal(0, 1.6) for t, v in offense.items()}
        defense = {t: 0.6 * v + rng.normal(0, 1.6) for t, v in defense.items()}
        rosters = {t: _roster(rng, t, season_index) for t in abbrs}
        if season_index == len(seasons) - 1 or not league.players:
            league.players = _players(rosters)
        last_played: dict[str, dt.date] = {}
        start = _season_start(season)
        is_last = season_index == len(seasons) - 1
        for week, pairs in enumerate(_season_schedule(rng, abbrs), start=1):
            sunday = start + dt.timedelta(days=3 + 7 * (week - 1))
            for index, (away, home) in enumerate(pairs):
                day, time = _kickoff(sunday, index)
                game = _demo_game(rng, season, week, day, time, away, home, offense, defense, divisions,
                                  rosters, last_played, played=not is_last or week <= played_weeks)  # fmt: skip
                league.games.append(game)
                league.player_stats += _box_scores(rng, game, rosters)
    return league


def _players(rosters: dict[str, list[dict[str, Any]]]) -> list[PlayerRecord]:
    return [
        cast(PlayerRecord, {k: v for k, v in p.items() if k != "skill"}) for r in rosters.values() for p in r
    ]


def _kickoff(sunday: dt.date, index: int) -> tuple[dt.date, str]:
    """The week's first game on Thursday night, the second on Monday night, the rest on Sunday."""
    if index == 0:
        return sunday - dt.timedelta(days=3), "20:15"
    if index == 1:
        return sunday + dt.timedelta(days=1), "20:15"
    return sunday, "13:00" if index < 11 else "16:25"


def _box_scores(rng: np.random.Generator, game: GameRecord, rosters: dict[str, list[dict[str, Any]]]
                ) -> list[PlayerStatRecord]:  # fmt: skip
    """Both teams' player lines of a played game (none for an unplayed one)."""
    home, away, home_score, away_score = (
        game["home_team"],
        game["away_team"],
        game["home_score"],
        game["away_score"],
    )
    if home_score is None or away_score is None:
        return []
    lines: list[PlayerStatRecord] = []
    for team, opp, pts, qb_id in ((home, away, home_score, game["home_qb_id"]),
                                  (away, home, away_score, game["away_qb_id"])):  # fmt: skip
        qb_slot = 0 if (qb_id or "").endswith("-00") else 1
        lines += _player_lines(rng, rosters[team], pts, qb_slot, game["season"], game["week"], opp)
    return lines


def _weather(rng: np.random.Generator, home: str, day: dt.date) -> tuple[int | None, int | None]:
    """(temperature, wind) outdoors; None for both under a roof."""
    if home in DOME_TEAMS:
        return None, None
    temp = int(rng.normal(62 - 2.2 * max(0, (day.month - 9) % 12 if day.month >= 9 else 4), 12))
    return temp, max(0, int(rng.gamma(2.0, 4.0)))


def _demo_game(rng: np.random.Generator, season: int, week: int, day: dt.date, time: str, away: str, home: str,
               offense: dict[str, float], defense: dict[str, float], divisions: dict[str, str],
               rosters: dict[str, list[dict[str, Any]]], last_played: dict[str, dt.date], *, played: bool
               ) -> GameRecord:  # fmt: skip
    rest = {t: min(14, (day - last_played[t]).days) if t in last_played else 7 for t in (home, away)}
    last_played[home] = last_played[away] = day
    qb_slot = {t: 1 if rng.random() < 0.06 else 0 for t in (home, away)}
    qb_penalty = {t: 4.5 * qb_slot[t] for t in (home, away)}
    rest_edge = 0.15 * (rest[home] - rest[away])
    exp_home = (
        MEAN_TEAM_POINTS + offense[home] - defense[away] + HOME_EDGE / 2 + rest_edge / 2 - qb_penalty[home]
    )
    exp_away = (
        MEAN_TEAM_POINTS + offense[away] - defense[home] - HOME_EDGE / 2 - rest_edge / 2 - qb_penalty[away]
    )
    dome = home in DOME_TEAMS
    temp, wind = _weather(rng, home, day)
    weather = 0.0 if wind is None else -0.12 * max(0, wind - 10)
    exp_home, exp_away = exp_home + weather / 2, exp_away + weather / 2
    margin_mean = exp_home - exp_away
    spread_line = round(2 * (margin_mean + rng.normal(0, 1.2))) / 2
    total_line = round(2 * (exp_home + exp_away + rng.normal(0, 1.5))) / 2
    home_ml, away_ml = _moneylines(0.5 * (1 + math.erf(spread_line / (13.2 * math.sqrt(2)))))
    home_score = away_score = None
    if played:
        home_score = _football_score(rng.normal(exp_home, 8.5))
        away_score = _football_score(rng.normal(exp_away, 8.5))
    qb = {t: rosters[t][qb_slot[t]] for t in (home, away)}
    result, total, overtime = (None, None, None) if home_score is None else (
        home_score - (away_score or 0), home_score + (away_score or 0), 0)  # fmt: skip
    return {
        "game_id": f"{season}_{week:02d}_{away}_{home}", "season": season, "game_type": "REG", "week": week,
        "gameday": day, "weekday": day.strftime("%A"), "gametime": time, "away_team": away,
        "away_score": away_score, "home_team": home, "home_score": home_score, "location": "Home",
        "result": result, "total": total, "overtime": overtime, "away_rest": rest[away], "home_rest": rest[home],
        "away_moneyline": away_ml, "home_moneyline": home_ml, "spread_line": spread_line,
        "away_spread_odds": -110, "home_spread_odds": -110, "total_line": total_line, "under_odds": -110,
        "over_odds": -110, "div_game": int(divisions[home] == divisions[away]),
        "roof": "dome" if dome else "outdoors", "surface": "fieldturf" if dome else "grass", "temp": temp,
        "wind": wind, "away_qb_id": qb[away]["player_id"], "home_qb_id": qb[home]["player_id"],
        "away_qb_name": qb[away]["display_name"], "home_qb_name": qb[home]["display_name"],
        "away_coach": None, "home_coach": None, "referee": None, "stadium_id": f"{home}00",
        "stadium": f"{home} Stadium",
    }  # fmt: skip
