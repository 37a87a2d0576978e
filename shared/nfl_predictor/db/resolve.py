"""Where the database is: DATABASE_URL, or an RDS-format secret in Secrets Manager."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db.url import PgTarget, parse_database_url


def target_from_secret(secret: dict[str, Any], settings: Settings) -> PgTarget:
    """RDS-generated secrets hold username/password/host/port/dbname; DB_HOST (the proxy) overrides host."""
    try:
        user = quote(str(secret["username"]), safe="")
        password = quote(str(secret["password"]), safe="")
    except KeyError as exc:
        raise ConfigError(f"DB_SECRET_ARN: secret has no {exc.args[0]!r} field") from None
    host = settings.db_host or secret.get("host")
    if not host:
        raise ConfigError("DB_HOST: not set and the secret has no host")
    port = int(secret.get("port") or 5432)
    dbname = quote(str(secret.get("dbname") or "postgres"), safe="")
    if host.startswith("/"):  # a Unix socket directory (local runs, tests)
        url = f"postgresql://{user}:{password}@/{dbname}?host={quote(host, safe='/')}&port={port}"
    else:
        bracketed = f"[{host}]" if ":" in host else host
        url = f"postgresql://{user}:{password}@{bracketed}:{port}/{dbname}"
    return parse_database_url(
        url, default_sslmode=settings.db_sslmode or "verify-full", variable="DB_SECRET_ARN"
    )


def resolve_target(settings: Settings) -> PgTarget:
    if settings.database_url:
        return parse_database_url(settings.database_url, default_sslmode=settings.db_sslmode or "prefer")
    if settings.db_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        # Powertools caches the secret for 5 minutes: rotation is picked up without a cold start.
        secret = parameters.get_secret(settings.db_secret_arn, transform="json", max_age=300)
        if not isinstance(secret, dict):
            raise ConfigError("DB_SECRET_ARN: secret is not a JSON object")
        target = target_from_secret(secret, settings)
        from nfl_predictor.db.iam_auth import with_iam_auth

        # Behind RDS Proxy with IAMAuth REQUIRED the password is a token minted at each connect.
        return with_iam_auth(target, settings.aws_region) if settings.db_iam_auth else target
    raise ConfigError(
        "DATABASE_URL: not set (nor DB_SECRET_ARN); run through `nfl-predictor` for the embedded database"
    )
