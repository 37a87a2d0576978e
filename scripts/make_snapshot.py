"""Build the committed nflverse snapshot (devtools/nfl_predictor_dev/snapshot/) from nflverse release files.

    python scripts/make_snapshot.py [--source DIR] [--output DIR]

DIR holds the nflverse files as released (games.csv, schedules_*.csv, stats_team_week_*.csv,
player_stats_week_*.csv or player_stats_*.csv). Each row goes through the same reader the ingest
uses (so a bad upstream line stops the build), only the columns the product reads are kept, and the
values are written back in one canonical text form. Output is deterministic: sorted rows, gzip
with no name and mtime 0, so the same input gives the same bytes (MANIFEST.json records sha256s).

nflverse data is CC BY 4.0 (nflverse / Lee Sharpe and contributors): see NOTICE.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from nfl_predictor.data.nflverse import GAME_COLUMNS, PLAYER_STAT_COLUMNS, TEAM_STAT_COLUMNS, read_records

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "devtools" / "nfl_predictor_dev" / "snapshot"


def default_source() -> Path:
    for parent in REPO.parents:
        candidate = parent / "shared" / "data" / "nflverse"
        if (candidate / "games.csv").exists():
            return candidate
    return REPO.parent / "shared" / "data" / "nflverse"


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def gzip_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([text(row[c]) for c in columns] for row in rows)
    raw = io.BytesIO()
    # filename="" and mtime=0: the gzip header carries nothing that changes between runs
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as handle:
        handle.write(buffer.getvalue().encode())
    return raw.getvalue()


def season_of(path: Path) -> int:
    match = re.search(r"(\d{4})\.csv$", path.name)
    return int(match.group(1)) if match else -1


def games(source: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """games.csv (1999 on), with each game replaced by its schedules_*.csv row where one exists: the
    schedules export is the newer one (it has results games.csv does not yet have)."""
    used = [source / "games.csv", *sorted(source.glob("schedules_*.csv"))]
    by_id: dict[str, dict[str, Any]] = {}
    for path in used:
        for _line, record in read_records(path, GAME_COLUMNS):
            newer = by_id.get(record["game_id"])
            if newer is None or record["home_score"] is not None or newer["home_score"] is None:
                by_id[record["game_id"]] = record
    rows = sorted(by_id.values(), key=lambda r: (r["season"], r["week"], r["game_id"]))
    return rows, [p.name for p in used]


def weekly(paths: list[Path], columns: dict[str, Any], key: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = [record for path in paths for _line, record in read_records(path, columns)]
    return sorted(rows, key=lambda r: tuple(text(r[k]) for k in key))


def build(source: Path, output: Path) -> dict[str, Any]:
    team_files = sorted(source.glob("stats_team_week_*.csv"), key=season_of)
    player_files = sorted(
        {*source.glob("player_stats_week_*.csv"), *source.glob("player_stats_[0-9]*.csv")}, key=season_of
    )
    game_rows, game_files = games(source)
    parts = {
        "games.csv.gz": (list(GAME_COLUMNS), game_rows, game_files),
        "team_stats.csv.gz": (
            list(TEAM_STAT_COLUMNS),
            weekly(team_files, TEAM_STAT_COLUMNS, ("season", "week", "season_type", "team")),
            [p.name for p in team_files],
        ),
        "player_stats.csv.gz": (
            list(PLAYER_STAT_COLUMNS),
            weekly(player_files, PLAYER_STAT_COLUMNS, ("season", "week", "season_type", "player_id")),
            [p.name for p in player_files],
        ),
    }
    output.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "license": "CC BY 4.0 (nflverse: Lee Sharpe and nflverse contributors)",
        "made_by": "scripts/make_snapshot.py",
        "files": {},
    }
    for name, (columns, rows, inputs) in parts.items():
        data = gzip_csv(columns, rows)
        (output / name).write_bytes(data)
        seasons = sorted({int(r["season"]) for r in rows})
        manifest["files"][name] = {
            "rows": len(rows), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "seasons": [seasons[0], seasons[-1]] if seasons else [], "from": inputs,
        }  # fmt: skip
    (output / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=default_source(), help="folder of nflverse files")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the snapshot goes")
    args = parser.parse_args(argv)
    if not (args.source / "games.csv").exists():
        print(f"make_snapshot: no games.csv in {args.source}", file=sys.stderr)
        return 1
    manifest = build(args.source, args.output)
    for name, info in manifest["files"].items():
        print(f"{name}: {info['rows']} rows, {info['bytes']:,} bytes, seasons {info['seasons']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
