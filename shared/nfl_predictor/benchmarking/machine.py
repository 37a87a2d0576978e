"""What a run was measured on: CPU, Python, packages, the Lambda function (saved with every baseline,
because a figure means little without the machine it came from). The code's commit is the caller's
to give: the local harness reads it from the checkout; inside Lambda there is none."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from nfl_predictor.config import Settings

PACKAGES = ("nfl-predictor", "numpy", "redis", "pg8000", "orjson", "fastapi", "starlette", "mangum", "uvicorn",
            "aws-lambda-powertools", "scipy", "locust")  # fmt: skip


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def machine_info(settings: Settings | None = None, *, git_commit: str | None = None) -> dict[str, Any]:
    import numpy

    settings = settings if settings is not None else Settings.from_env()
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "packages": package_versions(),
        "git_commit": git_commit,
        "lambda_function": settings.lambda_function_name,
        "lambda_memory_mb": settings.lambda_memory_mb,
    }
