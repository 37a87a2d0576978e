"""Promises the SAM template makes, checked by parsing and transforming it offline."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.contract.template_support import TEMPLATE, load_template, packaged, transformed

REPO = TEMPLATE.parents[1]


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


def test_runtime_is_python312_everywhere() -> None:
    """One layer built for one CPython (layers/Makefile: 3.12, SnapStart's minimum) serves every function."""
    template = load_template()
    runtime = template["Globals"]["Function"]["Runtime"]
    assert runtime == "python3.12"
    for resource in functions(template).values():
        assert resource["Properties"].get("Runtime", runtime) == "python3.12"
    assert template["Resources"]["SharedLayer"]["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert "PYTHON_VERSION := 3.12" in (TEMPLATE.parents[1] / "layers" / "Makefile").read_text()


def test_every_handler_resolves_to_an_importable_callable(monkeypatch: pytest.MonkeyPatch) -> None:
    for logical_id, resource in functions(load_template()).items():
        props = resource["Properties"]
        if "InlineCode" in props:
            continue
        module_name, attr = props["Handler"].rsplit(".", 1)
        path = (TEMPLATE.parent / props["CodeUri"]).resolve() / f"{module_name}.py"
        assert path.exists(), f"{logical_id}: {path} missing"
        spec = importlib.util.spec_from_file_location(f"handler_{logical_id}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)
        spec.loader.exec_module(module)
        assert callable(getattr(module, attr)), f"{logical_id}: {props['Handler']} is not callable"


def test_shared_layer_is_built_from_the_repository_with_a_makefile() -> None:
    layer = load_template()["Resources"]["SharedLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    makefile = (TEMPLATE.parent / layer["Properties"]["ContentUri"]).resolve() / "Makefile"
    text = makefile.read_text()
    assert "build-SharedLayer:" in text and 'shared/nfl_predictor"' in text
    assert "nfl_predictor_dev" not in text and "devtools" not in text  # developer tooling stays out
    # The migrations ship inside the package the layer copies.
    assert (REPO / "shared" / "nfl_predictor" / "migrations" / "001_extensions.sql").is_file()
    requirements = (makefile.parent / "requirements.txt").read_text()
    for dependency in ("pg8000", "pgvector", "redis", "orjson", "fastapi", "mangum", "aws-lambda-powertools"):
        assert dependency in requirements


def version_ids(template: dict[str, Any]) -> dict[str, str]:
    resources = template["Resources"]
    return {
        name: next(
            k for k, v in resources.items() if v["Type"] == "AWS::Lambda::Version" and k.startswith(name)
        )
        for name in functions(load_template())
    }


def test_a_layer_only_change_publishes_new_function_versions() -> None:
    template = load_template()
    before = version_ids(transformed(packaged(template, layer_object="layer-v1.zip")))
    after = version_ids(transformed(packaged(template, layer_object="layer-v2.zip")))
    same = version_ids(transformed(packaged(template, layer_object="layer-v1.zip")))
    assert before == same  # deterministic: no new version without a change
    for name in before:
        assert before[name] != after[name], f"{name}: layer change did not publish a new version"


def test_aliases_point_at_the_published_versions() -> None:
    resources = transformed(packaged(load_template()))["Resources"]
    aliases = [v for v in resources.values() if v["Type"] == "AWS::Lambda::Alias"]
    assert aliases and all(a["Properties"]["Name"] == "live" for a in aliases)


def test_samconfig_has_dev_and_prod() -> None:
    import tomllib

    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    assert config["default"]["build"]["parameters"]["template_file"] == "infra/template.yaml"
    assert (
        "prod" in config
        and "EnvironmentName=prod" in config["prod"]["deploy"]["parameters"]["parameter_overrides"]
    )


def test_the_layer_ships_migrations_the_runner_can_find(tmp_path: Path) -> None:
    from nfl_predictor.db.migrate import load_migrations

    assert load_migrations(REPO / "shared" / "nfl_predictor" / "migrations")
