"""predict: API Gateway -> FastAPI (Mangum). Wiring only; the app lives in nfl_predictor.api."""

from mangum import Mangum
from nfl_predictor.api.app import create_app

# Module scope: built once per Lambda environment (cold start), reused by every invocation.
# lifespan="off": Lambda has no shutdown hook, and connections open lazily on first use.
handler = Mangum(create_app(), lifespan="off")
