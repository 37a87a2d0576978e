"""What the benchmark Lambda runs in AWS, and what the local harness (``nfl_predictor_dev.bench``)
builds on: nothing here needs a checkout, a subprocess or a package outside the Lambda layer.

``context`` (scale, stack, progress), ``stack`` (the live stack and its short-lived API key),
``timing`` and ``stats`` (sampling, summaries, the numpy Mann-Whitney U), ``result`` (a measurement),
the in-process categories (``api``, ``engine``, ``database``, ``cache``), ``suite`` (running them, a
run's record), ``machine`` (what a run was measured on), ``baseline`` (S3 or a folder), ``compare``
(regressions) and ``nightly`` (the benchmark Lambda's run: compare, publish, alert).
"""
