"""Typed settings from the environment, validated once at cold start."""

from nfl_predictor.config.errors import ConfigError
from nfl_predictor.config.settings import Settings, get_settings

__all__ = ["ConfigError", "Settings", "get_settings"]
