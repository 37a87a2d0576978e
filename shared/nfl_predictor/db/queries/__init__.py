"""Every SQL statement the application runs, one module per area, one small named function each.

A query takes the ``Database`` (or a ``Transaction``, when the caller decides what commits
together) and typed arguments, binds every value by a readable name (``:game_ids``, ``:season``,
``:model_version``), and returns typed records (``nfl_predictor.records``) or plain values.

- games: games, schedules, upcoming weeks, team and player stat lines
- predictions: stored prediction payloads, their freshness, the write-through upsert
- research: expert research notes
- model_params: fitted model parameters, the active version
- vectors: matchup embeddings and the pgvector search functions
- accounts: users, subscriptions, API keys
- grading: the betting history and the leaderboard figures
- monitoring: performance snapshots, the database's load
- ingest: batched idempotent upserts of nflverse rows
- health: a ping

Schema changes (db/migrate.py) and index maintenance (db/indexes.py) keep their own SQL.
"""
