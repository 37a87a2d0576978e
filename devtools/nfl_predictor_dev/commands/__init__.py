"""The developer commands the ``nfl-predictor`` CLI gains when the tooling is installed: serve,
invoke, bench, loadtest and preflight. Registered through the ``nfl_predictor.commands`` entry point."""

from __future__ import annotations

import argparse

from nfl_predictor_dev.commands import bench, capacity, invoke, preflight, serve


def register(sub: argparse._SubParsersAction) -> None:
    for module in (serve, invoke, bench, capacity, preflight):
        module.register(sub)
