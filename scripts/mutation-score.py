"""The per-module score table (markdown) from a mutation run's results in mutants/ (README, "Testing").

    .venv/bin/python scripts/mutation-score.py            # every mutated module
    .venv/bin/python scripts/mutation-score.py --survivors  # and the names of the survivors

Killed counts test kills and mypy kills (the type-check filter: CI's mypy would reject the mutant);
"no tests" are mutants in functions no selected test calls; score = killed / checked.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.__main__ import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent / "mutants" / "src" / "nfl_predictor"


def main(argv: list[str]) -> int:
    rows = []
    survivors: list[str] = []
    total: Counter[str] = Counter()
    for meta in sorted(ROOT.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        c: Counter[str] = Counter(status_by_exit_code[code] for code in codes.values())
        killed = c["killed"] + c["caught by type check"]
        checked = len(codes) - c["not checked"]
        module = str(meta.relative_to(ROOT))[: -len(".meta")]
        score = f"{killed / checked:.1%}" if checked else "-"
        rows.append(f"| {module} | {len(codes)} | {checked} | {c['killed']} | {c['caught by type check']} "
                    f"| {c['survived']} | {c['timeout']} | {c['no tests']} | {score} |")  # fmt: skip
        total.update(c)
        total["mutants"] += len(codes)
        total["checked"] += checked
        survivors += [
            f"{module}: {name}" for name, code in codes.items() if status_by_exit_code[code] == "survived"
        ]
    print(
        "| module | mutants | checked | killed by a test | killed by mypy | survived | timeout | no tests | score |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    killed = total["killed"] + total["caught by type check"]
    score = f"{killed / total['checked']:.1%}" if total["checked"] else "-"
    print(f"| **total** | {total['mutants']} | {total['checked']} | {total['killed']} | "
          f"{total['caught by type check']} | {total['survived']} | {total['timeout']} | {total['no tests']} "
          f"| {score} |")  # fmt: skip
    if "--survivors" in argv:
        print("\n" + "\n".join(survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
