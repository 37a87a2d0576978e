"""Two-tier cache: in-process LRU (L1) over Redis (L2), storing final HTTP body bytes.

Use one ``CacheManager`` per process (``CacheManager.from_settings``, built by the Runtime); see
``manager`` for the read path, invalidation and failure behaviour, ``codec`` for the entry format.
"""

from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.keys import make_key, normalise_params
from nfl_predictor.cache.manager import CacheManager, InvalidationResult

__all__ = ["CacheEntry", "CacheManager", "InvalidationResult", "make_key", "normalise_params"]
