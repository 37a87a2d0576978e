"""NFL Predictor: the shared library every Lambda function and the CLI use."""

__version__ = "0.1.0"
