"""predict: API Gateway -> FastAPI via Mangum. Wiring only; the app lives in nfl_predictor.api."""

from nfl_predictor.api.lambda_handler import handler

__all__ = ["handler"]
