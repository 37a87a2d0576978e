"""predict: API Gateway -> the FastAPI app through Mangum (api/lambda_app.py).

Built at module scope, once per execution environment. Heavy modules load on first use, except under
provisioned concurrency, where the init phase is on no request's path and loading them up front
takes that work off the first requests.
"""

from __future__ import annotations

from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.runtime import Runtime

runtime = Runtime()
handler = make_lambda_handler(runtime)

if runtime.settings.lambda_initialization_type == "provisioned-concurrency":
    import nfl_predictor.service.predictions  # noqa: F401  (numpy, engine, redis-py, pg8000)
