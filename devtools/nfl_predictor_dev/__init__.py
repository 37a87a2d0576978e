"""Developer tooling for nfl-predictor: the local stack (embedded Postgres, private redis-server,
template-driven invoke), the benchmark harness and the load-test driver. Installed with the ``local``
and ``dev`` extras; never part of the Lambda layer."""
