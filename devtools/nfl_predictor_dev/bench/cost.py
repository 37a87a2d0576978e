"""What serving costs on Lambda, from measured durations: per million requests and per million predictions.

Lambda bills each invocation's duration rounded up to the millisecond, times the memory size in GB, at
a price per GB-second, plus a price per request. Defaults are today's x86 list prices in us-east-1.
The durations are the handler's time measured in process; in Lambda, CPU scales with memory (1024 MB
is about 0.6 vCPU), so treat the figures as the cost of this code at this machine's speed.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nfl_predictor.config import Settings

PRICE_PER_GB_SECOND = 0.0000166667
PRICE_PER_MILLION_REQUESTS = 0.20
DEFAULT_MEMORY_MB = 1024
# Relative to the checkout the command runs in (bench report --memory-mb overrides it).
TEMPLATE = Path("infra") / "template.yaml"
# (measurement, label): the served paths whose cost the report states.
COSTED = (("api.cached_game", "cached game"), ("api.uncached_game", "uncached game"),
          ("api.cached_week", "cached week"), ("api.uncached_week", "uncached week"))  # fmt: skip


def predict_memory_mb(template: Path = TEMPLATE, settings: Settings | None = None) -> int:
    """AWS_LAMBDA_FUNCTION_MEMORY_SIZE (Settings.lambda_memory_mb) inside Lambda, else PredictFunction's
    MemorySize in the template (./infra/template.yaml in a checkout), else 1024."""
    configured = (settings if settings is not None else Settings.from_env()).lambda_memory_mb
    if configured:
        return configured
    try:
        text = template.read_text()
    except OSError:
        return DEFAULT_MEMORY_MB
    block = re.search(r"\n  PredictFunction:\n(.*?)(?:\n  [A-Za-z]\w*:\n|\Z)", text, re.S)
    found = re.search(r"\n      MemorySize: (\d+)", block.group(1)) if block else None
    return int(found.group(1)) if found else DEFAULT_MEMORY_MB


def dollars(amount: float) -> str:
    """Plain decimals, four significant digits ($0.2182, $0.00003044), never exponent notation."""
    if amount == 0:
        return "$0"
    digits = max(2, 3 - math.floor(math.log10(abs(amount))))
    return f"${amount:.{digits}f}"


@dataclass(frozen=True)
class Prices:
    per_gb_second: float = PRICE_PER_GB_SECOND
    per_million_requests: float = PRICE_PER_MILLION_REQUESTS
    memory_mb: int = DEFAULT_MEMORY_MB


@dataclass(frozen=True)
class Cost:
    label: str
    billed_ms_mean: float
    predictions_per_request: int
    per_million_requests: float
    per_million_predictions: float | None

    def line(self) -> str:
        per_prediction = ("n/a" if self.per_million_predictions is None
                          else f"{dollars(self.per_million_predictions)} per million predictions")  # fmt: skip
        return (f"{self.label}: billed {self.billed_ms_mean:.2f} ms mean -> {dollars(self.per_million_requests)} "
                f"per million requests, {per_prediction} ({self.predictions_per_request} per request)")  # fmt: skip


def request_cost(durations_ms: list[float], prices: Prices) -> tuple[float, float]:
    """(mean billed ms, dollars per request)."""
    billed = [max(1, math.ceil(ms)) for ms in durations_ms]
    mean_ms = sum(billed) / len(billed)
    compute = mean_ms / 1000.0 * prices.memory_mb / 1024.0 * prices.per_gb_second
    return mean_ms, compute + prices.per_million_requests / 1e6


def cost_of(label: str, durations_ms: list[float], predictions_per_request: int, prices: Prices) -> Cost:
    mean_ms, usd = request_cost(durations_ms, prices)
    per_prediction = usd / predictions_per_request * 1e6 if predictions_per_request else None
    return Cost(label, round(mean_ms, 3), predictions_per_request, round(usd * 1e6, 6),
                None if per_prediction is None else round(per_prediction, 9))  # fmt: skip


def costs_for_run(record: dict[str, Any], prices: Prices) -> list[Cost]:
    by_name = {m["name"]: m for m in record.get("measurements", [])}
    out = []
    for name, label in COSTED:
        m = by_name.get(name)
        if m is None or m["unit"] != "ms":
            continue
        out.append(
            cost_of(label, m["samples"], int(m.get("details", {}).get("prediction_count") or 0), prices)
        )
    return out


def as_dicts(costs: list[Cost], prices: Prices) -> dict[str, Any]:
    return {"prices": asdict(prices), "costs": [asdict(c) for c in costs]}
