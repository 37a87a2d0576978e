"""Read nflverse CSV files into typed records (dicts keyed by nflverse column names).

Every value is converted here, once: ints, floats, dates, booleans, ``None`` for blanks. A bad
row raises ``NflverseFormatError`` with the file and line, so a caller can refuse the whole file.
The records (``nfl_predictor.records``) are what the engine consumes, whether they come from a
file or from the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import http.client
import io
import lzma
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nfl_predictor.records import PLAYER_STAT_NUMERIC, TEAM_STAT_NUMERIC

Row = dict[str, Any]  # a converted row, before it is known which record it is


class NflverseFormatError(ValueError):
    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line


def _int(raw: str) -> int:
    return int(float(raw)) if "." in raw else int(raw)  # schedules files write ints as 4094.0


def _float(raw: str) -> float:
    value = float(raw)
    if value != value:
        raise ValueError("NaN")
    return value


def _date(raw: str) -> dt.date:
    return dt.date.fromisoformat(raw)


def _text(raw: str) -> str:
    return raw


# column -> (converter, required)
GAME_COLUMNS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "game_id": (_text, True), "season": (_int, True), "game_type": (_text, True), "week": (_int, True),
    "gameday": (_date, True), "weekday": (_text, False), "gametime": (_text, False),
    "away_team": (_text, True), "away_score": (_int, False), "home_team": (_text, True),
    "home_score": (_int, False), "location": (_text, False), "result": (_int, False),
    "total": (_int, False), "overtime": (_int, False), "away_rest": (_int, False),
    "home_rest": (_int, False), "away_moneyline": (_int, False), "home_moneyline": (_int, False),
    "spread_line": (_float, False), "away_spread_odds": (_int, False), "home_spread_odds": (_int, False),
    "total_line": (_float, False), "under_odds": (_int, False), "over_odds": (_int, False),
    "div_game": (_int, False), "roof": (_text, False), "surface": (_text, False), "temp": (_int, False),
    "wind": (_int, False), "away_qb_id": (_text, False), "home_qb_id": (_text, False),
    "away_qb_name": (_text, False), "home_qb_name": (_text, False), "away_coach": (_text, False),
    "home_coach": (_text, False), "referee": (_text, False), "stadium_id": (_text, False),
    "stadium": (_text, False),
}  # fmt: skip

PLAYER_STAT_COLUMNS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "player_id": (_text, True), "player_name": (_text, False), "player_display_name": (_text, False),
    "position": (_text, False), "position_group": (_text, False), "recent_team": (_text, True),
    "season": (_int, True), "week": (_int, True), "season_type": (_text, False),
    "opponent_team": (_text, False),
    **{name: (_float, False) for name in PLAYER_STAT_NUMERIC},
}  # fmt: skip

TEAM_STAT_COLUMNS: dict[str, tuple[Callable[[str], Any], bool]] = {
    "season": (_int, True), "week": (_int, True), "team": (_text, True), "season_type": (_text, False),
    "opponent_team": (_text, False),
    **{name: (_float, False) for name in TEAM_STAT_NUMERIC},
}  # fmt: skip


def open_text(path_or_url: str | Path) -> tuple[str, io.TextIOBase]:
    """A local path, or an http(s) URL (nflverse publishes its CSVs over HTTPS); ``.gz``/``.xz`` names
    are decompressed on the fly (the shipped snapshot, compressed uploads)."""
    source = str(path_or_url)
    raw: Any
    if source.startswith(("http://", "https://")):
        try:
            raw = urllib.request.urlopen(source, timeout=60)
        except urllib.error.URLError as exc:  # name the URL: the reason alone ("timed out") does not
            raise urllib.error.URLError(f"{source}: {exc.reason}") from exc
        name = source.split("?", 1)[0]
        if name.endswith(".gz"):  # the response is read to its end through the decompressor
            raw = gzip.GzipFile(fileobj=raw, mode="rb")
        elif name.endswith(".xz"):
            raw = lzma.LZMAFile(raw, mode="rb")  # noqa: SIM115
    elif source.endswith(".gz"):
        raw = gzip.open(source, "rb")  # noqa: SIM115 - the caller closes the returned text handle
    elif source.endswith(".xz"):
        raw = lzma.open(source, "rb")  # noqa: SIM115
    else:
        raw = open(source, "rb")  # noqa: SIM115
    return source, io.TextIOWrapper(raw, encoding="utf-8", newline="")


# A compressed file cut short, or a download that ended before its Content-Length: the file is refused.
TRUNCATED = (EOFError, gzip.BadGzipFile, lzma.LZMAError, zlib.error, http.client.IncompleteRead)


def read_records(
    path_or_url: str | Path, columns: dict[str, tuple[Callable[[str], Any], bool]]
) -> Iterator[tuple[int, Row]]:
    """Yield (line number, record). Raises NflverseFormatError on a missing column or bad value."""
    source, handle = open_text(path_or_url)
    line = 1
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name, (_, required) in columns.items() if required and name not in header]
            if missing:
                raise NflverseFormatError(source, 1, f"missing column(s): {', '.join(missing)}")
            expected = len(header)
            for row in reader:
                line = reader.line_num
                if None in row or len(row) != expected or any(v is None for v in row.values()):
                    raise NflverseFormatError(source, line, f"expected {expected} fields")
                yield line, _convert(source, line, row, columns)
        except TRUNCATED as exc:
            raise NflverseFormatError(
                source, line, f"truncated or corrupt file ({type(exc).__name__})"
            ) from None
        except csv.Error as exc:
            raise NflverseFormatError(source, line, f"not a CSV file ({exc})") from None


def _convert(
    source: str, line: int, row: dict[str, str], columns: dict[str, tuple[Callable[[str], Any], bool]]
) -> Row:
    record: Row = {}
    for name, (convert, required) in columns.items():
        raw = (row.get(name) or "").strip()
        if raw == "" or raw == "NA":
            if required:
                raise NflverseFormatError(source, line, f"{name} is empty")
            record[name] = None
            continue
        try:
            record[name] = convert(raw)
        except ValueError:
            raise NflverseFormatError(source, line, f"{name}: cannot read {raw[:30]!r}") from None
    return record


# The readers' rows are GameRecords, TeamStatRecords and PlayerStatRecords; they are typed as the
# engine's input (their callers hand them straight to it) until the engine's signatures take those types.


def read_games(path_or_url: str | Path) -> list[Row]:
    """GameRecords."""
    return [record for _, record in read_records(path_or_url, GAME_COLUMNS)]


def read_team_stats(path_or_url: str | Path) -> list[Row]:
    """TeamStatRecords."""
    return [record for _, record in read_records(path_or_url, TEAM_STAT_COLUMNS)]


def read_player_stats(path_or_url: str | Path) -> list[Row]:
    """PlayerStatRecords."""
    return [record for _, record in read_records(path_or_url, PLAYER_STAT_COLUMNS)]
