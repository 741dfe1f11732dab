"""What a request answers when the database cannot be reached: a calm 503 that says nothing was half-saved.

A database connection can be lost in the middle of a request: PostgreSQL restarted or failed over, an
operator ended the connection (`pg_terminate_backend`), the network dropped it, or the server ran out of
connections. The transaction in progress is then rolled back by the database itself, so a change is kept
whole or not at all. The person is told so, asked to try again in a moment, and given the crisis numbers on
the page itself, as the help page may need the database too for a signed-in person. The API answers the
same in its one error body. Django closes the broken connection at the end of the request, and the next
request opens a new one (with `CONN_HEALTH_CHECKS`, a connection that died while idle is replaced before it
is used): nothing needs restarting.

`core.views.server_error` asks `database_unavailable` first, so a database error raised anywhere in the
request (a view, a service, a middleware such as the session's) gets this answer; `DatabaseLostMiddleware`
gives it too when the connection was lost but the error was caught and turned into some other answer.
"""

import sqlite3
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# Seconds a client is asked to wait before trying again (the Retry-After header).
RETRY_AFTER_SECONDS = 5

# PostgreSQL error classes (SQLSTATE's first two characters) that mean "could not be done now", not "wrong":
# 08 connection exception, 40 transaction rollback (serialization failure, deadlock), 53 insufficient
# resources (too many connections), 57 operator intervention (terminated by an administrator, shutting
# down, query cancelled).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57"})
# SQLite's equivalents: busy or locked by another writer, or the file could not be read or written.
TRANSIENT_SQLITE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL")


def is_database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database could not be reached or could not finish now, rather than a fault in
    the request or the code (a missing table or a broken query is still a server error)."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or unusable
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorname", "").startswith(TRANSIENT_SQLITE_ERRORS)
    sqlstate = getattr(cause, "sqlstate", None)
    # A connection lost mid-query ("server closed the connection unexpectedly") carries no SQLSTATE.
    return sqlstate is None or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES


def database_unavailable(request: HttpRequest, exc: BaseException | None) -> HttpResponse | None:
    """The 503 answer for a request that failed because the database could not be reached, or None when
    `exc` is some other failure."""
    return unavailable_response(request) if is_database_unreachable(exc) else None


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503: the records could not be reached, nothing was saved half-way, try again in a moment."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        message = _(
            "The service could not reach its records. Nothing was saved half-way; try again in a moment."
        )
        body = {"error": {"code": "unavailable", "message": message, "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        # Rendered without the request's context processors, which would look up the signed-in person in
        # the database that just failed.
        context = {
            "SITE_NAME": settings.GATHERING_SITE_NAME,
            "QUICK_EXIT_URL": settings.GATHERING_QUICK_EXIT_URL,
            "retry_path": request.path if request.method in {"GET", "HEAD"} else "",
        }
        response = HttpResponse(render_to_string("core/database_unavailable.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseLostMiddleware:
    """Answers 503 for a request during which the database could not be reached, whatever the view made of it.

    Not every lost connection reaches the error handler as an exception: Django's model validation takes a
    database error while checking a conditional unique constraint for a violation (`Q.check`), so a form or
    the API would answer "not valid" to a person whose input was fine, and Django reconnects by itself
    before the request ends. So every query of the request is watched, and one that failed because the
    database could not be reached decides the answer. Placed last in MIDDLEWARE, so the headers of the
    middleware above it still apply to the page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        database = connections[DEFAULT_DB_ALIAS]
        if database.connection is None:
            # Left by an earlier request whose connection was dropped (a new connection clears it): it says
            # nothing about this request.
            database.errors_occurred = False
        watch = _QueryWatch()
        with database.execute_wrapper(watch):
            response = self.get_response(request)
        # A query that could not reach the database, or a connection that could not be made at all.
        lost = watch.unreachable or (database.connection is None and database.errors_occurred)
        if lost and response.status_code != 503:
            return unavailable_response(request)
        return response


class _QueryWatch:
    """An execute wrapper that notes whether a query failed because the database could not be reached."""

    def __init__(self) -> None:
        self.unreachable = False

    def __call__(
        self, execute: Callable[..., object], sql: str, params: object, many: bool, context: dict
    ) -> object:
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            if is_database_unreachable(error):
                self.unreachable = True
            raise
