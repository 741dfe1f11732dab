"""The cache on Redis while Redis is down: every operation carries on in this process's memory, within a
short timeout, logged once by the error's class; once Redis answers again it is the one record again."""

import logging
import signal
import time

import pytest

from gathering.core.cache import ResilientRedisCache

from ..faults.servers import RedisServer, free_port, redis_server

UNREACHABLE = (
    "Cache unreachable (ConnectionError): limits are counted in this process's memory until it is back"
)
BACK = "Cache reachable again: limits are shared by every process once more"


def cache_at(port: int, *, retry_after: float = 5, longest: float = 30) -> ResilientRedisCache:
    options = {"RETRY_AFTER": retry_after, "LONGEST_IN_MEMORY": longest}
    return ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": options})


def cache_messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "gathering.core.cache"]


def test_with_redis_down_every_operation_carries_on_in_memory_and_it_is_logged_once(caplog):
    cache = cache_at(free_port())  # nothing listens there

    with caplog.at_level(logging.WARNING, logger="gathering.core.cache"):
        started = time.monotonic()
        # What the limits do: django-ratelimit adds then increments, allauth gets and sets a history.
        assert cache.add("tries", 1, 60) is True
        assert cache.add("tries", 1, 60) is False
        assert cache.incr("tries") == 2
        cache.set("history", [1.0, 2.0], 60)
        assert cache.get("history") == [1.0, 2.0]
        assert cache.get_many(["tries", "history", "none"]) == {"tries": 2, "history": [1.0, 2.0]}
        cache.set_many({"a": 1, "b": 2}, 60)
        assert (cache.has_key("a"), cache.touch("b", 120), cache.delete("a"), cache.has_key("a")) == (
            True,
            True,
            True,
            False,
        )
        cache.delete_many(["b"])
        assert cache.get("b", "gone") == "gone"
        with pytest.raises(ValueError):
            cache.incr("never-set")
        cache.clear()
        assert cache.get("tries") is None
        took = time.monotonic() - started

    assert took < 2
    assert cache_messages(caplog) == [UNREACHABLE]
    assert "tries" not in caplog.text


def test_the_memory_is_shared_by_every_cache_object_of_the_process():
    port = free_port()
    first, second = cache_at(port), cache_at(port)  # as Django makes one per thread

    first.set("code-used", "y", 90)

    assert second.get("code-used") == "y"


def test_in_memory_nothing_is_kept_for_ever():
    # Each process has its own memory: a page version replaced in one must not live on in another.
    cache = cache_at(free_port(), longest=0.2)

    cache.set("version", "a", None)
    assert cache.get("version") == "a"
    time.sleep(0.3)

    assert cache.get("version") is None


def test_redis_is_used_again_once_it_answers_and_the_memory_is_dropped(tmp_path, caplog):
    with redis_server(tmp_path) as redis, caplog.at_level(logging.WARNING, logger="gathering.core.cache"):
        cache = cache_at(redis.port, retry_after=0.2)
        raw = redis.client(0)
        cache.set("kept", 1, 60)
        assert raw.exists(cache.make_key("kept")) == 1

        redis.stop()
        cache.set("during", 2, 60)
        assert cache.get("during") == 2
        assert cache.get("kept") is None  # Redis held it; this process never had it

        redis.start()
        time.sleep(0.3)
        cache.set("after", 3, 60)

        assert raw.get(cache.make_key("after")) == b"3"
        assert cache.get("during") is None  # what was counted in memory is not carried over
        assert cache_messages(caplog) == [UNREACHABLE, BACK]


def test_a_redis_that_stops_answering_holds_a_request_for_a_moment_only(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        cache = cache_at(server.port)
        cache.set("warm", 1, 60)
        # Stopped, not gone: the connection is open but nothing answers (a hung or overloaded Redis).
        server.process.send_signal(signal.SIGSTOP)
        started = time.monotonic()
        assert cache.get("warm") is None
        assert time.monotonic() - started < 2
        started = time.monotonic()
        cache.set("next", 1, 60)  # within the retry interval: Redis is not tried again
        assert time.monotonic() - started < 0.1
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
