"""``python -m nfl_predictor``: the same as the ``nfl-predictor`` command."""

import sys

from nfl_predictor.cli.main import main

sys.exit(main())
