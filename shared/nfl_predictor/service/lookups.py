"""Read-through queries behind the smaller routes: schedule, similar games, search, leaderboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nfl_predictor.cache import CacheManager
from nfl_predictor.db import Database
from nfl_predictor.engine import matchup_embeddings
from nfl_predictor.records import untyped
from nfl_predictor.service import cache_keys, league
from nfl_predictor.service.errors import GameNotFound
from nfl_predictor.service.grading import leaderboard
from nfl_predictor.service.served import Served, read_through
from nfl_predictor.service.training import ParamsProvider
from nfl_predictor.vectors.embedder import Embedder
from nfl_predictor.vectors.search import search_content, similar_matchups


class LookupService:
    def __init__(self, db: Database, cache: CacheManager, params: ParamsProvider, embedder: Embedder) -> None:
        self.db = db
        self.cache = cache
        self.params = params
        self.embedder = embedder

    def schedule(self, season: int, week: int | None) -> Served:
        def produce() -> dict[str, Any]:
            games = league.schedule(self.db, season, week)
            if not games:
                where = f"season {season}" + (f" week {week}" if week else "")
                raise GameNotFound(f"no games in {where}", "week" if week else "season")
            return {"season": season, "week": week, "games": games}

        return read_through(self.cache, cache_keys.schedule(season, week), produce, produced="db")

    def similar(self, game_id: str, k: int) -> Served:
        params = self.params.get()

        def produce() -> dict[str, Any]:
            game = league.get_game(self.db, game_id)
            if game is None:
                raise GameNotFound(f"no game {game_id}", "game_id")
            embedding = matchup_embeddings(params, untyped([game]))[0]
            rows = similar_matchups(self.db, embedding, k, exclude_game_id=game_id, before=game["gameday"])
            return {"game_id": game_id, "k": k, "model_version": params.model_version, "similar": rows}

        key = cache_keys.similar(game_id, k, params.model_version)
        return read_through(self.cache, key, produce, produced="db")

    def search(self, q: str, source: str, k: int, threshold: float) -> Served:
        text = " ".join(q.split())

        def produce() -> dict[str, Any]:
            vector = self.embedder.embed([text])[0]
            results = search_content(self.db, vector, source=source, k=k, threshold=threshold)
            return {"query": text, "source": source, "embedder": self.embedder.name, "results": results}

        return read_through(self.cache, cache_keys.search(text, source, k, threshold), produce, produced="db")

    def leaderboard(self, season: int | None, query: LeaderboardQuery | None = None) -> Served:
        query = query or LeaderboardQuery()

        def produce() -> dict[str, Any]:
            return {"season": season, **rank_leaderboard(leaderboard(self.db, season), query)}

        return read_through(self.cache, cache_keys.leaderboard(season, query.key_params()), produce,
                            produced="db")  # fmt: skip


# Metric -> whether larger is better (the default order: best first).
LEADERBOARD_METRICS = {"accuracy": True, "units": True, "bets": True, "n": True, "brier": False, "mae": False}


@dataclass(frozen=True, slots=True)
class LeaderboardQuery:
    """Sort by one metric (best first unless ``order`` says otherwise), keep one category, one page."""

    sort: str = "accuracy"
    order: str | None = None  # "asc" | "desc"; None: best first for the metric
    category: str | None = None
    limit: int = 50
    offset: int = 0

    def key_params(self) -> dict[str, Any]:
        return {"sort": self.sort, "order": self.order, "category": self.category, "limit": self.limit,
                "offset": self.offset}  # fmt: skip

    def descending(self) -> bool:
        return LEADERBOARD_METRICS[self.sort] if self.order is None else self.order == "desc"


def rank_leaderboard(experts: list[dict[str, Any]], query: LeaderboardQuery) -> dict[str, Any]:
    """Filter to a category (each expert's figures become that category's), sort (experts without the
    metric last), then page. Every row keeps its per-category breakdown."""
    rows = [
        row for row in (_leaderboard_row(expert, query.category) for expert in experts) if row is not None
    ]
    present = [r for r in rows if r.get(query.sort) is not None]
    absent = [r for r in rows if r.get(query.sort) is None]
    present.sort(key=lambda r: (r[query.sort], r["expert"]), reverse=query.descending())
    ordered = present + sorted(absent, key=lambda r: r["expert"])
    page = ordered[query.offset : query.offset + query.limit]
    following = query.offset + len(page)
    return {"category": query.category, "sort": query.sort, "order": "desc" if query.descending() else "asc",
            "total": len(ordered), "limit": query.limit, "offset": query.offset,
            "next_offset": following if following < len(ordered) else None, "experts": page}  # fmt: skip


def _leaderboard_row(expert: dict[str, Any], category: str | None) -> dict[str, Any] | None:
    """One expert's row: its overall figures, or one category's (None when it has no such bets)."""
    categories = expert["categories"]
    if category is None:
        row = {k: v for k, v in expert.items() if k != "categories"}
    else:
        categories = [c for c in categories if c["category"] == category]
        if not categories:
            return None
        only = categories[0]
        row = {"season": expert["season"], "expert": expert["expert"], "n": only["n"],
               "accuracy": _round(only.get("accuracy")), "units": round(float(only.get("units") or 0.0), 2),
               "bets": only.get("bets") or 0}  # fmt: skip
    row["brier"] = _round(next((c.get("brier") for c in categories if c.get("brier") is not None), None))
    row["mae"] = _weighted_mae(categories)
    row["categories"] = categories
    return row


def _weighted_mae(categories: list[dict[str, Any]]) -> float | None:
    weighted = [(c["mae"], c["n"]) for c in categories if c.get("mae") is not None and c["n"]]
    return _round(sum(m * n for m, n in weighted) / sum(n for _, n in weighted)) if weighted else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)
