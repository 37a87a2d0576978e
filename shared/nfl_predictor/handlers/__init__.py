"""One module per Lambda function. Before any of them imports its libraries, the submodules those
libraries load eagerly and no handler uses are set to load on first use (config.lazy_modules)."""

from nfl_predictor.config.lazy_modules import defer_unused_submodules

defer_unused_submodules()
