"""Classic Elo, the baseline every NFL model is compared with (FiveThirtyEight's published rules).

K=20, home field 65 Elo points, a margin-of-victory multiplier that damps favourites' blowouts,
and one third reversion toward 1505 between seasons. Win probability 1 / (1 + 10^(-diff/400));
the spread is the Elo difference / 25 points. Ratings follow franchises across relocations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nfl_predictor.engine.features import franchise, is_neutral

Record = dict[str, Any]

K = 20.0
HOME_FIELD = 65.0
MEAN = 1505.0
REVERSION = 1.0 / 3.0
POINTS_PER_ELO = 1.0 / 25.0


@dataclass
class EloState:
    ratings: dict[str, float] = field(default_factory=dict)
    season: int = 0

    def rating(self, team: str) -> float:
        return self.ratings.get(franchise(team), MEAN)

    def roll_season(self, season: int) -> None:
        if season != self.season:
            if self.season:
                for team, value in self.ratings.items():
                    self.ratings[team] = value + REVERSION * (MEAN - value)
            self.season = season

    def diff(self, game: Record) -> float:
        """Home minus away, home field included (none at neutral sites)."""
        hfa = 0.0 if is_neutral(game) else HOME_FIELD
        return self.rating(game["home_team"]) - self.rating(game["away_team"]) + hfa

    def predict(self, game: Record) -> tuple[float, float]:
        """(home win probability, home margin in points) before the game."""
        season = int(game["season"])
        diff = self.diff(game)
        if season > self.season and self.season:
            # A new season not yet rolled into this state: preview the reversion.
            h, a = self.rating(game["home_team"]), self.rating(game["away_team"])
            diff += REVERSION * ((MEAN - h) - (MEAN - a))
        return win_probability(diff), diff * POINTS_PER_ELO

    def update(self, game: Record) -> None:
        self.roll_season(int(game["season"]))
        home_score, away_score = game.get("home_score"), game.get("away_score")
        if home_score is None or away_score is None:
            return
        diff = self.diff(game)
        expected = win_probability(diff)
        margin = home_score - away_score
        outcome = 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5
        winner_diff = diff if margin > 0 else -diff if margin < 0 else 0.0
        multiplier = math.log(abs(margin) + 1.0) * 2.2 / (winner_diff * 0.001 + 2.2)
        shift = K * multiplier * (outcome - expected)
        home, away = franchise(game["home_team"]), franchise(game["away_team"])
        self.ratings[home] = self.rating(home) + shift
        self.ratings[away] = self.rating(away) - shift

    def to_dict(self) -> dict[str, Any]:
        return {"ratings": dict(sorted(self.ratings.items())), "season": self.season}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EloState:
        return cls(ratings={k: float(v) for k, v in data["ratings"].items()}, season=int(data["season"]))


def win_probability(diff: float) -> float:
    return 1.0 / (1.0 + 10.0 ** (-diff / 400.0))
