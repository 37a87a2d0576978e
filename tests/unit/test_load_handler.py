"""handlers.load_handler: the handler module is imported inside a frame with room for the whole import,
so CPython's frame-stack chunks are not freed and re-made at every call across a chunk boundary
(counted with strace where it is installed), and every function's app.py loads its own handler."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from nfl_predictor.handlers import load_handler
from nfl_predictor_dev.bench import syscalls

REPO = Path(__file__).resolve().parents[2]

# An import whose loop calls ever deeper (to ~70 KB of frames), as class-building loops do: without
# room, every call that reaches past a chunk boundary maps a chunk and unmaps it on return.
DEEP_IMPORT = """
def down(n):
    return down(n - 1) if n else 0

for depth in range(400):
    for _ in range(5):
        down(depth)

def handler(event, context):
    return {"depth": depth}
"""


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"scratch_handler_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(DEEP_IMPORT)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_it_returns_the_modules_handler(scratch: str) -> None:
    handler = load_handler(scratch)
    assert handler({}, None) == {"depth": 399}
    assert sys.modules[scratch].handler is handler


def test_a_module_that_cannot_import_raises_as_a_plain_import_would(scratch: str) -> None:
    with pytest.raises(ModuleNotFoundError, match="no_such_handler_module"):
        load_handler("no_such_handler_module")
    with pytest.raises(AttributeError, match="missing"):
        load_handler(scratch, "missing")


def mmap_calls(tmp_path: Path, code: str) -> int:
    summary = tmp_path / f"strace-{abs(hash(code))}"
    subprocess.run([*syscalls.strace_prefix(summary), sys.executable, "-c", code],
                   cwd=tmp_path, check=True, env={"PYTHONPATH": f"{tmp_path}:{REPO / 'shared'}"})  # fmt: skip
    return syscalls.calls(summary)


@pytest.mark.skipif(not syscalls.available(), reason="counts system calls with strace")
def test_the_import_runs_without_remaking_frame_stack_chunks(scratch: str, tmp_path: Path) -> None:
    plain = mmap_calls(tmp_path, f"import {scratch}")
    roomy = mmap_calls(
        tmp_path, f"from nfl_predictor.handlers import load_handler; load_handler({scratch!r})"
    )
    baseline = mmap_calls(tmp_path, "import nfl_predictor.handlers")
    assert plain - baseline > 1000  # the control: the scratch import churns chunks when imported plainly
    assert roomy - baseline < 50, (plain, roomy, baseline)


def test_every_function_loads_its_own_handler() -> None:
    apps = sorted((REPO / "functions").glob("*/app.py"))
    assert len(apps) >= 7
    for app in apps:
        tree = ast.parse(app.read_text())
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", None) == "load_handler"]  # fmt: skip
        assert len(calls) == 1, app
        assert [arg.value for arg in calls[0].args] == [f"nfl_predictor.handlers.{app.parent.name}"], app
        assert (REPO / "shared" / "nfl_predictor" / "handlers" / f"{app.parent.name}.py").is_file(), app
