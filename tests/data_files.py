"""Small nflverse files cut from the committed snapshot, and a loopback HTTP server that serves them
(whole, truncated, or not at all): what the data-refresh tests feed the code."""

from __future__ import annotations

import csv
import gzip
import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nfl_predictor_dev.snapshot import snapshot_paths


def subset(kind: str, seasons: set[int], target: Path, *, compress: bool = False) -> Path:
    """The snapshot's rows of ``seasons`` as a file of its own (real nflverse rows, fewer of them)."""
    with gzip.open(snapshot_paths()[kind], "rt", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        season = header.index("season")
        rows = [row for row in reader if int(row[season]) in seasons]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    target.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return target


class FileServer:
    """Serves ``files`` (path -> bytes); ``/truncated/<name>`` promises the whole length and sends half."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                truncated = self.path.startswith("/truncated/")
                body = outer.files.get(self.path.removeprefix("/truncated") if truncated else self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if truncated else body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[FileServer]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
