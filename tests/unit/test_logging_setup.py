"""One logging setup: LOG_LEVEL honoured locally (readable lines), JSON for every library logger in
Lambda (Powertools' copy_config_to_registered_loggers)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

SCRIPT = """
import logging
from nfl_predictor.config import Settings
from nfl_predictor.runtime import Runtime
Runtime(Settings.from_env())
logging.getLogger("nfl_predictor.cache.redis_tier").warning("redis unavailable: %s", "timeout")
logging.getLogger("nfl_predictor.cache.redis_tier").debug("debug detail")
"""


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", **env})  # fmt: skip


def test_local_lines_are_readable_and_log_level_is_honoured() -> None:
    quiet = run({"LOG_LEVEL": "INFO"})
    assert "WARNING nfl_predictor.cache.redis_tier: redis unavailable: timeout" in quiet.stderr, quiet.stderr
    assert "debug detail" not in quiet.stderr
    assert "debug detail" in run({"LOG_LEVEL": "DEBUG"}).stderr
    assert "redis unavailable" not in run({"LOG_LEVEL": "ERROR"}).stderr


def test_in_lambda_library_loggers_write_powertools_json() -> None:
    result = run(
        {"LOG_LEVEL": "INFO", "AWS_LAMBDA_FUNCTION_NAME": "predict", "POWERTOOLS_TRACE_DISABLED": "true"}
    )
    lines = [
        json.loads(line) for line in (result.stdout + result.stderr).splitlines() if line.startswith("{")
    ]
    warning = next(line for line in lines if "redis unavailable" in line["message"])
    assert warning["level"] == "WARNING" and warning["service"] == "nfl-predictor"
    assert warning["name"] == "nfl_predictor.cache.redis_tier"
    assert not any("debug detail" in line["message"] for line in lines)


def test_configure_is_idempotent() -> None:
    from nfl_predictor.config import Settings
    from nfl_predictor.telemetry.powertools import configure_logging

    before = len(logging.getLogger().handlers)
    configure_logging(Settings.from_env({"LOG_LEVEL": "INFO"}))
    configure_logging(Settings.from_env({"LOG_LEVEL": "INFO"}))
    assert len(logging.getLogger().handlers) <= before + 1


def test_a_local_setup_after_a_lambda_one_reaches_the_root_again(caplog: object) -> None:
    """Tests build Lambda and local Runtimes in one process: the local setup must undo the Lambda one."""
    from nfl_predictor.config import Settings
    from nfl_predictor.telemetry.powertools import configure_logging

    configure_logging(
        Settings.from_env({"AWS_LAMBDA_FUNCTION_NAME": "predict", "POWERTOOLS_TRACE_DISABLED": "true"})
    )
    assert logging.getLogger("nfl_predictor").propagate is False
    configure_logging(Settings.from_env({}))
    package = logging.getLogger("nfl_predictor")
    assert package.propagate is True and not package.handlers
    logging.getLogger("nfl_predictor.telemetry.monitoring").warning("performance alert [critical] x")
    assert "performance alert [critical] x" in caplog.text  # type: ignore[attr-defined]
