"""A capacity plan for a target load, from a benchmark run's measured handler times and list prices.

Every number is a measured figure (the run's medians, named by measurement), a published price
(bench/prices.py) or a stated assumption (``Assumptions``, each with its reason), and every line of
the plan says which. Pure arithmetic: ``plan()`` takes the figures and returns the lines, so a test
checks it on fixed inputs; ``measured_from_run()`` reads the figures from a saved run.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from nfl_predictor_dev.bench import prices as P

GB = 1024**3


def price(value: float) -> str:
    """A unit price as plain decimals ($0.0000033334, never 3.3334e-06)."""
    return "$" + (f"{value:.10f}".rstrip("0").rstrip(".") if value < 1 else f"{value:g}")


@dataclass(frozen=True)
class Measured:
    """Median handler times (ms) of the served paths and the game payload's bytes on the wire."""

    cached_ms: float
    uncached_ms: float
    week_ms: float
    payload_bytes: float
    source: str = "fixed inputs"


@dataclass(frozen=True)
class Assumptions:
    hit_rate: float = 0.95  # share of game requests answered from the cache (L1 or Redis)
    week_share: float = 0.05  # share of requests that ask for a whole week (cached)
    headroom: float = 1.5  # concurrency and connections planned at 1.5x Little's law (bursts, p99 vs median)
    peak_minutes: float = 180.0  # minutes a game day runs at the target load
    game_days_per_month: float = 12.0  # 18 weeks x 3 game days (Thu/Sun/Mon) over ~4.5 months
    memory_mb: int = 1024  # PredictFunction's MemorySize
    redis_ops_per_request: float = 1.1  # one GET, plus a rate-limit lease refill every ~10 requests
    cache_node: str = "cache.r7g.large"
    cache_nodes: int = 2
    db_instance: str = "db.r6g.large"
    multi_az: bool = True
    proxy_max_connections_percent: float = 0.8
    provisioned_floor: int = (
        2  # the template's shape: PredictProvisionedMin held all month, scaled up for peaks
    )


@dataclass
class Line:
    what: str
    value: float
    unit: str
    basis: str  # the figures and prices it came from

    def text(self) -> str:
        shown = f"${self.value:,.2f}" if self.unit == "USD/month" else f"{self.value:,.1f} {self.unit}"
        return f"{self.what:38s} {shown:>18s}   {self.basis}"


@dataclass
class Plan:
    rps: float
    measured: Measured
    assumptions: Assumptions
    lines: list[Line] = field(default_factory=list)
    recommendation: str = ""

    def value(self, what: str) -> float:
        return next(line.value for line in self.lines if line.what == what)

    def text(self) -> str:
        head = (f"capacity plan for {self.rps:,.0f} req/s (hit rate {self.assumptions.hit_rate:.0%}, "
                f"{self.assumptions.peak_minutes:.0f} peak minutes x {self.assumptions.game_days_per_month:g} game "
                f"days/month), figures from {self.measured.source}, prices {P.AS_OF}")  # fmt: skip
        return "\n".join(
            [head, *(line.text() for line in self.lines), f"recommendation: {self.recommendation}"]
        )

    def as_dict(self) -> dict[str, Any]:
        return {"rps": self.rps, "measured": asdict(self.measured), "assumptions": asdict(self.assumptions),
                "lines": [asdict(line) for line in self.lines], "recommendation": self.recommendation}  # fmt: skip


def plan(rps: float, m: Measured, a: Assumptions) -> Plan:
    out = Plan(rps, m, a)
    add = out.lines.append
    game_share = 1.0 - a.week_share
    mean_ms = (
        game_share * (a.hit_rate * m.cached_ms + (1 - a.hit_rate) * m.uncached_ms) + a.week_share * m.week_ms
    )
    add(Line("mean handler time", mean_ms, "ms",
             f"{game_share:.0%} games x ({a.hit_rate:.0%} x cached {m.cached_ms:g} ms + {1 - a.hit_rate:.0%} x "
             f"uncached {m.uncached_ms:g} ms) + {a.week_share:.0%} x week {m.week_ms:g} ms"))  # fmt: skip
    little = rps * mean_ms / 1000
    add(Line("concurrency (Little's law)", little, "environments", f"{rps:g} req/s x {mean_ms:.2f} ms"))
    needed = math.ceil(round(little * a.headroom, 6))  # rounded first: 3.0000000000000004 is 3
    add(Line("concurrency to plan for", needed, "environments", f"x {a.headroom:g} headroom, rounded up"))

    gb = a.memory_mb / 1024
    month_s = 730 * 3600
    peak_s = a.peak_minutes * 60 * a.game_days_per_month
    requests = rps * peak_s
    # Provisioned concurrency as the template runs it (a floor all month, auto scaling to the peak for
    # the peak minutes) vs SnapStart's cached snapshot and one restore per environment per game day.
    floor = min(needed, a.provisioned_floor)
    provisioned = (floor * month_s + (needed - floor) * peak_s) * gb * P.LAMBDA_ARM_PROVISIONED_PER_GB_SECOND
    snapstart = (
        gb * month_s * P.SNAPSTART_CACHE_PER_GB_SECOND
        + needed * a.game_days_per_month * gb * P.SNAPSTART_RESTORE_PER_GB
    )
    add(Line("provisioned concurrency (if chosen)", provisioned, "USD/month",
             f"({floor} x {month_s:,} s + {needed - floor} x {peak_s:,.0f} s) x {gb:g} GB x "
             f"{price(P.LAMBDA_ARM_PROVISIONED_PER_GB_SECOND)}/GB-s"))  # fmt: skip
    add(Line("SnapStart (if chosen)", snapstart, "USD/month",
             f"{gb:g} GB x {month_s:,} s x {price(P.SNAPSTART_CACHE_PER_GB_SECOND)}/GB-s + {needed} restores x "
             f"{a.game_days_per_month:g} days x {price(P.SNAPSTART_RESTORE_PER_GB)}/GB"))  # fmt: skip
    use_snapstart = snapstart <= provisioned
    out.recommendation = (
        f"SnapStart (${snapstart:,.2f} vs provisioned ${provisioned:,.2f} a month; restores cover bursts "
        "that target tracking is minutes late for)" if use_snapstart else
        f"provisioned concurrency {needed} (${provisioned:,.2f} vs SnapStart ${snapstart:,.2f} a month)"
    )  # fmt: skip

    add(Line("Lambda requests", requests / 1e6 * P.LAMBDA_PER_MILLION_REQUESTS, "USD/month",
             f"{requests / 1e6:,.1f} M requests x {price(P.LAMBDA_PER_MILLION_REQUESTS)}/M"))  # fmt: skip
    billed_s = requests * max(1.0, math.ceil(mean_ms)) / 1000
    add(Line("Lambda duration", billed_s * gb * P.LAMBDA_ARM_PER_GB_SECOND, "USD/month",
             f"{requests / 1e6:,.1f} M x {max(1.0, math.ceil(mean_ms)):g} ms billed x {gb:g} GB x "
             f"{price(P.LAMBDA_ARM_PER_GB_SECOND)}/GB-s (arm64)"))  # fmt: skip
    add(Line("API Gateway (HTTP API)", requests / 1e6 * P.HTTP_API_PER_MILLION_REQUESTS, "USD/month",
             f"{requests / 1e6:,.1f} M x {price(P.HTTP_API_PER_MILLION_REQUESTS)}/M"))  # fmt: skip

    node_price, gbit = P.CACHE_NODES[a.cache_node]
    redis_ops = rps * a.redis_ops_per_request
    add(Line("Redis operations", redis_ops, "ops/s", f"{rps:g} req/s x {a.redis_ops_per_request:g} ops"))
    redis_gbit = rps * m.payload_bytes * 8 / 1e9
    add(Line("Redis read bandwidth (primary)", redis_gbit / gbit * 100, "% of baseline",
             f"{rps:g} x {m.payload_bytes:,.0f} B = {redis_gbit:.3f} Gbit/s of {a.cache_node}'s {gbit:g} Gbit/s "
             "(replicas could share reads)"))  # fmt: skip
    add(Line("ElastiCache", node_price * a.cache_nodes * 730, "USD/month",
             f"{a.cache_nodes} x {a.cache_node} x ${node_price}/h x 730 h"))  # fmt: skip

    db_price, vcpus, max_conn = P.DB_INSTANCES[a.db_instance]
    add(Line("proxy client connections", needed, "connections",
             "one per environment (the Lambda shape: one connection per process)"))  # fmt: skip
    backend = math.ceil(round(rps * game_share * (1 - a.hit_rate) * m.uncached_ms / 1000 * a.headroom, 6))
    allowed = int(max_conn * a.proxy_max_connections_percent)
    add(Line("database connections through the proxy", backend, "connections",
             f"{rps:g} x {game_share * (1 - a.hit_rate):.1%} uncached x {m.uncached_ms:g} ms x {a.headroom:g}; "
             f"{a.db_instance} allows {max_conn} ({allowed} to the proxy)"))  # fmt: skip
    instances = 2 if a.multi_az else 1
    add(Line("RDS", db_price * instances * 730, "USD/month",
             f"{a.db_instance} x ${db_price}/h x {instances} (Multi-AZ: {a.multi_az}) x 730 h"))  # fmt: skip
    add(Line("RDS Proxy", max(2, vcpus) * P.RDS_PROXY_PER_VCPU_HOUR * 730, "USD/month",
             f"{max(2, vcpus)} vCPU x ${P.RDS_PROXY_PER_VCPU_HOUR}/vCPU-h x 730 h"))  # fmt: skip
    out_gb = requests * m.payload_bytes / GB
    add(Line("data transfer out", out_gb * P.DATA_OUT_PER_GB, "USD/month",
             f"{out_gb:,.1f} GB x ${P.DATA_OUT_PER_GB}/GB"))  # fmt: skip
    chosen = snapstart if use_snapstart else provisioned
    costs = [line.value for line in out.lines if line.unit == "USD/month" and "(if chosen)" not in line.what]
    add(
        Line(
            "total",
            sum(costs) + chosen,
            "USD/month",
            "the lines above, with the recommended cold-start option",
        )
    )
    return out


def measured_from_run(record: dict[str, Any], source: str) -> Measured:
    """Medians of api.cached_game, api.uncached_game and api.cached_week; the payload's bytes when recorded."""
    by_name = {m["name"]: m for m in record.get("measurements", [])}

    def median(name: str) -> float:
        if name not in by_name or not by_name[name].get("samples"):
            raise ValueError(
                f"{source}: the run has no {name} measurement (run `nfl-predictor bench create`)"
            )
        return float(statistics.median(by_name[name]["samples"]))

    cached, uncached, week = median("api.cached_game"), median("api.uncached_game"), median("api.cached_week")
    details = by_name["api.cached_game"].get("details", {})
    recorded = details.get("body_bytes") or details.get("payload_bytes")
    if not recorded:  # the runs record no payload size: DESIGN.md's measured game payload (23.5 KB)
        source += "; payload 23,500 B (DESIGN.md's measured 375-item game payload)"
    return Measured(cached, uncached, week, float(recorded or 23_500), source)
