"""Download one file over HTTP(S) to a local path, whole or not at all.

Every wait is bounded: a per-read socket timeout and a deadline for the whole transfer. A response
shorter than its Content-Length, larger than the cap, or not a 200 raises ``DownloadError`` and
leaves no file behind, so a caller never parses half a file.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

CHUNK = 64 * 1024


class DownloadError(urllib.error.URLError):
    """Its ``reason`` names the URL and what went wrong (the CLI prints "cannot download: <reason>")."""


def download(url: str, target: Path, *, timeout_s: float, deadline_s: float, max_bytes: int) -> Path:
    deadline = time.monotonic() + deadline_s
    partial = target.with_name(target.name + ".partial")
    request = urllib.request.Request(url, headers={"User-Agent": "nfl-predictor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response, open(partial, "wb") as out:
            expected = response.headers.get("Content-Length")
            received = 0
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise DownloadError(f"{url}: larger than {max_bytes} bytes (DATA_MAX_DOWNLOAD_BYTES)")
                if time.monotonic() > deadline:
                    raise DownloadError(
                        f"{url}: not finished within {deadline_s:g}s (DATA_DOWNLOAD_DEADLINE_SECONDS)"
                    )
                out.write(chunk)
            if expected is not None and received != int(expected):
                raise DownloadError(f"{url}: truncated ({received} of {expected} bytes)")
    except DownloadError:
        partial.unlink(missing_ok=True)
        raise
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:  # a reset or timeout mid-body, IncompleteRead
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {type(exc).__name__}: {exc}") from None
    os.replace(partial, target)
    return target
