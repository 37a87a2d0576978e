"""The prediction documents, typed and described field by field, for the OpenAPI document.

Routes serve cached bytes (service/documents.py builds a game's document once; a week is the games'
bytes joined): nothing here runs per request. These models only describe what is served, and
tests/integration/api/test_schema_matches_served.py validates real served documents against them
(``extra="forbid"``), so a field the engine adds or renames fails there until it is described here.

Conventions used throughout:
- **Spread / margin**: the *home* margin in points, home score minus away score; positive means the
  home team is favoured (nflverse's ``spread_line``). This is the reverse of sportsbook notation,
  where the favourite carries a minus sign: a sportsbook ``DET -3.5`` at home is ``+3.5`` here.
- **Probabilities** are in [0, 1]; ``win_probability`` is always the home team's.
- **Confidence** (the second element of each expert prediction) is the calibrated probability that
  the call is right when graded: that the named side happens for picks, that the outcome lands within
  the category's tolerance for numbers (``GET /v1/categories`` lists each category's tolerance).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SPREAD = (
    "home margin in points (home minus away); positive = home team favoured. The reverse of sportsbook "
    "notation: a home favourite listed at -3.5 by a sportsbook is +3.5 here"
)
HOME_WIN = "probability in [0, 1] that the home team wins"


class _Described(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SidePair(_Described):
    home: list[float] = Field(description="the home team's expected points per period, in order")
    away: list[float] = Field(description="the away team's expected points per period, in order")


class MarginQuantiles(_Described):
    """Quantiles of the home margin's predictive distribution (points, home minus away)."""

    p10: float = Field(description="10th percentile of the home margin (points)")
    p25: float = Field(description="25th percentile of the home margin (points)")
    p50: float = Field(description="median home margin (points)")
    p75: float = Field(description="75th percentile of the home margin (points)")
    p90: float = Field(description="90th percentile of the home margin (points)")


class CoreModel(_Described):
    """The main model's forecast (ratings, efficiency and situation, fitted walk-forward)."""

    win_probability: float = Field(ge=0, le=1, description=HOME_WIN)
    spread: float = Field(description="expected " + SPREAD)
    total: float = Field(description="expected combined points of both teams")
    home_score: float = Field(description="expected home points")
    away_score: float = Field(description="expected away points")
    halves: SidePair | None = Field(default=None, description="expected points per half, per team")
    quarters: SidePair | None = Field(default=None, description="expected points per quarter, per team")
    margin_quantiles: MarginQuantiles | None = Field(
        default=None, description="spread of the home margin's forecast"
    )


class MarketLine(_Described):
    """The closing market for the game (None fields where the data has no line)."""

    win_probability: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description=HOME_WIN + " implied by the market (moneylines with the vig removed)",
    )
    spread: float | None = Field(default=None, description="closing point spread as a " + SPREAD)
    total: float | None = Field(default=None, description="closing over/under line (points)")


class EloForecast(_Described):
    """Classic Elo (K=20, home field 65, margin-of-victory multiplier), the public baseline."""

    win_probability: float = Field(ge=0, le=1, description=HOME_WIN)
    spread: float = Field(description="Elo's implied " + SPREAD)


class BlendForecast(_Described):
    """The model blended with the market line where there is one (the model alone where there is not)."""

    win_probability: float = Field(ge=0, le=1, description=HOME_WIN)
    spread: float = Field(description=SPREAD)
    total: float = Field(description="combined points")


class MlSection(_Described):
    core: CoreModel = Field(description="the main model's forecast")
    market: MarketLine | None = Field(default=None, description="the closing market, where the data has it")
    classic_elo: EloForecast | None = Field(default=None, description="the classic Elo baseline")
    market_aware: BlendForecast | None = Field(default=None, description="model and market blended")
    factors: dict[str, float] = Field(
        default_factory=dict,
        description="the model's inputs for this game (ratings in points, rest in days, travel in km, "
        "temperature in F, wind in mph, flags as 0/1), for explanation only",
    )
    spread_convention: str = Field(description="a reminder of the spread sign convention (see `spread`)")


class ExpertPredictions(_Described):
    """One expert's calls for a game: its reasoning once, and each category's [value, confidence]."""

    expert: str = Field(
        examples=["market_follower"], description="the expert's name (GET /v1/experts/leaderboard)"
    )
    reasoning: str = Field(description="the factors behind this expert's view of the game")
    predictions: dict[str, tuple[str | float, float]] = Field(
        description="category -> [value, confidence]. The value's type and unit depend on the category "
        "(GET /v1/categories): a team code, a side ('over'/'under'), a band, points, yards, a count or a "
        "probability. confidence in [0, 1] is the calibrated probability the call is right when graded "
        "(within the category's tolerance for numbers). Line-based categories are judged against "
        "expert_lines.",
        examples=[{"winner": ["DET", 0.71], "total_points": [47.5, 0.41], "over_under": ["under", 0.56]}],
    )


class PropPrediction(_Described):
    """A player prop: the player's projected stat against a line, with over/under probabilities."""

    player_id: str = Field(description="nflverse (GSIS) player id")
    player: str = Field(description="display name")
    team: str = Field(description="team code")
    position: str = Field(examples=["QB", "RB", "WR", "TE"], description="roster position")
    role: str = Field(description="the player's role on the team (QB, RB, WR/TE)")
    stat: str = Field(
        examples=["passing_yards", "receptions"], description="the box-score stat (yards or a count)"
    )
    line: float = Field(description="the prop line in the stat's unit (a .5 line has no push)")
    line_source: str = Field(
        description="where the line came from: 'median' (the projected median) or 'book'"
    )
    projection: float = Field(description="projected value of the stat (its unit: yards, or a count)")
    mean: float | None = Field(default=None, description="mean of the projected distribution")
    over_probability: float = Field(ge=0, le=1, description="probability the stat finishes over the line")
    under_probability: float = Field(ge=0, le=1, description="probability it finishes under the line")


class TotalPrediction(_Described):
    """Points over/under for the game or one team."""

    market: str = Field(
        examples=["game", "home_team", "away_team"], description="whose points: the game's or a team's"
    )
    line: float = Field(description="the points line")
    line_source: str = Field(
        description="'market' (the closing total, split by the spread for a team) or 'model'"
    )
    projection: float = Field(description="projected points")
    over_probability: float = Field(ge=0, le=1, description="probability the points finish over the line")
    under_probability: float = Field(ge=0, le=1, description="probability they finish under the line")


class GamePredictions(_Described):
    """Every section unless narrowed with include/experts/fields; prediction_count is always present.
    ``embedding`` only with include=embedding (or fields=embedding)."""

    prediction_count: int = Field(ge=0, description="predictions in this document (after any narrowing)")
    game_id: str | None = Field(
        default=None, examples=["2025_13_ARI_DET"], description="season_week_AWAY_HOME"
    )
    season: int | None = Field(default=None, description="the season (the year it starts in)")
    week: int | None = Field(
        default=None, description="week of the season (regular season 1-18, then playoffs)"
    )
    home_team: str | None = Field(default=None, description="home team code")
    away_team: str | None = Field(default=None, description="away team code")
    model_version: str | None = Field(
        default=None, description="the fitted model that made these predictions"
    )
    ml: MlSection | None = Field(
        default=None, description="the main model, the market, classic Elo and the blend"
    )
    experts: list[ExpertPredictions] | None = Field(
        default=None, description="each expert's calls, one entry per expert"
    )
    expert_lines: dict[str, float] | None = Field(
        default=None,
        description="category -> the line its picks are judged against: spread_pick against a spread in the "
        "home-margin convention (the home side covers when home minus away beats it), over_under and the "
        "team totals against points",
    )
    props: list[PropPrediction] | None = Field(default=None, description="player props")
    totals: list[TotalPrediction] | None = Field(default=None, description="game and team points over/unders")
    embedding: list[float] | None = Field(
        default=None, description="the 32-float matchup vector; only when asked for"
    )
    prediction_breakdown: dict[str, int] | None = Field(
        default=None,
        description="predictions per section (ml, experts, props, totals); they sum to prediction_count",
    )


class WeekPredictions(_Described):
    """Every game of the week, each narrowed by the same include/experts/fields as a single game."""

    season: int = Field(description="the season")
    week: int = Field(description="the week")
    game_count: int = Field(description="games in `games`")
    prediction_count: int = Field(description="predictions over every game in `games`")
    games_without_prediction: list[str] = Field(
        default_factory=list,
        description="played games of the week for which no prediction was made before kickoff (walk-forward "
        "backfill fills them); they are listed, never predicted with hindsight",
    )
    games: list[GamePredictions] = Field(description="the predicted games, in kickoff order")
