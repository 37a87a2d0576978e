"""The benchmark suite (``nfl-predictor bench``), the load test (``nfl-predictor loadtest``) and what
they share.

One module per job: ``context`` (scale, stack, progress), ``stack`` (where it runs), ``timing`` and
``stats`` (sampling, summaries, Mann-Whitney U), ``result`` (a measurement), the categories (``api``,
``api_process``, ``engine``, ``database``, ``cache``, ``load``), ``suite`` (running them), ``baseline``
(file or S3 storage), ``compare`` (regressions), ``cost`` (Lambda pricing), ``report`` (text, JSON,
HTML), ``loadtest`` (the step-load runner) and ``server`` (processes on loopback).
"""
