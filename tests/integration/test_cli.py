"""The nfl-predictor command as a user runs it: real processes, the embedded database, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from nfl_predictor_dev.local.redis_server import free_port

CLI = [sys.executable, "-m", "nfl_predictor.cli.main"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})  # fmt: skip


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


def test_migrate_status_and_demo_data_on_the_embedded_database(data_dir: Path) -> None:
    status = run_cli("--data-dir", str(data_dir), "migrate", "--status")
    assert status.returncode == 0 and "001 extensions" in status.stdout and "pending" in status.stdout
    assert run_cli("--data-dir", str(data_dir), "migrate").returncode == 0
    assert "pending" not in run_cli("--data-dir", str(data_dir), "migrate", "--status").stdout
    first = run_cli("--data-dir", str(data_dir), "demo-data")
    assert first.returncode == 0 and "544 rows (544 new, 0 updated)" in first.stdout
    second = run_cli("--data-dir", str(data_dir), "demo-data")
    assert "544 rows (0 new, 0 updated)" in second.stdout  # the same league again writes nothing


def test_ingest_errors_are_one_line_with_nonzero_exit(data_dir: Path, tmp_path: Path) -> None:
    missing = run_cli("--data-dir", str(data_dir), "ingest", "games", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1] == f"nfl-predictor: {tmp_path / 'nope.csv'}: no such file"
    bad = tmp_path / "bad.csv"
    bad.write_text("game_id,season\nx,2024\n")
    result = run_cli("--data-dir", str(data_dir), "ingest", "games", str(bad))
    assert result.returncode == 1 and f"{bad}:1: missing column(s)" in result.stderr


def test_bad_configuration_is_one_line(tmp_path: Path) -> None:
    result = run_cli("migrate", env={"DATABASE_URL": "mysql://x"})
    assert result.returncode == 1
    assert result.stderr.strip() == ("nfl-predictor: DATABASE_URL: invalid value 'mysql://x...': expected a URL "
                                     "starting with one of postgresql://, postgres://")  # fmt: skip


def test_usage_errors_exit_2() -> None:
    assert run_cli("serve", "--port", "abc").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("serve", "--workers", "0").returncode == 2


def test_serve_answers_health_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([*CLI, "--data-dir", str(tmp_path), "serve", "--demo", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        body = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        assert body is not None and '"status":"ok"' in body
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "demo league seed=2025: 544 rows" in output
    # The embedded server it started is gone: no postmaster.pid left in its data directory.
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()


def test_database_errors_are_one_line_naming_the_variable(pg_server: object) -> None:
    """A wrong role, a missing database and an unreachable host: one line each, saying what to fix."""
    url = str(pg_server.url)  # type: ignore[attr-defined]
    cases = {
        "login refused": url.replace("//postgres", "//nosuchrole", 1),
        "no such database": str(pg_server.url_for("no_such_db")),  # type: ignore[attr-defined]
        "cannot reach the database": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",
    }
    for expected, database_url in cases.items():
        result = run_cli(
            "migrate", "--status", env={"DATABASE_URL": database_url, "DB_CONNECT_TIMEOUT_SECONDS": "2"}
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1, (expected, database_url, result.stderr)
        assert expected in lines[0] and "DATABASE_URL" in lines[0], (database_url, lines[0])


def test_an_unreachable_download_is_not_called_a_database_problem(data_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/games.csv"
    result = run_cli("--data-dir", str(data_dir), "ingest", "games", url)
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1 and "database" not in last
    assert last.startswith(f"nfl-predictor: cannot download: {url}:"), result.stderr


def test_api_key_create_list_revoke(data_dir: Path) -> None:
    created = run_cli("--data-dir", str(data_dir), "api-key", "create", "--name", "ops-test", "--tier", "pro")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    listed = run_cli("--data-dir", str(data_dir), "api-key", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [k for k in json.loads(listed.stdout) if k["name"] == "ops-test"]
    assert len(mine) == 1 and mine[0]["tier"] == "pro" and key not in listed.stdout  # never the secret
    table = run_cli("--data-dir", str(data_dir), "api-key", "list").stdout
    assert key[:12] + "..." in table and "ops-test" in table
    revoked = run_cli("--data-dir", str(data_dir), "api-key", "revoke", key[:14])
    assert revoked.returncode == 0 and f"revoked key {mine[0]['id']}" in revoked.stderr
    assert "ops-test" not in run_cli("--data-dir", str(data_dir), "api-key", "list").stdout
    assert "(revoked)" in run_cli("--data-dir", str(data_dir), "api-key", "list", "--all").stdout
    again = run_cli("--data-dir", str(data_dir), "api-key", "revoke", str(mine[0]["id"]))
    assert again.returncode == 1 and "revoked already" in again.stderr
