"""Typed settings read from the environment once per process.

Every variable is optional except where a deployment needs it; a malformed value fails at start-up
with one line naming the variable (``ConfigError``), never later inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from nfl_predictor.config.errors import ConfigError

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def _parse_positive_int(raw: str) -> int:
    value = int(raw.strip())
    if value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _parse_non_negative_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError("expected a non-negative integer")
    return value


def _parse_non_negative_float(raw: str) -> float:
    value = float(raw.strip())
    if value < 0 or value != value:
        raise ValueError("expected a non-negative number")
    return value


def _parse_positive_float(raw: str) -> float:
    value = float(raw.strip())
    if not value > 0 or value == float("inf"):
        raise ValueError("expected a positive number")
    return value


def parse_rate(raw: str) -> tuple[float, int]:
    """ "20:40" -> (20.0, 40): per second and burst."""
    rate, _, burst = raw.strip().partition(":")
    try:
        per_second, capacity = float(rate), int(burst)
    except ValueError:
        raise ValueError("expected per_second:burst, e.g. 20:40") from None
    if not per_second > 0 or capacity < 1:
        raise ValueError("expected a positive rate and a burst of at least 1")
    return per_second, capacity


def _parse_rate(raw: str) -> str:
    parse_rate(raw)
    return raw.strip()


def _parse_fraction(raw: str) -> float:
    value = float(raw.strip())
    if not 0.0 <= value < 1.0:
        raise ValueError("expected a number in [0, 1)")
    return value


DEFAULT_RATE_LIMITS = "free=1:30,pro=20:200,enterprise=500:5000"


def parse_rate_limits(raw: str) -> dict[str, tuple[float, int]]:
    """ "free=1:30,pro=20:200" -> {"free": (1.0, 30), ...}: requests per second and burst per tier."""
    limits: dict[str, tuple[float, int]] = {}
    for part in raw.split(","):
        tier, _, spec = part.strip().partition("=")
        rate, _, burst = spec.partition(":")
        try:
            per_second, capacity = float(rate), int(burst)
        except ValueError:
            raise ValueError("expected tier=per_second:burst pairs, e.g. free=1:30,pro=20:200") from None
        if not tier or per_second <= 0 or capacity < 1:
            raise ValueError("each tier needs a positive rate and a burst of at least 1")
        limits[tier.strip()] = (per_second, capacity)
    return limits


def _parse_rate_limits(raw: str) -> str:
    parse_rate_limits(raw)
    return raw.strip()


def _parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


def _parse_url(schemes: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme not in schemes:
            raise ValueError(f"expected a URL starting with one of {', '.join(s + '://' for s in schemes)}")
        return value

    return parse


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T) -> T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        shown = raw if len(raw) <= 40 and "://" not in raw else raw[:12] + "..."
        raise ConfigError(f"{name}: invalid value {shown!r}: {exc}") from None


# nflverse's release files (CC BY 4.0): schedules with results and closing lines, and the weekly
# team and player stats of one season.
NFLVERSE_GAMES_URL = "https://github.com/nflverse/nfldata/raw/master/data/games.csv"
NFLVERSE_TEAM_STATS_URL = (
    "https://github.com/nflverse/nflverse-data/releases/download/stats_team/stats_team_week_{season}.csv"
)
NFLVERSE_PLAYER_STATS_URL = (
    "https://github.com/nflverse/nflverse-data/releases/download/player_stats/player_stats_{season}.csv"
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with production-sane defaults."""

    environment: str = "local"
    log_level: str = "INFO"

    # Database: DATABASE_URL wins; otherwise DB_SECRET_ARN (RDS-format JSON secret) + DB_HOST override.
    database_url: str | None = None
    db_secret_arn: str | None = None
    # The migrations function only: the application role's secret, whose password it sets (issue 12).
    app_db_secret_arn: str | None = None
    db_host: str | None = None
    db_sslmode: str | None = None
    db_connect_timeout_s: float = 5.0
    db_statement_timeout_ms: int = 5000
    db_lock_timeout_ms: int = 2000
    db_idle_reconnect_s: float = 300.0
    db_pool_size: int = 4
    db_pooled: bool = False
    db_via_proxy: bool = False

    # Cache
    redis_url: str | None = None
    redis_cluster: bool = False
    redis_auth_secret_arn: str | None = None
    redis_socket_timeout_s: float = 0.25
    redis_connect_timeout_s: float = 0.25
    cache_schema_version: int = 1
    cache_default_ttl_s: int = 1800
    cache_prediction_ttl_s: int = 300
    cache_ttl_jitter: float = 0.1
    cache_stale_grace_s: int = 60
    cache_compress_threshold_bytes: int = 4096
    l1_max_entries: int = 2048
    l1_max_bytes: int = 64 * 1024 * 1024
    breaker_failure_threshold: int = 3
    breaker_cooldown_s: float = 5.0
    redis_clients_alert_threshold: int = 500
    cache_codec: str = "gzip"
    cache_stamp_refresh_s: float = 1.0
    cache_lock_ttl_s: float = 10.0
    cache_lock_wait_s: float = 2.0
    redis_health_check_interval_s: int = 30
    cache_memory_alert_ratio: float = 0.8

    # Local stack
    data_dir: str | None = None
    migrations_dir: str | None = None  # tests and tools; the layer ships nfl_predictor/migrations

    # AWS: what Lambda sets, IAM database auth, Powertools' names
    aws_region: str | None = None
    db_iam_auth: bool = False
    lambda_function_name: str | None = None
    lambda_initialization_type: str | None = None
    lambda_log_stream: str | None = None
    lambda_memory_mb: int | None = None
    metrics_namespace: str = "NFLPredictor"
    trace_disabled: bool = False
    xray_at_init: bool = False  # load the X-Ray SDK at init even on demand (see telemetry.powertools)

    # Monitoring and alerts
    monitor_snapshot_s: float = 0.0  # 0: no request-path snapshots (serve sets 30)
    monitor_history_max_rows: int = 2000
    monitor_latency_slo_ms: float = 100.0
    alert_topic_arn: str | None = None

    # Index maintenance (the nightly Lambda's thresholds)
    index_lock_timeout_ms: int = 2000
    index_lock_attempts: int = 4
    index_bloat_ratio: float = 2.0
    index_min_reindex_bytes: int = 8 * 1024 * 1024
    index_max_reindexes: int = 5
    analyze_min_changed_rows: int = 1000

    # Benchmark function: where baselines and runs are kept
    benchmark_baseline_bucket: str | None = None

    # Data refresh (update-data, the data function): nflverse release files; {season} is the season
    # being refreshed (the current one, or DATA_SEASON)
    nflverse_games_url: str = NFLVERSE_GAMES_URL
    nflverse_team_stats_url: str = NFLVERSE_TEAM_STATS_URL
    nflverse_player_stats_url: str = NFLVERSE_PLAYER_STATS_URL
    data_season: int | None = None
    data_download_timeout_s: float = 20.0
    data_download_deadline_s: float = 120.0
    data_max_download_bytes: int = 64 * 1024 * 1024

    # Search: offline hashing embedder, or Amazon Bedrock (Titan v2) in AWS
    embedder: str = "hashing"

    # API: per-tier token buckets, "tier=per_second:burst,..."
    rate_limits: str = DEFAULT_RATE_LIMITS
    week_batch_size: int = 8
    week_max_workers: int = 4
    # Failing fast on a hung database (API path) and bounding what clients without a key cost
    db_breaker_failure_threshold: int = 3
    db_breaker_cooldown_s: float = 2.0
    api_db_deadline_s: float = 2.5
    preauth_per_client: str = "20:40"
    preauth_global: str = "100:200"
    auth_key_ttl_s: float = 10.0
    auth_stale_grace_s: float = 300.0

    @property
    def uses_embedded_db(self) -> bool:
        return self.database_url is None and self.db_secret_arn is None

    @property
    def in_lambda(self) -> bool:
        return self.lambda_function_name is not None

    @property
    def tracing_enabled(self) -> bool:
        """X-Ray only in Lambda, unless POWERTOOLS_TRACE_DISABLED (its SDK import costs ~260 ms)."""
        return self.in_lambda and not self.trace_disabled

    @property
    def init_off_the_request_path(self) -> bool:
        """Provisioned concurrency and SnapStart run init before any request waits on it."""
        return self.lambda_initialization_type in ("provisioned-concurrency", "snap-start")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        pg_url = _parse_url(("postgresql", "postgres"))
        redis_url = _parse_url(("redis", "rediss", "unix"))
        http_url = _parse_url(("https", "http"))
        sslmodes = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

        def sslmode(raw: str) -> str:
            if raw.strip() not in sslmodes:
                raise ValueError(f"expected one of {', '.join(sorted(sslmodes))}")
            return raw.strip()

        def log_level(raw: str) -> str:
            if raw.strip().upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
                raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
            return raw.strip().upper()

        return cls(
            environment=_read(env, "NFLP_ENVIRONMENT", str.strip, "local"),
            log_level=_read(env, "LOG_LEVEL", log_level, "INFO"),
            database_url=_read(env, "DATABASE_URL", pg_url, None),
            db_secret_arn=_read(env, "DB_SECRET_ARN", str.strip, None),
            app_db_secret_arn=_read(env, "APP_DB_SECRET_ARN", str.strip, None),
            db_host=_read(env, "DB_HOST", str.strip, None),
            db_sslmode=_read(env, "DB_SSLMODE", sslmode, None),
            db_connect_timeout_s=_read(env, "DB_CONNECT_TIMEOUT_SECONDS", _parse_non_negative_float, 5.0),
            db_statement_timeout_ms=_read(env, "DB_STATEMENT_TIMEOUT_MS", _parse_positive_int, 5000),
            db_lock_timeout_ms=_read(env, "DB_LOCK_TIMEOUT_MS", _parse_positive_int, 2000),
            db_idle_reconnect_s=_read(env, "DB_IDLE_RECONNECT_SECONDS", _parse_non_negative_float, 300.0),
            db_pool_size=_read(env, "DB_POOL_SIZE", _parse_positive_int, 4),
            db_pooled=_read(env, "DB_POOLED", _parse_bool, False),
            db_via_proxy=_read(env, "DB_VIA_PROXY", _parse_bool, False),
            redis_url=_read(env, "REDIS_URL", redis_url, None),
            redis_cluster=_read(env, "REDIS_CLUSTER", _parse_bool, False),
            redis_auth_secret_arn=_read(env, "REDIS_AUTH_SECRET_ARN", str.strip, None),
            redis_socket_timeout_s=_read(
                env, "REDIS_SOCKET_TIMEOUT_SECONDS", _parse_non_negative_float, 0.25
            ),
            redis_connect_timeout_s=_read(
                env, "REDIS_CONNECT_TIMEOUT_SECONDS", _parse_non_negative_float, 0.25
            ),
            cache_schema_version=_read(env, "CACHE_SCHEMA_VERSION", _parse_positive_int, 1),
            cache_default_ttl_s=_read(env, "CACHE_DEFAULT_TTL_SECONDS", _parse_positive_int, 1800),
            cache_prediction_ttl_s=_read(env, "CACHE_PREDICTION_TTL_SECONDS", _parse_positive_int, 300),
            cache_ttl_jitter=_read(env, "CACHE_TTL_JITTER", _parse_fraction, 0.1),
            cache_stale_grace_s=_read(env, "CACHE_STALE_GRACE_SECONDS", _parse_positive_int, 60),
            cache_compress_threshold_bytes=_read(
                env, "CACHE_COMPRESS_THRESHOLD_BYTES", _parse_positive_int, 4096
            ),
            l1_max_entries=_read(env, "L1_MAX_ENTRIES", _parse_positive_int, 2048),
            l1_max_bytes=_read(env, "L1_MAX_BYTES", _parse_positive_int, 64 * 1024 * 1024),
            breaker_failure_threshold=_read(env, "BREAKER_FAILURE_THRESHOLD", _parse_positive_int, 3),
            breaker_cooldown_s=_read(env, "BREAKER_COOLDOWN_SECONDS", _parse_non_negative_float, 5.0),
            redis_clients_alert_threshold=_read(
                env, "REDIS_CLIENTS_ALERT_THRESHOLD", _parse_positive_int, 500
            ),
            cache_codec=_read(env, "CACHE_CODEC", _parse_choice("gzip", "zstd"), "gzip"),
            data_dir=_read(env, "NFLP_DATA_DIR", str.strip, None),
            migrations_dir=_read(env, "NFLP_MIGRATIONS_DIR", str.strip, None),
            aws_region=_read(env, "AWS_REGION", str.strip, None)
            or _read(env, "AWS_DEFAULT_REGION", str.strip, None),
            db_iam_auth=_read(env, "DB_IAM_AUTH", _parse_bool, False),
            lambda_function_name=_read(env, "AWS_LAMBDA_FUNCTION_NAME", str.strip, None),
            lambda_initialization_type=_read(env, "AWS_LAMBDA_INITIALIZATION_TYPE", str.strip, None),
            lambda_log_stream=_read(env, "AWS_LAMBDA_LOG_STREAM_NAME", str.strip, None),
            lambda_memory_mb=_read(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", _parse_positive_int, None),
            metrics_namespace=_read(env, "POWERTOOLS_METRICS_NAMESPACE", str.strip, "NFLPredictor"),
            trace_disabled=_read(env, "POWERTOOLS_TRACE_DISABLED", _parse_bool, False),
            xray_at_init=_read(env, "NFLP_XRAY_AT_INIT", _parse_bool, False),
            monitor_snapshot_s=_read(env, "MONITOR_SNAPSHOT_SECONDS", _parse_non_negative_float, 0.0),
            monitor_history_max_rows=_read(env, "MONITOR_HISTORY_MAX_ROWS", _parse_positive_int, 2000),
            monitor_latency_slo_ms=_read(env, "MONITOR_LATENCY_SLO_MS", _parse_non_negative_float, 100.0),
            alert_topic_arn=_read(env, "ALERT_TOPIC_ARN", str.strip, None),
            index_lock_timeout_ms=_read(env, "INDEX_LOCK_TIMEOUT_MS", _parse_positive_int, 2000),
            index_lock_attempts=_read(env, "INDEX_LOCK_ATTEMPTS", _parse_positive_int, 4),
            index_bloat_ratio=_read(env, "INDEX_BLOAT_RATIO", _parse_non_negative_float, 2.0),
            index_min_reindex_bytes=_read(
                env, "INDEX_MIN_REINDEX_BYTES", _parse_non_negative_int, 8 * 1024 * 1024
            ),
            index_max_reindexes=_read(env, "INDEX_MAX_REINDEXES", _parse_non_negative_int, 5),
            analyze_min_changed_rows=_read(env, "ANALYZE_MIN_CHANGED_ROWS", _parse_non_negative_int, 1000),
            benchmark_baseline_bucket=_read(env, "BENCHMARK_BASELINE_BUCKET", str.strip, None),
            nflverse_games_url=_read(env, "NFLVERSE_GAMES_URL", http_url, NFLVERSE_GAMES_URL),
            nflverse_team_stats_url=_read(env, "NFLVERSE_TEAM_STATS_URL", http_url, NFLVERSE_TEAM_STATS_URL),
            nflverse_player_stats_url=_read(
                env, "NFLVERSE_PLAYER_STATS_URL", http_url, NFLVERSE_PLAYER_STATS_URL
            ),
            data_season=_read(env, "DATA_SEASON", _parse_positive_int, None),
            data_download_timeout_s=_read(env, "DATA_DOWNLOAD_TIMEOUT_SECONDS", _parse_positive_float, 20.0),
            data_download_deadline_s=_read(
                env, "DATA_DOWNLOAD_DEADLINE_SECONDS", _parse_positive_float, 120.0
            ),
            data_max_download_bytes=_read(
                env, "DATA_MAX_DOWNLOAD_BYTES", _parse_positive_int, 64 * 1024 * 1024
            ),
            embedder=_read(env, "EMBEDDER", _parse_choice("hashing", "bedrock"), "hashing"),
            rate_limits=_read(env, "RATE_LIMITS", _parse_rate_limits, DEFAULT_RATE_LIMITS),
            week_batch_size=_read(env, "WEEK_BATCH_SIZE", _parse_positive_int, 8),
            week_max_workers=_read(env, "WEEK_MAX_WORKERS", _parse_positive_int, 4),
            db_breaker_failure_threshold=_read(env, "DB_BREAKER_FAILURE_THRESHOLD", _parse_positive_int, 3),
            db_breaker_cooldown_s=_read(env, "DB_BREAKER_COOLDOWN_SECONDS", _parse_non_negative_float, 2.0),
            api_db_deadline_s=_read(env, "API_DB_DEADLINE_SECONDS", _parse_positive_float, 2.5),
            preauth_per_client=_read(env, "PREAUTH_LIMIT_PER_CLIENT", _parse_rate, "20:40"),
            preauth_global=_read(env, "PREAUTH_LIMIT_GLOBAL", _parse_rate, "100:200"),
            auth_key_ttl_s=_read(env, "AUTH_KEY_TTL_SECONDS", _parse_non_negative_float, 10.0),
            auth_stale_grace_s=_read(env, "AUTH_STALE_GRACE_SECONDS", _parse_non_negative_float, 300.0),
        )
