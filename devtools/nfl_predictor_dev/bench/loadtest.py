"""The load test: the API under one uvicorn worker on loopback, a warm cache, locust headless with a
step load, and a per-step, per-endpoint report (requests/s, error rate, p50/p95/p99).

The verdict for a step: no errors and p99 <= the target (100 ms). "Holds up to N users" means that
step and every step below it met the target.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nfl_predictor_dev.bench.machine import checkout_root
from nfl_predictor_dev.bench.mix import SEARCHES, VIEWS
from nfl_predictor_dev.bench.server import PROJECT_APP, bare_app_dir, uvicorn_server


def locustfile_dir() -> Path:
    """loadtests/ (locust's entry point) in the checkout the command runs in."""
    root = checkout_root()
    folder = (root or Path.cwd()) / "loadtests"
    if not (folder / "locustfile.py").is_file():
        raise RuntimeError(f"no locustfile at {folder}: run the load test from a checkout")
    return folder


@dataclass
class LoadOptions:
    # 8 steps of 15 s: two minutes, past the 100-user target to where it stops holding.
    max_users: int = 200
    step_users: int = 25
    step_seconds: float = 15.0
    p99_target_ms: float = 100.0
    output_dir: Path = Path("loadtest-results")
    weeks: int = 2  # upcoming weeks whose games the mix requests

    @property
    def steps(self) -> int:
        return math.ceil(self.max_users / self.step_users)

    def users_at(self, step: int) -> int:
        return min(self.max_users, (step + 1) * self.step_users)


@dataclass
class Row:
    step: int
    users: int
    endpoint: str
    requests: int
    rps: float
    errors: int
    error_rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    meets_target: bool


@dataclass
class LoadReport:
    options: dict[str, Any]
    steps: list[Row]
    endpoints: list[Row]
    holds_up_to_users: int  # highest step meeting the target with every lower step meeting it too
    files: dict[str, str] = field(default_factory=dict)

    def table(self) -> str:
        head = f"{'users':>5} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  target"
        lines = [head, "-" * len(head)]
        for r in self.steps:
            lines.append(f"{r.users:>5} {r.requests:>8} {r.rps:>7.1f} {r.errors:>6} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} "
                         f"{r.p99_ms:>7.1f}  {'PASS' if r.meets_target else 'FAIL'}")  # fmt: skip
        target = self.options["p99_target_ms"]
        lines.append(f"holds 0 errors and p99 <= {target:g} ms up to {self.holds_up_to_users} users")
        return "\n".join(lines)


def read_samples(path: Path) -> list[tuple[float, str, float, int]]:
    with path.open(newline="") as handle:
        return [(float(r["seconds"]), r["endpoint"], float(r["response_ms"]), int(r["error"]))
                for r in csv.DictReader(handle)]  # fmt: skip


def _row(
    step: int, users: int, endpoint: str, items: list[tuple[float, int]], seconds: float, target: float
) -> Row:
    import numpy as np  # here, not at import: the CLI imports this module to build its parser
    from nfl_predictor.benchmarking.stats import nearest_rank

    ms = np.sort(np.array([m for m, _ in items]))
    errors = sum(e for _, e in items)
    p99 = nearest_rank(ms, 99)
    return Row(step, users, endpoint, len(items), round(len(items) / seconds, 2), errors,
               round(errors / len(items), 4), round(nearest_rank(ms, 50), 2), round(nearest_rank(ms, 95), 2),
               round(p99, 2), round(float(ms[-1]), 2), errors == 0 and p99 <= target)  # fmt: skip


def summarise(samples: list[tuple[float, str, float, int]], options: LoadOptions) -> LoadReport:
    by_step: dict[int, list[tuple[float, int]]] = defaultdict(list)
    by_endpoint: dict[tuple[int, str], list[tuple[float, int]]] = defaultdict(list)
    for seconds, endpoint, ms, error in samples:
        step = min(options.steps - 1, int(seconds // options.step_seconds))
        by_step[step].append((ms, error))
        by_endpoint[(step, endpoint)].append((ms, error))
    target = options.p99_target_ms
    steps = [
        _row(s, options.users_at(s), "all", by_step[s], options.step_seconds, target) for s in sorted(by_step)
    ]
    endpoints = [_row(s, options.users_at(s), e, items, options.step_seconds, target)
                 for (s, e), items in sorted(by_endpoint.items())]  # fmt: skip
    holds = 0
    for row in steps:
        if not row.meets_target:
            break
        holds = row.users
    opts = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()}
    return LoadReport(opts, steps, endpoints, holds)


def write_report(report: LoadReport, output_dir: Path) -> dict[str, str]:
    output_dir.mkdir(parents=True, exist_ok=True)
    files = {"steps": output_dir / "steps.csv", "endpoints": output_dir / "endpoints.csv",
             "summary_json": output_dir / "summary.json", "summary": output_dir / "summary.txt"}  # fmt: skip
    for key, rows in (("steps", report.steps), ("endpoints", report.endpoints)):
        with files[key].open("w", newline="") as handle:
            out = csv.DictWriter(handle, fieldnames=list(asdict(rows[0]).keys()) if rows else ["step"])
            out.writeheader()
            out.writerows(asdict(r) for r in rows)
    report.files = {k: str(v) for k, v in files.items()}
    files["summary_json"].write_text(json.dumps(asdict(report), indent=2) + "\n")
    files["summary"].write_text(report.table() + "\n")
    return report.files


def _get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"x-api-key": key, "accept-encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return int(response.status)


def warm(base: str, key: str, games: list[str], weeks: list[tuple[int, int]]) -> int:
    """Every URL the mix can ask for, once, so the test starts on a warm cache."""
    urls = [f"{base}/v1/games/{g}/predictions" for g in games]
    urls += [f"{base}/v1/games/{g}/predictions?{v}" for g in games for v in VIEWS]
    urls += [f"{base}/v1/predictions?season={s}&week={w}" for s, w in weeks]
    urls += [f"{base}/v1/search?" + urllib.parse.urlencode({"q": q}) for q in SEARCHES]
    urls.append(f"{base}/v1/experts/leaderboard")
    bad = [url for url in urls if _get(url, key) != 200]
    if bad:
        raise RuntimeError(f"warming failed for {bad[0]}")
    return len(urls)


def run_locust(base: str, locustfiles: list[str], env: dict[str, str], options: LoadOptions,
               samples_path: Path, csv_prefix: Path) -> None:  # fmt: skip
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError("the load test only ever targets loopback")
    env = {**env, "NFLP_LOADTEST_SAMPLES": str(samples_path), "NFLP_STEP_USERS": str(options.step_users),
           "NFLP_STEP_SECONDS": str(options.step_seconds), "NFLP_MAX_USERS": str(options.max_users)}  # fmt: skip
    args = [sys.executable, "-m", "locust", "-f", ",".join(locustfiles), "--headless", "--host", base,
            "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]  # fmt: skip
    budget = options.steps * options.step_seconds + 120  # bounded even if locust misbehaves
    log = csv_prefix.with_suffix(".log")
    with log.open("w") as handle:
        done = subprocess.run(args, env=env, timeout=budget, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text().strip().splitlines()[-5:]
        raise RuntimeError(f"locust exited with {done.returncode} (see {log}): " + " / ".join(tail))


def run_loadtest(stack: Any, options: LoadOptions, *, bare: bool = False,
                 say: Callable[[str], None] = lambda _m: None) -> LoadReport:  # fmt: skip
    """Start the server (the API, or the bare reference app), warm it, step-load it, write the report."""
    from nfl_predictor_dev.local.redis_server import free_port

    options.output_dir.mkdir(parents=True, exist_ok=True)
    weeks = stack.upcoming_weeks()[: options.weeks]
    games = [g for s, w in weeks for g in _week_games(stack, s, w)]
    env = {**os.environ, "DB_POOLED": "true", "NFLP_API_KEY": stack.key, "NFLP_LOADTEST_GAMES": ",".join(games),
           "NFLP_LOADTEST_WEEKS": ",".join(f"{s}:{w}" for s, w in weeks)}  # fmt: skip
    folder = locustfile_dir()
    files = [str(folder / ("bare.py" if bare else "locustfile.py")), str(folder / "shapes.py")]
    server = (uvicorn_server("bare_app:app", free_port(), env, factory=False, app_dir=bare_app_dir()) if bare
              else uvicorn_server(PROJECT_APP, free_port(), env, factory=True))  # fmt: skip
    samples_path = options.output_dir / ("samples-bare.csv" if bare else "samples.csv")
    with server as base:
        if not bare:
            say(f"warming {warm(base, stack.key, games, weeks)} URLs on {base}")
        say(f"step load: +{options.step_users} users every {options.step_seconds:g} s up to {options.max_users} "
            f"({options.steps * options.step_seconds:g} s)")  # fmt: skip
        run_locust(
            base,
            files,
            env,
            options,
            samples_path,
            options.output_dir / ("locust-bare" if bare else "locust"),
        )
    report = summarise(read_samples(samples_path), options)
    if not bare:
        write_report(report, options.output_dir)
    return report


def _week_games(stack: Any, season: int, week: int) -> list[str]:
    rows = stack.db.fetch(
        "SELECT game_id FROM games WHERE season = :s AND week = :w ORDER BY game_id", s=season, w=week
    )
    return [str(r[0]) for r in rows]
