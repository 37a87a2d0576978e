"""Database category: the read path's main queries and the vector search, each beside a reference.

Main queries (stored predictions of a week, the API-key lookup, a week's games) are measured beside
``SELECT 1`` over the same connection: the round-trip floor no query can beat, so the ratio is what
the query itself costs. The similar-matchups search (HNSW index) is measured beside the exact
sequential scan (``vectors.search.exact_matchups``), with recall@k of the index against it.
Query counts come from ``Database.stats``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from nfl_predictor.benchmarking.context import BenchContext, profile_calls
from nfl_predictor.benchmarking.result import Measurement, Reference
from nfl_predictor.benchmarking.stats import from_ns
from nfl_predictor.benchmarking.timing import pooled, sample_interleaved
from nfl_predictor.db.queries import health, predictions, vectors

K = 10


def _rounds(ctx: BenchContext) -> tuple[int, int]:
    return ctx.pick((10, 50), (5, 20), (2, 10))


def _measure(ctx: BenchContext, name: str, title: str, project: Callable[[], object], reference: Callable[[], object],
             reference_label: str, target: str = "") -> Measurement:  # fmt: skip
    assert ctx.stack is not None
    ctx.progress.begin(name)
    samples = sample_interleaved({"project": project, "reference": reference}, *_rounds(ctx), warmup=5,
                                 on_round=ctx.progress.rounds)  # fmt: skip
    peak, queries = profile_calls(project, ctx.stack.db, calls=3)
    ctx.progress.end()
    return Measurement(name, title, "ms", from_ns(pooled(samples["project"]), "ms"),
                       Reference(reference_label, from_ns(pooled(samples["reference"]), "ms")), target=target,
                       peak_memory_bytes=peak, queries_per_call=queries)  # fmt: skip


def ensure_stored_week(ctx: BenchContext, season: int, week: int) -> int:
    """Stored predictions for the week (what cache-warm writes), computed once if there are none."""
    assert ctx.stack is not None
    db = ctx.stack.db
    have = predictions.count_in_week(db, season, week)
    if have:
        return have
    from nfl_predictor.cache import CacheManager
    from nfl_predictor.service.predictions import PredictionService
    from nfl_predictor.service.training import ParamsProvider
    from nfl_predictor.vectors.embedder import make_embedder

    PredictionService(db, CacheManager(None), ParamsProvider(db), make_embedder("hashing")).week(season, week)
    return predictions.count_in_week(db, season, week)


def query_embeddings(ctx: BenchContext, count: int) -> list[Any]:
    assert ctx.stack is not None
    return vectors.sample_embeddings(ctx.stack.db, count)


def recall_at_k(ctx: BenchContext, embeddings: list[Any]) -> float:
    from nfl_predictor.vectors.search import exact_matchups, similar_matchups

    assert ctx.stack is not None
    db = ctx.stack.db
    found = []
    for embedding in embeddings:
        exact = {game for game, _ in exact_matchups(db, embedding, K)}
        approx = {row["game_id"] for row in similar_matchups(db, embedding, K)}
        found.append(len(exact & approx) / K)
    return round(sum(found) / len(found), 4)


def uses_hnsw(ctx: BenchContext, embedding: Any) -> bool:
    """Whether the planner really chooses the HNSW index (on a tiny table a scan can be cheaper)."""
    assert ctx.stack is not None
    return vectors.planner_uses_hnsw(ctx.stack.db, embedding, K)


def run(ctx: BenchContext) -> list[Measurement]:
    from nfl_predictor.service import league
    from nfl_predictor.service.accounts import find_principal
    from nfl_predictor.vectors.search import exact_matchups, similar_matchups

    if ctx.stack is None:
        raise ValueError("the database category needs a stack (a database to query)")
    db, key = ctx.stack.db, ctx.stack.key
    season, week = ctx.stack.upcoming_weeks()[0]
    stored = ensure_stored_week(ctx, season, week)

    def floor() -> None:
        health.ping(db)

    results = [
        _measure(ctx, "database.stored_week", "stored predictions of a week (season, week, type)",
                 lambda: predictions.week_payloads(db, season, week, prediction_type="full"), floor, "SELECT 1"),
        _measure(ctx, "database.api_key_lookup", "API key lookup", lambda: find_principal(db, key), floor,
                 "SELECT 1"),
        _measure(ctx, "database.week_games", "a week's games", lambda: league.week_games(db, season, week), floor,
                 "SELECT 1"),
    ]  # fmt: skip
    results[0].details.update(rows=stored, season=season, week=week)
    embeddings = query_embeddings(ctx, ctx.pick(20, 10, 5))
    if embeddings:
        cycle = itertools.cycle(embeddings)
        current = [embeddings[0]]

        def approx() -> object:
            current[0] = next(cycle)
            return similar_matchups(db, current[0], K)

        search = _measure(ctx, "database.similar_matchups", f"similar matchups, HNSW, k={K}", approx,
                          lambda: exact_matchups(db, current[0], K), "exact scan")  # fmt: skip
        search.details.update(recall_at_k=recall_at_k(ctx, embeddings), k=K, queries=len(embeddings),
                              index_chosen_by_planner=uses_hnsw(ctx, embeddings[0]),
                              vectors=vectors.count_embeddings(db))  # fmt: skip
        search.note = f"recall@{K} {search.details['recall_at_k']:.3f}"
        results.append(search)
    return results
