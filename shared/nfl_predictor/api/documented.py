"""Response documentation that costs nothing until the OpenAPI document is built.

FastAPI turns every model in a route's ``responses=`` into a pydantic field when the route is
declared: 3-5 ms a route, ~45 ms of the predict function's init (with the response models' own
import), for documentation no request reads. A route here names its models instead
(``openapi_extra=operation(...)``: ``$ref``s by name), and ``add_components`` puts their JSON
schemas into the document when it is first asked for. Routes return cached bytes, so nothing is
validated against these models per request; a test validates served documents against them.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

AUTHED = (401, 403, 414, 422, 429, 503)
ERROR_MODEL = "ErrorBody"
DESCRIPTIONS = {
    304: "Not modified (If-None-Match matched the ETag)", 400: "Malformed request body (not JSON)",
    401: "Missing or unknown API key", 403: "Subscription inactive or admin scope required",
    404: "No such game or week", 422: "Invalid parameter (the body names it)",
    429: "Rate limit exceeded (see Retry-After)", 503: "Database unreachable and nothing cached",
    414: "Path over 1 KB or query string over 4 KB",
}  # fmt: skip
# Where every named model lives (imported only to build the document).
SCHEMAS_MODULE = "nfl_predictor.api.schemas"
REF_PREFIX = "#/components/schemas/"


def _content(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF_PREFIX + model}}}


def operation(ok: str | None = None, *errors: int, parameters: list[dict[str, Any]] | None = None,
              also: dict[int, tuple[str, str]] | None = None) -> dict[str, Any]:  # fmt: skip
    """``openapi_extra`` for a route: its 200 model (by name), the error codes it documents (every one
    with the ``ErrorBody`` shape but 304), other responses as ``{code: (model, description)}``, and
    its parameters when the route reads them itself (``params.documented``)."""
    responses: dict[str, Any] = {}
    if ok is not None:
        responses["200"] = {"description": "Successful Response", "content": _content(ok)}
    for code, (model, description) in (also or {}).items():
        responses[str(code)] = {"description": description, "content": _content(model)}
    for code in errors:
        responses[str(code)] = {"description": DESCRIPTIONS[code]}
        if code != 304:
            responses[str(code)]["content"] = _content(ERROR_MODEL)
    extra: dict[str, Any] = {"responses": responses, "x-nflp-models": sorted(_models(responses))}
    if parameters is not None:
        extra["parameters"] = parameters
    return extra


def _models(responses: dict[str, Any]) -> set[str]:
    return {content["application/json"]["schema"]["$ref"].removeprefix(REF_PREFIX)
            for response in responses.values() if (content := response.get("content"))}  # fmt: skip


def add_components(document: dict[str, Any], models: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON schemas of every model the operations name (and the models they use), under
    ``components.schemas``; the private ``x-nflp-models`` markers are removed."""
    from pydantic.json_schema import models_json_schema

    named: set[str] = set()
    for operations in document.get("paths", {}).values():
        for op in operations.values():
            named.update(op.pop("x-nflp-models", []))
    if not named:
        return document
    found = models if models is not None else vars(importlib.import_module(SCHEMAS_MODULE))
    classes = [found[name] for name in sorted(named)]
    _, top = models_json_schema(
        [(cls, "serialization") for cls in classes], ref_template=REF_PREFIX + "{model}"
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(top.get("$defs", {}))
    # FastAPI adds its own 422 shapes to routes with validated parameters; every 422 here is ErrorBody.
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"{REF_PREFIX}{unused}"' not in json.dumps(document):
            schemas.pop(unused, None)
    return document
