"""Ingest is all-or-nothing per file, proven on a small synthetic games.csv that ships with the tests
(tests/data/), so it runs on a fresh clone without the real nflverse data.

The file is small, so the batch size is also turned down to two rows: a file of ten rows is then
written in five batches, and any batch committed before the file was validated (or in a transaction
of its own) would be visible after the failure.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from nfl_predictor.data import ingest
from nfl_predictor.data.ingest import ingest_games
from nfl_predictor.data.nflverse import NflverseFormatError, read_games
from nfl_predictor.db import Database
from nfl_predictor.db.queries import ingest as ingest_queries

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "games_synthetic.csv"
BAD_LAST_LINE = DATA / "games_synthetic_bad_last_line.csv"
SMALL_BATCHES = [ingest_queries.BATCH_ROWS, 2]


def synthetic_games(db: Database) -> dict[str, tuple[int | None, int | None, dt.datetime]]:
    rows = db.fetch("SELECT game_id, home_score, away_score, updated_at FROM games WHERE season = 2030")
    return {str(g): (h, a, u) for g, h, a, u in rows}


@pytest.fixture
def clean(db: Database) -> Database:
    db.execute("DELETE FROM games WHERE season = 2030")
    return db


def test_the_shipped_files_are_what_the_tests_say() -> None:
    good = read_games(GOOD)
    assert len(good) == 10 and {g["season"] for g in good} == {2030}
    assert sum(g["home_score"] is None for g in good) == 2  # two games not played yet
    lines = BAD_LAST_LINE.read_text().splitlines()
    assert len(lines) == 12 and lines[:1] == GOOD.read_text().splitlines()[:1]
    with pytest.raises(NflverseFormatError, match=r":12: expected 46 fields"):
        read_games(BAD_LAST_LINE)


@pytest.mark.parametrize("batch_rows", SMALL_BATCHES)
def test_good_file_round_trip(clean: Database, monkeypatch: pytest.MonkeyPatch, batch_rows: int) -> None:
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", batch_rows)
    report = ingest_games(clean, GOOD)
    assert (report.source, report.rows, report.inserted, report.updated) == (str(GOOD), 10, 10, 0)
    games = synthetic_games(clean)
    assert len(games) == 10 and games["2030_01_BAL_KC"][:2] == (20, 10)
    assert games["2030_03_LV_LAC"][:2] == (None, None)
    again = ingest_games(clean, GOOD)
    assert (again.rows, again.inserted, again.updated) == (10, 0, 0)  # the same file again writes nothing


@pytest.mark.parametrize("batch_rows", SMALL_BATCHES)
def test_a_bad_last_line_commits_nothing_into_an_empty_table(
    clean: Database, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", batch_rows)
    with pytest.raises(NflverseFormatError) as info:
        ingest_games(clean, BAD_LAST_LINE)
    assert str(info.value).startswith(f"{BAD_LAST_LINE}:12: ")
    assert synthetic_games(clean) == {}


@pytest.mark.parametrize("batch_rows", SMALL_BATCHES)
def test_a_bad_last_line_changes_no_stored_row(
    clean: Database, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", batch_rows)
    ingest_games(clean, GOOD)
    before = synthetic_games(clean)
    teams = clean.scalar("SELECT count(*) FROM teams")
    with pytest.raises(NflverseFormatError, match=r":12: "):
        ingest_games(clean, BAD_LAST_LINE)  # its good rows would rescore eight games
    assert synthetic_games(clean) == before  # same scores, same updated_at
    assert clean.scalar("SELECT count(*) FROM teams") == teams


def test_a_row_the_database_refuses_rolls_back_the_whole_file(
    clean: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A last row that passes the file checks but breaks a table constraint (season out of range):
    every batch is in the one transaction, so the earlier batches go too."""
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", 2)
    lines = GOOD.read_text().splitlines()
    refused = lines[-1].replace("2030_03_LV_LAC,2030,", "2030_03_LV_LAC,2230,")
    path = tmp_path / "games_refused.csv"
    path.write_text("\n".join([*lines[:-1], refused]) + "\n")
    with pytest.raises(Exception, match="season"):
        ingest_games(clean, path)
    assert synthetic_games(clean) == {}
    assert clean.scalar("SELECT count(*) FROM games WHERE season = 2230") == 0


def game_record(**changes: object) -> dict[str, object]:
    record = dict(read_games(GOOD)[0])
    record.update(changes)
    return record


@pytest.mark.parametrize("game_type", ["REG", "WC", "DIV", "CON", "SB"])
def test_every_nfl_game_type_is_accepted(game_type: str) -> None:
    assert ingest._check_game(game_record(game_type=game_type)) is None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [({"home_team": "BAL"}, "home_team and away_team are the same"),
     ({"home_score": None}, "only one of home_score/away_score is set"),
     ({"away_score": None}, "only one of home_score/away_score is set"),
     ({"game_type": "PRE"}, "game_type 'PRE' is not REG/WC/DIV/CON/SB"),
     ({"game_type": "reg"}, "game_type 'reg' is not REG/WC/DIV/CON/SB"),
     ({"week": 0}, "week 0 is out of range"), ({"week": 26}, "week 26 is out of range"),
     ({"gametime": "8pm"}, "gametime '8pm' is not HH:MM"), ({"gametime": "123456"}, "gametime '123456' is not HH:MM")],
)  # fmt: skip
def test_each_file_check_says_exactly_what_is_wrong(changes: dict[str, object], problem: str) -> None:
    assert ingest._check_game(game_record(**changes)) == problem


@pytest.mark.parametrize("changes", [{"week": 1}, {"week": 25}, {"gametime": None}, {"gametime": "9:30"},
                                     {"home_score": None, "away_score": None}])  # fmt: skip
def test_edges_that_pass_the_file_checks(changes: dict[str, object]) -> None:
    assert ingest._check_game(game_record(**changes)) is None


def test_a_format_error_carries_its_source_and_line() -> None:
    with pytest.raises(NflverseFormatError) as info:
        read_games(BAD_LAST_LINE)
    assert (info.value.source, info.value.line) == (str(BAD_LAST_LINE), 12)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_silent_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert ingest._progress(10, "games")(4) is None
    assert quiet.getvalue() == ""
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    update = ingest._progress(10, "games")
    update(4)
    shown = terminal.getvalue()
    assert shown.startswith("\rgames:") and "0/10" in shown and "rows/s" in shown


def test_games_progress_counts_the_files_rows(clean: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(ingest, "_progress", lambda total, label: calls.append((total, label)) or None)
    ingest_games(clean, GOOD)
    assert calls == [(10, "games")]


def test_readers_convert_schedule_style_ints_and_quote_bad_values_shortly(tmp_path: Path) -> None:
    from nfl_predictor.data import nflverse

    assert nflverse._int("4094.0") == 4094 and nflverse._int("12") == 12
    lines = GOOD.read_text().splitlines()
    bad = tmp_path / "long.csv"
    bad.write_text(
        "\n".join([lines[0], lines[1].replace(",20:20,BAL,10,", ",20:20,BAL," + "9" * 40 + "x,")]) + "\n"
    )
    with pytest.raises(NflverseFormatError) as info:
        read_games(bad)
    assert str(info.value) == f"{bad}:2: away_score: cannot read {('9' * 40 + 'x')[:30]!r}"


def test_http_sources_are_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    from nfl_predictor.data import nflverse

    opened: list[str] = []

    def urlopen(url: str, timeout: float) -> io.BytesIO:
        assert timeout == 60
        opened.append(url)
        return io.BytesIO(GOOD.read_bytes())

    monkeypatch.setattr(nflverse.urllib.request, "urlopen", urlopen)
    url = "http://example.invalid/games.csv"
    assert len(read_games(url)) == 10 and len(read_games(url.replace("http:", "https:"))) == 10
    assert opened == [url, url.replace("http:", "https:")]


@pytest.mark.parametrize(
    ("header", "kind"),
    [(["game_id", "season", "home_team", "away_team"], "games"),
     (["game_id", "home_team", "player_id", "team", "opponent_team"], "games"),  # games is checked first
     (["player_id", "recent_team", "team", "opponent_team"], "player-stats"),  # before team-stats
     (["season", "week", "team", "opponent_team"], "team-stats"),
     (["game_id", "season"], None), (["home_team", "away_team"], None),
     (["team", "season"], None), (["opponent_team", "season"], None), ([], None)],
)  # fmt: skip
def test_an_upload_is_known_by_its_header(header: list[str], kind: str | None) -> None:
    """Uploads and update-data paths carry no kind: the header alone says which file it is, and a header
    with only part of a kind's key columns is no kind at all (refused rather than loaded as the wrong one)."""
    assert ingest.sniff_kind(header) == kind
    assert ingest.sniff_kind(GOOD.read_text().splitlines()[0].split(",")) == "games"
