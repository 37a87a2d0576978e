"""migrations Lambda: the handler lives in nfl_predictor.handlers.migrations (this folder is the function's code URI)."""

from nfl_predictor.handlers.migrations import handler

__all__ = ["handler"]
