"""index_maintenance Lambda: the handler lives in nfl_predictor.handlers.index_maintenance (this folder is the function's code URI)."""

from nfl_predictor.handlers.index_maintenance import handler

__all__ = ["handler"]
