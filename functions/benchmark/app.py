"""The benchmark Lambda's code URI: its handler, imported through load_handler (see nfl_predictor.handlers)."""

from nfl_predictor.handlers import load_handler

handler = load_handler("nfl_predictor.handlers.benchmark")

__all__ = ["handler"]
