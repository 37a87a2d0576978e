"""Embedded PostgreSQL 16 + pgvector (pgserver) for a fresh machine and for tests.

pgserver listens on a Unix socket only, so nothing else on the machine can reach it and there is
no port to collide with; the URL it returns uses the libpq ``?host=/socket/dir`` form.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

DEFAULT_APP_NAME = "nfl-predictor"


def default_data_dir() -> Path:
    """The user's data directory (``~/.local/share/nfl-predictor``); NFLP_DATA_DIR, read by Settings,
    or ``--data-dir`` choose another."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(DEFAULT_APP_NAME, appauthor=False))


class EmbeddedPostgres:
    """Starts (or attaches to) a pgserver instance rooted at ``data_dir``."""

    def __init__(self, data_dir: str | Path | None = None, *, delete_on_exit: bool = False) -> None:
        self.data_dir = Path(data_dir) if data_dir else default_data_dir() / "pgdata"
        self.delete_on_exit = delete_on_exit
        self._server: Any = None

    def start(self) -> EmbeddedPostgres:
        # pgserver logs every step at INFO; keep the CLI's output readable.
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        if not os.environ.get("XDG_RUNTIME_DIR"):  # env plumbing: pgserver's own variable
            # pgserver asks platformdirs for a runtime dir; give it a private one rather than /tmp.
            runtime = self.data_dir.parent / "run"
            runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(
            self.data_dir, cleanup_mode="delete" if self.delete_on_exit else "stop"
        )
        return self

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded Postgres is not started")
        return str(self._server.get_uri())

    def url_for(self, database: str) -> str:
        if self._server is None:
            raise RuntimeError("embedded Postgres is not started")
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        if self._server is not None:
            self._server._cleanup()  # pgserver's own refcounted stop/delete (also runs at exit)
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
