"""One module per Lambda function. Before any of them imports its libraries, the submodules those
libraries load eagerly and no handler uses are set to load on first use (config.lazy_modules).

Each ``functions/*/app.py`` imports its handler through ``load_handler``, for the frame stack: CPython
(3.11+) keeps Python frames in 16 KiB chunks and frees a chunk the moment the stack drops below it, so
when an import's busiest loop sits on a chunk boundary every call across it costs an mmap and a
munmap (about 14 us here). Imported from Lambda's bootstrap, predict's init crossed one 3,800 times
(some 50 ms; the bare FastAPI function, 600). Which loop lands on a boundary depends on the caller's
depth, so no import order avoids it; a frame bigger than a chunk does: CPython gives it the next power
of two and the whole import runs in the room left over, wherever the boundaries would have been.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from nfl_predictor.config.lazy_modules import defer_unused_submodules

defer_unused_submodules()

# CPython sizes a new chunk as the power of two >= 8 bytes x (frame + 1,000 slots of overhead): a frame
# of 16,500 slots takes a 256 KiB chunk with ~127 KiB (some 600 typical frames) left for its callees.
ROOMY_FRAME_SLOTS = 16_500


def _call(function: Callable[[str], Any], argument: str) -> Any:
    return function(argument)


# Only the reserve grows: the value stack is never touched past what the code uses (nothing is zeroed).
_call.__code__ = _call.__code__.replace(co_stacksize=ROOMY_FRAME_SLOTS)


def load_handler(module: str, attribute: str = "handler") -> Any:
    """``module``'s ``attribute``, the module imported inside a frame with room for the whole import."""
    return getattr(_call(importlib.import_module, module), attribute)
