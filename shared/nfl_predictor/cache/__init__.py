"""Two-tier cache: in-process LRU (L1) over Redis (L2), storing final HTTP body bytes.

Build one ``CacheManager`` per process (``CacheManager.from_settings``; the API keeps it on its
services object); see ``manager`` for the read path and failure behaviour, ``stamps`` for
invalidation, ``codec`` for the entry format.
"""

from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.config import CacheConfig
from nfl_predictor.cache.invalidation import InvalidationResult
from nfl_predictor.cache.keys import normalise_params
from nfl_predictor.cache.manager import CacheManager

__all__ = ["CacheConfig", "CacheEntry", "CacheManager", "InvalidationResult", "normalise_params"]
