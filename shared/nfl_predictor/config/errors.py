"""The one error type configuration problems raise."""


class ConfigError(ValueError):
    """A missing or malformed setting; the message is one line naming the variable."""
