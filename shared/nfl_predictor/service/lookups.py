"""Read-through queries behind the smaller routes: schedule, similar games, search, leaderboard."""

from __future__ import annotations

from typing import Any

from nfl_predictor.cache import CacheManager
from nfl_predictor.db import Database
from nfl_predictor.engine import matchup_embeddings
from nfl_predictor.records import untyped
from nfl_predictor.service import cache_keys, league
from nfl_predictor.service.errors import GameNotFound
from nfl_predictor.service.grading import leaderboard
from nfl_predictor.service.leaderboard import LeaderboardQuery, rank_leaderboard
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
