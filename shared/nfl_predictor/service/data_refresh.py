"""Keep the database current with nflverse: fetch, ingest atomically, retrain, grade, warm.

One refresh: every source is fetched (HTTP(S) with a deadline, or a local file) and parsed whole
before anything is written; files whose bytes were loaded before are skipped by hash; the rest are
written in ONE transaction holding an advisory lock (a second refresh at the same time skips, one
after it finds nothing new). A truncated, malformed or missing file therefore changes nothing. Only
when the finished games' results changed is the model retrained; then finished games are graded
and the next week warmed. Used by ``nfl-predictor update-data``, the data Lambda and ``serve``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from nfl_predictor.config import Settings
from nfl_predictor.data.download import download
from nfl_predictor.data.ingest import ParsedFile, claim_source, parse_file, sniff_kind, write_parsed
from nfl_predictor.data.nflverse import NflverseFormatError, open_text
from nfl_predictor.db import Database
from nfl_predictor.db.queries import data_source as source_queries
from nfl_predictor.service.grading import grade_pending
from nfl_predictor.service.training import train_and_store
from nfl_predictor.vectors.embedder import Embedder

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Source:
    location: str  # an http(s) URL or a local path
    kind: str | None = None  # games / team-stats / player-stats; None: read from the file's header


class Warmer(Protocol):
    def warm_week(self, season: int | None = None, week: int | None = None, *, force: bool = False
                  ) -> dict[str, Any]: ...  # fmt: skip


class Rechecks(Protocol):
    def recheck(self) -> None: ...


def current_season(today: dt.date | None = None) -> int:
    """An NFL season starts in September and ends in February: January and February belong to the
    season before."""
    today = today or dt.date.today()
    return today.year if today.month >= 3 else today.year - 1


def default_sources(settings: Settings, season: int | None = None) -> list[Source]:
    year = season or settings.data_season or current_season()
    return [
        Source(settings.nflverse_games_url.format(season=year), "games"),
        Source(settings.nflverse_team_stats_url.format(season=year), "team-stats"),
        Source(settings.nflverse_player_stats_url.format(season=year), "player-stats"),
    ]


def _fetch(source: Source, work: Path, index: int, settings: Settings) -> Path:
    if not source.location.startswith(("http://", "https://")):
        return Path(source.location)
    name = Path(urlparse(source.location).path).name or "download.csv"
    return download(source.location, work / f"{index}-{name}", timeout_s=settings.data_download_timeout_s,
                    deadline_s=settings.data_download_deadline_s,
                    max_bytes=settings.data_max_download_bytes)  # fmt: skip


def _kind_of(path: Path, given: str | None) -> str:
    if given:
        return given
    _source, handle = open_text(path)
    with handle:
        header = handle.readline().strip().split(",")
    kind = sniff_kind(header)
    if kind is None:
        raise NflverseFormatError(str(path), 1, "not an nflverse games, team-stats or player-stats file")
    return kind


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_files(db: Database, sources: Sequence[Source], settings: Settings, *, say: Say | None = None
               ) -> dict[str, Any]:  # fmt: skip
    """Fetch, parse and write ``sources`` atomically; the report says what changed."""
    note = say or (lambda _m: None)
    report: dict[str, Any] = {"status": "unchanged", "files": [], "skipped": [], "results_changed": False}
    with tempfile.TemporaryDirectory(prefix="nflp-data-") as tmp:
        parsed: list[tuple[ParsedFile, str, Source]] = []
        for index, source in enumerate(sources):
            path = _fetch(source, Path(tmp), index, settings)
            kind = _kind_of(path, source.kind)
            sha = _sha256(path)
            if source_queries.already_loaded(db, kind, sha):
                report["skipped"].append(source.location)
                continue
            note(f"reading {kind}: {source.location}")
            parsed.append((parse_file(kind, path), sha, source))
        if not parsed:
            return report
        before = source_queries.results_fingerprint(db)
        with db.transaction() as tx:
            if not source_queries.try_refresh_lock(tx):
                report["status"] = "busy"  # another refresh is writing; it (or the next run) loads these
                return report
            claim_source(tx, "nflverse")
            for item, sha, source in parsed:
                written = write_parsed(tx, item)
                source_queries.record_load(tx, item.kind, sha, source.location, written.rows)
                report["files"].append({"kind": item.kind, "source": source.location, "rows": written.rows,
                                        "inserted": written.inserted, "updated": written.updated})  # fmt: skip
                note(f"{item.kind}: {written.rows} rows ({written.inserted} new, {written.updated} changed)")
    report["status"] = "loaded"
    report["results_changed"] = source_queries.results_fingerprint(db) != before
    return report


def grade_all(db: Database, embedder: Embedder, season: int | None = None) -> int:
    graded = 0
    while batch := grade_pending(db, embedder, season=season, limit=64):
        graded += batch
    return graded


def refresh(db: Database, embedder: Embedder, sources: Sequence[Source], settings: Settings, *,
            warmer: Warmer | None = None, params: Rechecks | None = None, say: Say | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """``load_files``, then: retrain when results changed (or no model exists), grade, warm."""
    from nfl_predictor.service.training import active_version

    started = time.perf_counter()
    note = say or (lambda _m: None)
    report = load_files(db, sources, settings, say=say)
    report.update(retrained=None, graded=0, warmed=None)
    if report["status"] == "busy":
        return report
    if report["results_changed"] or (report["files"] and active_version(db) is None):
        trained = train_and_store(db, on_progress=on_progress)
        report["retrained"] = trained.model_version
        note(f"trained model {trained.model_version} on {trained.games_trained} games")
        if params is not None:
            params.recheck()
    if active_version(db) is not None:
        report["graded"] = grade_all(db, embedder)
        if warmer is not None and report["files"]:
            warmed = warmer.warm_week()
            report["warmed"] = {k: warmed.get(k) for k in ("season", "week", "games", "computed", "cached")}
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
