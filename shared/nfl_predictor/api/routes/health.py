"""GET /health: status ok/degraded with database and cache checks; never secrets."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from nfl_predictor.db import get_database

router = APIRouter()


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        get_database().scalar("SELECT 1")
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


@router.get("/health", tags=["health"])
def health() -> JSONResponse:
    checks = {"database": _check_database()}
    status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if status == "ok" else 503)
