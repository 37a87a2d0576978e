"""Typed settings from the environment, validated once per process (by whoever builds the Runtime)."""

from nfl_predictor.config.errors import ConfigError
from nfl_predictor.config.settings import Settings

__all__ = ["ConfigError", "Settings"]
