"""predict Lambda: the handler lives in nfl_predictor.handlers.predict (this folder is the function's code URI)."""

from nfl_predictor.handlers.predict import handler

__all__ = ["handler"]
