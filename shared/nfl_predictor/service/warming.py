"""Cache warming: predictions for a week computed, stored (with expert research) and put in Redis.

Idempotent: games whose stored predictions are fresh are not recomputed, entries already cached
are not rewritten, so a second run changes nothing. Self-repairing: "fresh" means complete, so a
game stored without its research notes or reasoning embedding (a run that died half-way) gets
them from its stored body on the next run, without ``--force``. Safe to overlap: the research and
grading writes take turns per game (see db/queries), so two runs at once leave one run's rows.
Also grades finished games that have stored predictions but no betting-history rows yet.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import orjson

from nfl_predictor.db.queries import predictions as prediction_queries
from nfl_predictor.db.queries.research import ResearchNote, replace_research
from nfl_predictor.service import cache_keys, league
from nfl_predictor.service.cache_keys import GAME_NS
from nfl_predictor.service.documents import expert_rows
from nfl_predictor.service.grading import grade_pending
from nfl_predictor.vectors.embedder import Embedder

if TYPE_CHECKING:
    from nfl_predictor.db import Database
    from nfl_predictor.service.predictions import PredictionService

PREDICTION_TYPE = "full"  # the predictions row a game's full payload is stored under
RESEARCH_TYPE = "game_preview"
# A stored prediction within this long of expiring is refreshed now rather than left to lapse.
FRESH_MARGIN = dt.timedelta(minutes=30)


def fresh_game_ids(db: Database, game_ids: list[str], version: str) -> set[str]:
    return prediction_queries.fresh_game_ids(db, game_ids, prediction_type=PREDICTION_TYPE, model_version=version,
                                             margin=FRESH_MARGIN)  # fmt: skip


def store_research(db: Database, embedder: Embedder, bodies: dict[str, bytes]) -> int:
    """One research note per expert per game (its reasoning across categories), embedded for search,
    plus the text embedding of each prediction's reasoning summary."""
    notes: list[ResearchNote] = []
    for game_id, body in bodies.items():
        payload = orjson.loads(body)
        by_expert: dict[str, list[dict[str, Any]]] = {}
        for item in expert_rows(payload):  # documents.py: stored grouped by expert
            by_expert.setdefault(item["expert"], []).append(item)
        title = f"{payload['away_team']} at {payload['home_team']}"
        for expert, items in by_expert.items():
            lines = [f"{i['category']}: {i['value']} ({i['reasoning']})" for i in items[:10]]
            notes.append({"expert_id": expert, "game_id": game_id, "content": f"{title}. " + " ".join(lines),
                          "metadata": orjson.dumps({"categories": len(items), "model_version": payload["model_version"]}).decode(),
                          "relevance_score": round(sum(float(i.get("confidence", 0.5)) for i in items) / len(items), 4),
                          "embedding": None})  # fmt: skip
    if not notes:
        return 0
    for note, vector in zip(notes, embedder.embed([n["content"] for n in notes]), strict=True):
        note["embedding"] = vector
    reasoning = prediction_queries.reasoning_texts(db, list(bodies), prediction_type=PREDICTION_TYPE)
    reasoning_vectors = embedder.embed([text or "" for _, text in reasoning])
    with db.transaction() as tx:
        replace_research(tx, list(bodies), RESEARCH_TYPE, notes)
        prediction_queries.set_reasoning_embeddings(
            tx, [(game_id, reasoning_vectors[i]) for i, (game_id, _) in enumerate(reasoning)],
            prediction_type=PREDICTION_TYPE,
        )  # fmt: skip
    return len(notes)


def target_week(db: Database, season: int | None, week: int | None) -> tuple[int, int] | None:
    if season is not None and week is not None:
        return season, week
    upcoming = league.upcoming_weeks(db, limit=1)
    return upcoming[0] if upcoming else None


def cache_stored(service: PredictionService, game_ids: list[str], version: str) -> int:
    """Fresh games not in the cache (another process stored them, or Redis restarted): cache their
    stored bodies. Returns how many were cached."""
    cached = service.cache.get_many(GAME_NS, cache_keys.games(game_ids, version)) if game_ids else []
    uncached = [gid for gid, entry in zip(game_ids, cached, strict=True) if entry is None]
    stored = service.stored_bodies(uncached, version) if uncached else {}
    service.cache_bodies(stored, version)
    return len(stored)


def repair_incomplete(service: PredictionService, fresh: set[str], version: str) -> dict[str, int]:
    """Stored games a run died on before their research and embeddings: finish the job now."""
    incomplete = sorted(fresh - prediction_queries.complete_game_ids(
        service.db, sorted(fresh), prediction_type=PREDICTION_TYPE, research_type=RESEARCH_TYPE)) if fresh else []  # fmt: skip
    if not incomplete:
        return {"games": 0, "research_notes": 0}
    bodies = service.stored_bodies(incomplete, version)
    return {"games": len(bodies), "research_notes": store_research(service.db, service.embedder, bodies)}


def warm_week(service: PredictionService, season: int | None = None, week: int | None = None, *,
              force: bool = False) -> dict[str, Any]:  # fmt: skip
    """Grade what finished, then compute, store (with research) and cache the week's games; the
    whole-week document is rebuilt from the per-game entries. Default week: the next unplayed one."""
    started = time.perf_counter()
    db, cache = service.db, service.cache
    report: dict[str, Any] = {"season": season, "week": week, "games": 0, "computed": 0, "skipped_fresh": 0,
                              "repaired": 0, "cached": 0, "research_notes": 0, "graded_games": 0}  # fmt: skip
    report["graded_games"] = grade_pending(db, service.embedder)
    target = target_week(db, season, week)
    if target is None:
        report["seconds"] = round(time.perf_counter() - started, 3)
        return report
    report["season"], report["week"] = target
    games = league.week_games(db, *target)
    if not games and season is not None:
        raise LookupError(f"no games in season {target[0]} week {target[1]}")
    version = service.params.get().model_version
    ids = [g["game_id"] for g in games]
    fresh = set() if force else fresh_game_ids(db, ids, version)
    from nfl_predictor.service.predictions import started as has_started

    # Started games are left alone: their history is what was stored before kickoff (or backfilled).
    stale = [g for g in games if g["game_id"] not in fresh and not has_started(g)]
    computed = service.compute_batched(stale, cache_version=version) if stale else {}
    report["computed"], report["skipped_fresh"], report["games"] = len(computed), len(fresh), len(games)
    report["research_notes"] = store_research(db, service.embedder, computed) if computed else 0
    repaired = repair_incomplete(service, fresh, version)
    report["research_notes"] += repaired["research_notes"]
    report["repaired"] = repaired["games"]
    report["skipped_fresh"] -= repaired["games"]

    report["cached"] = len(computed) + cache_stored(
        service, [gid for gid in ids if gid not in computed], version
    )
    if report["cached"]:
        cache.delete(*cache_keys.week(target[0], target[1], version))
    service.week(*target)  # the whole-week document, assembled from the per-game entries just cached
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
