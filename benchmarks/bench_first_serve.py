"""First start of ``nfl-predictor serve`` on an empty embedded database, beside a same-run reference.

Project figure: the default start (load the nflverse snapshot, train on every game since 1999,
backfill the latest season walk-forward and grade it) until ``/health`` answers. Reference, measured
in the same run on the same machine: ``serve --demo`` (the synthetic league, last four weeks
backfilled). Each runs in a fresh data directory, one after the other; both are stopped with Ctrl-C.

Run from the checkout after ``pip install -e ".[local]"``: ``python benchmarks/bench_first_serve.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from nfl_predictor_dev.local.redis_server import free_port

DEADLINE_S = 1800


def first_start(*flags: str) -> float:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nflp-first-serve-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DB_SECRET_ARN")}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "nfl_predictor.cli.main", "--data-dir", data_dir, "serve",
                                 "--port", str(port), *flags], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            while time.perf_counter() - started < DEADLINE_S:
                if proc.poll() is not None:
                    raise SystemExit(f"serve {' '.join(flags)} exited with {proc.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                        return time.perf_counter() - started
                except OSError:
                    time.sleep(0.5)
            raise SystemExit(f"serve {' '.join(flags)} did not answer within {DEADLINE_S}s")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=120)


def main() -> int:
    real = first_start()
    demo = first_start("--demo")
    print(f"first serve, nflverse snapshot (default): {real:7.1f} s")
    print(f"first serve, demo league (reference):     {demo:7.1f} s   ratio {real / demo:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
