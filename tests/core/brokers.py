"""A test helper: point this process's Celery app at another broker for one test, and find Redis."""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gathering.celery import app

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@contextmanager
def using_broker(url: str) -> Iterator[None]:
    """Send this process's tasks to `url` inside the block (Celery reads its settings once, and keeps its
    connections: both are reset on the way in and out)."""
    previous = app.conf.broker_url
    _reset(url)
    try:
        yield
    finally:
        _reset(previous)


def _reset(url: str) -> None:
    app.conf.broker_url = url
    # The connection and producer pools were made for the previous broker (what Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


def closed_port() -> int:
    """A local port nothing listens on: a broker that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_redis() -> None:
    """Skip the test when Redis is not on 127.0.0.1:6379; under CI=true, fail it instead."""
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1).close()
    except OSError:
        reason = f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
