"""Load category: a short bounded step load through the load-test runner, the API beside the bare route
under the same shape. The figure is the p99 of every request in the top step (local only)."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.result import Measurement, Reference

from nfl_predictor_dev.bench.loadtest import LoadOptions, read_samples, run_loadtest


def top_step_latencies(path: Path, options: LoadOptions) -> list[float]:
    last = options.steps - 1
    return [ms for seconds, _, ms, _ in read_samples(path)
            if min(last, int(seconds // options.step_seconds)) == last]  # fmt: skip


def run(ctx: BenchContext) -> list[Measurement]:
    if ctx.in_lambda or ctx.stack is None:
        raise ValueError("the load category runs locally only (it starts a server and locust)")
    folder = Path(tempfile.mkdtemp(prefix="nflp-load-"))
    options = LoadOptions(max_users=ctx.pick(100, 50, 20), step_users=ctx.pick(50, 25, 10),
                          step_seconds=ctx.pick(12.0, 6.0, 3.0), output_dir=folder)  # fmt: skip
    ctx.progress.begin("load.step_p99 (API)")
    project = run_loadtest(ctx.stack, options, say=ctx.progress.update)
    ctx.progress.begin("load.step_p99 (bare route)")
    bare = run_loadtest(ctx.stack, options, bare=True)
    ctx.progress.end()
    top = project.steps[-1]
    m = Measurement(
        "load.step_p99", f"mixed load, 1 uvicorn worker, top step {top.users} users", "ms",
        top_step_latencies(folder / "samples.csv", options),
        Reference("bare route", top_step_latencies(folder / "samples-bare.csv", options)), figure="p99",
        target=f"p99 <= {options.p99_target_ms:g} ms, 0 errors", ok=top.meets_target,
        note=f"errors {top.errors}, {top.rps:.0f} req/s",
        details={"steps": [asdict(r) for r in project.steps], "bare_steps": [asdict(r) for r in bare.steps],
                 "holds_up_to_users": project.holds_up_to_users, "output_dir": str(folder)},
    )  # fmt: skip
    return [m]
