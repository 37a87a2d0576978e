"""The league, prediction, research, model, vector and grading queries of db/queries against the
embedded Postgres: what each returns, and what it guards (accounts and snapshots: test_queries_accounts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import orjson
import pytest
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import Database
from nfl_predictor.db.queries import (
    games,
    grading,
    ingest,
    model_params,
    research,
    vectors,
)
from nfl_predictor.db.queries import predictions as stored
from nfl_predictor.records import (
    EXPERT_BET_FIELDS,
    GAME_FIELDS,
    TEAM_STAT_NUMERIC,
    ExpertBetRow,
    PredictionRow,
)

RNG = np.random.default_rng(11)
VERSION = "queries-test"


@pytest.fixture(scope="module")
def league(db: Database) -> Database:
    load_demo_league(db)
    return db


def _unit(dim: int) -> np.ndarray:
    vector = RNG.normal(size=dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{v:.7g}" for v in vector) + "]"


def _row(game_id: str, *, version: str = VERSION, expires_at: dt.datetime | None = None, n: int = 1,
         prediction_type: str = "full") -> PredictionRow:  # fmt: skip
    season, week = int(game_id[:4]), int(game_id[5:7])
    return {"game_id": game_id, "season": season, "week": week, "prediction_type": prediction_type,
            "payload": orjson.dumps({"game_id": game_id, "n": n}).decode(), "prediction_count": n,
            "reasoning_text": f"{game_id} reasoning", "analysis_embedding": _literal(_unit(32)),
            "model_version": version, "expires_at": expires_at}  # fmt: skip


# -- games ------------------------------------------------------------------------------------


def test_a_game_and_a_week_of_games_come_back_as_game_records(league: Database) -> None:
    week = games.week_games(league, 2025, 3)
    assert len(week) == 16
    assert [(g["gameday"], g["gametime"], g["game_id"]) for g in week] == sorted(
        (g["gameday"], g["gametime"], g["game_id"]) for g in week
    )
    one = games.game(league, week[0]["game_id"])
    assert one == week[0]
    assert set(one or {}) == {*GAME_FIELDS, "kickoff"}
    assert one is not None and one["kickoff"] is not None and one["kickoff"].tzinfo is not None
    assert games.game(league, "1999_01_XXX_YYY") is None


def test_all_games_any_games_and_the_unplayed_weeks(league: Database) -> None:
    everything = games.all_games(league)
    assert len(everything) == 2 * 272 and games.any_games(league)
    unplayed = {(g["season"], g["week"]) for g in everything if g["home_score"] is None}
    assert games.unplayed_weeks(league) == sorted(unplayed) == [(2025, w) for w in range(13, 19)]
    assert games.upcoming_weeks(league, limit=2) == [(2025, 13), (2025, 14)]
    assert games.last_played_week(league) == (2025, 12)
    ids = games.unplayed_game_ids(league)
    assert len(ids) == 6 * 16 and all(i.startswith("2025_1") for i in ids)


def test_the_schedule_is_one_week_or_the_whole_season(league: Database) -> None:
    week = games.schedule(league, 2025, 13)
    season = games.schedule(league, 2025, None)
    assert len(week) == 16 and {g["week"] for g in week} == {13}
    assert len(season) == 272 and [g["week"] for g in season] == sorted(g["week"] for g in season)
    assert all(g["home_score"] is None and g["result"] is None for g in week)
    assert games.schedule(league, 1999, None) == []


def test_skill_player_stats_cover_the_window_and_only_the_columns_asked(league: Database) -> None:
    game = games.week_games(league, 2025, 10)[0]
    teams = [game["home_team"], game["away_team"]]
    rows = games.skill_player_stats(
        league, teams, since=(2025, 2), before=(2025, 10), stats=["attempts", "targets"]
    )
    assert rows and {(r["season"], r["week"]) for r in rows} <= {(2025, w) for w in range(2, 10)}
    assert {r["recent_team"] for r in rows} <= set(teams)
    assert {r["position"] for r in rows} <= {"QB", "RB", "WR", "TE"}
    assert set(rows[0]) == {"player_id", "player_name", "player_display_name", "position", "recent_team",
                            "season", "week", "attempts", "targets"}  # fmt: skip
    assert [(r["season"], r["week"]) for r in rows] == sorted((r["season"], r["week"]) for r in rows)
    with pytest.raises(ValueError, match="not player stat columns"):
        games.skill_player_stats(league, teams, since=(2025, 1), before=(2025, 2), stats=["attempts; DROP"])


def test_skill_player_stats_come_back_as_the_rows_decoded_field_by_field(league: Database) -> None:
    """The rows arrive as one JSON value; they must equal what a plain row-by-row query decodes, floats
    included (JSON writes 250.0 as 250)."""
    teams = sorted(
        {g[side] for g in games.week_games(league, 2025, 10) for side in ("home_team", "away_team")}
    )
    stats = ["attempts", "passing_yards", "carries", "targets"]
    rows = games.skill_player_stats(league, teams, since=(2025, 2), before=(2025, 10), stats=stats)
    plain = league.fetch_dicts(
        "SELECT s.player_id, p.player_name, p.display_name AS player_display_name, p.position, "
        "s.team AS recent_team, s.season, s.week, s.attempts, s.passing_yards, s.carries, s.targets "
        "FROM player_game_stats s JOIN players p USING (player_id) WHERE p.position IN ('QB', 'RB', 'WR', 'TE') "
        "AND s.team = ANY(:teams) AND (s.season, s.week) < (2025, 10) AND (s.season, s.week) >= (2025, 2) "
        "ORDER BY s.season, s.week, s.player_id",
        teams=teams,
    )  # fmt: skip
    assert rows == plain
    assert all(type(r[name]) is float for r in rows for name in stats if r[name] is not None)


def test_a_games_box_score_rows(league: Database) -> None:
    game = games.week_games(league, 2025, 4)[0]
    teams = [game["home_team"], game["away_team"]]
    players = games.game_player_stats(league, 2025, 4, teams)
    assert players and {(p["season"], p["week"]) for p in players} == {(2025, 4)}
    assert {p["recent_team"] for p in players} == set(teams)
    with league.transaction() as tx:
        ingest.upsert_rows(
            tx, "team_game_stats",
            [{"team": t, "season": 2025, "week": 4, "season_type": "REG", "opponent_team": o,
              "stats": {"passing_yards": 250.0, "penalties": 6.0}} for t, o in (teams, teams[::-1])],
            columns=("team", "season", "week", "season_type", "opponent_team", "stats"),
            key=("team", "season", "week", "season_type"), touch_updated_at=False,
        )  # fmt: skip
    box = games.game_team_stats(league, 2025, 4, teams)
    assert sorted(r["team"] for r in box) == sorted(teams)
    assert box[0]["passing_yards"] == 250.0 and "season_type" not in box[0]
    flat = [r for r in games.team_stats(league) if r["season"] == 2025 and r["week"] == 4]
    assert len(flat) == 2 and all(set(TEAM_STAT_NUMERIC) <= set(r) for r in flat)
    assert flat[0]["sacks_suffered"] is None and flat[0]["penalties"] == 6.0


# -- ingest -----------------------------------------------------------------------------------


def test_upsert_rows_counts_inserts_and_updates_across_batches(
    league: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "BATCH_ROWS", 2)
    rows = [{"player_id": f"QT-{i}", "player_name": f"Query {i}", "display_name": None, "position": "WR",
             "position_group": "WR", "team": "KC"} for i in range(5)]  # fmt: skip
    batches: list[int] = []
    with league.transaction() as tx:
        assert ingest.upsert_rows(tx, "players", rows, columns=tuple(rows[0]), key=("player_id",),
                                  on_batch=batches.append) == (5, 0)  # fmt: skip
        rows[0]["team"] = "BUF"
        # Three rows sent, one of them changed: only that one is rewritten and counted.
        assert ingest.upsert_rows(tx, "players", rows[:3], columns=tuple(rows[0]), key=("player_id",)) == (
            0,
            1,
        )
    assert batches == [2, 2, 1]
    assert league.scalar("SELECT team FROM players WHERE player_id = 'QT-0'") == "BUF"
    rows[1]["team"] = "DEN"
    with league.transaction() as tx:  # a later transaction: its now() is later
        assert ingest.upsert_rows(tx, "players", rows[1:3], columns=tuple(rows[0]), key=("player_id",)) == (
            0,
            1,
        )
    stamps = dict(
        league.fetch("SELECT player_id, updated_at FROM players WHERE player_id IN ('QT-1', 'QT-2')")
    )
    assert stamps["QT-1"] > stamps["QT-2"]  # the rewritten row is stamped; the unchanged one is not


# -- predictions ------------------------------------------------------------------------------


def test_stored_payloads_are_only_the_live_rows_of_that_type_and_version(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 14)][:4]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    written = stored.upsert_predictions(league, [
        _row(ids[0]), _row(ids[1], expires_at=past), _row(ids[2], version="other"),
        _row(ids[3], prediction_type="props"),
    ])  # fmt: skip
    assert set(written) == set(ids)
    assert orjson.loads(written[ids[0]]) == {"game_id": ids[0], "n": 1}
    live = stored.stored_payloads(league, ids, prediction_type="full", model_version=VERSION)
    assert live == {ids[0]: written[ids[0]]}  # the bytes the upsert returned: the same canonical text


def test_upsert_replaces_a_games_prediction_in_place(league: Database) -> None:
    game_id = games.week_games(league, 2025, 15)[0]["game_id"]
    stored.upsert_predictions(league, [_row(game_id, n=1)])
    again = stored.upsert_predictions(league, [_row(game_id, n=7)])
    assert orjson.loads(again[game_id])["n"] == 7
    count = league.scalar("SELECT count(*) FROM predictions WHERE game_id = :game_id", game_id=game_id)
    assert count == 1


def test_upsert_writes_many_rows_in_one_statement_with_their_vectors_and_expiry(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 16)]
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = [_row(gid, n=i, expires_at=expires) for i, gid in enumerate(ids)]
    before = league.stats.queries
    rows.append(_row(ids[0], n=99, expires_at=expires))  # a repeated game: the last one wins
    written = stored.upsert_predictions(league, rows)
    assert league.stats.queries - before == 1
    assert {gid: orjson.loads(body)["n"] for gid, body in written.items()} == {
        gid: (99 if gid == ids[0] else i) for i, gid in enumerate(ids)
    }
    back = league.fetch("SELECT game_id, analysis_embedding::text, expires_at FROM predictions "
                        "WHERE game_id = ANY(:ids) AND model_version = :v", ids=ids, v=VERSION)  # fmt: skip
    by_id = {r["game_id"]: r for r in rows}
    for game_id, vector, expiry in back:
        assert expiry == expires
        assert np.allclose([float(v) for v in vector.strip("[]").split(",")],
                           [float(v) for v in by_id[game_id]["analysis_embedding"].strip("[]").split(",")])  # fmt: skip
    assert stored.upsert_predictions(league, []) == {}


def test_freshness_leaves_a_margin_before_expiry(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 16)][:3]
    now = dt.datetime.now(dt.UTC)
    stored.upsert_predictions(league, [_row(ids[0], expires_at=now + dt.timedelta(minutes=10)),
                                       _row(ids[1], expires_at=now + dt.timedelta(hours=6)), _row(ids[2])])  # fmt: skip

    def fresh(margin: dt.timedelta) -> set[str]:
        return stored.fresh_game_ids(
            league, ids, prediction_type="full", model_version=VERSION, margin=margin
        )

    assert fresh(dt.timedelta(minutes=30)) == {ids[1], ids[2]}
    assert fresh(dt.timedelta(minutes=5)) == set(ids)
    assert stored.fresh_game_ids(league, ids, prediction_type="full", model_version="other",
                                 margin=dt.timedelta(0)) == set()  # fmt: skip


def test_a_weeks_payloads_and_count_and_deleting_throwaway_versions(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 13)][:3]
    before = stored.count_in_week(league, 2025, 13)
    rows = [_row(ids[0], version="bench-ab12-1", n=101), _row(ids[1], version="bench-ab12-2", n=102),
            _row(ids[2], version="bench-ab12", n=103), _row(ids[0], version="bench-ab123-1", n=104),
            _row(ids[1], version="bench_ab12-1", n=105),
            _row(ids[2], version="bench-ab12-1", n=106, prediction_type="props")]  # fmt: skip
    stored.upsert_predictions(league, rows)
    assert stored.count_in_week(league, 2025, 13) == before + 6
    assert stored.count_in_week(league, 2025, 12) == league.scalar(
        "SELECT count(*) FROM predictions WHERE season = 2025 AND week = 12"
    )
    full = stored.week_payloads(league, 2025, 13, prediction_type="full")
    ours = sorted((gid, orjson.loads(text)["n"]) for gid, text in full if orjson.loads(text)["n"] > 100)
    assert ours == sorted((r["game_id"], r["prediction_count"]) for r in rows[:5])
    props = stored.week_payloads(league, 2025, 13, prediction_type="props")
    assert [(gid, orjson.loads(text)["n"]) for gid, text in props] == [(ids[2], 106)]
    assert stored.week_payloads(league, 2025, 14, prediction_type="nothing") == []
    # "bench-ab12-*" only: not "bench-ab12" itself, not "bench-ab123-1", and "_" is no wildcard.
    assert stored.delete_model_versions(league, "bench-ab12") == 3
    left = league.fetch("SELECT model_version FROM predictions WHERE game_id = ANY(:ids) AND model_version "
                        "LIKE 'bench%'", ids=ids)  # fmt: skip
    assert sorted(v for (v,) in left) == ["bench-ab12", "bench-ab123-1", "bench_ab12-1"]
    assert stored.count_in_week(league, 2025, 13) == before + 3


def test_reasoning_texts_and_their_embeddings(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 17)][:2]
    stored.upsert_predictions(league, [_row(ids[0]), _row(ids[1])])
    texts = dict(stored.reasoning_texts(league, ids, prediction_type="full"))
    assert texts == {ids[0]: f"{ids[0]} reasoning", ids[1]: f"{ids[1]} reasoning"}
    with league.transaction() as tx:
        stored.set_reasoning_embeddings(tx, [(ids[0], _unit(256))], prediction_type="full")
    embedded = league.fetch("SELECT game_id FROM predictions WHERE game_id = ANY(:game_ids) "
                            "AND reasoning_embedding IS NOT NULL", game_ids=ids)  # fmt: skip
    assert embedded == [[ids[0]]]


def test_research_notes_of_a_type_are_replaced_for_those_games_only(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 18)][:2]

    def note(game_id: str, expert: str) -> research.ResearchNote:
        return {"expert_id": expert, "game_id": game_id, "content": f"{expert} on {game_id}", "metadata": "{}",
                "relevance_score": 0.5, "embedding": _unit(256)}  # fmt: skip

    with league.transaction() as tx:
        research.replace_research(tx, ids, "preview", [note(ids[0], "a"), note(ids[1], "b")])
        research.replace_research(tx, ids, "injury", [note(ids[0], "c")])
    with league.transaction() as tx:
        research.replace_research(tx, [ids[0]], "preview", [note(ids[0], "d")])
    rows = league.fetch("SELECT game_id, research_type, expert_id FROM expert_research "
                        "WHERE game_id = ANY(:game_ids) ORDER BY 1, 2, 3", game_ids=ids)  # fmt: skip
    assert rows == sorted([[ids[0], "injury", "c"], [ids[0], "preview", "d"], [ids[1], "preview", "b"]])


# -- model parameters and matchup vectors ------------------------------------------------------


def test_activating_a_model_version_deactivates_the_others(league: Database) -> None:
    with league.transaction() as tx:
        model_params.store_params(tx, model_version="m1", trained_through=(2025, 5), params_json='{"v": 1}',
                                  activate=True)  # fmt: skip
        model_params.store_params(tx, model_version="m2", trained_through=None, params_json='{"v": 2}',
                                  activate=False)  # fmt: skip
    assert model_params.active_version(league) == "m1"
    assert orjson.loads(model_params.params_json(league) or "") == {"v": 1}
    assert orjson.loads(model_params.params_json(league, "m2") or "") == {"v": 2}
    assert model_params.params_json(league, "missing") is None
    with league.transaction() as tx:
        model_params.store_params(tx, model_version="m2", trained_through=(2025, 6), params_json='{"v": 3}',
                                  activate=True)  # fmt: skip
    assert model_params.active_version(league) == "m2"
    assert orjson.loads(model_params.params_json(league) or "") == {"v": 3}
    # Storing a version again replaces its parameters, never what it was first recorded as trained through.
    assert league.fetch("SELECT model_version, trained_through_week FROM model_params ORDER BY 1") == [
        ["m1", 5],
        ["m2", None],
    ]


@pytest.fixture(scope="module")
def embedded(league: Database) -> Iterator[dict[str, np.ndarray]]:
    played = [g for g in games.all_games(league) if g["home_score"] is not None]
    matrix = {g["game_id"]: _unit(32) for g in played}
    with league.transaction() as tx:
        vectors.store_game_embeddings(tx, [(g["game_id"], g["season"], matrix[g["game_id"]]) for g in played],
                                      "vectors-test")  # fmt: skip
    yield matrix


def test_similar_matchups_match_the_exact_scan_and_respect_their_filters(
    league: Database, embedded: dict[str, np.ndarray]
) -> None:
    game_id, query = next(iter(embedded.items()))
    exact = vectors.exact_matchups(league, query, 5)
    assert exact[0] == (game_id, pytest.approx(1.0, abs=1e-5))
    approx = vectors.similar_matchups(league, query, 5, ef_search=200)  # a wide scan: the exact answer here
    assert [r["game_id"] for r in approx] == [g for g, _ in exact]
    plain = vectors.similar_matchups(league, query, 5)
    assert len(plain) == 5 and plain[0]["game_id"] == game_id
    assert set(approx[0]) == {"game_id", "season", "week", "home_team", "away_team", "home_score", "away_score",
                              "spread_line", "total_line", "similarity"}  # fmt: skip
    wide = vectors.similar_matchups(league, query, 5, exclude_game_id=game_id, ef_search=200)
    assert game_id not in {r["game_id"] for r in wide} and len(wide) == 5
    before = dt.date(2025, 1, 1)
    early = vectors.similar_matchups(league, query, 5, before=before, ef_search=200)
    assert early and all(r["season"] == 2024 for r in early)


def test_sample_vectors_their_count_and_the_planners_choice(
    league: Database, embedded: dict[str, np.ndarray]
) -> None:
    count = vectors.count_embeddings(league)
    assert count == league.scalar("SELECT count(*) FROM game_embeddings") and count >= len(embedded)
    sample = vectors.sample_embeddings(league, 3)
    first = sorted(embedded)[:3]
    assert len(sample) == 3
    for vector, game_id in zip(sample, first, strict=True):
        assert np.allclose(np.asarray(vector, dtype=np.float32), embedded[game_id], atol=1e-6)
    # ORDER BY distance LIMIT k over the HNSW-indexed column: the planner takes the index.
    assert vectors.planner_uses_hnsw(league, sample[0], 5) is True


def test_analogs_for_many_games_in_one_query(league: Database, embedded: dict[str, np.ndarray]) -> None:
    week = games.week_games(league, 2025, 8)
    out = vectors.analogs_for_games(league, [g["game_id"] for g in week], [_literal(_unit(32)) for _ in week],
                                    [g["gameday"] for g in week], 3)  # fmt: skip
    assert list(out) == [g["game_id"] for g in week]
    for game in week:
        assert len(out[game["game_id"]]) == 3
        assert all(a["game_id"] != game["game_id"] for a in out[game["game_id"]])
        assert all((a["season"], a["week"]) < (2025, 8) for a in out[game["game_id"]])


def test_content_search_runs_for_every_source(league: Database) -> None:
    ids = [g["game_id"] for g in games.week_games(league, 2025, 9)][:1]
    query = _unit(256)
    note: research.ResearchNote = {"expert_id": "x", "game_id": ids[0], "content": "note", "metadata": "{}",
                                   "relevance_score": 0.9, "embedding": query}  # fmt: skip
    with league.transaction() as tx:
        research.replace_research(tx, ids, "search-test", [note])
    for source in ("all", "knowledge_base", "expert_research", "news", "predictions"):
        rows = vectors.search_content(league, query, source=source, match_threshold=0.99, match_count=3)
        found = source in ("all", "expert_research")
        assert (len(rows) == 1) == found, source
        if found:
            assert rows[0]["similarity"] == pytest.approx(1.0, abs=1e-5)


# -- grading ----------------------------------------------------------------------------------


def _bet(game_id: str, expert: str, outcome: str, units: float | None) -> ExpertBetRow:
    return {"expert_id": expert, "game_id": game_id, "season": 2025, "week": 5, "bet_type": "winner",
            "bet_value": {"value": "KC", "actual": "KC", "line": None}, "confidence": 0.6, "reasoning": "r",
            "reasoning_embedding": None, "outcome": outcome, "error": None, "units": units,
            "model_version": VERSION}  # fmt: skip


def test_pending_grades_then_the_betting_history_and_its_leaderboard(league: Database) -> None:
    week = [g["game_id"] for g in games.week_games(league, 2025, 5)][:2]
    stored.upsert_predictions(league, [_row(week[0]), _row(week[1])])
    # Only honest predictions are graded (issue 15): these stand for ones stored before kickoff.
    league.execute("UPDATE predictions p SET created_at = g.gameday - 1 FROM games g "
                   "WHERE g.game_id = p.game_id AND p.game_id = ANY(:ids)", ids=week)  # fmt: skip
    pending = {p["game_id"]: p for p in grading.pending_grades(league, season=2025, limit=500)}
    assert set(week) <= set(pending)
    assert orjson.loads(pending[week[0]]["payload_text"]) == {"game_id": week[0], "n": 1}
    assert grading.pending_grades(league, season=2024, limit=500) == []
    assert len(grading.pending_grades(league, season=2025, limit=1)) == 1  # the limit holds
    assert set(week) <= {p["game_id"] for p in grading.pending_grades(league, season=None, limit=500)}
    with league.transaction() as tx:
        grading.replace_expert_bets(tx, game_id=week[0], model_version=VERSION,
                                    rows=[_bet(week[0], "a", "win", 0.9), _bet(week[0], "b", "loss", -1.0)])  # fmt: skip
        grading.replace_expert_bets(
            tx, game_id=week[1], model_version=VERSION, rows=[_bet(week[1], "a", "win", None)]
        )
    assert {p["game_id"] for p in grading.pending_grades(league, season=2025, limit=500)}.isdisjoint(week)
    board = {r["expert_id"]: r for r in grading.leaderboard_rows(league, 2025)}
    assert (board["a"]["n"], board["a"]["wins"], board["a"]["bets"], float(board["a"]["units"])) == (
        2,
        2,
        1,
        0.9,
    )
    assert float(board["b"]["accuracy"]) == 0.0 and board["b"]["judged"] == 1
    with league.transaction() as tx:  # re-grading replaces the game's rows
        grading.replace_expert_bets(tx, game_id=week[0], model_version=VERSION, rows=[])
    assert league.scalar("SELECT count(*) FROM expert_bets WHERE game_id = :game_id", game_id=week[0]) == 0
    assert grading.leaderboard_rows(league, 1999) == []
    graded = league.fetch_dicts("SELECT * FROM expert_bets WHERE game_id = :game_id", game_id=week[1])
    assert set(EXPERT_BET_FIELDS) <= set(graded[0]) and graded[0]["graded_at"] is not None
