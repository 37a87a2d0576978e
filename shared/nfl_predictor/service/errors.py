"""Errors the services raise for the API to map (no heavy imports: routes import this at start-up)."""


class GameNotFound(LookupError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
