"""Make a local database ready to serve: demo data when empty, a trained model, history, a warm week."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from nfl_predictor.db import Database
from nfl_predictor.db.queries import games as game_queries
from nfl_predictor.runtime import Runtime

RECENT_BACKFILL_WEEKS = 4


def prepare(runtime: Runtime, *, seed: str | None, say: Callable[[str], None]) -> None:
    """``seed``: "snapshot" (real nflverse data, the default), "demo" (the synthetic league) or None;
    it is loaded only into an empty database."""
    from nfl_predictor.cli.support import TerminalProgress
    from nfl_predictor.data.ingest import database_is_empty, load_demo_league
    from nfl_predictor.service.training import active_version, train_and_store

    db = runtime.db
    seeded = False
    if seed and database_is_empty(db):
        if seed == "demo":
            say(load_demo_league(db).line())
        else:
            load_snapshot(runtime, say)
        seeded = True
    if database_is_empty(db):
        return
    if active_version(db) is None:
        with TerminalProgress("train", "step") as progress:
            report = train_and_store(db, on_progress=progress)
        say(f"trained model {report.model_version} on {report.games_trained} games")
    if seeded:
        backfill_latest(runtime, say, recent_only=seed == "demo")


def load_snapshot(runtime: Runtime, say: Callable[[str], None]) -> None:
    from nfl_predictor.service.data_refresh import Source, load_files

    from nfl_predictor_dev.snapshot import snapshot_paths

    say("loading the nflverse snapshot (real games 1999-2025, CC BY 4.0 nflverse); the first start trains "
        "and backfills the latest season, which takes a few minutes")  # fmt: skip
    sources = [Source(str(path), kind) for kind, path in snapshot_paths().items()]
    load_files(runtime.db, sources, runtime.settings, say=say)


def backfill_latest(runtime: Runtime, say: Callable[[str], None], *, recent_only: bool) -> None:
    """Walk-forward predictions for the latest season's played weeks, graded: the leaderboard and
    betting history then show honest figures. The demo league takes only its last few weeks."""
    from nfl_predictor.cli.support import TerminalProgress
    from nfl_predictor.service.backfill import backfill_season

    played = game_queries.last_played_week(runtime.db)
    if played is None:  # the demo league always has played weeks; a hand-made one may not
        return
    season, last = played
    weeks = list(range(max(1, last - RECENT_BACKFILL_WEEKS + 1), last + 1)) if recent_only else None
    with TerminalProgress(f"backfill {season}", "week") as progress:
        history = backfill_season(runtime.db, runtime.embedder, season, weeks=weeks, on_progress=progress)
    say(f"backfilled {history['games_stored']} {season} games walk-forward, graded {history['games_graded']} "
        f"({history['seconds']}s)")  # fmt: skip


def warm_next_week(runtime: Runtime, say: Callable[[str], None]) -> tuple[int, int] | None:
    """Warm the next week with unplayed games; returns its (season, week)."""
    report = runtime.predictions.warm_week()
    if not report.get("week"):
        return None
    say(f"warmed {report['season']} week {report['week']}: {report['games']} games "
        f"({report['computed']} computed) in {report['seconds']}s")  # fmt: skip
    return int(report["season"]), int(report["week"])


def demo_key(db: Database, data_dir: Path) -> str:
    """The local demo key: reused while it still works, otherwise created (stored 0600 beside the data)."""
    from nfl_predictor.service.accounts import create_api_key, find_principal

    path = data_dir / "demo-api-key"
    if path.exists():
        key = path.read_text().strip()
        if key and find_principal(db, key) is not None:
            return key
    key = create_api_key(db, name="local demo", tier="enterprise", admin=True).key
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
