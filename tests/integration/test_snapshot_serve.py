"""The committed nflverse snapshot: intact, reproducible, and what `serve` loads into an empty database
(trained, the latest season backfilled walk-forward and graded); the demo league stays apart."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nfl_predictor.runtime import Runtime
from nfl_predictor_dev.local import bootstrap
from nfl_predictor_dev.snapshot import FILES, snapshot_paths

from tests.conftest import REPO_ROOT, fresh_database_url
from tests.data_files import subset
from tests.integration.api.conftest import runtime_on

SNAPSHOT = REPO_ROOT / "devtools" / "nfl_predictor_dev" / "snapshot"
CLI = [sys.executable, "-m", "nfl_predictor.cli.main"]


def test_the_snapshot_is_small_intact_and_credits_nflverse() -> None:
    manifest = json.loads((SNAPSHOT / "MANIFEST.json").read_text())
    assert set(manifest["files"]) == set(FILES.values()) and "CC BY 4.0" in manifest["license"]
    total = 0
    for name, info in manifest["files"].items():
        data = (SNAPSHOT / name).read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name
        assert len(gzip.decompress(data).splitlines()) == info["rows"] + 1, name
    assert total < 3 * 1024 * 1024
    assert manifest["files"]["games.csv.gz"]["seasons"] == [1999, 2025]
    assert {p.name for p in snapshot_paths().values()} == set(FILES.values())
    assert (
        "nflverse" in (REPO_ROOT / "NOTICE").read_text() and "snapshot" in (REPO_ROOT / "NOTICE").read_text()
    )


def test_make_snapshot_rebuilds_the_committed_bytes(nflverse_dir: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "make_snapshot.py"), "--source", str(nflverse_dir),
                    "--output", str(tmp_path)], check=True, capture_output=True)  # fmt: skip
    for name in [*FILES.values(), "MANIFEST.json"]:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


@pytest.fixture
def small_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The real snapshot's 2024 season only: the same code path, a fraction of the time."""
    paths = {
        "games": subset("games", {2024}, tmp_path / "games.csv.gz", compress=True),
        "team-stats": subset("team-stats", {2023, 2024}, tmp_path / "team_stats.csv.gz", compress=True),
        "player-stats": subset("player-stats", {2023}, tmp_path / "player_stats.csv.gz", compress=True),
    }
    import nfl_predictor_dev.snapshot as snapshot

    monkeypatch.setattr(snapshot, "snapshot_paths", lambda: paths)
    return paths


def test_serve_bootstrap_loads_real_data_trains_backfills_and_grades(
    small_snapshot: dict[str, Path], pg_server: Any, template_database: str
) -> None:
    runtime: Runtime = runtime_on(fresh_database_url(pg_server, template_database), None)
    said: list[str] = []
    try:
        bootstrap.prepare(runtime, seed="snapshot", say=said.append)
        db = runtime.db
        assert db.scalar("SELECT kind FROM data_source") == "nflverse"
        assert db.scalar("SELECT count(*) FROM games") == 285
        assert (
            db.scalar("SELECT stadium FROM games WHERE game_id = '2024_01_BAL_KC'")
            == "GEHA Field at Arrowhead Stadium"
        )
        assert db.scalar("SELECT count(*) FROM players WHERE display_name = 'Patrick Mahomes'") == 1
        # Walk-forward history of 2024 (week 1 has nothing before it to learn from), graded.
        stored = db.scalar("SELECT count(DISTINCT game_id) FROM predictions")
        graded = db.scalar("SELECT count(DISTINCT game_id) FROM expert_bets")
        assert stored == graded and 250 < stored < 285
        assert any("backfilled" in line and "2024" in line for line in said), said
        # A second start changes nothing.
        counts = (
            db.scalar("SELECT count(*) FROM predictions"),
            db.scalar("SELECT count(*) FROM model_params"),
        )
        bootstrap.prepare(runtime, seed="snapshot", say=said.append)
        assert counts == (
            db.scalar("SELECT count(*) FROM predictions"),
            db.scalar("SELECT count(*) FROM model_params"),
        )
    finally:
        runtime.close()


def test_ingest_into_a_demo_database_is_refused_in_one_line(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "demo")
    assert subprocess.run([*CLI, "--data-dir", data_dir, "demo-data"], capture_output=True).returncode == 0
    games = subset("games", {2024}, tmp_path / "games.csv")
    refused = subprocess.run([*CLI, "--data-dir", data_dir, "ingest", "games", str(games)], capture_output=True,
                             text=True)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "nfl-predictor: this database holds the synthetic demo league; nflverse data is not mixed into it "
        "(use another database: --data-dir DIR or DATABASE_URL)"
    )
    update = subprocess.run(
        [*CLI, "--data-dir", data_dir, "update-data", str(games)], capture_output=True, text=True
    )
    assert (
        update.returncode == 1 and "holds the synthetic demo league" in update.stderr.strip().splitlines()[-1]
    )
