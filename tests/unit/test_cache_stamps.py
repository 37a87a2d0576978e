"""NamespaceStamps without Redis: the stamp is a local counter that only invalidation moves."""

from __future__ import annotations

import time

from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import EPOCH_BITS, GENERATION_STEP, NamespaceStamps, generation, initial_stamp


def _local() -> NamespaceStamps:
    return NamespaceStamps(None, KeyResolver(1).stamp_key, refresh_s=0.01)


def test_local_stamps_never_expire_and_bump_per_namespace() -> None:
    stamps = _local()
    assert stamps.current("predictions") == 0
    time.sleep(0.02)
    assert stamps.current("predictions") == 0  # no Redis: nothing to refresh from
    assert stamps.bump_generation("predictions")
    assert stamps.current("predictions") == GENERATION_STEP
    assert stamps.current("teams") == 0
    assert stamps.bump_epoch("predictions")  # nothing to tell other processes
    assert stamps.current("predictions") == GENERATION_STEP


def test_local_writes_go_to_l1_only() -> None:
    stamps = _local()
    stamps.bump_generation("teams")
    assert stamps.write_stamp("teams") == (GENERATION_STEP, False)
    assert stamps.for_write("teams") == GENERATION_STEP
    assert stamps.verified("teams") is None  # never read from Redis


def test_generation_ignores_the_epoch_and_new_stamps_outgrow_old_ones() -> None:
    assert generation((5 << EPOCH_BITS) | 7) == 5
    first = initial_stamp()
    assert first % GENERATION_STEP == 0
    assert generation(first) > 1000  # seconds since 2023: above any generation bumped before a loss
