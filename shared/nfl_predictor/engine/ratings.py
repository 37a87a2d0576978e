"""The main model's state: margin ratings for teams and quarterbacks, scoring ratings, team efficiency.

A single chronological walk over games. Before each game it emits that game's pre-game feature row
(only from earlier games), then it learns from the result. The same state, snapshotted, is what a
deployed model stores: inference asks ``features(game)`` of the snapshot and never walks history.

Why these pieces:
- Team margin rating (points): a Kalman-like update, rating += k * surprise, with blowouts capped,
  because margin carries more information than win/loss and caps stop garbage time from dominating.
- Quarterback rating (points, follows the player across teams): a starter change moves the team's
  strength immediately (538's insight); a never-seen starter gets a below-average prior.
- Offence/defence scoring ratings for scores and totals, league scoring level tracked over time.
- Home-field advantage learned as a running estimate: it has fallen from ~3 points to ~1.5.
- Team efficiency (EPA per play, offence and defence) from weekly team stats when a season has them;
  last season's is dropped at a new season (it was noise by then).
- Market rating (points): team strengths fitted game by game to earlier games' closing spreads, with
  our QB values netted out so a starter change still moves it. A game's own line is learned from
  only after the game, so a forecast never reads its own line.

Forecasts read only what is known before kickoff: the last known starter (or a supplied one) and a
supplied weather forecast. ``oracle=True`` reads the game's actual starters and observed weather
(the old behaviour, kept for the backtest comparison).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nfl_predictor.engine import features as fx

Record = dict[str, Any]


@dataclass(frozen=True)
class RatingConfig:
    """Hyperparameters. Rating gains, carries, cap and QB prior were tuned by coordinate search on
    the 2003-2014 walk-forward Brier only; EPA settings are untuned priors (team stats start in 2016)."""

    k_team: float = 0.06
    k_qb: float = 0.04
    team_carry: float = 0.5
    qb_carry: float = 0.85
    margin_cap: float = 17.0
    new_qb_prior: float = -3.0
    k_points: float = 0.05
    points_carry: float = 0.6
    k_hfa: float = 0.004  # not tuned: home edge is known to drift (it fell from ~3 to ~1.5 points)
    hfa_start: float = 2.8
    epa_alpha: float = 0.12
    epa_carry: float = 0.5
    k_league: float = 0.01
    k_early: float = 0.02  # extra gain early in a season, decaying with games played (Kalman-like)
    epa_margin_weight: float = 0.0  # share of the surprise taken from the EPA margin when stats exist
    epa_points: float = 1.0  # scale of EPA margin to points
    # Market rating: team strengths fitted, game by game, to earlier games' closing spreads (never the
    # predicted game's own line: a game's line is learned from only after it is played).
    k_market: float = 0.2
    market_carry: float = 0.7
    market_hfa_start: float = 2.5
    k_market_hfa: float = 0.005
    k_market_early: float = 0.2  # extra market gain early in a season, decaying with games played
    market_qb_weight: float = 0.5  # share of our QB values netted out of the line (starter changes move it)
    epa_stale_reset: bool = True  # drop last season's efficiency at a new season instead of carrying it


FEATURE_NAMES = (
    "rating_diff",  # (team + starting QB) home minus away, points
    "home_field",  # running HFA estimate, 0 at neutral sites
    "qb_change_home",  # starter differs from the team's recent starter
    "qb_change_away",
    "rest_diff",  # days, clipped to +-7
    "travel_diff",  # (away km - home km) / 1000
    "tz_diff",  # away time-zone shift minus home
    "epa_diff",  # (home off - away def) - (away off - home def), EPA/play; 0 without stats
    "playoff",
    "div_game",
    "market_rating_diff",  # home minus away market rating + market home edge, points (earlier lines only)
)
TOTAL_FEATURE_NAMES = ("points_total", "wind", "cold", "indoors", "epa_sum", "playoff")


@dataclass
class TeamState:
    rating: float = 0.0
    offense: float = 0.0
    defense: float = 0.0
    starter: str | None = None
    candidate: str | None = None
    candidate_streak: int = 0
    last_game: str | None = None  # ISO date
    last_qb: str | None = None  # who started the team's most recent finished game
    off_epa: float = 0.0
    def_epa: float = 0.0
    epa_games: int = 0
    # Box-score rates (per game, EWMA) for the turnover / sack / passing-TD categories; league-typical start.
    giveaways: float = 1.4
    takeaways: float = 1.4
    sacks_taken: float = 2.4
    sacks_made: float = 2.4
    pass_tds: float = 1.5
    rush_tds: float = 1.0
    field_goals: float = 1.6
    season: int = 0
    season_games: int = 0
    market: float = 0.0  # points, from earlier games' closing spreads
    slow_market: float = 0.0  # the same, learned ten times slower: last season's view, regressed
    form: float = 0.0  # EWMA of the capped point differential, last few games
    ats: float = 0.0  # EWMA of the margin against the closing spread (covers), last few games


@dataclass
class RatingState:
    config: RatingConfig = field(default_factory=RatingConfig)
    teams: dict[str, TeamState] = field(default_factory=dict)
    qbs: dict[str, float] = field(default_factory=dict)
    hfa: float = 2.8
    league_points: float = 21.0
    season: int = 0
    week: int = 0
    games_seen: int = 0
    market_hfa: float = 2.5

    # ---------------------------------------------------------------- construction / persistence
    @classmethod
    def new(cls, config: RatingConfig | None = None) -> RatingState:
        cfg = config or RatingConfig()
        return cls(config=cfg, hfa=cfg.hfa_start, market_hfa=cfg.market_hfa_start)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "teams": {k: asdict(v) for k, v in sorted(self.teams.items())},
            "qbs": dict(sorted(self.qbs.items())),
            "hfa": self.hfa,
            "league_points": self.league_points,
            "season": self.season,
            "week": self.week,
            "games_seen": self.games_seen,
            "market_hfa": self.market_hfa,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RatingState:
        return cls(
            config=RatingConfig(**data["config"]),
            teams={k: TeamState(**v) for k, v in data["teams"].items()},
            qbs={str(k): float(v) for k, v in data["qbs"].items()},
            hfa=float(data["hfa"]),
            league_points=float(data["league_points"]),
            season=int(data["season"]),
            week=int(data["week"]),
            games_seen=int(data["games_seen"]),
            market_hfa=float(data.get("market_hfa", RatingConfig().market_hfa_start)),
        )

    # ---------------------------------------------------------------- helpers
    def team(self, abbr: str) -> TeamState:
        key = fx.franchise(abbr)
        state = self.teams.get(key)
        if state is None:
            state = self.teams[key] = TeamState(season=self.season)
        return state

    def _roll_season(self, season: int) -> None:
        """Between seasons ratings regress toward the mean: rosters turn over."""
        if season == self.season:
            return
        c = self.config
        for t in self.teams.values():
            t.rating *= c.team_carry
            t.offense *= c.points_carry
            t.defense *= c.points_carry
            t.off_epa *= c.epa_carry
            t.def_epa *= c.epa_carry
            t.market *= c.market_carry
            t.slow_market *= SLOW_CARRY
            t.form = t.ats = 0.0
            if c.epa_stale_reset:
                t.off_epa = t.def_epa = 0.0
                t.epa_games = 0
            t.season = season
            t.season_games = 0
        for qb in self.qbs:
            self.qbs[qb] *= c.qb_carry
        self.season = season

    def qb_value(self, qb: str | None) -> float:
        if qb is None:
            return 0.0
        return self.qbs.get(qb, self.config.new_qb_prior)

    def forecast_qb(self, game: Record, side: str, *, oracle: bool = False) -> str | None:
        """The quarterback a forecast assumes starts for ``side``.

        Honest (default): a starter the caller supplies as ``{side}_starter_id``, else whoever started
        the team's last finished game, else its usual starter. The game's own ``{side}_qb_id`` (known
        only once it is played) is never read. ``oracle=True`` reads it, as the old backtest did.
        """
        t = self.team(game[f"{side}_team"])
        if oracle:
            return game.get(f"{side}_qb_id") or t.starter
        return game.get(f"{side}_starter_id") or t.last_qb or t.starter

    def _side(self, game: Record, side: str, *, oracle: bool = True) -> tuple[TeamState, float, float, bool]:
        """(team, strength = team rating + the starter's value, QB gap vs usual starter, changed).

        The post-game update passes ``oracle=True``: once played, the actual starter is known."""
        t = self.team(game[f"{side}_team"])
        qb = self.forecast_qb(game, side, oracle=oracle)
        value = self.qb_value(qb) if qb is not None else 0.0
        changed = qb is not None and t.starter is not None and qb != t.starter
        adj = value - self.qb_value(t.starter) if changed else 0.0
        return t, t.rating + value, adj, changed

    # ---------------------------------------------------------------- features
    def features(
        self, game: Record, *, oracle: bool = False
    ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        """Pre-game (margin features, total features, extras) for one game, from this state only.

        Only what is known before kickoff is read (see ``forecast_qb`` and ``features.weather``);
        ``oracle=True`` also reads the game's actual starting QBs and observed weather (comparison only).
        """
        if int(game["season"]) > self.season:
            # Inference for a new season: preview the off-season regression without mutating.
            return self._preview_new_season(game, oracle=oracle)
        home, home_str, h_adj, h_chg = self._side(game, "home", oracle=oracle)
        away, away_str, a_adj, a_chg = self._side(game, "away", oracle=oracle)
        neutral = fx.is_neutral(game)
        hfa = 0.0 if neutral else self.hfa
        h_km, a_km, h_tz, a_tz = fx.travel(game)
        rest = max(-7, min(7, fx.rest_days(game, "home") - fx.rest_days(game, "away")))
        has_epa = home.epa_games > 0 and away.epa_games > 0
        epa = ((home.off_epa - away.def_epa) - (away.off_epa - home.def_epa)) if has_epa else 0.0
        epa_sum = ((home.off_epa + away.def_epa) + (away.off_epa + home.def_epa)) if has_epa else 0.0
        playoff = 1.0 if fx.is_playoff(game) else 0.0
        x = np.array(
            [
                home_str - away_str,
                hfa,
                float(h_chg),
                float(a_chg),
                float(rest),
                (a_km - h_km) / 1000.0,
                a_tz - h_tz,
                epa,
                playoff,
                float(game.get("div_game") or 0),
                self._market_diff(home, away, home_str, away_str, neutral),
            ]
        )
        home_pts = self.league_points + home.offense - away.defense + hfa / 2 + (h_adj - a_adj) / 2
        away_pts = self.league_points + away.offense - home.defense - hfa / 2 - (h_adj - a_adj) / 2
        indoors, temp, wind = fx.weather(game, observed=oracle)
        z = np.array([home_pts + away_pts, wind, max(0.0, 40.0 - temp), float(indoors), epa_sum, playoff])
        extras = {
            "home_points": home_pts,
            "away_points": away_pts,
            "home_rating": home_str,
            "away_rating": away_str,
            "home_qb_adj": h_adj,
            "away_qb_adj": a_adj,
            "home_rest": float(fx.rest_days(game, "home")),
            "away_rest": float(fx.rest_days(game, "away")),
            "away_km": a_km,
            "home_km": h_km,
            "home_off_epa": home.off_epa,
            "home_def_epa": home.def_epa,
            "away_off_epa": away.off_epa,
            "away_def_epa": away.def_epa,
            "has_epa": float(has_epa),
            "temp": temp,
            "wind": wind,
            "indoors": float(indoors),
            "hfa": hfa,
            "home_offense": home.offense,
            "home_defense": home.defense,
            "away_offense": away.offense,
            "away_defense": away.defense,
            "home_qb_value": self.qb_value(self.forecast_qb(game, "home", oracle=oracle)),
            "away_qb_value": self.qb_value(self.forecast_qb(game, "away", oracle=oracle)),
            "home_qb_changed": float(h_chg),
            "away_qb_changed": float(a_chg),
            "turnovers": (home.giveaways + away.takeaways + away.giveaways + home.takeaways) / 2,
            "sacks": (home.sacks_taken + away.sacks_made + away.sacks_taken + home.sacks_made) / 2,
            "pass_tds": home.pass_tds + away.pass_tds,
            "touchdowns": home.pass_tds + away.pass_tds + home.rush_tds + away.rush_tds,
            "field_goals": home.field_goals + away.field_goals,
            "travel_diff": (a_km - h_km) / 1000.0,
            "market_diff": float(x[-1]),
            "slow_market_diff": home.slow_market - away.slow_market + (0.0 if neutral else self.market_hfa),
            "form_diff": home.form - away.form,
            "ats_diff": home.ats - away.ats,
            "home_games": float(home.season_games),
            "away_games": float(away.season_games),
            "tz_diff": a_tz - h_tz,
        }
        return x, z, extras

    def _market_diff(
        self, home: TeamState, away: TeamState, home_str: float, away_str: float, neutral: bool
    ) -> float:
        """Market-implied home margin from earlier lines, with today's starters' QB values netted in."""
        qb_gap = self.config.market_qb_weight * (home_str - home.rating - away_str + away.rating)
        return home.market - away.market + (0.0 if neutral else self.market_hfa) + qb_gap

    def _preview_new_season(
        self, game: Record, *, oracle: bool = False
    ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        clone = RatingState.from_dict(self.to_dict())
        clone._roll_season(int(game["season"]))
        return clone.features(game, oracle=oracle)

    # ---------------------------------------------------------------- learning
    def update(self, game: Record, stats: dict[str, Record] | None = None) -> None:
        """Learn from one finished game. ``stats`` maps team abbreviation to its weekly team-stat row."""
        season = int(game["season"])
        self._roll_season(season)
        self.week = int(game["week"])
        home_score, away_score = game.get("home_score"), game.get("away_score")
        if home_score is None or away_score is None:
            return
        c = self.config
        home, home_str, _, _ = self._side(game, "home")
        away, away_str, _, _ = self._side(game, "away")
        neutral = fx.is_neutral(game)
        hfa = 0.0 if neutral else self.hfa
        pred = home_str - away_str + hfa
        margin = float(home_score - away_score)
        surprise = max(-c.margin_cap, min(c.margin_cap, margin)) - pred
        surprise = max(-c.margin_cap, min(c.margin_cap, surprise))
        epa_margin = _epa_margin(game, stats)
        if epa_margin is not None and c.epa_margin_weight > 0:
            epa_surprise = max(-c.margin_cap, min(c.margin_cap, c.epa_points * epa_margin + hfa)) - pred
            surprise = (1 - c.epa_margin_weight) * surprise + c.epa_margin_weight * epa_surprise
        k_home = c.k_team + c.k_early / (1.0 + home.season_games)
        k_away = c.k_team + c.k_early / (1.0 + away.season_games)
        home.rating += k_home * surprise
        away.rating -= k_away * surprise
        home.season_games += 1
        away.season_games += 1
        capped = max(-c.margin_cap, min(c.margin_cap, margin))
        home.form += FORM_ALPHA * (capped - home.form)
        away.form += FORM_ALPHA * (-capped - away.form)
        for side, sign in (("home", 1.0), ("away", -1.0)):
            qb = game.get(f"{side}_qb_id")
            if qb is not None:
                self.qbs[qb] = self.qb_value(qb) + sign * c.k_qb * surprise
        if not neutral:
            self.hfa += c.k_hfa * surprise
        line = game.get("spread_line")
        if line is not None:
            m_surprise = float(line) - self._market_diff(home, away, home_str, away_str, neutral)
            home.market += (c.k_market + c.k_market_early / home.season_games) * m_surprise
            away.market -= (c.k_market + c.k_market_early / away.season_games) * m_surprise
            m_hfa = 0.0 if neutral else self.market_hfa
            slow_surprise = float(line) - (home.slow_market - away.slow_market + m_hfa)
            home.slow_market += SLOW_K * slow_surprise
            away.slow_market -= SLOW_K * slow_surprise
            cover = max(-c.margin_cap, min(c.margin_cap, margin - float(line)))
            home.ats += FORM_ALPHA * (cover - home.ats)
            away.ats += FORM_ALPHA * (-cover - away.ats)
            if not neutral:
                self.market_hfa += c.k_market_hfa * m_surprise
        # Scoring ratings.
        home_pts = self.league_points + home.offense - away.defense + hfa / 2
        away_pts = self.league_points + away.offense - home.defense - hfa / 2
        e_home = max(-21.0, min(21.0, home_score - home_pts))
        e_away = max(-21.0, min(21.0, away_score - away_pts))
        home.offense += c.k_points * e_home
        away.defense -= c.k_points * e_home
        away.offense += c.k_points * e_away
        home.defense -= c.k_points * e_away
        self.league_points += c.k_league * (e_home + e_away) / 2
        # The usual starter changes once a new quarterback has started two games in a row.
        for side, t in (("home", home), ("away", away)):
            qb = game.get(f"{side}_qb_id")
            if qb is None:
                continue
            if t.starter is None or qb == t.starter:
                t.starter, t.candidate, t.candidate_streak = qb, None, 0
            elif qb == t.candidate:
                t.candidate_streak += 1
                if t.candidate_streak >= 2:
                    t.starter, t.candidate, t.candidate_streak = qb, None, 0
            else:
                t.candidate, t.candidate_streak = qb, 1
            t.last_game = _iso(game.get("gameday"))
            t.last_qb = qb
        if stats:
            self._update_epa(game, stats, home, away)
        self.games_seen += 1

    def _update_epa(self, game: Record, stats: dict[str, Record], home: TeamState, away: TeamState) -> None:
        h, a = stats.get(fx.franchise(game["home_team"])), stats.get(fx.franchise(game["away_team"]))
        if h is None or a is None:
            return
        for team, own, opp in ((home, h, a), (away, a, h)):
            team.giveaways += BOX_ALPHA * (giveaways(own) - team.giveaways)
            team.takeaways += BOX_ALPHA * (giveaways(opp) - team.takeaways)
            team.sacks_taken += BOX_ALPHA * (float(own.get("sacks_suffered") or 0.0) - team.sacks_taken)
            team.sacks_made += BOX_ALPHA * (float(opp.get("sacks_suffered") or 0.0) - team.sacks_made)
            team.pass_tds += BOX_ALPHA * (float(own.get("passing_tds") or 0.0) - team.pass_tds)
            team.rush_tds += BOX_ALPHA * (float(own.get("rushing_tds") or 0.0) - team.rush_tds)
            team.field_goals += BOX_ALPHA * (float(own.get("fg_made") or 0.0) - team.field_goals)
        h_epa, a_epa = epa_per_play(h), epa_per_play(a)
        if h_epa is None or a_epa is None:
            return
        alpha = self.config.epa_alpha
        for team, off, dfn in ((home, h_epa, a_epa), (away, a_epa, h_epa)):
            w = max(alpha, 1.0 / (team.epa_games + 1)) if team.epa_games < 4 else alpha
            team.off_epa += w * (off - team.off_epa)
            team.def_epa += w * (dfn - team.def_epa)
            team.epa_games += 1


def _epa_margin(game: Record, stats: dict[str, Record] | None) -> float | None:
    """Home offence EPA minus away offence EPA in this game: the margin without most of the luck."""
    if not stats:
        return None
    h, a = stats.get(fx.franchise(game["home_team"])), stats.get(fx.franchise(game["away_team"]))
    if h is None or a is None:
        return None
    raw = [row.get(k) for row in (h, a) for k in ("passing_epa", "rushing_epa")]
    if any(v is None for v in raw):
        return None
    parts = [float(v) for v in raw if v is not None]
    return parts[0] + parts[1] - parts[2] - parts[3]


BOX_ALPHA = 0.15
FORM_ALPHA = 0.35  # recent form / covers: about the last three games
SLOW_K = 0.02  # the slow market rating's gain per game
SLOW_CARRY = 0.8
GIVEAWAY_COLUMNS = (
    "passing_interceptions",
    "sack_fumbles_lost",
    "rushing_fumbles_lost",
    "receiving_fumbles_lost",
)


def giveaways(row: Record) -> float:
    return sum(float(row.get(k) or 0.0) for k in GIVEAWAY_COLUMNS)


def epa_per_play(row: Record) -> float | None:
    plays = sum(float(row.get(k) or 0.0) for k in ("attempts", "sacks_suffered", "carries"))
    if plays <= 0 or row.get("passing_epa") is None or row.get("rushing_epa") is None:
        return None
    return (float(row["passing_epa"]) + float(row["rushing_epa"])) / plays


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def game_sort_key(game: Record) -> tuple[str, str]:
    return (_iso(game.get("gameday")) or "", str(game["game_id"]))


def index_team_stats(team_stats: list[Record]) -> dict[tuple[int, int], dict[str, Record]]:
    """(season, week) -> franchise -> row, for the walk's post-game efficiency update.

    Keyed by franchise (features.franchise) because the stats files name relocated teams by their
    current code (LA, LAC, LV) while the schedules keep the code of the day (STL, SD, OAK)."""
    out: dict[tuple[int, int], dict[str, Record]] = {}
    for row in team_stats:
        out.setdefault((int(row["season"]), int(row["week"])), {})[fx.franchise(str(row["team"]))] = row
    return out


def walk(
    games: list[Record],
    team_stats: list[Record] | None = None,
    config: RatingConfig | None = None,
    state: RatingState | None = None,
    *,
    oracle: bool = False,
    snapshots: dict[tuple[int, int], RatingState | None] | None = None,
) -> tuple[RatingState, list[Record], np.ndarray, np.ndarray, list[dict[str, float]]]:
    """Walk games in date order; returns (final state, ordered games, X, Z, extras) with pre-game rows.

    Each row is what a forecast made before that game would see (``oracle=True``: plus the game's
    actual starting QBs and observed weather, for comparison with the old backtest).

    ``snapshots``: for each (season, week) key it holds, filled with a copy of the state just before
    that week's first game, i.e. the state a walk over only the earlier games ends in."""
    st = state or RatingState.new(config)
    ordered = sorted(games, key=game_sort_key)
    by_week = index_team_stats(team_stats or [])
    xs, zs, extras = [], [], []
    for game in ordered:
        key = (int(game["season"]), int(game["week"]))
        if snapshots is not None and key in snapshots and snapshots[key] is None:
            snapshots[key] = RatingState.from_dict(st.to_dict())
        st._roll_season(int(game["season"]))
        x, z, e = st.features(game, oracle=oracle)
        xs.append(x)
        zs.append(z)
        extras.append(e)
        st.update(game, by_week.get((int(game["season"]), int(game["week"]))))
    width_x, width_z = len(FEATURE_NAMES), len(TOTAL_FEATURE_NAMES)
    x_arr = np.array(xs, dtype=float).reshape(-1, width_x)
    z_arr = np.array(zs, dtype=float).reshape(-1, width_z)
    return st, ordered, x_arr, z_arr, extras


def logistic(x: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


__all__ = ["FEATURE_NAMES", "TOTAL_FEATURE_NAMES", "RatingConfig", "RatingState", "logistic", "walk"]
