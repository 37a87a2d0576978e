"""Prediction engine: pure computation from records and stored parameters to predictions.

Public API (no I/O, numpy only at inference):

- ``fit(games, team_stats, player_stats, *, through=None) -> ModelParams`` (``to_dict``/``from_dict``)
- ``predict_game(params, game, *, player_stats=None, analogs=None) -> dict`` and ``predict_week(...)``
- ``matchup_embedding`` / ``embed_rows`` / ``historical_embeddings`` and ``nearest_matchups``
- ``grade(predictions, game, box_score=None)``, ``box_score_from_stats``, ``leaderboard(rows)``
- ``run_backtest(games, team_stats, *, start, end, oracle=False)``, ``format_table(rows)``, ``backtest_json``
- ``engine.calibration``: walk-forward payloads (each week from a model fitted before it), the
  calibration table per category, expert diversity and the props table
- ``engine.elo`` is the classic Elo baseline on its own.
"""

from nfl_predictor.engine.backtest import format_table, run_backtest
from nfl_predictor.engine.backtest import to_json as backtest_json
from nfl_predictor.engine.categories import CATEGORY_NAMES
from nfl_predictor.engine.embedding import (
    EMBEDDING_DIM,
    embed_rows,
    historical_embeddings,
    matchup_embedding,
    nearest_matchups,
)
from nfl_predictor.engine.experts import EXPERT_NAMES, EXPERTS
from nfl_predictor.engine.grading import box_score_from_stats, grade, leaderboard
from nfl_predictor.engine.model import ModelParams, fit
from nfl_predictor.engine.predict import matchup_embeddings, predict_game, predict_week
from nfl_predictor.engine.props import index_player_stats

__all__ = [
    "CATEGORY_NAMES",
    "EMBEDDING_DIM",
    "EXPERTS",
    "EXPERT_NAMES",
    "ModelParams",
    "backtest_json",
    "box_score_from_stats",
    "embed_rows",
    "fit",
    "format_table",
    "grade",
    "historical_embeddings",
    "index_player_stats",
    "leaderboard",
    "matchup_embedding",
    "matchup_embeddings",
    "nearest_matchups",
    "predict_game",
    "predict_week",
    "run_backtest",
]
