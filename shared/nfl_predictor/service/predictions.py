"""The read path: L1 -> Redis -> stored predictions in Postgres -> compute and write through.

Cached values are the final response bytes. A game's full payload is cached under
``predictions``; filtered views (include/experts/fields) are cached under ``prediction_views``
built from it; a whole week is cached under ``week_predictions`` as the bytes of one JSON document
assembled from per-game bodies without re-parsing them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson

from nfl_predictor.cache import CacheEntry, CacheManager
from nfl_predictor.db import Database
from nfl_predictor.db.queries import predictions as prediction_queries
from nfl_predictor.engine import ModelParams, matchup_embeddings, predict_week
from nfl_predictor.records import GameRecord, PredictionRow, untyped, untyped_groups
from nfl_predictor.service import cache_keys, league
from nfl_predictor.service.cache_keys import GAME_NS, CacheKey
from nfl_predictor.service.documents import expert_rows, to_document
from nfl_predictor.service.errors import GameNotFound
from nfl_predictor.service.served import Produced, Served, Source, read_through, tier_source
from nfl_predictor.service.training import ParamsSource
from nfl_predictor.service.views import ViewSpec, render_view
from nfl_predictor.service.warming import PREDICTION_TYPE, warm_week
from nfl_predictor.vectors.embedder import Embedder
from nfl_predictor.vectors.search import analogs_for_games

# Stored predictions of games not yet played are recomputed after this long (news, QB changes).
UPCOMING_EXPIRY = dt.timedelta(hours=6)
ANALOGS_K = 10


@dataclass
class WorkStats:
    """For /v1/performance: predictions served and how busy the week-level workers are."""

    predictions_served: int = 0
    computed_games: int = 0
    workers_busy: int = 0
    workers_peak: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self) -> None:
        with self._lock:
            self.workers_busy += 1
            self.workers_peak = max(self.workers_peak, self.workers_busy)

    def leave(self) -> None:
        with self._lock:
            self.workers_busy -= 1


def count_in(body: bytes) -> int:
    """prediction_count from a game's or week's JSON bytes, without parsing them."""
    start = body.find(b'"prediction_count":')
    if start < 0:
        return 0
    digits = body[start + 19 : start + 40].lstrip()  # jsonb text puts a space after the colon
    return int(digits[: len(digits) - len(digits.lstrip(b"0123456789"))] or b"0")


class PredictionService:
    def __init__(self, db: Database, cache: CacheManager, params: ParamsSource, embedder: Embedder, *,
                 batch_size: int = 8, max_workers: int = 4) -> None:  # fmt: skip
        self.db = db
        self.cache = cache
        self.params = params
        self.embedder = embedder
        self.batch_size = batch_size
        self.max_workers = max_workers
        self.stats = WorkStats()
        self._counts: dict[str, int] = {}

    # -- counts without parsing bodies on the hit path ------------------------------------------

    def count_of(self, entry: CacheEntry) -> int:
        count = self._counts.get(entry.etag)
        if count is None:
            count = count_in(entry.identity_body())
            if len(self._counts) > 10_000:
                self._counts.clear()
            self._counts[entry.etag] = count
        return count

    # -- the hit path: cache only, no database, no computation ---------------------------------

    def _cached(self, key: CacheKey) -> Served | None:
        entry = self.cache.get(key.namespace, key.params)
        if entry is None:
            return None
        return self._counted(Served(entry, tier_source(entry)))

    def cached_game(self, game_id: str, view: ViewSpec | None = None) -> Served | None:
        version = self.params.loaded_version()
        if version is None:
            return None
        if view is None or view.is_full:
            return self._cached(cache_keys.game(game_id, version))
        return self._cached(cache_keys.view(game_id, version, view.key_params()))

    def cached_week(self, season: int, week: int, view: ViewSpec | None = None) -> Served | None:
        version = self.params.loaded_version()
        return (
            None
            if version is None
            else self._cached(cache_keys.week(season, week, version, _selection(view)))
        )

    # -- one game --------------------------------------------------------------------------------

    def game(self, game_id: str, view: ViewSpec | None = None) -> Served:
        version = self.params.get().model_version
        if view is None or view.is_full:
            served = self._full_game(game_id, version)
        else:

            def produce() -> Produced:
                full = self._full_game(game_id, version)
                embedding = self.embeddings([game_id], version).get(game_id) if view.wants_embedding else None
                # X-Cache says what happened to this response: a view built now missed its cache, even
                # when the full game it was built from was a hit.
                source: Source = full.source if full.source in ("db", "miss") else "miss"
                return Produced(
                    render_view(orjson.loads(full.entry.identity_body()), view, embedding), source
                )

            served = read_through(self.cache, cache_keys.view(game_id, version, view.key_params()), produce)
        return self._counted(served)

    def _full_game(self, game_id: str, version: str) -> Served:
        def produce() -> Produced:
            stored = self.stored_bodies([game_id], version)
            if game_id in stored:
                return Produced(stored[game_id], "db")
            game = league.get_game(self.db, game_id)
            if game is None:
                raise GameNotFound(f"no game {game_id}", "game_id")
            if started(game):  # today's model has seen it: hindsight is never served as a prediction
                raise GameNotFound(f"no prediction for {game_id} was made before kickoff (walk-forward "
                                   "backfill fills past games)", "game_id")  # fmt: skip
            return Produced(self._compute([game])[game_id], "miss")

        return read_through(self.cache, cache_keys.game(game_id, version), produce)

    def _counted(self, served: Served) -> Served:
        """Fill in the prediction count and add it to what this process has served (once per response)."""
        served.prediction_count = self.count_of(served.entry)
        self.stats.predictions_served += served.prediction_count
        return served

    # -- a week ----------------------------------------------------------------------------------

    def week(self, season: int, week: int, view: ViewSpec | None = None) -> Served:
        """The week as one document; a view (include/experts/fields) applies to every game in it."""
        version = self.params.get().model_version

        def produce() -> Produced:
            games = league.week_games(self.db, season, week)
            if not games:
                raise GameNotFound(f"no games in season {season} week {week}", "week")
            bodies, worst = self._week_bodies(games, version)
            # A played game with no prediction made before kickoff is listed, never predicted now.
            ids = [g["game_id"] for g in games if g["game_id"] in bodies]
            unpredicted = [g["game_id"] for g in games if g["game_id"] not in bodies]
            if view is not None and not view.is_full:
                embeddings = self.embeddings(ids, version) if view.wants_embedding else {}
                bodies = {
                    gid: render_view(orjson.loads(bodies[gid]), view, embeddings.get(gid)) for gid in ids
                }
            total = sum(count_in(body) for body in bodies.values())
            head = orjson.dumps({"season": season, "week": week, "game_count": len(ids),
                                 "prediction_count": total,
                                 "games_without_prediction": unpredicted})  # fmt: skip
            games_json = b",".join(bodies[gid] for gid in ids)
            return Produced(head[:-1] + b',"games":[' + games_json + b"]}", worst)

        key = cache_keys.week(season, week, version, _selection(view))
        return self._counted(read_through(self.cache, key, produce))

    def _week_bodies(self, games: list[GameRecord], version: str) -> tuple[dict[str, bytes], Source]:
        """Each game's body (identity bytes), from the cache, else the database, else computed."""
        ids = [g["game_id"] for g in games]
        cached = self.cache.get_many(GAME_NS, cache_keys.games(ids, version))  # one MGET
        hits = {gid: e for gid, e in zip(ids, cached, strict=True) if e is not None}
        out = {gid: entry.identity_body() for gid, entry in hits.items()}
        worst: Source = max((tier_source(e) for e in hits.values()), default="l1", key=["l1", "redis"].index)
        missing = [g for g in games if g["game_id"] not in out]
        if missing:
            stored = self.stored_bodies([g["game_id"] for g in missing], version)  # one SQL query
            self.cache_bodies(stored, version)
            out.update(stored)
            worst = "db"
            # Played games are never computed now: today's model has seen them (hindsight).
            to_compute = [g for g in missing if g["game_id"] not in stored and not started(g)]
            if to_compute:
                worst = "miss"
                out.update(self.compute_batched(to_compute, cache_version=version))
        return out, worst

    def cache_bodies(self, bodies: dict[str, bytes], version: str) -> None:
        for gid, body in bodies.items():
            self.cache.set(*cache_keys.game(gid, version), body)

    # -- warming (the cache-warm schedule, the admin route and the CLI) ---------------------------

    def warm_week(self, season: int | None = None, week: int | None = None, *, force: bool = False
                  ) -> dict[str, Any]:  # fmt: skip
        """Make a week (default: the next unplayed one) ready to serve; idempotent. See warming.py."""
        return warm_week(self, season, week, force=force)

    # -- storage and computation -----------------------------------------------------------------

    def embeddings(self, game_ids: Sequence[str], version: str) -> dict[str, list[float]]:
        """The games' matchup embeddings (only views that ask for them read these)."""
        return prediction_queries.analysis_embeddings(self.db, game_ids, prediction_type=PREDICTION_TYPE,
                                                      model_version=version)  # fmt: skip

    def stored_bodies(self, game_ids: Sequence[str], version: str) -> dict[str, bytes]:
        return prediction_queries.stored_payloads(self.db, game_ids, prediction_type=PREDICTION_TYPE,
                                                  model_version=version)  # fmt: skip

    def compute_batched(
        self, games: list[GameRecord], *, cache_version: str | None = None
    ) -> dict[str, bytes]:
        """Independent batches of games, at most ``max_workers`` at once; each batch is also cached
        (by its own worker: compressing for Redis overlaps the other batches' work) when asked."""
        batches = [games[i : i + self.batch_size] for i in range(0, len(games), self.batch_size)]

        def run(batch: list[GameRecord]) -> dict[str, bytes]:
            bodies = self._compute(batch)
            if cache_version is not None:
                self.cache_bodies(bodies, cache_version)
            return bodies

        if len(batches) == 1:
            return run(batches[0])
        out: dict[str, bytes] = {}
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(batches))) as pool:
            for result in pool.map(run, batches):
                out.update(result)
        return out

    def _compute(self, games: list[GameRecord]) -> dict[str, bytes]:
        """Predict, store (write-through) and return each game's canonical body."""
        self.stats.enter()
        try:
            params = self.params.get()
            # Only games without a result are predicted and stored (and so later graded): a prediction
            # of a played game by today's model is hindsight, not history, and is never served.
            games = [g for g in games if not started(g)]
            payloads = compute_payloads(self.db, params, games) if games else []
            bodies = store_predictions(self.db, params, games, payloads)
            self.stats.computed_games += len(games)
            return bodies
        finally:
            self.stats.leave()


def _selection(view: ViewSpec | None) -> dict[str, str] | None:
    return None if view is None or view.is_full else view.key_params()


def started(game: GameRecord) -> bool:
    """The game has a result. (Not the kickoff clock: a model only learns from results, and the demo
    league's unplayed weeks have kickoffs in the past.)"""
    return game.get("home_score") is not None


def compute_payloads(db: Database, params: ModelParams, games: list[GameRecord]) -> list[dict[str, Any]]:
    teams = sorted({g[side] for g in games for side in ("home_team", "away_team")})
    season, week = min((int(g["season"]), int(g["week"])) for g in games)
    stats = league.recent_player_stats(db, teams, season, week)
    analogs = analogs_for_games(db, matchup_embeddings(params, untyped(games)), games, ANALOGS_K)
    return predict_week(params, untyped(games), player_stats=stats, analogs=untyped_groups(analogs))


def reasoning_summary(payload: dict[str, Any]) -> str:
    """A short text of the game's headline calls, embedded for semantic search over reasoning."""
    ml = payload["ml"]["core"]
    picks = [
        e for e in expert_rows(payload) if e["category"] in ("winner", "spread_pick", "total_over_under")
    ]
    lines = [f"{payload['away_team']} at {payload['home_team']}: home win probability "
             f"{ml['win_probability']:.0%}, spread {ml['spread']:+.1f}, total {ml['total']:.1f}."]  # fmt: skip
    lines += [f"{e['expert']} {e['category']}: {e['value']} ({e['reasoning']})" for e in picks[:12]]
    return " ".join(lines)


def store_predictions(db: Database, params: ModelParams, games: list[GameRecord],
                      payloads: list[dict[str, Any]]) -> dict[str, bytes]:  # fmt: skip
    """Upsert the games' predictions; returns the stored JSON text as bytes (stable ETags across tiers)."""
    now = dt.datetime.now(dt.UTC)
    rows: list[PredictionRow] = []
    if not games:
        return {}
    for game, payload in zip(games, payloads, strict=True):
        played = game.get("home_score") is not None
        rows.append({
            "game_id": game["game_id"], "season": int(game["season"]), "week": int(game["week"]),
            "prediction_type": PREDICTION_TYPE,
            # The document (documents.py): the embedding in its column only, reasoning once per expert.
            "payload": orjson.dumps(to_document(payload), option=orjson.OPT_SERIALIZE_NUMPY).decode(),
            "prediction_count": int(payload["prediction_count"]), "reasoning_text": reasoning_summary(payload),
            "analysis_embedding": "[" + ",".join(f"{v:.7g}" for v in payload["embedding"]) + "]",
            "model_version": params.model_version, "expires_at": None if played else now + UPCOMING_EXPIRY,
        })  # fmt: skip
    return prediction_queries.upsert_predictions(db, rows)
