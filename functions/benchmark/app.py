"""benchmark Lambda: the handler lives in nfl_predictor.handlers.benchmark (this folder is the function's code URI)."""

from nfl_predictor.handlers.benchmark import handler

__all__ = ["handler"]
