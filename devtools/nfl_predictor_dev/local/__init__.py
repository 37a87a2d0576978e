"""The local stack: embedded Postgres, private redis-server, template-driven local invoke."""
