"""The smaller items of issue 15 (item 8), each reproduced against the real stack.

Before: admin invalidation with a null or nested parameter was a 500; "٢٠٢٥" and "2_025" were read
as 2025; a 1 MB query string got the server's 400 text/plain; two spellings of a search shared
one cache entry echoing the first caller's text; a view built now said X-Cache: l1; a revoked key
worked for 60 s, and indefinitely while the database was down.
"""

from __future__ import annotations

import base64
import gzip
import time
from typing import Any

import orjson
import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.service.accounts import Principal, create_api_key, revoke_key
from nfl_predictor.service.auth import Authenticator

from tests.integration.api.conftest import ApiStack, LambdaContext, http_api_event, runtime_on

pytestmark = pytest.mark.usefixtures("fresh_caches")


def body(response: dict[str, Any]) -> Any:
    raw = base64.b64decode(response["body"]) if response.get("isBase64Encoded") else response["body"].encode()
    headers = {k.lower(): v for k, v in response["headers"].items()}
    return orjson.loads(gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw)


def admin_post(stack: ApiStack, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    event = http_api_event(
        "POST", path, None, {"x-api-key": stack.keys["admin"], "content-type": "application/json"}
    )
    event["body"] = orjson.dumps(payload).decode()
    return stack.invoke(event)


def test_admin_invalidation_rejects_non_scalar_params(api_stack: ApiStack) -> None:
    for params in ({"game": None}, {"game": {"nested": 1}}, {"game": [1, 2]}):
        response = admin_post(
            api_stack, "/v1/admin/cache/invalidate", {"namespace": "predictions", "params": params}
        )
        assert response["statusCode"] == 422, (params, response["body"])
        assert body(response)["error"]["field"] == "params.game"
    ok = admin_post(api_stack, "/v1/admin/cache/invalidate",
                    {"namespace": "predictions", "params": {"game": api_stack.upcoming_game}})  # fmt: skip
    assert ok["statusCode"] == 200


@pytest.mark.parametrize("season", ["٢٠٢٥", "2_025", "+2025", " 2025", "2025.0", "２０２５"])
def test_numeric_parameters_take_ascii_digits_only(api_stack: ApiStack, season: str) -> None:
    key = {"x-api-key": api_stack.keys["pro"]}
    for path, query in (
        ("/v1/predictions", {"season": season, "week": 13}),
        ("/v1/games", {"season": season}),
    ):
        response = api_stack.invoke(http_api_event("GET", path, query, key))
        assert response["statusCode"] == 422, (path, season, response["body"])
        assert body(response)["error"] == {"code": "invalid_parameter", "field": "season",
                                           "message": "season: expected ASCII digits"}  # fmt: skip


def test_an_over_long_request_gets_the_json_error_shape(api_stack: ApiStack) -> None:
    for query in ({"q": "x" * 1_000_000}, {"season": "1" * 5000}):
        response = api_stack.invoke(
            http_api_event("GET", "/v1/search", query, {"x-api-key": api_stack.keys["pro"]})
        )
        assert response["statusCode"] == 414
        assert response["headers"]["content-type"] == "application/json"
        assert body(response)["error"]["code"] == "uri_too_long"


def test_the_request_line_limits_are_inclusive(api_stack: ApiStack) -> None:
    """A path of exactly MAX_PATH_BYTES and a query string of exactly MAX_QUERY_BYTES are served (or
    refused on their merits); one byte more is 414."""
    from nfl_predictor.api.security import MAX_PATH_BYTES, MAX_QUERY_BYTES

    key = {"x-api-key": api_stack.keys["pro"]}

    def code(path: str, query: dict[str, Any] | None = None) -> tuple[int, str]:
        response = api_stack.invoke(http_api_event("GET", path, query, key))
        return response["statusCode"], body(response)["error"]["code"]

    at_limit = "/v1/" + "a" * (MAX_PATH_BYTES - len("/v1/"))
    assert len(at_limit) == MAX_PATH_BYTES
    assert code(at_limit) == (404, "not_found")
    assert code(at_limit + "a") == (414, "uri_too_long")
    q = "x" * (MAX_QUERY_BYTES - len("q="))  # the query string "q=xxx…" is exactly the limit
    assert code("/v1/search", {"q": q}) == (422, "invalid_parameter")  # over q's own 500 characters
    assert code("/v1/search", {"q": q + "x"}) == (414, "uri_too_long")


def test_search_never_echoes_another_callers_text(api_stack: ApiStack) -> None:
    key = {"x-api-key": api_stack.keys["pro"]}
    for text in ("RelTest Chiefs DEFENSE", "reltest chiefs defense", "RelTest Chiefs DEFENSE"):
        response = api_stack.invoke(http_api_event("GET", "/v1/search", {"q": text}, key))
        assert response["statusCode"] == 200 and body(response)["query"] == text


def test_x_cache_says_a_view_built_now_missed(api_stack: ApiStack) -> None:
    key = {"x-api-key": api_stack.keys["pro"]}
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    assert api_stack.invoke(http_api_event("GET", path, None, key))["headers"]["x-cache"] == "miss"
    built = api_stack.invoke(http_api_event("GET", path, {"include": "ml"}, key))
    assert built["headers"]["x-cache"] == "miss"  # the full game was in L1; this view was not
    assert api_stack.invoke(http_api_event("GET", path, {"include": "ml"}, key))["headers"]["x-cache"] == "l1"


def test_revocation_takes_effect_within_the_key_ttl(api_stack: ApiStack) -> None:
    created = create_api_key(api_stack.db, name="to revoke", tier="pro")
    runtime = runtime_on(api_stack.database_url, api_stack.redis.url, AUTH_KEY_TTL_SECONDS=1)
    handler = make_lambda_handler(runtime)

    def status() -> int:
        event = http_api_event("GET", "/v1/games", {"season": 2025}, {"x-api-key": created.key})
        return int(handler(event, LambdaContext())["statusCode"])

    try:
        assert status() == 200
        revoke_key(api_stack.db, created.key_id)
        revoked_at = time.monotonic()
        while status() == 200:
            assert time.monotonic() - revoked_at < 5.0, "the revoked key kept working"
            time.sleep(0.1)
        assert status() == 401
    finally:
        runtime.close()


class DownDatabase:
    """Every query fails as an unreachable database does."""

    def __getattr__(self, name: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise ConnectionRefusedError("database down")

        return fail


def test_a_known_key_outlives_a_database_outage_only_for_the_stated_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import nfl_predictor.service.auth as auth_module

    principal = Principal(key_id=1, user_id=1, tier="pro", scopes=(), subscription_status="active",
                          subscription_expires_at=None)  # fmt: skip
    auth = Authenticator(DownDatabase(), key_ttl_s=10.0, stale_grace_s=300.0)  # type: ignore[arg-type]
    clock = [1000.0]
    monkeypatch.setattr(auth_module.time, "monotonic", lambda: clock[0])
    auth._memory[auth_module.hash_key("k")] = (clock[0], principal)
    clock[0] += 60  # past the trust period, inside the grace: still served while the database is down
    assert auth.remembered("k") == (False, None) and auth.principal("k") is principal
    clock[0] += 300  # past the grace: the outage no longer extends the key
    with pytest.raises(ConnectionRefusedError):
        auth.principal("k")
