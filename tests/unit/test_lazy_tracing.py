"""Tracing on, on demand: the X-Ray SDK (and the botocore it imports) stays out of init until
botocore is imported anyway; then the handler is captured by Powertools' Tracer, botocore patched.
Under SnapStart / provisioned concurrency (init off the request path) it loads at init.

Each case runs in a fresh interpreter: this test process has botocore loaded already."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "nfl-predictor-predict-test",
    "AWS_REGION": "eu-west-1",
    "LAMBDA_TASK_ROOT": "/var/task",  # Powertools traces only where this is set
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",  # loopback: UDP, nothing listens
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
}

SCRIPT = textwrap.dedent("""
    import json, sys
    from nfl_predictor.config import Settings
    from nfl_predictor.telemetry.powertools import trace_handler

    calls = []
    handler = trace_handler(Settings.from_env())(lambda event, context: calls.append(event) or {"ok": True})
    seen = {"sdk_at_init": "aws_xray_sdk.core" in sys.modules, "botocore_at_init": "botocore.client" in sys.modules}
    seen["first"] = handler({"n": 1}, None)
    if sys.argv[1] == "import-botocore":
        import botocore.client  # as a secret read or an SNS publish would, during an invocation
    seen["second"] = handler({"n": 2}, None)
    seen["sdk_after"] = "aws_xray_sdk.core" in sys.modules
    if seen["sdk_after"]:
        from aws_xray_sdk.core.patcher import _PATCHED_MODULES
        seen["botocore_patched"] = "botocore" in _PATCHED_MODULES
    tracer = sys.modules.get("aws_lambda_powertools.tracing.tracer")
    # Powertools' capture_lambda_handler records the cold start on its first captured call.
    seen["captured"] = tracer is not None and tracer.is_cold_start is False
    seen["calls"] = calls
    print(json.dumps(seen))
""")


def run(mode: str, **env: str) -> dict[str, object]:
    import json

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "NFLP_"))}
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], env={**clean, **LAMBDA_ENV, **env},
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_on_demand_the_sdk_waits_for_botocore_then_traces_with_botocore_patched() -> None:
    seen = run("import-botocore")
    assert seen["sdk_at_init"] is False and seen["botocore_at_init"] is False
    assert seen["first"] == {"ok": True} and seen["second"] == {"ok": True}
    assert seen["sdk_after"] is True and seen["botocore_patched"] is True
    assert seen["captured"] is True and seen["calls"] == [{"n": 1}, {"n": 2}]


def test_on_demand_without_aws_calls_the_sdk_never_loads() -> None:
    seen = run("no-aws")
    assert seen["sdk_at_init"] is False and seen["sdk_after"] is False and seen["second"] == {"ok": True}
    assert seen["captured"] is False


def test_snapstart_provisioned_and_the_switch_load_the_sdk_at_init() -> None:
    for env in ({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"},
                {"AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"}, {"NFLP_XRAY_AT_INIT": "true"}):  # fmt: skip
        seen = run("no-aws", **env)
        assert seen["sdk_at_init"] is True, env
        assert seen["second"] == {"ok": True} and seen["captured"] is True


def test_tracing_disabled_loads_nothing() -> None:
    seen = run("no-aws", POWERTOOLS_TRACE_DISABLED="true", NFLP_XRAY_AT_INIT="true")
    assert seen["sdk_at_init"] is False and seen["sdk_after"] is False
