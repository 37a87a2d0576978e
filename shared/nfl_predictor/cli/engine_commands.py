"""Model commands: train, backtest, warm, backfill, grade."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import TerminalProgress, local_stack


def train(args: argparse.Namespace) -> int:
    from nfl_predictor.service.training import train_and_store

    through = (args.through_season, args.through_week) if args.through_season else None
    with local_stack(args) as stack, TerminalProgress("train", "step") as progress:
        report = train_and_store(stack.database, through=through, on_progress=progress)
    print(f"model {report.model_version}: {report.games_trained} games, {report.embeddings} embeddings, "
          f"{report.seconds:.1f}s")  # fmt: skip
    return 0


def backtest(args: argparse.Namespace) -> int:
    from nfl_predictor.engine import backtest_json, format_table, run_backtest
    from nfl_predictor.engine.backtest import backtest_predictions, format_seasons, season_rows

    if args.start > args.end:
        raise CliError("--from must not be after --to", exit_code=2)
    if args.games:
        from nfl_predictor.data.nflverse import read_games, read_team_stats

        games = read_games(args.games)
        stats = [r for path in args.team_stats for r in read_team_stats(path)]
    else:
        from nfl_predictor.records import untyped
        from nfl_predictor.service import league

        with local_stack(args) as stack:
            games, stats = (
                untyped(league.all_games(stack.database)),
                untyped(league.team_stats(stack.database)),
            )
    seasons = {int(g["season"]) for g in games if g.get("home_score") is not None}
    if not seasons or min(seasons) >= args.start:
        raise CliError(f"no finished games before {args.start} to train on; ingest games first "
                       "(nfl-predictor ingest games PATH) or pass --games")  # fmt: skip
    # The backtest is whole walk-forward passes over every game (pure engine code, no callback inside):
    # the bar counts the passes, which take seconds each on 25 seasons.
    passes = ["walk-forward", *(["oracle walk-forward"] if args.oracle else []), "per-season table"]
    with TerminalProgress(f"backtest {args.start}-{args.end}", "pass") as progress:
        progress(0, len(passes), passes[0])
        rows = run_backtest(games, stats or None, start=args.start, end=args.end, oracle=args.oracle)
        progress(len(passes) - 1, len(passes), passes[-1])
        by_season = season_rows(backtest_predictions(games, stats or None, start=args.start, end=args.end))
        progress(len(passes), len(passes))
    if args.json:
        print(backtest_json(rows, start=args.start, end=args.end, seasons=by_season))
    else:
        print(format_table(rows) + "\n\n" + format_seasons(by_season))
    return 0


def calibration(args: argparse.Namespace) -> int:
    from nfl_predictor.engine.calibration import calibration_report, format_report, to_json

    if args.start > args.end:
        raise CliError("--from must not be after --to", exit_code=2)
    if args.games:
        from nfl_predictor.data.nflverse import read_games, read_player_stats, read_team_stats

        games = read_games(args.games)
        stats = [r for path in args.team_stats for r in read_team_stats(path)]
        players = [r for path in args.player_stats for r in read_player_stats(path)]
    else:
        from nfl_predictor.records import untyped
        from nfl_predictor.service import league

        with local_stack(args) as stack:
            db = stack.database
            games, stats = untyped(league.all_games(db)), untyped(league.team_stats(db))
            players = league.player_stats(db)
    doc = calibration_report(games, stats or None, players or None, start=args.start, end=args.end)
    print(to_json(doc) if args.json else format_report(doc))
    return 0


def warm(args: argparse.Namespace) -> int:
    if (args.season is None) != (args.week is None):
        raise CliError("give --season and --week together, or neither", exit_code=2)
    with local_stack(args) as stack:
        try:
            report = stack.runtime.predictions.warm_week(args.season, args.week, force=args.force)
        except LookupError as exc:
            raise CliError(str(exc)) from None
    print(json.dumps(report))
    return 0


def backfill(args: argparse.Namespace) -> int:
    from nfl_predictor.service.backfill import backfill_season

    with local_stack(args) as stack, TerminalProgress(f"backfill {args.season}", "week") as progress:
        report = backfill_season(stack.database, stack.runtime.embedder, args.season, weeks=args.weeks,
                                 on_progress=progress)  # fmt: skip
    print(json.dumps(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("train", help="fit the model on the games in the database and activate it")
    cmd.add_argument(
        "--through-season", type=int, help="fit on games up to this season (default: every finished game)"
    )
    cmd.add_argument("--through-week", type=int, default=25, help="with --through-season: the last week")
    cmd.set_defaults(handler=train)

    cmd = sub.add_parser(
        "backtest", help="walk-forward backtest: main model, market blend, classic Elo, market"
    )
    cmd.add_argument("--from", dest="start", type=int, default=2015, help="first season predicted")
    cmd.add_argument("--to", dest="end", type=int, default=2024, help="last season predicted")
    cmd.add_argument("--json", action="store_true", help="one JSON document on stdout")
    cmd.add_argument("--oracle", action="store_true",
                     help="also rows with the game's actual starting QBs and observed weather (look-ahead)")  # fmt: skip
    cmd.add_argument("--games", type=Path, help="a games.csv to read instead of the database")
    cmd.add_argument(
        "--team-stats", type=Path, nargs="*", default=[], help="weekly team stats files (with --games)"
    )
    cmd.set_defaults(handler=backtest)

    cmd = sub.add_parser("calibration", help="walk-forward calibration per category, expert diversity, props")
    cmd.add_argument(
        "--from",
        dest="start",
        type=int,
        default=2022,
        help="first season graded (each week predicted by a model fitted before it)",
    )
    cmd.add_argument("--to", dest="end", type=int, default=2024, help="last season graded")
    cmd.add_argument("--json", action="store_true", help="one JSON document on stdout")
    cmd.add_argument("--games", type=Path, help="a games.csv to read instead of the database")
    cmd.add_argument(
        "--team-stats", type=Path, nargs="*", default=[], help="weekly team stats (with --games)"
    )
    cmd.add_argument(
        "--player-stats", type=Path, nargs="*", default=[], help="weekly player stats (with --games)"
    )
    cmd.set_defaults(handler=calibration)

    cmd = sub.add_parser(
        "warm", help="compute, store and cache a week's predictions (default: the next week)"
    )
    cmd.add_argument("--season", type=int, help="season to warm (with --week; default: the next week)")
    cmd.add_argument("--week", type=int, help="week to warm (with --season)")
    cmd.add_argument("--force", action="store_true", help="recompute even fresh predictions")
    cmd.set_defaults(handler=warm)

    cmd = sub.add_parser(
        "backfill", help="walk-forward predictions for a season's played weeks, then grade them"
    )
    cmd.add_argument("--season", type=int, required=True, help="the season to backfill")
    cmd.add_argument("--weeks", type=int, nargs="*", help="only these weeks (default: every played week)")
    cmd.set_defaults(handler=backfill)
