"""config.lazy_modules: a deferred submodule is bound by its parent's import without running, runs on
first use, and anything imported already is left alone. Each case runs on a scratch package of its own."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from nfl_predictor.config.lazy_modules import DeferredModuleFinder, defer_unused_submodules


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package whose __init__ imports a submodule eagerly, as redis' imports redis.asyncio; the
    submodule records in the parent's RAN list when its code runs."""
    name = f"scratch_{tmp_path.name.replace('-', '_')}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("RAN = []\nfrom . import heavy\n")
    (package / "heavy.py").write_text(
        textwrap.dedent(f"""
        import {name}
        {name}.RAN.append("heavy")
        ANSWER = 42
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # the finder leaves with the test
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_the_parent_binds_the_submodule_without_running_it_and_the_first_use_runs_it(scratch: str) -> None:
    defer_unused_submodules([f"{scratch}.heavy"])
    package = __import__(scratch)
    assert package.RAN == []  # imported, bound, not run
    assert package.heavy.ANSWER == 42  # first attribute access runs it: the real module
    assert package.RAN == ["heavy"]
    assert sys.modules[f"{scratch}.heavy"] is package.heavy


def test_without_deferral_the_parent_runs_the_submodule(scratch: str) -> None:
    package = __import__(scratch)
    assert package.RAN == ["heavy"]  # the control: the scratch package is eager on its own


def test_a_module_already_imported_is_left_as_it_is(scratch: str) -> None:
    package = __import__(scratch)
    loaded = sys.modules[f"{scratch}.heavy"]
    defer_unused_submodules([f"{scratch}.heavy"])
    finder = next(f for f in sys.meta_path if isinstance(f, DeferredModuleFinder))
    assert f"{scratch}.heavy" not in finder.names
    assert sys.modules[f"{scratch}.heavy"] is loaded and package.RAN == ["heavy"]


def test_one_finder_per_process_however_often_it_is_asked(scratch: str) -> None:
    defer_unused_submodules([f"{scratch}.heavy"])
    defer_unused_submodules([f"{scratch}.other"])
    finders = [f for f in sys.meta_path if isinstance(f, DeferredModuleFinder)]
    assert len(finders) == 1 and {f"{scratch}.heavy", f"{scratch}.other"} <= finders[0].names
    assert sys.meta_path[0] is finders[0]  # first, ahead of the path finder that would load eagerly


def test_a_name_that_is_not_a_module_on_the_path_imports_as_usual(scratch: str) -> None:
    defer_unused_submodules([f"{scratch}.missing"])
    with pytest.raises(ModuleNotFoundError):
        __import__(f"{scratch}.missing")
