"""admin Lambda: the handler lives in nfl_predictor.handlers.admin (this folder is the function's code URI)."""

from nfl_predictor.handlers.admin import handler

__all__ = ["handler"]
