"""Field selection over a game's document: include=sections, experts=names, fields=top-level keys.

The same view applies to a game and to every game of a week. ``embedding`` is not in the document
(documents.py); a view that names it (``include=embedding`` or ``fields=embedding``) gets it added
from the stored column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from nfl_predictor.service.documents import expert_prediction_count

SECTIONS = ("embedding", "experts", "ml", "props", "totals")
TOP_LEVEL_FIELDS = ("game_id", "season", "week", "home_team", "away_team", "model_version", "ml", "experts",
                    "expert_lines", "props", "totals", "embedding", "prediction_count",
                    "prediction_breakdown")  # fmt: skip


class ViewError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _split(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(sorted({part.strip() for part in raw.split(",") if part.strip()}))


@dataclass(frozen=True, slots=True)
class ViewSpec:
    include: tuple[str, ...] | None = None
    experts: tuple[str, ...] | None = None
    fields: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, include: str | None, experts: str | None, fields: str | None) -> ViewSpec:
        spec = cls(_split(include), _split(experts), _split(fields))
        spec._check("include", spec.include, SECTIONS)
        if spec.experts is not None:
            from nfl_predictor.engine.experts import (
                EXPERT_NAMES,  # numpy: loaded on first use, not at start-up
            )

            spec._check("experts", spec.experts, EXPERT_NAMES)
        spec._check("fields", spec.fields, TOP_LEVEL_FIELDS)
        return spec

    @staticmethod
    def _check(name: str, values: tuple[str, ...] | None, allowed: tuple[str, ...] | list[str]) -> None:
        if values is None:
            return
        if not values:
            raise ViewError(name, f"{name}: give at least one value")
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ViewError(
                name, f"{name}: unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )

    @property
    def wants_embedding(self) -> bool:
        return "embedding" in (self.include or ()) or "embedding" in (self.fields or ())

    @property
    def is_full(self) -> bool:
        return self.include is None and self.experts is None and self.fields is None

    def key_params(self) -> dict[str, str]:
        """Canonical cache-key parameters: order and duplicates in the query do not make new keys."""
        out = {}
        for name in ("include", "experts", "fields"):
            values = getattr(self, name)
            if values is not None:
                out[name] = ",".join(values)
        return out


def render_view(payload: dict[str, Any], view: ViewSpec, embedding: list[float] | None = None) -> bytes:
    out = dict(payload)
    if view.wants_embedding and embedding is not None:
        out["embedding"] = embedding
    breakdown = dict(payload.get("prediction_breakdown") or {})
    if view.include is not None:
        for section in SECTIONS:
            if section not in view.include:
                out.pop(section, None)
                breakdown.pop(section, None)
        if "experts" not in view.include:
            out.pop("expert_lines", None)
    if view.experts is not None and "experts" in out:
        wanted = set(view.experts)
        out["experts"] = [e for e in out["experts"] if e["expert"] in wanted]
        breakdown["experts"] = expert_prediction_count(out["experts"])
    out["prediction_breakdown"] = breakdown
    out["prediction_count"] = sum(breakdown.values())
    if view.fields is not None:
        keep = set(view.fields) | {"prediction_count"}
        out = {k: v for k, v in out.items() if k in keep}
    # prediction_count first: readers (and count_of) find it without scanning the body.
    ordered = {"prediction_count": out.pop("prediction_count"), **out}
    return orjson.dumps(ordered)
