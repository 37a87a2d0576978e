"""Where baselines and past runs live: a JSON file (local) or S3 (the benchmark Lambda).

Layout, the same in both: the baseline (one run record, see ``suite.run_record``), and every run
under ``runs/<UTC timestamp>-<id>.json`` beside it, which is the history the report plots.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import tempfile
from pathlib import Path
from typing import Any, Protocol

from nfl_predictor.config import Settings

DEFAULT_BASELINE = Path(".benchmarks") / "baseline.json"


def run_name() -> str:
    """Named by save time to the microsecond, so names sort in the order runs were saved."""
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(2)}.json"


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=1, sort_keys=True, default=str) + "\n"


class BaselineStore(Protocol):
    def load_baseline(self) -> dict[str, Any] | None: ...

    def save_baseline(self, record: dict[str, Any]) -> str: ...

    def save_run(self, record: dict[str, Any]) -> str: ...

    def history(self, limit: int = 30) -> list[dict[str, Any]]: ...


class FileStore:
    def __init__(
        self, baseline_file: Path | str = DEFAULT_BASELINE, history_dir: Path | str | None = None
    ) -> None:
        self.baseline_file = Path(baseline_file)
        self.history_dir = Path(history_dir) if history_dir else self.baseline_file.parent / "runs"

    def load_baseline(self) -> dict[str, Any] | None:
        if not self.baseline_file.is_file():
            return None
        return dict(json.loads(self.baseline_file.read_text()))

    def save_baseline(self, record: dict[str, Any]) -> str:
        self.baseline_file.parent.mkdir(parents=True, exist_ok=True)
        self.baseline_file.write_text(_dumps(record))
        return str(self.baseline_file)

    def save_run(self, record: dict[str, Any]) -> str:
        self.history_dir.mkdir(parents=True, exist_ok=True)
        path = self.history_dir / run_name()
        path.write_text(_dumps(record))
        return str(path)

    def history(self, limit: int = 30) -> list[dict[str, Any]]:
        if not self.history_dir.is_dir():
            return []
        paths = sorted(self.history_dir.glob("*.json"))[-limit:]
        return [json.loads(p.read_text()) for p in paths]


class S3Store:
    """``s3://bucket/prefix/baseline.json`` and ``s3://bucket/prefix/runs/*.json``."""

    def __init__(self, bucket: str, prefix: str = "benchmarks", client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.bucket, self.prefix, self.s3 = bucket, prefix.strip("/"), client

    @property
    def baseline_key(self) -> str:
        return f"{self.prefix}/baseline.json"

    def _get(self, key: str) -> dict[str, Any] | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return dict(json.loads(body))

    def _put(self, key: str, record: dict[str, Any]) -> str:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=_dumps(record).encode(),
                           ContentType="application/json")  # fmt: skip
        return f"s3://{self.bucket}/{key}"

    def load_baseline(self) -> dict[str, Any] | None:
        return self._get(self.baseline_key)

    def save_baseline(self, record: dict[str, Any]) -> str:
        return self._put(self.baseline_key, record)

    def save_run(self, record: dict[str, Any]) -> str:
        return self._put(f"{self.prefix}/runs/{run_name()}", record)

    def history(self, limit: int = 30) -> list[dict[str, Any]]:
        keys: list[str] = []
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/runs/"
        )
        for page in pages:
            keys += [item["Key"] for item in page.get("Contents", [])]
        found = (self._get(key) for key in sorted(keys)[-limit:])
        return [record for record in found if record is not None]


def baseline_store(settings: Settings) -> BaselineStore:
    """The benchmark Lambda's store: S3 (BENCHMARK_BASELINE_BUCKET, one prefix per environment), or a
    local folder under NFLP_DATA_DIR (else the temp dir) when no bucket is set (``nfl-predictor invoke``)."""
    bucket = (settings.benchmark_baseline_bucket or "").strip()
    if bucket:
        return S3Store(bucket, f"benchmarks/{settings.environment}")
    root = Path(settings.data_dir or tempfile.gettempdir()) / "benchmarks" / settings.environment
    return FileStore(root / "baseline.json")
