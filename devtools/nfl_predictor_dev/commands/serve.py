"""nfl-predictor serve: the API locally on the embedded (or configured) database, ready to call."""

from __future__ import annotations

import argparse
import contextlib
import os

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import local_stack, say
from nfl_predictor.data import ingest as ingest_module

from nfl_predictor_dev.local import bootstrap

# The local server's defaults (the environment wins): many concurrent requests share a small bounded
# pool, and a long-running server takes a monitoring snapshot every 30 s.
MAX_REQUEST_HEAD_BYTES = 2 * 1024 * 1024
SERVER_DEFAULTS = {"DB_POOLED": "true", "MONITOR_SNAPSHOT_SECONDS": "30"}


def serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CliError("--workers must be at least 1", exit_code=2)
    if not 0 < args.port < 65536:
        raise CliError("--port must be between 1 and 65535", exit_code=2)
    import uvicorn

    for name, value in SERVER_DEFAULTS.items():
        os.environ.setdefault(name, value)
    with local_stack(args) as stack:
        seed = None if args.no_seed else ("demo" if args.demo else "snapshot")
        bootstrap.prepare(stack.runtime, seed=seed, say=say)
        if not ingest_module.database_is_empty(stack.database):
            week = bootstrap.warm_next_week(stack.runtime, say)
            key = bootstrap.demo_key(stack.database, stack.data_root)
            say(f"demo API key (enterprise, admin): {key}")
            if week:
                url = f"http://{args.host}:{args.port}/v1/predictions?season={week[0]}&week={week[1]}"
                say(f"  try: curl --compressed -H 'x-api-key: {key}' '{url}'")
        base = f"http://{args.host}:{args.port}"
        say(f"serving on {base}  (docs {base}/docs, dashboard {base}/dashboard; Ctrl-C stops the server and "
            "the embedded database)")  # fmt: skip
        # Ctrl-C is how a local server stops; the stack still shuts down cleanly after it.
        # lifespan off: the app has no start-up work (its Runtime builds parts lazily), as in Lambda.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run("nfl_predictor.api.app:app_from_environment", factory=True, host=args.host,
                        port=args.port, workers=args.workers, lifespan="off", access_log=args.access_log,
                        # Room for a request head up to 2 MiB, so an over-long URL reaches the app and
                        # gets its JSON 414 (h11's 16 KB default answers a plain-text 400 instead).
                        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
                        # uvicorn's own lines follow LOG_LEVEL's setup; --access-log adds one per request
                        log_level="info" if args.access_log else "warning")  # fmt: skip
        say("stopped")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "serve", help="run the API locally (migrates; loads the nflverse snapshot into an empty database)"
    )
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    cmd.add_argument("--port", type=int, default=8000, help="port to listen on")
    cmd.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    cmd.add_argument("--no-seed", action="store_true", help="load nothing into an empty database")
    cmd.add_argument(
        "--demo",
        action="store_true",
        help="load the synthetic demo league instead of real data (tests, quick looks; use its own --data-dir)",
    )
    cmd.add_argument(
        "--access-log", action="store_true", help="log one line per request (method, path, status)"
    )
    cmd.set_defaults(handler=serve)
