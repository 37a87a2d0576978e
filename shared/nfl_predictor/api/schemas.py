"""Response shapes for the OpenAPI document (routes return cached bytes; these describe them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The prediction documents, described field by field (re-exported: routes import them from here).
from nfl_predictor.api.prediction_schemas import ExpertPredictions as ExpertPredictions
from nfl_predictor.api.prediction_schemas import GamePredictions as GamePredictions
from nfl_predictor.api.prediction_schemas import WeekPredictions as WeekPredictions


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_parameter"])
    message: str
    field: str | None = Field(default=None, description="the offending parameter, where there is one")


class ErrorBody(BaseModel):
    error: ErrorDetail


class ScheduleGame(BaseModel):
    model_config = ConfigDict(extra="allow")
    game_id: str
    season: int
    week: int
    home_team: str
    away_team: str
    home_score: int | None = None
    away_score: int | None = None


class Schedule(BaseModel):
    season: int
    week: int | None
    games: list[ScheduleGame]


class SimilarGame(BaseModel):
    model_config = ConfigDict(extra="allow")
    game_id: str
    similarity: float
    home_score: int | None = None
    away_score: int | None = None


class SimilarGames(BaseModel):
    game_id: str
    k: int
    model_version: str
    similar: list[SimilarGame]


class SearchResults(BaseModel):
    query: str
    source: str
    embedder: str
    results: list[dict[str, Any]]


class LeaderboardExpert(BaseModel):
    model_config = ConfigDict(extra="allow")
    season: int
    expert: str
    n: int = Field(description="graded predictions")
    accuracy: float | None = Field(description="share of won picks among those won or lost")
    units: float = Field(description="units won at the market price")
    bets: int = Field(description="predictions that were wagers (had a market price)")
    brier: float | None = Field(description="Brier score of the win probability (lower is better)")
    mae: float | None = Field(description="mean absolute error of the numeric categories (lower is better)")
    categories: list[dict[str, Any]]


class Leaderboard(BaseModel):
    season: int | None
    category: str | None
    sort: str
    order: str
    total: int = Field(description="experts matching, over every page")
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last one")
    experts: list[LeaderboardExpert]


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(examples=["spread_pick"], description="the key in each expert's predictions")
    kind: str = Field(description="team, side, band, probability, points, signed, count or yards")
    value_type: str = Field(description="the JSON type of the value: string or number")
    value: str = Field(description="what the value is, with its unit")
    unit: str | None = Field(description="points, yards, count or probability; null for picks")
    tolerance: float | None = Field(description="numbers: how close counts as right (points or a count; for "
                                    "yards a fraction of the actual)")  # fmt: skip
    relative_tolerance: bool = Field(description="the tolerance is a fraction of the actual value (yards)")
    line: bool = Field(description="judged against expert_lines[name] (spread in the home-margin convention)")
    graded_from: str = Field(description="what grading needs: the final score, the team box score or the "
                             "player box score")  # fmt: skip
    graded: str = Field(description="when the call counts as right, and the error recorded")
    factor: str = Field(description="what the experts' value is derived from")


class Categories(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confidence: str = Field(description="what every prediction's confidence means")
    spread_convention: str = Field(description="the sign of every spread and margin")
    categories: list[Category] = Field(description="every category, in the engine's order")


class Health(BaseModel):
    status: str = Field(examples=["ok", "degraded"])
    checks: dict[str, dict[str, Any]]


class Snapshot(BaseModel):
    id: int
    taken_at: str
    source: str
    summary: dict[str, Any]
    alerts: list[dict[str, Any]]
    snapshot: dict[str, Any] | None = None


class PerformanceHistory(BaseModel):
    snapshots: list[Snapshot]
    count: int
    snapshot_interval_s: float
    thresholds: dict[str, float]
