"""Fetch one uploaded nflverse file from S3 to a local path (the data function's upload path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from nfl_predictor.data.download import DownloadError


def fetch_object(client: Any, bucket: str, key: str, directory: Path, *, max_bytes: int) -> Path:
    """S3 event keys arrive URL-encoded; the local name keeps the key's suffix (.csv.gz decompresses)."""
    key = unquote_plus(key)
    size = int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
    if size > max_bytes:
        raise DownloadError(f"s3://{bucket}/{key}: larger than {max_bytes} bytes (DATA_MAX_DOWNLOAD_BYTES)")
    target = directory / Path(key).name
    client.download_file(bucket, key, str(target))
    return target
