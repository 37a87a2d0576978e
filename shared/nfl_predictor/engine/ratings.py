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

The state's parts (hyperparameters, a team's numbers) are team_state.py, the pre-game feature rows
pregame.py and the team-stat row helpers stat_rows.py; this module learns and walks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nfl_predictor.engine import features as fx
from nfl_predictor.engine.pregame import FEATURE_NAMES, TOTAL_FEATURE_NAMES, pregame_rows
from nfl_predictor.engine.stat_rows import (
    epa_margin,
    epa_per_play,
    game_sort_key,
    giveaways,
    index_team_stats,
    iso_date,
)
from nfl_predictor.engine.team_state import RatingConfig, TeamState

Record = dict[str, Any]


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

    def side(self, game: Record, side: str, *, oracle: bool = True) -> tuple[TeamState, float, float, bool]:
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
        return pregame_rows(self, game, oracle=oracle)

    def market_diff(
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
        home, home_str, _, _ = self.side(game, "home")
        away, away_str, _, _ = self.side(game, "away")
        neutral = fx.is_neutral(game)
        hfa = 0.0 if neutral else self.hfa
        margin = float(home_score - away_score)
        surprise = self._surprise(game, stats, home_str - away_str + hfa, margin, hfa)
        self._update_margin(game, home, away, surprise, margin, neutral)
        line = game.get("spread_line")
        if line is not None:
            self._update_market(float(line), home, away, (home_str, away_str), margin, neutral)
        self._update_scoring(home, away, home_score, away_score, hfa)
        self._update_starters(game, home, away)
        if stats:
            self._update_epa(game, stats, home, away)
        self.games_seen += 1

    def _surprise(
        self, game: Record, stats: dict[str, Record] | None, pred: float, margin: float, hfa: float
    ) -> float:
        """The capped margin surprise, partly from the EPA margin when configured (less luck)."""
        c = self.config
        surprise = max(-c.margin_cap, min(c.margin_cap, margin)) - pred
        surprise = max(-c.margin_cap, min(c.margin_cap, surprise))
        epa = epa_margin(game, stats)
        if epa is not None and c.epa_margin_weight > 0:
            epa_surprise = max(-c.margin_cap, min(c.margin_cap, c.epa_points * epa + hfa)) - pred
            surprise = (1 - c.epa_margin_weight) * surprise + c.epa_margin_weight * epa_surprise
        return surprise

    def _update_margin(
        self, game: Record, home: TeamState, away: TeamState, surprise: float, margin: float, neutral: bool
    ) -> None:
        """Team and quarterback ratings, recent form and home field learn from the margin surprise."""
        c = self.config
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

    def _update_market(
        self,
        line: float,
        home: TeamState,
        away: TeamState,
        strengths: tuple[float, float],
        margin: float,
        neutral: bool,
    ) -> None:
        """Market ratings (fast and slow) and covers learn from the closing line, after the game.

        ``strengths`` are the pre-game (home, away) strengths; the team ratings are already updated."""
        c = self.config
        m_surprise = line - self.market_diff(home, away, strengths[0], strengths[1], neutral)
        home.market += (c.k_market + c.k_market_early / home.season_games) * m_surprise
        away.market -= (c.k_market + c.k_market_early / away.season_games) * m_surprise
        m_hfa = 0.0 if neutral else self.market_hfa
        slow_surprise = line - (home.slow_market - away.slow_market + m_hfa)
        home.slow_market += SLOW_K * slow_surprise
        away.slow_market -= SLOW_K * slow_surprise
        cover = max(-c.margin_cap, min(c.margin_cap, margin - line))
        home.ats += FORM_ALPHA * (cover - home.ats)
        away.ats += FORM_ALPHA * (-cover - away.ats)
        if not neutral:
            self.market_hfa += c.k_market_hfa * m_surprise

    def _update_scoring(
        self, home: TeamState, away: TeamState, home_score: Any, away_score: Any, hfa: float
    ) -> None:
        """Offence/defence scoring ratings and the league scoring level."""
        c = self.config
        home_pts = self.league_points + home.offense - away.defense + hfa / 2
        away_pts = self.league_points + away.offense - home.defense - hfa / 2
        e_home = max(-21.0, min(21.0, home_score - home_pts))
        e_away = max(-21.0, min(21.0, away_score - away_pts))
        home.offense += c.k_points * e_home
        away.defense -= c.k_points * e_home
        away.offense += c.k_points * e_away
        home.defense -= c.k_points * e_away
        self.league_points += c.k_league * (e_home + e_away) / 2

    def _update_starters(self, game: Record, home: TeamState, away: TeamState) -> None:
        """The usual starter changes once a new quarterback has started two games in a row."""
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
            t.last_game = iso_date(game.get("gameday"))
            t.last_qb = qb

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


BOX_ALPHA = 0.15
FORM_ALPHA = 0.35  # recent form / covers: about the last three games
SLOW_K = 0.02  # the slow market rating's gain per game
SLOW_CARRY = 0.8


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


__all__ = [
    "FEATURE_NAMES",
    "TOTAL_FEATURE_NAMES",
    "RatingConfig",
    "RatingState",
    "TeamState",
    "epa_per_play",
    "game_sort_key",
    "giveaways",
    "index_team_stats",
    "logistic",
    "walk",
]
