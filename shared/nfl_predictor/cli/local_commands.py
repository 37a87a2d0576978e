"""Database commands: migrate, demo-data, ingest, api-key, and the OpenAPI document."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import local_stack as _stack
from nfl_predictor.cli.support import say as _say
from nfl_predictor.data import ingest as ingest_module
from nfl_predictor.db.migrate import MigrationRunner


def migrate(args: argparse.Namespace) -> int:
    with _stack(args, migrate=not args.status) as stack:
        if args.status:
            for row in MigrationRunner(stack.database).status():
                state = "applied" if row["applied"] else "pending"
                if not row["checksum_ok"]:
                    state = "EDITED AFTER APPLY"
                print(f"{row['version']:03d} {row['name']:<40} {state}")
        else:
            print("migrations up to date")
    return 0


def demo_data(args: argparse.Namespace) -> int:
    if not 0 <= args.played_weeks <= 18:
        raise CliError("--played-weeks must be between 0 and 18", exit_code=2)
    with _stack(args) as stack:
        report = ingest_module.load_demo_league(
            stack.database, tuple(args.seasons), args.played_weeks, args.seed
        )
        print(report.line())
    return 0


def create_api_key(args: argparse.Namespace) -> int:
    from nfl_predictor.service.accounts import create_api_key as create

    with _stack(args) as stack:
        created = create(stack.database, name=args.name, tier=args.tier, admin=args.admin, email=args.email)
    print(created.key)
    _say(f"key {created.key[:12]}... for {args.name} ({args.tier}{', admin' if args.admin else ''}); "
         "it is stored only as a hash: keep it now")  # fmt: skip
    return 0


INGESTERS = {
    "games": ingest_module.ingest_games,
    "player-stats": ingest_module.ingest_player_stats,
    "team-stats": ingest_module.ingest_team_stats,
}


def ingest(args: argparse.Namespace) -> int:
    load = INGESTERS[args.kind]
    with _stack(args) as stack:
        for source in args.sources:
            print(load(stack.database, source).line())
    return 0


def list_api_keys(args: argparse.Namespace) -> int:
    from nfl_predictor.service.accounts import list_keys

    with _stack(args) as stack:
        keys = list_keys(stack.database, include_revoked=args.all)
    if args.json:
        print(json.dumps(keys, default=str))
        return 0
    print(f"{'id':>5}  {'key':<15} {'tier':<10} {'scopes':<11} {'created':<16} {'last used':<16} name / user")
    for k in keys:
        state = " (revoked)" if k["revoked_at"] else ""
        print(f"{k['id']:>5}  {k['key_prefix'] + '...':<15} {k['tier'] or '-':<10} {','.join(k['scopes'] or []):<11} "
              f"{_when(k['created_at']):<16} {_when(k['last_used_at']):<16} {k['name']} / {k['user_name']}{state}")  # fmt: skip
    _say(f"{len(keys)} key(s)" + ("" if args.all else "; --all lists revoked keys too"))
    return 0


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def revoke_api_key(args: argparse.Namespace) -> int:
    from nfl_predictor.service.accounts import resolve_key_id, revoke_key

    with _stack(args) as stack:
        key_id = resolve_key_id(stack.database, args.key)
        if key_id is None:
            raise CliError(f"no single active key matches {args.key!r}; give the id or more of the key "
                           "(nfl-predictor api-key list)")  # fmt: skip
        if not revoke_key(stack.database, key_id):
            raise CliError(f"key {key_id} does not exist or is revoked already")
    _say(f"revoked key {key_id}; processes that checked it recently may accept it for up to a minute")
    return 0


def openapi(args: argparse.Namespace) -> int:
    from nfl_predictor.api.app import OPENAPI_PATH, openapi_document

    document = openapi_document()
    if str(args.output) == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
        return 0
    target = args.output or OPENAPI_PATH
    target.write_bytes(document)
    _say(f"wrote {target}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    doc = sub.add_parser("openapi", help="write the API's OpenAPI document (default: the committed copy)")
    doc.add_argument(
        "--output",
        type=Path,
        help="where to write it; - for stdout (default: the committed shared/nfl_predictor/api/openapi.json)",
    )
    doc.set_defaults(handler=openapi)

    migrate_cmd = sub.add_parser("migrate", help="apply pending database migrations")
    migrate_cmd.add_argument(
        "--status", action="store_true", help="list migrations and whether each is applied"
    )
    migrate_cmd.set_defaults(handler=migrate)

    demo = sub.add_parser("demo-data", help="load the deterministic demo league (idempotent)")
    demo.add_argument(
        "--seed", type=int, default=2025, help="random seed: the same seed gives the same league"
    )
    demo.add_argument("--seasons", type=int, nargs="+", default=[2024, 2025], help="seasons to generate")
    demo.add_argument("--played-weeks", type=int, default=12, help="weeks of the last season already played")
    demo.set_defaults(handler=demo_data)

    api_key = sub.add_parser("api-key", help="manage API keys")
    key_actions = api_key.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = key_actions.add_parser("create", help="create a user, subscription and key; prints the key once")
    create.add_argument("--name", required=True, help="who the key is for (a user is created)")
    create.add_argument(
        "--tier", required=True, choices=["free", "pro", "enterprise"], help="rate-limit tier (RATE_LIMITS)"
    )
    create.add_argument(
        "--admin", action="store_true", help="grant the admin scope (cache invalidation, warming)"
    )
    create.add_argument("--email", help="the user's e-mail address (optional)")
    create.set_defaults(handler=create_api_key)
    listing = key_actions.add_parser("list", help="list keys (their first characters, never the secret)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="one JSON array on stdout")
    listing.set_defaults(handler=list_api_keys)
    revoke = key_actions.add_parser("revoke", help="revoke a key: it stops working at once for new checks")
    revoke.add_argument("key", metavar="ID_OR_KEY", help="the key's id, the key, or its first characters as "
                        "listed")  # fmt: skip
    revoke.set_defaults(handler=revoke_api_key)

    ingest_cmd = sub.add_parser("ingest", help="load nflverse CSV files (paths or URLs)")
    kinds = ingest_cmd.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, help_text in (("games", "games.csv / schedules format"), ("player-stats", "weekly player stats"),
                            ("team-stats", "weekly team stats")):  # fmt: skip
        one = kinds.add_parser(kind, help=help_text)
        one.add_argument(
            "sources",
            nargs="+",
            metavar="PATH_OR_URL",
            help="CSV files or http(s) URLs; a file with any bad line commits nothing",
        )
        one.set_defaults(handler=ingest)
