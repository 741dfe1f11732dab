"""The shared cache on Redis, which keeps the site serving while Redis is down.

Sign-in limits, form limits, API throttles and the record of second-factor codes already used live in the
cache. Django's Redis cache raises when Redis cannot be reached, and every page that counts a limit would
fail with it. This one carries on in the process's own memory instead: each operation that finds Redis
unreachable is done on an in-memory cache of this process, and for the next `RETRY_AFTER` seconds the process
does not try Redis at all, so a request waits at most one short connect timeout. After that it tries again,
and once Redis answers it is used again and the in-memory copy is emptied.

While Redis is down every limit still holds, but in each process separately: with five gunicorn workers a
limit allows up to five times its count, and a second-factor code could be used once in each worker within
its 90 seconds. That is a deliberate middle way: refusing every sign-in while a cache is down would lock
everyone out of their registrations and circles, and dropping the limits would let guessing run at full
speed. What is meant to be kept for ever (the versions of cached pages) is kept at most `LONGEST_IN_MEMORY`
seconds in memory, so that a change made in one process reaches the others' pages soon after. The outage is
logged once per process, by the error's class alone, with no key or address.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A Redis on another host that stopped answering must not hold a request: a cache call gives up quickly.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
# How long a process counts in its own memory before it tries Redis again.
RETRY_AFTER = 5.0
# Enough for the counters of many addresses during an outage (Django's in-memory default is 300).
FALLBACK_ENTRIES = 20_000
# What is meant to be kept for ever (the versions of cached pages) is kept this many seconds in memory: each
# process has its own copy, and a change made in one process must reach the pages of the others soon.
LONGEST_IN_MEMORY = 30

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class _Outage:
    """Whether one Redis is down for this process, shared by the cache objects of all its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    def waiting(self) -> bool:
        """Down, and too soon to try again."""
        return self._down and time.monotonic() < self._retry_at

    def began(self, error: Exception, retry_after: float) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._retry_at = time.monotonic() + retry_after
        if first:
            logger.warning(
                "Cache unreachable (%s): limits are counted in this process's memory until it is back",
                type(error).__name__,
            )

    def ended(self) -> bool:
        """Record that Redis answered; True the first time after an outage."""
        if not self._down:
            return False
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            logger.warning("Cache reachable again: limits are shared by every process once more")
        return was_down


class _ProcessMemory(LocMemCache):
    """The fallback: this process's memory, where nothing is kept for ever."""

    def __init__(self, name: str, params: dict[str, Any], *, longest: float) -> None:
        super().__init__(name, params)
        self._longest = longest

    def get_backend_timeout(self, timeout: Any = DEFAULT_TIMEOUT) -> float | None:
        return super().get_backend_timeout(self._longest if timeout is None else timeout)


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class _KeptClient(RedisCacheClient):
    """Django's Redis client wrapper, with one redis-py client per connection pool for the life of the
    process. Django's builds a new client object for every call, which costs more processor time than a
    short command itself; a client holds no state of its own between commands, so one can be kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, which falls back to this process's memory while Redis cannot be reached.

    OPTIONS are passed to redis-py's connection pool as with Django's, with short socket timeouts unless
    given; `RETRY_AFTER` and `LONGEST_IN_MEMORY` (seconds) are this backend's own.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": READ_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        self._retry_after = float(options.pop("RETRY_AFTER", RETRY_AFTER))
        longest = float(options.pop("LONGEST_IN_MEMORY", LONGEST_IN_MEMORY))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _KeptClient
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(location)
        # LocMemCache keeps its data per name, so every thread of the process shares this one.
        self._fallback = _ProcessMemory(
            f"gathering.core.cache:{location}",
            {**params, "OPTIONS": {"MAX_ENTRIES": FALLBACK_ENTRIES}},
            longest=longest,
        )

    def _call(self, name: str, *args: Any) -> Any:
        if self._outage.waiting():
            return getattr(self._fallback, name)(*args)
        try:
            result = getattr(super(), name)(*args)
        except UNREACHABLE as error:
            self._outage.began(error, self._retry_after)
            return getattr(self._fallback, name)(*args)
        if self._outage.ended():
            # What was counted here during the outage is not carried over: Redis is the one record again.
            self._fallback.clear()
        return result

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("add", key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", key, delta, version)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", keys, version)

    def clear(self) -> None:
        self._call("clear")
