"""API category as run locally: the in-process measurements (nfl_predictor.benchmarking.api_latency), then
the out-of-process ones, which need a checkout, uvicorn and wrk:

1. Local server (one uvicorn worker), cached game, wrk with 32 connections vs the bare route served
   the same way: median req/s over alternating runs, >= 70% of bare and no errors.
2. Cold start: import the predict handler and build the app in a fresh process vs the bare app:
   <= 1.5x bare (and, informational, the same with the X-Ray tracer created), both from compiled
   bytecode as deployed (one unmeasured warm-up run writes the package's).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import urllib.request

from nfl_predictor.benchmarking import api_latency
from nfl_predictor.benchmarking.api_latency import BARE_APP
from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.result import Measurement, Reference

from nfl_predictor_dev.bench.machine import checkout_root
from nfl_predictor_dev.bench.server import PROJECT_APP, bare_app_dir, uvicorn_server, wrk


def server_throughput(ctx: BenchContext) -> Measurement | None:
    from nfl_predictor_dev.local.redis_server import free_port

    assert ctx.stack is not None
    if shutil.which("wrk") is None:
        ctx.progress.update("wrk not installed (apt-get install wrk): server throughput skipped")
        return None
    ctx.progress.begin("api.server_rps")
    env = {**os.environ, "DB_POOLED": "true"}
    headers = {"x-api-key": ctx.stack.key, "accept-encoding": "gzip"}
    game = ctx.stack.upcoming_games()[0]
    seconds, runs = ctx.pick((8, 3), (4, 2), (2, 1))
    rps: dict[str, list[float]] = {"project": [], "bare": []}
    errors = 0
    with uvicorn_server(PROJECT_APP, free_port(), env, factory=True) as project, \
         uvicorn_server("bare_app:app", free_port(), env, factory=False, app_dir=bare_app_dir()) as bare:  # fmt: skip
        url = f"{project}/v1/games/{game}/predictions"
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as first:
            assert first.status == 200  # fills the cache
        for i in range(runs):  # alternate, so drift hits both alike
            got, bad = wrk(url, headers, seconds)
            rps["project"].append(got)
            errors += bad
            rps["bare"].append(wrk(f"{bare}/ok", {}, seconds)[0])
            ctx.progress.update(f"run {i + 1}/{runs}")
    ctx.progress.end()
    m = Measurement("api.server_rps", "local server cached game, 1 worker, wrk 32 conns", "req/s", rps["project"],
                    Reference("bare route", rps["bare"]), higher_is_better=True, target=">= 70% of bare, 0 errors",
                    note=f"non-2xx {errors}", details={"errors": errors, "seconds_per_run": seconds})  # fmt: skip
    m.ok = m.value >= 0.7 * (m.reference_value or 0) and errors == 0
    return m


COLD_PROJECT = ("import sys, time; t = time.perf_counter(); sys.path.insert(0, 'functions/predict'); import app; "
                "print((time.perf_counter() - t) * 1000)")  # fmt: skip
COLD_BARE = "import time; t = time.perf_counter()\n" + BARE_APP + "\nprint((time.perf_counter() - t) * 1000)"


def cold_start(ctx: BenchContext, tracing: bool) -> Measurement | None:
    checkout = checkout_root()
    if checkout is None or not (checkout / "functions" / "predict" / "app.py").is_file():
        return None  # not run from a checkout: there is no function folder to import
    if tracing and importlib.util.find_spec("aws_xray_sdk") is None:
        ctx.progress.update("aws-xray-sdk not installed: cold start with the X-Ray tracer skipped")
        return None  # the tracer imports it: every such process would fail
    name = "api.cold_start" + ("_tracing" if tracing else "")
    ctx.progress.begin(name)
    # Bytecode as a deployment has it (the layer ships compiled modules; the libraries' are compiled
    # by pip): without PYTHONDONTWRITEBYTECODE, the warm-up run below writes the package's .pyc files,
    # so no measured process compiles the project's modules from source while the bare app compiles none.
    env = {
        k: v
        for k, v in os.environ.items()  # env plumbing: the child process's environment
        if k not in ("AWS_LAMBDA_FUNCTION_NAME", "POWERTOOLS_TRACE_DISABLED", "PYTHONDONTWRITEBYTECODE")
    }
    if tracing:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bench"  # the X-Ray tracer is created only inside Lambda

    def once(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=checkout, env=env,
                             check=True)  # fmt: skip
        return float(out.stdout.strip().splitlines()[-1])

    once(COLD_PROJECT)  # warm-up, not measured
    runs: dict[str, list[float]] = {"project": [], "bare": []}
    count = ctx.pick(9, 5, 2)
    for i in range(count):
        runs["project"].append(round(once(COLD_PROJECT), 3))
        runs["bare"].append(round(once(COLD_BARE), 3))
        ctx.progress.update(f"process {i + 1}/{count}")
    ctx.progress.end()
    project, bare = statistics.median(runs["project"]), statistics.median(runs["bare"])
    return Measurement(
        name, "cold start: import handler + build app (fresh process)" + (" with X-Ray tracer" if tracing else ""),
        "ms", runs["project"], Reference("bare FastAPI+Mangum", runs["bare"]),
        target="(informational)" if tracing else "<= 1.5x bare", ok=None if tracing else project <= 1.5 * bare,
    )  # fmt: skip


def run(ctx: BenchContext) -> list[Measurement]:
    """The api category: in process, then (outside Lambda) the server's throughput and the cold start;
    the out-of-process ones skip when they cannot run (no wrk, no checkout)."""
    results: list[Measurement | None] = list(api_latency.run(ctx))
    if not ctx.in_lambda:
        results.append(server_throughput(ctx))
        results.extend(cold_start(ctx, tracing) for tracing in (False, True))
    return [m for m in results if m is not None]
