"""IAM authentication to RDS Proxy: a fresh signed token as the password on every connect.

With the proxy's ``IAMAuth: REQUIRED`` a client logs in with a token from
``rds.generate_db_auth_token`` (signed locally with the function's role; no network call), valid
for 15 minutes. Connections are opened lazily and re-opened after the proxy drops an idle one, so
the token is minted in ``connect_kwargs()`` (called on every open) rather than once at start-up.

Turned on by ``DB_IAM_AUTH=true`` (the template sets it from the proxy's IAMAuth parameter);
``db.resolve.resolve_target`` applies it to credentials that come from the secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db.database import Database
from nfl_predictor.db.url import PgTarget

TokenSigner = Callable[[str, int, str, str], str]  # host, port, user, region -> token


def boto3_signer(host: str, port: int, user: str, region: str) -> str:
    import boto3

    client = boto3.client("rds", region_name=region)
    return str(client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region))


@dataclass(frozen=True, slots=True)
class IamAuthTarget(PgTarget):
    """A PgTarget whose password is a token minted at connect time."""

    region: str = ""
    signer: TokenSigner = boto3_signer

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs = PgTarget.connect_kwargs(self)
        kwargs["password"] = self.signer(self.host or "", self.port, self.user, self.region)
        return kwargs


def with_iam_auth(target: PgTarget, region: str | None, signer: TokenSigner = boto3_signer) -> PgTarget:
    if isinstance(target, IamAuthTarget):
        return target
    if target.unix_sock is not None or not target.host:
        raise ConfigError("DB_IAM_AUTH: IAM authentication needs a TCP host (the RDS Proxy endpoint)")
    if target.sslmode not in ("require", "verify-ca", "verify-full"):
        raise ConfigError("DB_IAM_AUTH: the token is sent as a password, so TLS must be required")
    if not region:
        raise ConfigError("DB_IAM_AUTH: no AWS_REGION to sign the token for")
    values = {f.name: getattr(target, f.name) for f in fields(PgTarget)}
    return IamAuthTarget(**values, region=region, signer=signer)


def database_for_job(settings: Settings) -> Database:
    """A Database of its own for a one-off job (migrations, index maintenance): one connection,
    closed by the caller, IAM-authenticated when DB_IAM_AUTH is on (resolve_target sees to that)."""
    from nfl_predictor.db import database_from_settings

    return database_from_settings(settings, pooled=False)
