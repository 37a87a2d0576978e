"""How a request reaches the process's parts: the Runtime the app was built with, on ``app.state``.

Routes read it straight off the request (an attribute lookup), not through FastAPI's dependency
machinery, which cost more per request than a whole cached-game hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nfl_predictor.runtime import Runtime


def runtime_of(request: Any) -> Runtime:
    """The Runtime of the app serving this request (a Request, or an ASGI scope's app)."""
    runtime: Runtime = request.app.state.runtime
    return runtime
