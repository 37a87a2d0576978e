"""The report of a run: text, JSON and a self-contained HTML page with plots (latency distributions,
ratios to the same-run references, history across saved runs), with the comparison to the baseline
and the Lambda cost it implies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking.compare import Comparison

from nfl_predictor_dev.bench import svg
from nfl_predictor_dev.bench.cost import Cost, Prices, as_dicts, dollars


@dataclass
class ReportInput:
    run: dict[str, Any]
    baseline: dict[str, Any] | None
    comparisons: list[Comparison]
    history: list[dict[str, Any]]
    costs: list[Cost]
    prices: Prices


def _stats_line(m: dict[str, Any]) -> str:
    s, unit = m["stats"], m["unit"]
    extra = []
    if m.get("peak_memory_bytes") is not None:
        extra.append(f"peak Python memory {m['peak_memory_bytes'] / 1024:.0f} KiB")
    if m.get("queries_per_call") is not None:
        extra.append(f"{m['queries_per_call']:g} queries/call")
    return (f"    n={s['n']} mean {s['mean']:.4g} median {s['median']:.4g} min {s['min']:.4g} max {s['max']:.4g} "
            f"stddev {s['stddev']:.4g} p95 {s['p95']:.4g} p99 {s['p99']:.4g} {unit}"
            + ("; " + ", ".join(extra) if extra else ""))  # fmt: skip


def text_report(data: ReportInput) -> str:
    run, machine = data.run, data.run.get("machine", {})
    lines = [f"benchmark run {run['created_at']} ({run['scale']}; categories {', '.join(run['categories'])})",
             f"machine: {machine.get('cpu_model')} x{machine.get('cpu_count')}, Python {machine.get('python')}, "
             f"numpy {machine.get('numpy')}, commit {(machine.get('git_commit') or '?')[:12]}", ""]  # fmt: skip
    for m in run["measurements"]:
        lines.append(m["line"])
        lines.append(_stats_line(m))
        for info in m.get("details", {}).get("info", []):
            lines.append(f"    {info}")
    if data.comparisons:
        base = data.baseline or {}
        lines += ["", f"against the baseline of {base.get('created_at', '?')}:"]
        lines += ["  " + c.line() for c in data.comparisons]
    if data.costs:
        p = data.prices
        lines += ["", f"Lambda cost (x86, {p.memory_mb} MB, ${p.per_gb_second:.10f}".rstrip("0") + "/GB-s, "
                      f"{dollars(p.per_million_requests)}/million requests; billed per ms, rounded up):"]  # fmt: skip
        lines += ["  " + c.line() for c in data.costs]
    return "\n".join(lines) + "\n"


def json_report(data: ReportInput) -> dict[str, Any]:
    return {
        "run": data.run,
        "baseline_created_at": (data.baseline or {}).get("created_at"),
        "comparisons": [c.as_dict() for c in data.comparisons],
        "cost": as_dicts(data.costs, data.prices),
        "history": [
            {
                "created_at": h["created_at"],
                "medians": {m["name"]: m["stats"]["median"] for m in h["measurements"]},
            }
            for h in data.history
        ],
    }


def _history_points(history: list[dict[str, Any]], name: str) -> list[tuple[str, float]]:
    points = []
    for run in history:
        for m in run.get("measurements", []):
            if m["name"] == name:
                points.append((run["created_at"], float(m["stats"]["median"])))
    return points


STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1100px}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #d0d7de;text-align:left}
.PASS{color:#1a7f37}.FAIL{color:#cf222e}.regression{color:#cf222e;font-weight:600}.improvement{color:#1a7f37}.drift{color:#9a6700}
.card{display:inline-block;vertical-align:top;margin:0 16px 16px 0}.legend span{margin-right:12px}"""


def _verdict(m: dict[str, Any]) -> str:
    return "INFO" if m["ok"] is None else ("PASS" if m["ok"] else "FAIL")


def _table_row(m: dict[str, Any], state: str) -> str:
    """One measurement's row: figure, reference, ratio, target, verdict, status against the baseline."""
    verdict = _verdict(m)
    ref = m.get("reference") or {}
    reference = (
        "" if m.get("reference_value") is None else f"{m['reference_value']:.4g} {ref.get('label', '')}"
    )
    ratio = "" if m["ratio"] is None else f"{m['ratio']:.3g}"
    return (
        f"<tr><td>{escape(m['name'])}</td><td>{m['value']:.4g} {m['unit']}</td><td>{escape(reference)}</td>"
        f"<td>{ratio}</td><td>{escape(m['target'])}</td><td class='{verdict}'>{verdict}</td>"
        f"<td class='{state}'>{state}</td></tr>"
    )


def _history_card(data: ReportInput, m: dict[str, Any]) -> str | None:
    """The measurement's median across saved runs, the baseline's dashed (None: nothing to plot)."""
    base = next((b for b in (data.baseline or {}).get("measurements", []) if b["name"] == m["name"]), None)
    line = svg.history_line(_history_points(data.history, m["name"]), base["stats"]["median"] if base else None,
                            m["unit"], f"{m['name']} median across runs")  # fmt: skip
    return f"<div class='card'><b>{escape(m['name'])}</b> median<br>{line}</div>" if line else None


PLAN_LOADS = (100, 1_000, 10_000)  # requests per second the report plans for


def capacity_html(run: dict[str, Any]) -> str:
    """The capacity plan (bench/capacity.py, default assumptions) at each of PLAN_LOADS, side by side."""
    from nfl_predictor_dev.bench.capacity import Assumptions, measured_from_run, plan

    try:
        measured = measured_from_run(run, f"this run ({run.get('created_at', '?')})")
    except ValueError:
        return "<p>needs the api category</p>"
    plans = [plan(rps, measured, Assumptions()) for rps in PLAN_LOADS]
    head = "".join(f"<th>{rps:,} req/s</th>" for rps in PLAN_LOADS)
    rows = []
    for i, line in enumerate(plans[0].lines):
        cells = "".join(
            f"<td>{'$' + format(p.lines[i].value, ',.2f') if line.unit == 'USD/month' else format(p.lines[i].value, ',.1f')}</td>"
            for p in plans
        )
        rows.append(f"<tr><td>{escape(line.what)} ({escape(line.unit)})</td>{cells}"
                    f"<td class='basis'>{escape(plans[1].lines[i].basis)}</td></tr>")  # fmt: skip
    advice = "".join(
        f"<li>{rps:,} req/s: {escape(p.recommendation)}</li>"
        for rps, p in zip(PLAN_LOADS, plans, strict=True)
    )
    a = plans[0].assumptions
    return (f"<p>Hit rate {a.hit_rate:.0%}, {a.peak_minutes:g} peak minutes x {a.game_days_per_month:g} game days a "
            f"month, headroom {a.headroom:g}x; the basis column is the 1,000 req/s plan's "
            f"(<code>nfl-predictor capacity --rps N</code>).</p><table><tr><th>line</th>{head}<th>basis</th></tr>"
            f"{''.join(rows)}</table><ul>{advice}</ul>")  # fmt: skip


def html_report(data: ReportInput) -> str:
    run = data.run
    status = {c.name: c.status for c in data.comparisons}
    rows, cards, history_cards = [], [], []
    for m in run["measurements"]:
        rows.append(_table_row(m, status.get(m["name"], "")))
        chart = svg.histogram(
            m["samples"],
            (m.get("reference") or {}).get("samples"),
            m["unit"],
            f"{m['name']} latency distribution",
        )
        cards.append(f"<div class='card'><b>{escape(m['name'])}</b> ({m['figure']})<br>{chart}</div>")
        history = _history_card(data, m)
        if history:
            history_cards.append(history)
    ratios = svg.ratio_bars([(m["name"], m["ratio"], _verdict(m)) for m in run["measurements"] if m["ratio"]])
    costs = "".join(f"<li>{escape(c.line())}</li>" for c in data.costs)
    machine = escape(json.dumps(run.get("machine", {}), indent=1))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Benchmark report {escape(run["created_at"])}</title>
<style>{STYLE}</style></head><body>
<h1>Benchmark report</h1><p>{escape(run["created_at"])}, scale {escape(run["scale"])}, categories
{escape(", ".join(run["categories"]))}; baseline {escape(str((data.baseline or {}).get("created_at", "none")))}</p>
<table><tr><th>measurement</th><th>project</th><th>reference</th><th>ratio</th><th>target</th><th></th><th>vs baseline</th></tr>
{"".join(rows)}</table>
<h2>Ratios to same-run references</h2>{ratios}
<h2>Latency distributions</h2><p class="legend"><span style="color:{svg.PROJECT}">&#9632; project</span>
<span style="color:{svg.REFERENCE}">&#9632; reference</span>; solid line: median, dashed: p99 (hover a mark for its
value)</p>{"".join(cards)}
<h2>History across saved runs</h2><p>Median of each saved run; dashed: the baseline.</p>{"".join(history_cards) or "<p>no saved runs yet</p>"}
<h2>Lambda cost</h2><ul>{costs or "<li>needs the api category</li>"}</ul>
<h2>Capacity plan</h2>{capacity_html(run)}
<h2>Machine</h2><pre>{machine}</pre></body></html>
"""


def write_reports(data: ReportInput, output_dir: Path) -> dict[str, str]:
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "text": output_dir / "report.txt",
        "json": output_dir / "report.json",
        "html": output_dir / "report.html",
    }
    paths["text"].write_text(text_report(data))
    paths["json"].write_text(json.dumps(json_report(data), indent=1, default=str) + "\n")
    paths["html"].write_text(html_report(data))
    return {k: str(v) for k, v in paths.items()}
