"""Every variable the code reads is read by Settings, and documented in the README's table, and the
table lists nothing Settings does not read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nfl_predictor.config import Settings

REPO = Path(__file__).resolve().parents[2]
PACKAGES = [REPO / "shared" / "nfl_predictor", REPO / "devtools" / "nfl_predictor_dev", REPO / "functions"]
# Reading the environment: os.environ.get(...), os.getenv(...), os.environ[...] not followed by "=",
# and "NAME" in os.environ. Writes (setdefault, pop, assignment) are how the dev tooling configures
# the processes it starts, not reads; so is a line marked "# env plumbing" (copying or restoring the
# environment for a child process or a library), which configures nothing of ours.
READS = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)|in os\.environ\b")


class RecordingEnv(dict[str, str]):
    """An empty environment that remembers every name asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)


def variables_settings_reads() -> set[str]:
    env = RecordingEnv()
    Settings.from_env(env)
    return env.asked


def variables_documented() -> set[str]:
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_the_recording_environment_sees_what_settings_reads() -> None:
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "INDEX_BLOAT_RATIO",
        "AWS_LAMBDA_FUNCTION_NAME",
    } <= variables_settings_reads()


def test_every_variable_read_is_documented_and_every_documented_one_is_read() -> None:
    read, documented = variables_settings_reads(), variables_documented()
    assert read - documented == set(), "read by Settings but missing from README's Configuration table"
    assert documented - read == set(), "in README's Configuration table but read by nothing"


def test_nothing_outside_config_reads_the_environment() -> None:
    offenders = []
    for root in PACKAGES:
        for path in root.rglob("*.py"):
            if path.parent.name == "config":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if READS.search(line) and "# env plumbing" not in line:
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == [], "read the variable through nfl_predictor.config.Settings instead"
