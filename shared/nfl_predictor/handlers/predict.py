"""predict: API Gateway -> the FastAPI app through Mangum (api/lambda_app.py).

Built at module scope, once per execution environment. Heavy modules load on first use, except where
the init phase is on no request's path (provisioned concurrency; SnapStart, whose init runs once
when a version is published): there, loading them up front takes that work off the first requests.

SnapStart: the Runtime's hooks close every socket before the snapshot and, in each restored copy,
re-seed randomness and drop credentials and time-dependent state (``Runtime.before_snapshot`` /
``after_restore``). Lambda runs the before-hooks in reverse order of registration, the after-hooks
in order; outside SnapStart they never run.
"""

from __future__ import annotations

from snapshot_restore_py import register_after_restore, register_before_snapshot

from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.runtime import Runtime

runtime = Runtime()
handler = make_lambda_handler(runtime)
register_before_snapshot(runtime.before_snapshot)
register_after_restore(runtime.after_restore)

if runtime.settings.init_off_the_request_path:
    import nfl_predictor.service.predictions  # noqa: F401  (numpy, engine, redis-py, pg8000)
