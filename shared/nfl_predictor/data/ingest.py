"""Load nflverse files into Postgres: idempotent upserts, one transaction per file.

A whole file is read and validated before anything is written, then written in one transaction:
a bad line anywhere means nothing from that file is committed. The upserts themselves (one JSON
document per batch, typed by the table) are ``db.queries.ingest.upsert_rows``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nfl_predictor.data.nflverse import (
    GAME_COLUMNS,
    PLAYER_STAT_COLUMNS,
    TEAM_STAT_COLUMNS,
    NflverseFormatError,
    Row,
    read_records,
)
from nfl_predictor.data.teams import team_rows
from nfl_predictor.db.database import Database, Transaction
from nfl_predictor.db.queries import data_source as source_queries
from nfl_predictor.db.queries import games as game_queries
from nfl_predictor.db.queries.ingest import KICKOFF_EXPRESSION, upsert_rows
from nfl_predictor.records import GAME_FIELDS, PLAYER_STAT_NUMERIC, PlayerRecord

PLAYER_STAT_FIELDS = (
    "player_id",
    "season",
    "week",
    "season_type",
    "team",
    "opponent_team",
    *PLAYER_STAT_NUMERIC,
)


@dataclass(frozen=True, slots=True)
class IngestReport:
    source: str
    rows: int
    inserted: int
    updated: int

    def line(self) -> str:
        return f"{self.source}: {self.rows} rows ({self.inserted} new, {self.updated} updated)"


def _progress(total: int, label: str) -> Callable[[int], None]:
    """A tqdm bar on a terminal; silent otherwise (CI logs, Lambda)."""
    if not sys.stderr.isatty():
        return lambda _n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="rows", leave=False)
    return bar.update


def ensure_teams(tx: Transaction) -> None:
    upsert_rows(tx, "teams", team_rows(), columns=tuple(team_rows()[0]), key=("team_abbr",))


def _read_all(path_or_url: str | Path, columns: dict[str, Any], check: Callable[[Row], str | None] | None = None
              ) -> list[Row]:  # fmt: skip
    records = []
    for line, record in read_records(path_or_url, columns):
        problem = check(record) if check else None
        if problem:
            raise NflverseFormatError(str(path_or_url), line, problem)
        records.append(record)
    return records


def _check_game(record: Row) -> str | None:
    if record["home_team"] == record["away_team"]:
        return "home_team and away_team are the same"
    if (record["home_score"] is None) != (record["away_score"] is None):
        return "only one of home_score/away_score is set"
    if record["game_type"] not in {"REG", "WC", "DIV", "CON", "SB"}:
        return f"game_type {record['game_type']!r} is not REG/WC/DIV/CON/SB"
    if not 1 <= record["week"] <= 25:
        return f"week {record['week']} is out of range"
    gametime = record["gametime"]
    if gametime is not None and not (len(gametime) in (4, 5) and gametime.replace(":", "").isdigit()):
        return f"gametime {gametime!r} is not HH:MM"
    return None


KINDS = ("games", "team-stats", "player-stats")
# A finished game is not rewritten from a row without its result: that row comes from a file older
# than the one it was loaded from (its lines are not the closing ones either). A corrected score
# still replaces the stored one.
OLDER_THAN_STORED = "t.home_score IS NOT NULL AND EXCLUDED.home_score IS NULL"
_COLUMNS = {"games": GAME_COLUMNS, "team-stats": TEAM_STAT_COLUMNS, "player-stats": PLAYER_STAT_COLUMNS}


class DataSourceConflict(ValueError):
    """Real nflverse data and the synthetic demo league never share a database."""


_CONFLICT = {
    "demo": "this database holds the synthetic demo league; nflverse data is not mixed into it (use another "
    "database: --data-dir DIR or DATABASE_URL)",
    "nflverse": "this database holds real nflverse data; the demo league is not mixed into it (use another "
    "database: --data-dir DIR or DATABASE_URL)",
}


def claim_source(tx: Transaction, kind: str) -> None:
    """Inside the loading transaction: refuse a load of the other kind than the database holds."""
    held = source_queries.claim(tx, kind)
    if held != kind:
        raise DataSourceConflict(_CONFLICT[held])


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A whole file read and validated, not yet written."""

    kind: str
    source: str
    records: list[Row]


def parse_file(kind: str, path_or_url: str | Path) -> ParsedFile:
    check = _check_game if kind == "games" else None
    return ParsedFile(kind, str(path_or_url), _read_all(path_or_url, _COLUMNS[kind], check))


def sniff_kind(header: list[str]) -> str | None:
    """Which nflverse file a header belongs to (uploads and update-data paths carry no kind)."""
    if "game_id" in header and "home_team" in header:
        return "games"
    if "player_id" in header:
        return "player-stats"
    if "team" in header and "opponent_team" in header:
        return "team-stats"
    return None


def write_parsed(tx: Transaction, parsed: ParsedFile) -> IngestReport:
    """Upsert one parsed file inside the caller's transaction (which has claimed the source)."""
    writer = {"games": _write_games, "team-stats": _write_team_stats, "player-stats": _write_player_stats}
    inserted, updated = writer[parsed.kind](tx, parsed.records)
    return IngestReport(parsed.source, len(parsed.records), inserted, updated)


def ingest_file(db: Database, kind: str, path_or_url: str | Path) -> IngestReport:
    parsed = parse_file(kind, path_or_url)
    with db.transaction() as tx:
        claim_source(tx, "nflverse")
        return write_parsed(tx, parsed)


def _write_games(tx: Transaction, records: list[Row]) -> tuple[int, int]:
    ensure_teams(tx)
    return upsert_rows(
        tx, "games", records, columns=GAME_FIELDS, key=("game_id",),
        expressions={"kickoff": KICKOFF_EXPRESSION}, stale=OLDER_THAN_STORED,
        on_batch=_progress(len(records), "games"),
    )  # fmt: skip


def ingest_games(db: Database, path_or_url: str | Path) -> IngestReport:
    return ingest_file(db, "games", path_or_url)


def _player_rows(records: Iterable[Row]) -> list[PlayerRecord]:
    latest: dict[str, Row] = {}
    for record in records:
        seen = latest.get(record["player_id"])
        if seen is None or (record["season"], record["week"]) >= (seen["season"], seen["week"]):
            latest[record["player_id"]] = record
    return [
        {"player_id": r["player_id"], "player_name": r["player_name"], "display_name": r["player_display_name"],
         "position": r["position"], "position_group": r["position_group"], "team": r["recent_team"]}
        for r in latest.values()
    ]  # fmt: skip


def _write_player_stats(tx: Transaction, records: list[Row]) -> tuple[int, int]:
    stats = [{**r, "team": r["recent_team"], "season_type": r["season_type"] or "REG"} for r in records]
    players = _player_rows(records)
    upsert_rows(tx, "players", players, columns=tuple(players[0]) if players else (), key=("player_id",))
    return upsert_rows(
        tx, "player_game_stats", stats, columns=PLAYER_STAT_FIELDS,
        key=("player_id", "season", "week", "season_type"), touch_updated_at=False,
        on_batch=_progress(len(stats), "player stats"),
    )  # fmt: skip


def ingest_player_stats(db: Database, path_or_url: str | Path) -> IngestReport:
    return ingest_file(db, "player-stats", path_or_url)


def _write_team_stats(tx: Transaction, records: list[Row]) -> tuple[int, int]:
    keys = {"team", "season", "week", "season_type", "opponent_team"}
    rows = [
        {"team": r["team"], "season": r["season"], "week": r["week"], "season_type": r["season_type"] or "REG",
         "opponent_team": r["opponent_team"], "stats": {k: v for k, v in r.items() if k not in keys}}
        for r in records
    ]  # fmt: skip
    return upsert_rows(
        tx, "team_game_stats", rows, columns=("team", "season", "week", "season_type", "opponent_team", "stats"),
        key=("team", "season", "week", "season_type"), touch_updated_at=False,
        on_batch=_progress(len(rows), "team stats"),
    )  # fmt: skip


def ingest_team_stats(db: Database, path_or_url: str | Path) -> IngestReport:
    return ingest_file(db, "team-stats", path_or_url)


def load_demo_league(db: Database, seasons: tuple[int, ...] = (2024, 2025), played_weeks: int = 12,
                     seed: int = 2025) -> IngestReport:  # fmt: skip
    """Generate the deterministic demo league and upsert it (idempotent: same seed, same rows)."""
    from nfl_predictor.data.demo import generate_demo_league

    league = generate_demo_league(seasons, played_weeks, seed)
    stats = [{**r, "team": r["recent_team"]} for r in league.player_stats]
    with db.transaction() as tx:
        claim_source(tx, "demo")
        ensure_teams(tx)
        inserted, updated = upsert_rows(tx, "games", league.games, columns=GAME_FIELDS, key=("game_id",),
                                        expressions={"kickoff": KICKOFF_EXPRESSION})  # fmt: skip
        upsert_rows(tx, "players", league.players, columns=tuple(league.players[0]), key=("player_id",))
        upsert_rows(tx, "player_game_stats", stats, columns=PLAYER_STAT_FIELDS,
                    key=("player_id", "season", "week", "season_type"), touch_updated_at=False)  # fmt: skip
    return IngestReport(f"demo league seed={seed}", len(league.games), inserted, updated)


def database_is_empty(db: Database) -> bool:
    return not game_queries.any_games(db)
