"""The one place that queues background work: after the transaction commits, never if it rolls back.

With a broker (`CELERY_BROKER_URL`, production) the task is sent to its Celery queue. Without one (embedded
mode: `make demo`, the tests) the same task runs in this process straight after the commit: a task on the
default queue (a few writes, at most one email) in the committing thread, as pretix does without a broker;
a task routed to a queue of its own (an optimiser run, up to a minute) in a daemon thread, so the request
that asked for it answers at once. Nothing else in the project knows which of the two happens.
"""

import logging
import threading
import time
import traceback
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connections, transaction
from django.utils.module_loading import import_string

from .faults import is_database_unreachable

logger = logging.getLogger(__name__)

TaskArgument = int | str

# Embedded mode's task threads that have not finished yet, so that tests (and a shutdown) can wait for them.
_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def after_commit(
    task: Task | str,
    *args: TaskArgument,
    time_limit: float | None = None,
    soft_time_limit: float | None = None,
) -> None:
    """Run `task(*args)` in the background once the current transaction commits (at once outside one).

    `task` is the task, or its dotted path ("gathering.core.tasks.outbox_deliver"), which is how a service
    names the task that will call it back: it queues its own follow-up without importing the tasks module,
    as Celery's `send_task` does.

    `time_limit` (seconds) ends the task in a worker; `soft_time_limit` raises inside it first, so it can
    record why it stopped. Arguments are ids and names only: a task loads what it needs, and the broker
    never holds personal data. If the broker cannot be reached the change stays committed: the error is
    logged and the periodic sweeps pick the work up when the broker is back.
    """
    options = {"time_limit": time_limit, "soft_time_limit": soft_time_limit}
    transaction.on_commit(partial(_dispatch, task, args, options), robust=True)


def wait_for_threads(timeout: float) -> bool:
    """Wait up to `timeout` seconds for the task threads started in embedded mode; say whether all ended."""
    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            running = list(_threads)
        if not running:
            return True
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            with _threads_lock:
                return not _threads


def _dispatch(task: Task | str, args: tuple[TaskArgument, ...], options: dict[str, float | None]) -> None:
    if isinstance(task, str):
        task = import_string(task)
    if not settings.GATHERING_TASKS_EAGER:
        try:
            task.apply_async(args=args, **{k: v for k, v in options.items() if v is not None})
        except Exception as exc:
            logger.error("Task %s not queued (%s): the sweeps will pick it up", task.name, type(exc).__name__)
        return
    if _has_own_queue(task):
        _start_thread(task, args)
    else:
        _run_here(task, args)


def _has_own_queue(task: Task) -> bool:
    route: dict[str, Any] = task.app.amqp.router.route({}, task.name)
    return route["queue"].name != task.app.conf.task_default_queue


# In-process, a task can meet the web request that queued it still writing (SQLite allows one writer at a
# time): a database that is busy for a moment is tried again after these pauses, in seconds. Every task is
# written to run twice safely.
BUSY_RETRY_PAUSES = (0.25, 1.0, 2.0)


def _run_here(task: Task, args: tuple[TaskArgument, ...]) -> None:
    try:
        for pause in BUSY_RETRY_PAUSES:
            try:
                task(*args)
                return
            except Exception as exc:
                if not is_database_unreachable(exc):
                    raise
                time.sleep(pause)
        task(*args)
    except Exception as exc:
        # The change that queued the task is committed; the task's own sweep tries again later. Only the
        # class and the code location are logged: an exception's message may quote personal data.
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = " < ".join(f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in reversed(frames))
        logger.error("Task %s failed with %s at %s", task.name, type(exc).__name__, where)


def _start_thread(task: Task, args: tuple[TaskArgument, ...]) -> None:
    def work() -> None:
        try:
            _run_here(task, args)
        finally:
            # This thread's own connections: a finished task must not leave one open.
            connections.close_all()
            with _threads_lock:
                _threads.discard(thread)

    thread = threading.Thread(target=work, name=f"task {task.name}", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()
