"""The stored and served shape of a game's predictions, built from the engine's payload.

The engine returns one row per (expert, category) with its own copy of the expert's reasoning and
the category's line, plus the game's 32-float matchup embedding. Sent as is, a week was 1.33 MB
(116 KB gzip). The document keeps every prediction and drops only the repetition:

- ``experts``: one entry per expert, its reasoning once, and ``predictions`` mapping each category
  to ``[value, confidence]``;
- ``expert_lines``: the line each line-based category is judged against (one per game, the same for
  every expert);
- no ``embedding``: it lives in ``predictions.analysis_embedding`` and a view adds it back on request
  (``include=embedding`` or ``fields=embedding``).

``expert_rows`` turns a document (or an engine payload) back into the flat rows, with the full
reasoning text, for the code that wants them (grading, research notes, the reasoning summary).
"""

from __future__ import annotations

from typing import Any

PAIR = ("value", "confidence")  # what each ``predictions`` entry holds, in order
CONFIDENCE_DIGITS = 3


def to_document(payload: dict[str, Any]) -> dict[str, Any]:
    """The document for an engine payload (a payload already in document shape is returned as is)."""
    rows = payload.get("experts")
    if not _is_flat(rows):
        return {k: v for k, v in payload.items() if k != "embedding"}
    experts: dict[str, dict[str, Any]] = {}
    lines: dict[str, Any] = {}
    for row in rows or []:
        name, category = row["expert"], row["category"]
        entry = experts.get(name)
        if entry is None:
            entry = experts[name] = {
                "expert": name,
                "reasoning": _note(row.get("reasoning")),
                "predictions": {},
            }
        # Three decimals: a stated confidence is a probability, and more digits are noise that costs
        # a whole week's document ~5% of its gzip size.
        entry["predictions"][category] = [row["value"], round(float(row["confidence"]), CONFIDENCE_DIGITS)]
        if row.get("line") is not None:
            lines[category] = row["line"]
    out = {k: v for k, v in payload.items() if k not in ("experts", "embedding")}
    out["experts"] = list(experts.values())
    out["expert_lines"] = lines
    return out


def expert_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The flat (expert, category) rows: expert, category, value, confidence, line, reasoning."""
    experts = document.get("experts") or []
    if _is_flat(experts):
        return list(experts)
    lines = document.get("expert_lines") or {}
    phrases = _category_phrases()
    rows = []
    for entry in experts:
        note = entry.get("reasoning") or ""
        for category, (value, confidence) in entry["predictions"].items():
            phrase = phrases.get(category)
            rows.append({"expert": entry["expert"], "category": category, "value": value, "confidence": confidence,
                         "line": lines.get(category), "reasoning": f"{note}; {phrase}" if phrase else note})  # fmt: skip
    return rows


def with_expert_rows(document: dict[str, Any]) -> dict[str, Any]:
    """The document with ``experts`` as flat rows (the engine's shape, which grading reads)."""
    return {**document, "experts": expert_rows(document)}


def expert_prediction_count(experts: list[dict[str, Any]]) -> int:
    if _is_flat(experts):
        return len(experts)
    return sum(len(e.get("predictions") or {}) for e in experts)


def _is_flat(experts: Any) -> bool:
    return bool(experts) and isinstance(experts, list) and "category" in experts[0]


def _note(reasoning: str | None) -> str:
    """The expert's own part of a row's reasoning (the engine appends the category's phrase after '; ')."""
    if not reasoning:
        return ""
    return reasoning.rsplit("; ", 1)[0]


def _category_phrases() -> dict[str, str]:
    """Each category's factor phrase, as the engine appends it to an expert's reasoning."""
    from nfl_predictor.engine import categories  # numpy: loaded on first use, not at start-up

    table = getattr(categories, "CATEGORIES", {})
    return {name: spec[2] for name, spec in table.items() if isinstance(spec, tuple) and len(spec) > 2}
