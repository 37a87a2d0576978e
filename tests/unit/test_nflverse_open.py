"""data.nflverse.open_text: plain, .gz and .xz files, from disk and over HTTP (a server on 127.0.0.1),
decompressed by the name's suffix (a URL's query string is not part of its name)."""

from __future__ import annotations

import gzip
import http.server
import lzma
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from nfl_predictor.data.nflverse import open_text

TEXT = "game_id,season\n2030_01_BAL_KC,2030\n2030_01_NYJ_SF,2030\n"
BODIES = {"plain.csv": TEXT.encode(), "games.csv.gz": gzip.compress(TEXT.encode()),
          "games.csv.xz": lzma.compress(TEXT.encode())}  # fmt: skip


def read(source: str | Path) -> str:
    name, handle = open_text(source)
    with handle:
        assert name == str(source)
        return handle.read()


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_file_on_disk_is_read_by_its_suffix(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(BODIES[name])
    assert read(tmp_path / name) == TEXT
    assert read(str(tmp_path / name)) == TEXT


@pytest.fixture
def server() -> Iterator[str]:
    class Files(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = BODIES.get(self.path.split("?", 1)[0].lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    "path",
    ["plain.csv", "games.csv.gz", "games.csv.xz", "games.csv.gz?token=a?b", "games.csv.xz?x=1?y.csv",
     "plain.csv?format=.gz", "plain.csv?a=1?b.xz"],
)  # fmt: skip
def test_a_url_is_decompressed_by_its_path_not_its_query(server: str, path: str) -> None:
    assert read(f"{server}/{path}") == TEXT


def test_a_quoted_field_keeps_its_line_break_and_errors_say_what_and_where(tmp_path: Path) -> None:
    from nfl_predictor.data.nflverse import NflverseFormatError, read_records

    columns = {"game_id": (str, True), "note": (str, False)}
    (tmp_path / "quoted.csv").write_bytes(b'game_id,note\r\n2030_01_BAL_KC,"two\r\nlines"\r\n')
    assert [r for _, r in read_records(tmp_path / "quoted.csv", columns)] == [
        {"game_id": "2030_01_BAL_KC", "note": "two\r\nlines"}
    ]
    (tmp_path / "short.csv").write_text("season\n2030\n")
    with pytest.raises(NflverseFormatError, match=r"short\.csv:1: missing column\(s\): game_id, note$"):
        list(read_records(tmp_path / "short.csv", {"game_id": (str, True), "note": (str, True)}))
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(TEXT.encode() * 50)[:60])
    with pytest.raises(NflverseFormatError, match=r"truncated or corrupt file \(EOFError\)"):
        list(read_records(tmp_path / "cut.csv.gz", columns))
