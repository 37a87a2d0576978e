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


class ExpertPrediction(BaseModel):
    model_config = ConfigDict(extra="allow")
    expert: str
    category: str
    value: Any
    confidence: float = Field(ge=0, le=1)
    reasoning: str


class GamePredictions(BaseModel):
    """All sections unless narrowed with include/experts/fields; prediction_count is always present."""

    model_config = ConfigDict(extra="allow")
    prediction_count: int = Field(ge=0)
    game_id: str | None = None
    season: int | None = None
    week: int | None = None
    home_team: str | None = None
    away_team: str | None = None
    model_version: str | None = None
    ml: dict[str, Any] | None = None
    experts: list[ExpertPrediction] | None = None
    props: list[dict[str, Any]] | None = None
    totals: list[dict[str, Any]] | None = None
    embedding: list[float] | None = None
    prediction_breakdown: dict[str, int] | None = None


class WeekPredictions(BaseModel):
    season: int
    week: int
    game_count: int
    prediction_count: int
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


class Leaderboard(BaseModel):
    season: int | None
    experts: list[dict[str, Any]]


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
