"""Write infra/template.yaml as plain CloudFormation JSON (the SAM transform applied offline), for checkov.

Usage: .venv/bin/python scripts/transform-template.py [--checkov-skips FILE] OUT.json [Name=Value ...]

The same offline transform the contract tests use (tests/contract/template_support.py): samtranslator
with a fixed region/account and code URIs as `sam package` would write them. Parameters not given
keep their template defaults; CloudFormation conditions stay in the output, so checkov sees every
resource of every mode (NAT and endpoints, replication group and serverless, RDS and Aurora).

--checkov-skips infra/checkov-skips.yaml adds each listed finding, with its reason, to the named
resources as `Metadata: checkov: skip:`; a named resource the output lacks is an error (no stale skips).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Offline: samtranslator asks boto for a region; nothing here talks to AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

import yaml

from tests.contract.template_support import load_template, packaged, transformed


def add_checkov_skips(document: dict[str, Any], skips_file: Path) -> int:
    skips = yaml.safe_load(skips_file.read_text(encoding="utf-8")) or {}
    resources = document["Resources"]
    count = 0
    for check, entry in skips.items():
        for name in entry["resources"]:
            if name not in resources:
                raise SystemExit(f"{skips_file}: {check} names {name}, which the template no longer has")
            metadata = resources[name].setdefault("Metadata", {})
            skip = metadata.setdefault("checkov", {}).setdefault("skip", [])
            skip.append({"id": check, "comment": " ".join(entry["reason"].split())})
            count += 1
    return count


def main(argv: list[str]) -> int:
    skips_file = None
    if argv[:1] == ["--checkov-skips"] and len(argv) >= 2:
        skips_file, argv = Path(argv[1]), argv[2:]
    if not argv or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out, pairs = Path(argv[0]), argv[1:]
    parameters = dict(pair.split("=", 1) for pair in pairs)
    document = transformed(packaged(load_template()), **parameters)
    if skips_file is not None:
        print(f"{skips_file}: {add_checkov_skips(document, skips_file)} resource skips with reasons")
    out.write_text(json.dumps(document, indent=1, default=str))
    print(f"{out}: {len(document['Resources'])} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
