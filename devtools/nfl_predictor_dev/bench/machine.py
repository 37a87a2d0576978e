"""What a run was measured on: CPU, Python, packages, the code's commit (saved with every baseline,
because a figure means little without the machine it came from)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("nfl-predictor", "numpy", "redis", "pg8000", "orjson", "fastapi", "starlette", "mangum", "uvicorn",
            "aws-lambda-powertools", "scipy", "locust")  # fmt: skip
CHECKOUT = Path(__file__).resolve().parents[4]


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


def git_commit() -> str | None:
    if not (CHECKOUT / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    import numpy

    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "packages": package_versions(),
        "git_commit": git_commit(),
        "lambda_function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "lambda_memory_mb": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
    }
