"""admin Lambda: the handler lives in nfl_predictor.handlers.admin (this folder is the function's code URI).
Imported through load_handler for the frame stack's sake (see nfl_predictor/handlers/__init__.py)."""

from nfl_predictor.handlers import load_handler

handler = load_handler("nfl_predictor.handlers.admin")

__all__ = ["handler"]
