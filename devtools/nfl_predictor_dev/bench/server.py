"""Processes the out-of-process benchmarks need: the API (or the bare reference app) under uvicorn on
loopback, and wrk against it. Local only: nothing here runs inside Lambda."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from nfl_predictor.benchmarking.api_latency import BARE_APP

PROJECT_APP = "nfl_predictor.api.app:app_from_environment"


def bare_app_dir() -> str:
    """A folder holding bare_app.py, for uvicorn's --app-dir."""
    folder = Path(tempfile.gettempdir()) / "nflp_bare_app"
    folder.mkdir(exist_ok=True)
    (folder / "bare_app.py").write_text(BARE_APP)
    return str(folder)


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered (404 on "/" is an answer)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not answer {url} within {timeout_s:.0f} s")


@contextlib.contextmanager
def uvicorn_server(app_spec: str, port: int, env: dict[str, str] | None = None, *, factory: bool,
                   app_dir: str | None = None) -> Iterator[str]:  # fmt: skip
    """One uvicorn worker on 127.0.0.1:port (never another interface); yields its base URL."""
    args = [sys.executable, "-m", "uvicorn", app_spec, "--host", "127.0.0.1", "--port", str(port), "--workers",
            "1", "--log-level", "warning", "--lifespan", "off", "--no-access-log"]  # fmt: skip
    if factory:
        args.append("--factory")
    if app_dir:
        args += ["--app-dir", app_dir]
    proc = subprocess.Popen(
        args, env=env or dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int = 32) -> tuple[float, int]:
    """Requests/s and non-2xx count from one bounded wrk run (loopback only)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("wrk only ever targets loopback")
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 30).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"unexpected wrk output: {out[-300:]}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return float(found.group(1)), int(bad.group(1)) if bad else 0
