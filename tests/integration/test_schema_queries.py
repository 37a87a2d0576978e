"""The SQL search functions and the performance indexes, on enough rows for the planner to care."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import Database

RNG = np.random.default_rng(7)
PREDICTION_TYPES = ("full", "experts", "ml", "props", "totals", "spread", "moneyline", "first_half")


def unit(n: int, dim: int) -> np.ndarray:
    vectors = RNG.normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def seeded(db: Database) -> Database:
    load_demo_league(db)
    game_ids = [row[0] for row in db.fetch("SELECT game_id FROM games ORDER BY game_id")]
    matchup = unit(len(game_ids) * len(PREDICTION_TYPES), 32)
    text = unit(len(game_ids) * len(PREDICTION_TYPES), 256)
    with db.transaction() as tx:
        tx.run_many(
            "INSERT INTO predictions (season, week, game_id, prediction_type, payload, reasoning_text, "
            "analysis_embedding, reasoning_embedding, model_version, expires_at) "
            "SELECT g.season, g.week, g.game_id, :ptype, CAST(:payload AS jsonb), :reason, :a, :r, 'test', "
            "now() + interval '1 hour' FROM games g WHERE g.game_id = :gid",
            [
                {"gid": gid, "ptype": ptype, "payload": orjson.dumps({"winner": gid[-2:], "n": i}).decode(),
                 "reason": f"{gid} {ptype} reasoning", "a": matchup[i], "r": text[i]}
                for i, (gid, ptype) in enumerate((g, p) for g in game_ids for p in PREDICTION_TYPES)
            ],
        )  # fmt: skip
        tx.run("INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, 3000) i")
        tx.run("INSERT INTO api_keys (user_id, key_hash, key_prefix, name) "
               "SELECT id, sha256(('key' || id)::bytea), 'nflp_' || id, 'k' FROM users")  # fmt: skip
        tx.run("INSERT INTO subscriptions (user_id, tier, status, expires_at) "
               "SELECT id, 'pro', CASE WHEN id % 10 = 0 THEN 'cancelled' ELSE 'active' END, "
               "now() + (id || ' hours')::interval FROM users")  # fmt: skip
        kb = unit(400, 256)
        tx.run_many(
            "INSERT INTO knowledge_base (category, title, content, embedding, trust_score) "
            "VALUES (:c, :t, :t, :e, :s)",
            [{"c": "injuries" if i % 2 else "weather", "t": f"kb {i}", "e": kb[i], "s": i % 11}
             for i in range(400)],
        )  # fmt: skip
        research = unit(300, 256)
        tx.run_many(
            "INSERT INTO expert_research (expert_id, research_type, content, embedding) VALUES (:x, :t, :c, :e)",
            [
                {"x": f"expert_{i % 15}", "t": "matchup", "c": f"research {i}", "e": research[i]}
                for i in range(300)
            ],
        )
        bets = unit(300, 256)
        tx.run_many(
            "INSERT INTO expert_bets (expert_id, game_id, season, week, bet_type, bet_value, confidence, "
            "reasoning, reasoning_embedding, outcome) VALUES (:x, :g, 2024, 1, :b, '{}'::jsonb, 0.6, :r, :e, :o)",
            [{"x": f"expert_{i % 15}", "g": game_ids[i], "b": "spread", "r": f"bet {i}", "e": bets[i],
              "o": "win" if i % 2 else None} for i in range(300)],
        )  # fmt: skip
        news = unit(100, 256)
        tx.run_many(
            "INSERT INTO news_articles (title, content, url, embedding) VALUES (:t, :t, :u, :e)",
            [{"t": f"news {i}", "u": f"https://example.com/{i}", "e": news[i]} for i in range(100)],
        )
        tx.run_many("INSERT INTO game_embeddings (game_id, season, model_version, embedding) "
                    "SELECT game_id, season, 'test', :e FROM games WHERE game_id = :g",
                    [{"g": gid, "e": matchup[i]} for i, gid in enumerate(game_ids)])  # fmt: skip
    db.execute("ANALYZE")
    return db


def plan(db: Database, sql: str, **params: object) -> str:
    return "\n".join(row[0] for row in db.fetch("EXPLAIN " + sql, **params))


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT payload FROM predictions WHERE season = 2025 AND week = 13 AND prediction_type = 'full'",
         "predictions_season_week_type_idx"),
        ("SELECT id FROM api_keys WHERE key_hash = sha256('key42'::bytea)", "api_keys_key_hash_idx"),
        ("SELECT tier FROM subscriptions WHERE user_id = 42 AND status = 'active' ORDER BY expires_at DESC LIMIT 1",
         "subscriptions_active_user_idx"),
        ("SELECT id FROM subscriptions WHERE status = 'active' AND expires_at < now() + interval '3 hours'",
         "subscriptions_expiring_idx"),
        ("SELECT id FROM predictions WHERE created_at > now() + interval '1 day'", "predictions_created_at_idx"),
        ("SELECT id FROM predictions WHERE expires_at < now() - interval '1 day'", "predictions_expires_at_idx"),
    ],
)  # fmt: skip
def test_main_queries_use_their_indexes(seeded: Database, sql: str, index: str) -> None:
    assert index in plan(seeded, sql)


def test_vector_search_uses_hnsw(seeded: Database) -> None:
    query = unit(1, 256)[0]
    text = plan(seeded, "SELECT id FROM predictions ORDER BY reasoning_embedding <=> :q LIMIT 10", q=query)
    assert "predictions_reasoning_embedding_hnsw" in text


def test_unread_payload_index_is_gone(seeded: Database) -> None:
    """Migration 013: no query reads the payload GIN, and every write of a week paid for it; index
    maintenance must not build it again either."""
    from nfl_predictor.db.index_catalog import declared_indexes
    from nfl_predictor.db.migrate import load_migrations

    names = {
        row[0] for row in seeded.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'predictions'")
    }
    dropped = {"predictions_payload_gin"}
    assert not names & dropped
    assert not set(declared_indexes(load_migrations())) & dropped


def test_search_knowledge_base_finds_itself_and_filters(seeded: Database) -> None:
    target = seeded.fetch("SELECT id, embedding, category FROM knowledge_base WHERE trust_score = 7 LIMIT 1")[
        0
    ]
    rows = seeded.fetch_dicts("SELECT * FROM search_knowledge_base(:q, 0.5, 5)", q=target[1])
    assert rows[0]["id"] == target[0] and rows[0]["similarity"] == pytest.approx(1.0, abs=1e-5)
    assert all(r["similarity"] >= 0.5 for r in rows)
    other = "weather" if target[2] == "injuries" else "injuries"
    filtered = seeded.fetch_dicts("SELECT * FROM search_knowledge_base(:q, -1, 5, :c)", q=target[1], c=other)
    assert filtered and all(r["category"] == other for r in filtered)
    trusted = seeded.fetch_dicts("SELECT * FROM search_knowledge_base(:q, -1, 20, NULL, 9)", q=target[1])
    assert trusted and all(r["trust_score"] >= 9 for r in trusted)


def test_search_expert_research_and_bets(seeded: Database) -> None:
    rid, emb = seeded.fetch("SELECT id, embedding FROM expert_research WHERE expert_id = 'expert_3' LIMIT 1")[
        0
    ]
    rows = seeded.fetch_dicts("SELECT * FROM search_expert_research(:q, 0.9, 3, 'expert_3')", q=emb)
    assert [r["id"] for r in rows] == [rid]
    bid, bemb = seeded.fetch("SELECT id, reasoning_embedding FROM expert_bets WHERE outcome = 'win' LIMIT 1")[
        0
    ]
    bets = seeded.fetch_dicts("SELECT * FROM search_similar_bets(:q, -1, 10, NULL, 'spread', true)", q=bemb)
    assert bets[0]["id"] == bid and all(b["outcome"] is not None for b in bets)


def test_search_prediction_analysis_and_matchups(seeded: Database) -> None:
    pid, emb = seeded.fetch("SELECT id, reasoning_embedding FROM predictions WHERE season = 2025 LIMIT 1")[0]
    rows = seeded.fetch_dicts("SELECT * FROM search_prediction_analysis(:q, 0.2, 5, 2025)", q=emb)
    assert rows[0]["id"] == pid and all(r["season"] == 2025 for r in rows)

    gid, gemb = seeded.fetch("SELECT e.game_id, e.embedding FROM game_embeddings e JOIN games g USING (game_id) "
                             "WHERE g.season = 2025 AND g.week = 14")[0]  # fmt: skip
    similar = seeded.fetch_dicts(
        "SELECT * FROM search_similar_matchups(:q, 5, :g, '2025-11-01')", q=gemb, g=gid
    )
    assert len(similar) == 5 and gid not in {r["game_id"] for r in similar}
    assert all(r["home_score"] is not None for r in similar)
    sims = [r["similarity"] for r in similar]
    assert sims == sorted(sims, reverse=True)


def test_search_all_content_merges_sources(seeded: Database) -> None:
    nid, emb = seeded.fetch("SELECT id, embedding FROM news_articles LIMIT 1")[0]
    rows = seeded.fetch_dicts("SELECT * FROM search_all_content(:q, -1, 8)", q=emb)
    assert (rows[0]["source"], rows[0]["id"]) == ("news", nid)
    assert len(rows) == 8
    only_kb = seeded.fetch_dicts(
        "SELECT * FROM search_all_content(:q, -1, 5, ARRAY['knowledge_base'])", q=emb
    )
    assert only_kb and {r["source"] for r in only_kb} == {"knowledge_base"}
