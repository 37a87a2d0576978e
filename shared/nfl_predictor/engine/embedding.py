"""Matchup embedding: a fixed 32-dimensional, unit-norm description of a game before kickoff.

Built only from pre-game features (ratings, QB values, efficiency, rest, travel, weather), each
divided by a typical scale so no single component dominates, then L2-normalised: cosine similarity
is a dot product, which is what the pgvector HNSW index (vector_cosine_ops / inner product) serves.
The same function embeds historical games (from the walk) and upcoming ones (from ModelParams).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nfl_predictor.engine.ratings import FEATURE_NAMES, TOTAL_FEATURE_NAMES, RatingConfig, walk

Record = dict[str, Any]

EMBEDDING_DIM = 32
_X = {name: i for i, name in enumerate(FEATURE_NAMES)}
_Z = {name: i for i, name in enumerate(TOTAL_FEATURE_NAMES)}
# (source, key, centre, scale)
COMPONENTS: tuple[tuple[str, str, float, float], ...] = (
    ("x", "rating_diff", 0.0, 7.0), ("x", "home_field", 0.0, 3.0), ("x", "qb_change_home", 0.0, 1.0),
    ("x", "qb_change_away", 0.0, 1.0), ("x", "rest_diff", 0.0, 4.0), ("x", "travel_diff", 0.0, 2.0),
    ("x", "tz_diff", 0.0, 2.0), ("x", "epa_diff", 0.0, 0.15), ("x", "playoff", 0.0, 1.0), ("x", "div_game", 0.0, 1.0),
    ("z", "points_total", 44.0, 6.0), ("z", "wind", 0.0, 12.0), ("z", "cold", 0.0, 20.0), ("z", "indoors", 0.0, 1.0),
    ("z", "epa_sum", 0.0, 0.15),
    ("e", "home_rating", 0.0, 6.0), ("e", "away_rating", 0.0, 6.0), ("e", "home_qb_value", 0.0, 4.0),
    ("e", "away_qb_value", 0.0, 4.0), ("e", "home_offense", 0.0, 4.0), ("e", "home_defense", 0.0, 4.0),
    ("e", "away_offense", 0.0, 4.0), ("e", "away_defense", 0.0, 4.0), ("e", "home_off_epa", 0.0, 0.1),
    ("e", "home_def_epa", 0.0, 0.1), ("e", "away_off_epa", 0.0, 0.1), ("e", "away_def_epa", 0.0, 0.1),
    ("e", "home_rest", 7.0, 3.0), ("e", "away_rest", 7.0, 3.0), ("e", "turnovers", 2.8, 1.0),
    ("e", "sacks", 4.8, 1.5), ("c", "bias", 1.0, 1.0),
)  # fmt: skip
assert len(COMPONENTS) == EMBEDDING_DIM


def embed_rows(x: np.ndarray, z: np.ndarray, extras: list[dict[str, float]]) -> np.ndarray:
    """(G, 32) float32 unit-norm embeddings from the walk's or the model's feature rows."""
    g = len(extras)
    out = np.empty((g, EMBEDDING_DIM))
    for j, (src, key, centre, scale) in enumerate(COMPONENTS):
        if src == "x":
            col = x[:, _X[key]]
        elif src == "z":
            col = z[:, _Z[key]]
        elif src == "e":
            col = np.array([e.get(key, centre) for e in extras], dtype=float)
        else:
            col = np.full(g, 1.0)
        out[:, j] = (col - centre) / scale
    # Clip outliers so one extreme feature cannot own the direction of the vector.
    np.clip(out, -4.0, 4.0, out=out)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def matchup_embedding(x: np.ndarray, z: np.ndarray, extras: dict[str, float]) -> np.ndarray:
    """One game's (32,) float32 unit vector."""
    return embed_rows(x.reshape(1, -1), z.reshape(1, -1), [extras])[0]


def historical_embeddings(
    games: list[Record], team_stats: list[Record] | None = None, config: RatingConfig | None = None
) -> tuple[list[Record], np.ndarray]:
    """Every finished game with its pre-game embedding, for storage next to the game (analog search).

    Returns (rows, matrix): rows are {game_id, season, week, home_team, away_team, home_score,
    away_score, result, total} in date order, matrix is (N, 32) float32.
    """
    played = [g for g in games if g.get("home_score") is not None and g.get("away_score") is not None]
    _, ordered, x, z, extras = walk(played, team_stats, config)
    rows = [
        {
            "game_id": g["game_id"], "season": int(g["season"]), "week": int(g["week"]),
            "home_team": g["home_team"], "away_team": g["away_team"],
            "home_score": int(g["home_score"]), "away_score": int(g["away_score"]),
            "result": int(g["home_score"]) - int(g["away_score"]), "total": int(g["home_score"]) + int(g["away_score"]),
        }
        for g in ordered
    ]  # fmt: skip
    return rows, embed_rows(x, z, extras)


def nearest_matchups(query: np.ndarray, matrix: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact k nearest rows by cosine similarity (rows and query unit-norm): [(row index, similarity)].

    Ties break toward the lower index so the answer is deterministic.
    """
    if len(matrix) == 0 or k <= 0:
        return []
    sims = matrix.astype(np.float64) @ query.astype(np.float64)
    order = np.lexsort((np.arange(len(sims)), -sims))[:k]
    return [(int(i), float(sims[i])) for i in order]
