"""cache-warm: EventBridge schedule -> compute, store and cache the upcoming games. Wiring only."""

from nfl_predictor.ops.cache_warm_handler import handler

__all__ = ["handler"]
