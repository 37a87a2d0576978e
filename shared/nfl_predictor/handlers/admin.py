"""admin: ``aws lambda invoke`` (no API route, no schedule) -> create, list or revoke API keys in the
deployed database, so the first key needs no bastion (``nfl-predictor remote api-key`` wraps it).

Events (unknown fields are refused, so a typo never silently means a default):

- ``{"action": "create", "name": "ops", "tier": "free|pro|enterprise", "admin": false,
  "email": null, "expires_at": "2026-09-01T00:00:00+00:00"}`` (only action and name are required;
  tier defaults to free)
- ``{"action": "list", "include_revoked": false}``
- ``{"action": "revoke", "key_id": 12}`` or ``{"action": "revoke", "key": "nflp_AbCd..."}`` (the
  whole key, or the first characters ``list`` shows)

Answer: ``{"ok": true, "action": ..., ...}``, or ``{"ok": false, "error": "...", "field": "..."}`` for
bad input and for a database failure: never a traceback (that goes to the log). The plaintext key is
in create's answer only, shown once, and never logged. Revocation reaches every predict instance
within AUTH_KEY_TTL_SECONDS (10 s; README "Remote admin").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from nfl_predictor.db.migrate import describe_pg_error
from nfl_predictor.runtime import Runtime
from nfl_predictor.service.accounts import TIERS, create_api_key, list_keys, resolve_key_id, revoke_key_once
from nfl_predictor.telemetry.powertools import make_logger

logger = make_logger("admin")
NAME_MAX = 200
_FIELDS = {
    "create": {"action", "name", "tier", "admin", "email", "expires_at"},
    "list": {"action", "include_revoked"},
    "revoke": {"action", "key_id", "key"},
}


class BadInput(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadInput(f"{name} must be true or false", name)
    return value


def parse_event(event: Any) -> dict[str, Any]:
    """The validated request: {"action": ..., plus that action's arguments}."""
    if not isinstance(event, dict):
        raise BadInput("the event must be a JSON object", "event")
    action = event.get("action")
    if action not in _FIELDS:
        raise BadInput(f"action must be one of {', '.join(_FIELDS)}", "action")
    unknown = sorted(set(event) - _FIELDS[action])
    if unknown:
        raise BadInput(f"{unknown[0]}: not a field of {action} (expected {', '.join(sorted(_FIELDS[action]))})",
                       unknown[0])  # fmt: skip
    if action == "list":
        return {"action": action, "include_revoked": _bool(event, "include_revoked")}
    if action == "revoke":
        return {"action": action, **_revoke_target(event)}
    name = event.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise BadInput(f"name must be a non-empty string of at most {NAME_MAX} characters", "name")
    tier = event.get("tier", "free")
    if tier not in TIERS:
        raise BadInput(f"tier must be one of {', '.join(TIERS)}", "tier")
    email = event.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 320):
        raise BadInput("email must be an address (or null)", "email")
    return {"action": action, "name": name.strip(), "tier": tier, "admin": _bool(event, "admin"),
            "email": email, "expires_at": _expiry(event.get("expires_at"))}  # fmt: skip


def _revoke_target(event: dict[str, Any]) -> dict[str, Any]:
    key_id, key = event.get("key_id"), event.get("key")
    if (key_id is None) == (key is None):
        raise BadInput("give key_id or key (not both)", "key_id")
    if key_id is not None:
        if not isinstance(key_id, int) or isinstance(key_id, bool) or key_id < 1:
            raise BadInput("key_id must be a positive integer", "key_id")
        return {"key_id": key_id}
    if not isinstance(key, str) or not key.strip():
        raise BadInput("key must be a key or its first characters", "key")
    return {"key": key.strip()}


def _expiry(raw: Any) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise BadInput("expires_at must be an ISO 8601 time with a UTC offset", "expires_at")
    return value


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}


def run(runtime: Runtime, request: dict[str, Any]) -> dict[str, Any]:
    """One account operation on the database; the answer is JSON-ready."""
    db = runtime.db
    action = request["action"]
    if action == "list":
        keys = [_jsonable(row) for row in list_keys(db, include_revoked=request["include_revoked"])]
        return {"ok": True, "action": action, "keys": keys}
    if action == "revoke":
        key_id = request.get("key_id") or resolve_key_id(db, request["key"])
        if key_id is None:
            raise BadInput("no unrevoked key matches (give more characters, or the key_id from list)", "key")
        outcome = revoke_key_once(db, key_id)
        if outcome == "unknown":
            raise BadInput(f"no key with id {key_id}", "key_id")
        return {"ok": True, "action": action, "key_id": key_id, "outcome": outcome,
                "effective_within_s": runtime.settings.auth_key_ttl_s}  # fmt: skip
    created = create_api_key(db, name=request["name"], tier=request["tier"], admin=request["admin"],
                             email=request["email"], expires_at=request["expires_at"])  # fmt: skip
    return {"ok": True, "action": action, "key": created.key, "key_id": created.key_id,
            "user_id": created.user_id, "tier": created.tier, "scopes": list(created.scopes)}  # fmt: skip


def make_handler(runtime: Runtime) -> Callable[[Any, Any], dict[str, Any]]:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        try:
            request = parse_event(event)
            answer = run(runtime, request)
        except BadInput as exc:
            logger.info("admin request refused", extra={"error": str(exc), "field": exc.field})
            return {"ok": False, "error": str(exc), "field": exc.field}
        except Exception as exc:
            # The traceback goes to the log, the caller gets one line.
            logger.exception("admin request failed")
            return {"ok": False, "error": f"database: {describe_pg_error(exc)}", "field": None}
        # Never log the plaintext key.
        logger.info("admin request done", extra={"action": request["action"],
                                                 "key_id": answer.get("key_id"), "count": len(answer.get("keys", []))})  # fmt: skip
        return answer

    return handler


handler = make_handler(Runtime())
