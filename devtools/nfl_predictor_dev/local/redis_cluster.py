"""A private three-node Redis Cluster on free loopback ports, for tests and benchmarks.

Three ``redis-server --cluster-enabled yes`` processes, joined with ``redis-cli --cluster create
... --cluster-replicas 0``; ``start`` returns once CLUSTER INFO says ``cluster_state:ok`` on every
node, or raises at its deadline. Each node keeps its nodes.conf in a temporary directory of its own.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from nfl_predictor_dev.local.redis_server import PrivateRedis, find_redis_server, free_port

_BUS_OFFSET = 10000  # each node also listens on port + 10000 (the cluster bus)


def free_cluster_port(attempts: int = 200) -> int:
    """A free loopback port whose bus port (port + 10000, at most 65535) is free too."""
    import socket

    for _ in range(attempts):
        port = free_port()
        if port + _BUS_OFFSET > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port + _BUS_OFFSET))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port pair for a cluster node")


def find_redis_cli() -> str:
    found = shutil.which("redis-cli") or str(Path(find_redis_server()).with_name("redis-cli"))
    if not Path(found).exists():  # pragma: no cover - depends on the machine
        raise RuntimeError("no redis-cli found (needed to create the cluster)")
    return found


class PrivateRedisCluster:
    def __init__(self, nodes: int = 3, maxmemory: str = "128mb") -> None:
        args = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000")  # fmt: skip
        self.nodes = [PrivateRedis(free_cluster_port(), maxmemory, extra_args=args) for _ in range(nodes)]

    @property
    def url(self) -> str:
        """Any node will do: the client reads the slot map from it (as from a configuration endpoint)."""
        return f"redis://127.0.0.1:{self.nodes[0].port}"

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    def start(self, timeout_s: float = 30.0) -> PrivateRedisCluster:
        deadline = time.monotonic() + timeout_s
        try:
            for node in self.nodes:
                node.start()
            if not self._all_ok():
                cli = find_redis_cli()
                args = [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                        "--cluster-replicas", "0", "--cluster-yes"]  # fmt: skip
                subprocess.run(args, check=True, capture_output=True,
                               timeout=max(1.0, deadline - time.monotonic()))  # fmt: skip
            while not self._all_ok():
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"redis cluster on {self.ports} not ok within {timeout_s}s")
                time.sleep(0.05)
        except BaseException:
            self.close()
            raise
        return self

    def _all_ok(self) -> bool:
        return all(b"cluster_state:ok" in self._cluster_info(port) for port in self.ports)

    @staticmethod
    def _cluster_info(port: int) -> bytes:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"CLUSTER INFO\r\n")
                return sock.recv(4096)
        except OSError:
            return b""

    def flush(self) -> None:
        """Empty every node (each primary owns its own slots)."""
        import redis

        for port in self.ports:
            client = redis.Redis(host="127.0.0.1", port=port)
            client.flushall()
            client.close()

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    def __enter__(self) -> PrivateRedisCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
