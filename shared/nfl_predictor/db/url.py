"""libpq connection URIs -> pg8000 connect arguments.

pg8000 takes keyword arguments, not URIs, so this maps the forms people paste: TCP hosts, IPv6,
percent-encoded credentials, ``?host=/socket/dir`` for Unix sockets, ``sslmode`` and
``sslrootcert``. Written here because no maintained library does this mapping for pg8000.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from nfl_predictor.config import ConfigError

_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True, slots=True)
class PgTarget:
    user: str
    password: str | None
    host: str | None
    port: int
    database: str
    unix_sock: str | None
    sslmode: str
    sslrootcert: str | None
    application_name: str | None

    def ssl_context(self) -> ssl.SSLContext | bool | None:
        """pg8000's ssl_context argument for this sslmode.

        pg8000 treats ``None`` as "try TLS without verification, fall back to plaintext"; we only
        allow that for libpq's allow/prefer. verify-* modes get a real verifying context.
        """
        if self.unix_sock is not None or self.sslmode == "disable":
            return False
        if self.sslmode in ("allow", "prefer"):
            return None
        if self.sslmode == "require":
            return True
        context = ssl.create_default_context(cafile=self.sslrootcert)
        context.check_hostname = self.sslmode == "verify-full"
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "user": self.user,
            "password": self.password,
            "database": self.database,
            "ssl_context": self.ssl_context(),
            "application_name": self.application_name or "nfl-predictor",
        }
        if self.unix_sock is not None:
            kwargs["unix_sock"] = self.unix_sock
        else:
            kwargs["host"] = self.host or "localhost"
            kwargs["port"] = self.port
        return kwargs


_QUERY_PARAMETERS = {"host", "port", "sslmode", "sslrootcert", "application_name", "user", "password",
                     "dbname", "connect_timeout", "options"}  # fmt: skip


def _query(raw: str, variable: str) -> dict[str, str]:
    query = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    unknown = set(query) - _QUERY_PARAMETERS
    if unknown:
        raise ConfigError(f"{variable}: unsupported query parameter(s): {', '.join(sorted(unknown))}")
    return query


def _port(from_query: str | None, parts: SplitResult, variable: str) -> int:
    try:
        return int(from_query or parts.port or 5432)
    except ValueError:
        raise ConfigError(f"{variable}: port must be a number") from None


def _sslmode(value: str, variable: str) -> str:
    if value not in _SSLMODES:
        raise ConfigError(f"{variable}: sslmode must be one of {', '.join(_SSLMODES)}")
    return value


def parse_database_url(
    url: str, *, default_sslmode: str = "prefer", variable: str = "DATABASE_URL"
) -> PgTarget:
    """Parse a libpq URI; errors are ConfigError naming ``variable``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"{variable}: expected a postgresql:// URL")
    query = _query(parts.query, variable)
    port = _port(query.get("port"), parts, variable)
    host = query.get("host") or (unquote(parts.hostname) if parts.hostname else None)
    unix_sock = None
    if host and host.startswith("/"):
        unix_sock = f"{host.rstrip('/')}/.s.PGSQL.{port}"

    sslmode = _sslmode(query.get("sslmode", default_sslmode), variable)
    user = query.get("user") or (unquote(parts.username) if parts.username else "postgres")
    password = query.get("password") or (unquote(parts.password) if parts.password else None)
    database = query.get("dbname") or unquote(parts.path.lstrip("/")) or user
    return PgTarget(
        user=user,
        password=password or None,
        host=None if unix_sock else (host or "localhost"),
        port=port,
        database=database,
        unix_sock=unix_sock,
        sslmode=sslmode,
        sslrootcert=query.get("sslrootcert"),
        application_name=query.get("application_name"),
    )
