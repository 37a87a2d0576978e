"""The OpenAPI document declares the x-api-key scheme on every /v1 operation and on nothing else."""

from __future__ import annotations

from typing import Any

from nfl_predictor.api.security import HEADER, SCHEME, document_security, protected


def test_every_v1_operation_and_only_those_need_the_key() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/v1/games": {"get": {}},
            "/v1/admin/cache/invalidate": {"post": {}, "delete": {}},
            "/health": {"get": {}},
            "/v1": {"get": {}},
        },
        "components": {"schemas": {"Game": {}}},
    }
    out = document_security(doc)
    assert out["components"]["securitySchemes"] == SCHEME
    assert out["components"]["schemas"] == {"Game": {}}  # what was there is kept
    assert SCHEME["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": HEADER,
                                    "description": "Your API key"}  # fmt: skip
    assert HEADER == "x-api-key"
    paths = out["paths"]
    assert paths["/v1/games"]["get"]["security"] == [{"ApiKeyAuth": []}]
    assert paths["/v1/admin/cache/invalidate"]["post"]["security"] == [{"ApiKeyAuth": []}]
    assert paths["/v1/admin/cache/invalidate"]["delete"]["security"] == [{"ApiKeyAuth": []}]
    assert "security" not in paths["/health"]["get"] and "security" not in paths["/v1"]["get"]


def test_a_document_without_paths_or_components_gets_the_scheme() -> None:
    out = document_security({})
    assert out == {"components": {"securitySchemes": SCHEME}}


def test_protected_is_the_v1_prefix() -> None:
    assert protected("/v1/games") and protected("/v1/admin/x")
    assert (
        not protected("/v1")
        and not protected("/health")
        and not protected("/docs")
        and not protected("/v10/x")
    )


def test_the_middleware_wraps_the_app_it_is_given() -> None:
    from nfl_predictor.api.pipeline import RequestPipeline

    app, runtime = object(), object()
    middleware = RequestPipeline(app, runtime)  # type: ignore[arg-type]
    assert middleware.app is app and middleware.runtime is runtime
