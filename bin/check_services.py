"""Before the tests: are PostgreSQL and Redis reachable? Say which is not, and how to start it."""
from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartcity")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    down = []
    if not reachable(database_url, 5432):
        down.append(("PostgreSQL", database_url))
    if not reachable(redis_url, 6379):
        down.append(("Redis", redis_url))
    for name, url in down:
        print(f"{name} is not reachable at {url}. Start it with:\n    {HOW_TO_START[name]}\n"
              f"or point {'DATABASE_URL' if name == 'PostgreSQL' else 'REDIS_URL'} at a running server.", file=sys.stderr)
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
