"""cache_warm Lambda: the handler lives in nfl_predictor.handlers.cache_warm (this folder is the function's code URI)."""

from nfl_predictor.handlers.cache_warm import handler

__all__ = ["handler"]
