"""data Lambda: the handler lives in nfl_predictor.handlers.data (this folder is the function's code URI)."""

from nfl_predictor.handlers.data import handler

__all__ = ["handler"]
