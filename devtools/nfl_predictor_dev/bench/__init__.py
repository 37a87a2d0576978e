"""The local side of the benchmark suite (``nfl-predictor bench``) and the load test
(``nfl-predictor loadtest``): what needs a checkout, a subprocess or a dev-only package.

The measurements themselves, their statistics, baselines and comparisons are in
nfl_predictor.benchmarking (what the benchmark Lambda runs); here: ``suite`` (every category, as run
locally), ``api_process`` (the server's throughput under wrk, the cold start), ``cache`` (a private
redis-server when none is configured), ``load`` and ``loadtest`` (the locust step load), ``server``
(uvicorn on loopback, wrk), ``stack`` (``BenchStack``: embedded Postgres and private redis-server),
``machine`` (the checkout and its commit), ``cost`` (Lambda pricing), ``report`` and ``svg`` (text,
JSON, HTML), ``progress`` (the terminal status line) and ``mix`` (what the load test's users ask for).
"""
