"""Redis AUTH from Secrets Manager: the credentials of the ElastiCache RBAC user.

The secret is JSON ``{"username": ..., "password": ...}`` (the template generates it; a plain
string is taken as the password of the ``default`` user). It is read through Powertools
parameters, which caches it for ``max_age_s``: once per Lambda environment in practice, and a
rotated password is picked up by the next connection after that, without a cold start.

redis-py asks the provider on every new connection, inside its connect step. A secret that cannot
be read surfaces there as an ``AuthenticationError``, which the tier counts as an outage: the
breaker opens, L1 and the database answer, and nothing fails at init. No message ever carries the
password (or the secret's text).
"""

from __future__ import annotations

import orjson
from redis.credentials import CredentialProvider
from redis.exceptions import AuthenticationError


class SecretCredentials(CredentialProvider):
    def __init__(self, secret_arn: str, *, max_age_s: int = 300) -> None:
        self.secret_arn = secret_arn
        self.max_age_s = max_age_s

    def __repr__(self) -> str:
        return f"SecretCredentials({self.secret_arn!r})"

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        from aws_lambda_powertools.utilities import parameters

        try:
            raw = parameters.get_secret(self.secret_arn, max_age=self.max_age_s)
        except Exception as exc:  # GetSecretValue denied, throttled, no endpoint: cannot authenticate
            raise AuthenticationError(f"redis auth secret unreadable ({type(exc).__name__})") from None
        return parse_secret(raw if isinstance(raw, str) else bytes(raw).decode())


def parse_secret(text: str) -> tuple[str] | tuple[str, str]:
    """(password,) or (username, password) from the secret's text."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        if not stripped:
            raise AuthenticationError("redis auth secret is empty")
        return (stripped,)
    try:
        found = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        raise AuthenticationError("redis auth secret is not valid JSON") from None
    password = found.get("password") if isinstance(found, dict) else None
    if not isinstance(password, str) or not password:
        raise AuthenticationError("redis auth secret has no 'password' field")
    username = found.get("username")
    return (username, password) if isinstance(username, str) and username else (password,)
