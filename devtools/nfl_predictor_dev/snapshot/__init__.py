"""The committed nflverse snapshot (CC BY 4.0, nflverse): what `serve` loads into an empty database.

Made by scripts/make_snapshot.py from the nflverse release files; MANIFEST.json records each file's
rows, seasons and sha256. Package data, so a non-editable install has it too; never in the layer.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FILES = {"games": "games.csv.gz", "team-stats": "team_stats.csv.gz", "player-stats": "player_stats.csv.gz"}


def snapshot_paths() -> dict[str, Path]:
    root = files(__name__)
    return {kind: Path(str(root.joinpath(name))) for kind, name in FILES.items()}
