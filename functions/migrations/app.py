"""migrations: the CloudFormation custom resource that applies schema migrations on every deploy.

Wiring only; the behaviour is nfl_predictor.ops.migrations_resource. The migrations ship in the
shared layer (nfl_predictor/migrations) and are applied through RDS Proxy with this function's
own connection (IAM-authenticated when DB_IAM_AUTH is on).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from nfl_predictor.db.iam_auth import database_for_job
from nfl_predictor.ops.migrations_resource import handle

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Log the request without its pre-signed ResponseURL (a credential for answering this request).
    logger.info("schema migrations request", extra={k: v for k, v in event.items() if k != "ResponseURL"})
    response = handle(event, context, make_db=database_for_job)
    logger.info("schema migrations answered", extra={"response": response})
    return response
