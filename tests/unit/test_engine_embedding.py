"""Matchup embeddings and exact nearest-neighbour search."""

from __future__ import annotations

import itertools

import numpy as np
from nfl_predictor.engine import EMBEDDING_DIM, historical_embeddings, nearest_matchups
from nfl_predictor.engine.synthetic import synthetic_league


def test_historical_embeddings_are_unit_norm_float32_fixed_dim() -> None:
    league = synthetic_league(seasons=(2020, 2021), seed=1)
    rows, matrix = historical_embeddings(league.games, league.team_stats)
    assert matrix.dtype == np.float32 and matrix.shape == (len(rows), EMBEDDING_DIM) == (
        len(league.games),
        32,
    )
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-6)
    assert rows[0]["result"] == rows[0]["home_score"] - rows[0]["away_score"]


def test_nearest_matchups_returns_the_exact_neighbours() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(200, 32))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    query = matrix[17] + 0.05 * rng.normal(size=32)
    query /= np.linalg.norm(query)
    got = nearest_matchups(query.astype(np.float32), matrix.astype(np.float32), 5)
    sims = matrix @ query
    expected = sorted(range(200), key=lambda i: -sims[i])[:5]
    assert [i for i, _ in got] == expected
    assert got[0][0] == 17
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(got))


def test_ties_break_toward_lower_index_and_k_is_capped() -> None:
    matrix = np.tile(np.eye(32, dtype=np.float32)[0], (4, 1))
    assert [i for i, _ in nearest_matchups(matrix[0], matrix, 3)] == [0, 1, 2]
    assert len(nearest_matchups(matrix[0], matrix, 10)) == 4
    assert nearest_matchups(matrix[0], matrix[:0], 3) == []
