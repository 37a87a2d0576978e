"""migrations: the CloudFormation custom resource that applies schema migrations on every deploy.

The protocol (answering the pre-signed ResponseURL on every path) is custom_resource.py; the
migrations ship in the layer (nfl_predictor/migrations) and are applied through RDS Proxy with this
function's own connection (IAM-authenticated when DB_IAM_AUTH is on). It logs in as the master user
(DB_SECRET_ARN) and, after migrating, sets the application role's password from APP_DB_SECRET_ARN.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from nfl_predictor.config import Settings
from nfl_predictor.db.iam_auth import database_for_job
from nfl_predictor.db.roles import app_login_from_secret
from nfl_predictor.handlers.custom_resource import handle
from nfl_predictor.telemetry.powertools import make_logger

settings = Settings.from_env()
logger = make_logger("migrations")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Log the request without its pre-signed ResponseURL (a credential for answering this request).
    logger.info("schema migrations request", extra={k: v for k, v in event.items() if k != "ResponseURL"})
    response = handle(event, context, make_db=partial(database_for_job, settings),
                      migrations_dir=settings.migrations_dir,
                      app_login=partial(app_login_from_secret, settings))  # fmt: skip
    logger.info("schema migrations answered", extra={"response": response})
    return response
