"""Response shapes for the OpenAPI document (routes return cached bytes; these describe them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_parameter"])
    message: str
    field: str | None = Field(default=None, description="the offending parameter, where there is one")


class ErrorBody(BaseModel):
    error: ErrorDetail


class ExpertPredictions(BaseModel):
    """One expert's calls for a game: its reasoning once, and each category's [value, confidence]."""

    model_config = ConfigDict(extra="allow")
    expert: str = Field(examples=["market_aware"])
    reasoning: str = Field(description="the factors behind this expert's view of the game")
    predictions: dict[str, list[Any]] = Field(
        description="category -> [value, confidence]; confidence in [0, 1] is the probability the call is "
        "right (within the category's tolerance for numbers)",
        examples=[{"winner": ["DET", 0.71], "total_points": [47.5, 0.41]}],
    )


class GamePredictions(BaseModel):
    """All sections unless narrowed with include/experts/fields; prediction_count is always present.
    ``embedding`` only with include=embedding (or fields=embedding)."""

    model_config = ConfigDict(extra="allow")
    prediction_count: int = Field(ge=0)
    game_id: str | None = None
    season: int | None = None
    week: int | None = None
    home_team: str | None = None
    away_team: str | None = None
    model_version: str | None = None
    ml: dict[str, Any] | None = None
    experts: list[ExpertPredictions] | None = None
    expert_lines: dict[str, float] | None = Field(
        default=None,
        description="category -> the line its picks are judged against (spread, total, team totals)",
    )
    props: list[dict[str, Any]] | None = None
    totals: list[dict[str, Any]] | None = None
    embedding: list[float] | None = Field(default=None, description="the matchup vector; only when asked for")
    prediction_breakdown: dict[str, int] | None = None


class WeekPredictions(BaseModel):
    """Every game of the week, each narrowed by the same include/experts/fields as a single game."""

    season: int
    week: int
    game_count: int
    prediction_count: int
    games_without_prediction: list[str] = Field(
        default_factory=list,
        description="played games of the week for which no prediction was made before kickoff (walk-forward "
        "backfill fills them); they are listed, never predicted with hindsight",
    )
    games: list[GamePredictions]


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


class Health(BaseModel):
    status: str = Field(examples=["ok", "degraded"])
    checks: dict[str, dict[str, Any]]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses a route documents (every one uses the same body)."""
    descriptions = {
        304: "Not modified (If-None-Match matched the ETag)", 400: "Malformed request body (not JSON)",
        401: "Missing or unknown API key", 403: "Subscription inactive or admin scope required",
        404: "No such game or week", 422: "Invalid parameter (the body names it)",
        429: "Rate limit exceeded (see Retry-After)", 503: "Database unreachable and nothing cached",
        414: "Path over 1 KB or query string over 4 KB",
    }  # fmt: skip
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"description": descriptions[code]} if code == 304 else {"model": ErrorBody,
                                                                             "description": descriptions[code]}  # fmt: skip
    return out


AUTHED = (401, 403, 414, 422, 429, 503)
