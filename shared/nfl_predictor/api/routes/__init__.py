"""HTTP routes, one module per resource.

Importing this package first makes FastAPI's pydantic.v1 probe lazy (see ``_skip_pydantic_v1_probe``):
the route modules declare their routes at import time, and their body models would otherwise make
FastAPI import ``pydantic.v1`` (35-140 ms of the predict function's cold start) for nothing.
"""

from __future__ import annotations

import sys
from typing import Any


def _skip_pydantic_v1_probe() -> None:
    """For each model-typed parameter FastAPI asks whether it is a pydantic.v1 model, importing
    pydantic.v1 to find out. No class can be a v1 model unless pydantic.v1 is already imported, so
    answer from ``sys.modules`` first (same answers; nothing here uses pydantic.v1)."""
    try:
        from fastapi._compat import shared
    except ImportError:  # a FastAPI without the probe: nothing to do
        return
    probe = getattr(shared, "is_pydantic_v1_model_class", None)
    if probe is None or getattr(probe, "_nflp_lazy", False):
        return

    def is_pydantic_v1_model_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and bool(probe(cls))

    is_pydantic_v1_model_class._nflp_lazy = True  # type: ignore[attr-defined]
    shared.is_pydantic_v1_model_class = is_pydantic_v1_model_class


_skip_pydantic_v1_probe()
