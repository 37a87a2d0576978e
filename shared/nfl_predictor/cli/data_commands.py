"""update-data: refresh the database from nflverse (the data Lambda's work, run locally)."""

from __future__ import annotations

import argparse
import json

from nfl_predictor.cli.support import TerminalProgress, local_stack, say


def update_data(args: argparse.Namespace) -> int:
    from nfl_predictor.service.data_refresh import Source, default_sources, refresh

    with local_stack(args) as stack, TerminalProgress("train", "step") as progress:
        runtime = stack.runtime
        given = [Source(location) for location in [*args.url, *args.paths]]
        sources = given or default_sources(runtime.settings, args.season)
        report = refresh(runtime.db, runtime.embedder, sources, runtime.settings, warmer=runtime.predictions,
                         params=runtime.params, say=say, on_progress=progress)  # fmt: skip
    if report["status"] == "busy":
        say("another refresh is writing right now; nothing loaded (it, or the next run, loads these files)")
    elif not report["files"]:
        say("nothing new: every file was loaded before")
    print(json.dumps(report, default=str))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "update-data",
        help="pull the nflverse release files (or load given files), ingest them in one transaction, "
        "retrain when results changed, grade, warm",
    )
    cmd.add_argument("paths", nargs="*", metavar="PATH", help="local nflverse CSV files (.csv, .csv.gz, .csv.xz); "
                     "the kind is read from each header")  # fmt: skip
    cmd.add_argument("--url", action="append", default=[], help="an http(s) URL to load (repeatable; default: "
                     "NFLVERSE_GAMES_URL, NFLVERSE_TEAM_STATS_URL, NFLVERSE_PLAYER_STATS_URL)")  # fmt: skip
    cmd.add_argument("--season", type=int, help="the season the default URLs name (default: DATA_SEASON or "
                     "the current season)")  # fmt: skip
    cmd.set_defaults(handler=update_data)
