"""The predict handler's per-request log keys (what Powertools' inject_lambda_context would give)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nfl_predictor.telemetry.powertools import inject_request_context, make_logger


@dataclass
class Context:
    aws_request_id: str
    function_name: str = "predict"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:predict"


def event(request_id: str | None) -> dict[str, Any]:
    return {"requestContext": {"requestId": request_id}} if request_id else {"rawPath": "/health"}


def test_each_request_is_logged_with_its_own_ids_and_only_the_first_is_the_cold_start() -> None:
    logger = make_logger("request-context-test", own_state=True)
    seen: list[dict[str, Any]] = []

    @inject_request_context(logger)
    def handler(event: dict[str, Any], context: Any) -> None:
        seen.append(dict(logger.get_current_keys()))
        logger.append_keys(game_id="2025_13_ARI_DET")  # a key one request adds

    handler(event("api-1"), Context("lambda-1"))
    handler(event("api-2"), Context("lambda-2"))
    handler(event(None), Context("lambda-3"))
    first, second, third = seen
    assert (first["correlation_id"], first["function_request_id"], first["cold_start"]) == (
        "api-1",
        "lambda-1",
        True,
    )
    assert (second["correlation_id"], second["function_request_id"], second["cold_start"]) == (
        "api-2",
        "lambda-2",
        False,
    )
    assert third["correlation_id"] is None and third["function_request_id"] == "lambda-3"
    assert first["function_name"] == second["function_name"] == "predict"
    assert first["function_memory_size"] == 1024 and first["function"] == "request-context-test"
    assert (
        "game_id" not in second and "game_id" not in third
    )  # a request's own keys do not leak into the next
