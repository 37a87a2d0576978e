"""Declared parameters for the two hottest routes: one spec gives both the OpenAPI entry and the check.

FastAPI's own parameter solving cost ~55 µs per request here, a quarter of a cached game's whole
time through the Lambda handler; these routes read the few parameters they take directly. Every
other route uses FastAPI's parameters as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from starlette.requests import Request

from nfl_predictor.api.errors import invalid

ASCII_INT = re.compile(r"-?[0-9]{1,18}")
ASCII_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")
# Query parameters that are numbers on any route: ASCII digits only (checked by the key-check
# middleware before routing, since FastAPI's own int parsing also accepts "2_025", "+2025", "2025.0").
INTEGER_QUERY = frozenset({"season", "week", "k", "limit"})
NUMBER_QUERY = frozenset({"threshold"})


def non_ascii_number(query: str) -> str | None:
    """The first numeric query parameter whose value is not plain ASCII digits, if any."""
    from urllib.parse import parse_qsl

    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in INTEGER_QUERY and not ASCII_INT.fullmatch(value):
            return name
        if name in NUMBER_QUERY and not ASCII_NUMBER.fullmatch(value):
            return name
    return None


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    location: Literal["path", "query"]
    kind: type[int] | type[str]
    description: str
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    example: Any = None

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.kind is int else "string"}
        for key, value in (("minimum", self.minimum), ("maximum", self.maximum), ("pattern", self.pattern)):
            if value is not None:
                schema[key] = value
        return schema

    def openapi(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name, "in": self.location, "required": self.required,
                                 "description": self.description, "schema": self.schema()}  # fmt: skip
        if self.example is not None:
            entry["example"] = self.example
        return entry

    def parse(self, raw: str | None) -> Any:
        if raw is None:
            if self.required:
                raise invalid(self.name, f"{self.name}: field required")
            return None
        if self.kind is int:
            try:
                if not ASCII_INT.fullmatch(raw):  # int() also takes "٢٠٢٥", "2_025", " +2025 "
                    raise ValueError(raw)
                value: Any = int(raw)
            except ValueError:
                raise invalid(self.name, f"{self.name}: expected an integer, got {raw[:20]!r}") from None
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise invalid(self.name, f"{self.name}: must be between {self.minimum} and {self.maximum}")
            return value
        if self.pattern is not None and not re.fullmatch(self.pattern, raw):
            raise invalid(self.name, f"{self.name}: does not match {self.pattern}")
        return raw


def read(request: Request, params: tuple[Param, ...]) -> dict[str, Any]:
    query = request.query_params
    path = request.path_params
    return {p.name: p.parse(path.get(p.name) if p.location == "path" else query.get(p.name)) for p in params}


def documented(params: tuple[Param, ...]) -> list[dict[str, Any]]:
    """The OpenAPI parameters of a route that reads them with ``read`` (``documented.operation``)."""
    return [p.openapi() for p in params]


GAME_ID = Param("game_id", "path", str, "nflverse game id, e.g. 2024_01_BAL_KC", required=True,
                pattern=r"^\d{4}_\d{2}_[A-Z]{2,3}_[A-Z]{2,3}$", example="2025_13_ARI_DET")  # fmt: skip
SEASON = Param("season", "query", int, "season (year it starts)", required=True, minimum=1999, maximum=2100,
               example=2025)  # fmt: skip
WEEK = Param("week", "query", int, "week of the season (playoffs continue the count)", required=True, minimum=1,
             maximum=22, example=13)  # fmt: skip
INCLUDE = Param("include", "query", str, "comma-separated sections to return: experts, ml, props, totals, "
                "embedding (the 32-float matchup vector, only when asked for); default all but embedding",
                example="experts,ml")  # fmt: skip
EXPERTS = Param("experts", "query", str, "comma-separated expert names (see GET /v1/experts/leaderboard); "
                "default every expert", example="market_aware,consensus")  # fmt: skip
FIELDS = Param("fields", "query", str, "comma-separated top-level fields to keep, e.g. game_id,ml; "
               "prediction_count is always kept", example="game_id,ml")  # fmt: skip


# The same parameters as FastAPI annotations, for the routes that let FastAPI read them.
GameId = Annotated[
    str, Path(pattern=GAME_ID.pattern, description=GAME_ID.description, examples=[GAME_ID.example])
]
Season = Annotated[int, Query(ge=SEASON.minimum, le=SEASON.maximum, description=SEASON.description,
                              examples=[SEASON.example])]  # fmt: skip
