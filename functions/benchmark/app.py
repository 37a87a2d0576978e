"""benchmark: schedule or on demand -> the in-process benchmark suite against the deployed stack,
compared with the baseline in S3; CloudWatch metrics; an SNS alert on a regression. Wiring only: the
logic is nfl_predictor.ops.benchmark_handler; this file hands it the API pieces it measures."""

import os

# The predict handler is measured without its X-Ray tracer: tracing thousands of in-process calls
# would measure the tracer (and flood the trace), not the code.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

from nfl_predictor.api.deps import get_services, reset_services
from nfl_predictor.api.lambda_handler import handler as predict_handler
from nfl_predictor.ops.bench.context import ApiBindings
from nfl_predictor.ops.benchmark_handler import make_handler

handler = make_handler(ApiBindings(predict_handler, get_services, reset_services))

__all__ = ["handler"]
