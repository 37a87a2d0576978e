"""The CLI's surface: every option of every (sub)command has help text (argparse then shows its
default), ``--version``, ``python -m nfl_predictor``, and --data-dir after the subcommand too."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from nfl_predictor import __version__
from nfl_predictor.cli.main import build_parser


def walk(parser: argparse.ArgumentParser, path: str = "nfl-predictor") -> list[tuple[str, argparse.Action]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                out.extend(walk(child, f"{path} {name}"))
        elif not isinstance(action, argparse._HelpAction):
            out.append((path, action))
    return out


def test_every_option_has_help() -> None:
    missing = [f"{path} {'/'.join(a.option_strings) or a.dest}" for path, a in walk(build_parser())
               if not a.help or (a.help == argparse.SUPPRESS and a.dest != "data_dir")]  # fmt: skip
    assert not missing, "options without help: " + ", ".join(missing)


def test_defaults_are_shown() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert "(default: 2015)" in sub.choices["backtest"].format_help()


def test_version_and_module_entry() -> None:
    result = subprocess.run([sys.executable, "-m", "nfl_predictor", "--version"], capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert result.stdout.strip() == f"nfl-predictor {__version__}"


def test_data_dir_after_the_subcommand() -> None:
    parser = build_parser()
    assert parser.parse_args(["migrate", "--data-dir", "/x"]).data_dir == "/x"
    assert parser.parse_args(["--data-dir", "/y", "migrate"]).data_dir == "/y"
    assert parser.parse_args(["migrate"]).data_dir is None


def test_openapi_to_stdout(tmp_path: object, capsysbinary: object) -> None:
    import json
    import os

    from nfl_predictor.cli.main import main

    cwd = os.getcwd()
    os.chdir(str(tmp_path))
    try:
        assert main(["openapi", "--output", "-"]) == 0
        assert not os.path.exists("-")
    finally:
        os.chdir(cwd)
    out = capsysbinary.readouterr().out  # type: ignore[attr-defined]
    assert json.loads(out)["paths"]["/v1/predictions"]["get"]["operationId"] == "getWeekPredictions"


def test_database_permission_error_is_one_line_naming_the_variable() -> None:
    from nfl_predictor.cli.errors import describe
    from pg8000.exceptions import DatabaseError, InterfaceError

    denied = DatabaseError({"C": "42501", "M": "permission denied for table games"})
    assert describe(denied) == ("database: permission denied for table games -- permission denied: the role in "
                                "DATABASE_URL (or DB_SECRET_ARN / DB_HOST) lacks a privilege this command needs "
                                "(grant it or use the owner role)")  # fmt: skip
    try:
        try:
            raise DatabaseError({"C": "28P01", "M": 'password authentication failed for user "x"'})
        except DatabaseError:
            raise InterfaceError("network error") from None
    except InterfaceError as hidden:
        hidden.__context__ = DatabaseError({"C": "28P01", "M": 'password authentication failed for user "x"'})
        assert "wrong password" in (describe(hidden) or "")


class _Tty(__import__("io").StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(monkeypatch: object) -> None:
    import sys

    from nfl_predictor.cli.support import TerminalProgress

    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)  # type: ignore[attr-defined]
    with TerminalProgress("train", "step") as progress:
        for done in range(5):
            progress(done, 4, f"step {done}")
    assert "train:" in tty.getvalue() and "/4 [" in tty.getvalue()  # drawn (redraws are rate-limited)
    piped = __import__("io").StringIO()
    monkeypatch.setattr(sys, "stderr", piped)  # type: ignore[attr-defined]
    with TerminalProgress("train", "step") as progress:
        progress(1, 4, "x")
    assert piped.getvalue() == ""


def test_backtest_shows_its_passes_on_a_terminal_only(monkeypatch: object, nflverse_dir: Path,
                                                      capsys: object) -> None:  # fmt: skip
    import sys

    from nfl_predictor.cli.main import main

    argv = [
        "backtest",
        "--games",
        str(nflverse_dir / "games.csv"),
        "--from",
        "2024",
        "--to",
        "2024",
        "--json",
    ]
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)  # type: ignore[attr-defined]
    assert main(argv) == 0
    assert "backtest 2024-2024:" in tty.getvalue() and "/2 [" in tty.getvalue()
    assert json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]  # stdout stays the document
    piped = __import__("io").StringIO()
    monkeypatch.setattr(sys, "stderr", piped)  # type: ignore[attr-defined]
    assert main(argv) == 0
    assert "backtest 2024" not in piped.getvalue()
