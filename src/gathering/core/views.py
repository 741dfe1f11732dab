"""Pages that belong to no single capability: the home page, the about page, the error pages, and the
liveness check load balancers call (/health/)."""

import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from .context_processors import site
from .faults import database_unavailable
from .home import registry as home_blocks
from .pagecache import LISTINGS, cache_page


@require_safe
@cache_page(scopes=lambda: [LISTINGS])
def home(request: HttpRequest) -> HttpResponse:
    # Each app that has something to lead with fills its own block (core.home), so core imports none of them.
    return render(request, "core/home.html", {"blocks": home_blocks.fill(request)})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: this process answers. It reads no database, session or cache (and a load
    balancer's request, carrying no cookie, makes the middleware read none either), so a slow database does
    not take every web process out of rotation at once."""
    response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


API_PREFIX = "/api/"
# What the API says when Django refuses a request before the API's own views see it: the same error body
# as every other API failure ({"error": {"code", "message", "fields"}}, docs/architecture.md).
API_ERRORS = {
    400: ("bad_request", gettext_lazy("The request is not valid.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    429: ("throttled", gettext_lazy("Too many requests. Wait a little and try again.")),
    500: ("error", gettext_lazy("Sorry, there is a problem with the service. Please try again later.")),
}


def _api_error(status: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    default_code, default_message = API_ERRORS[status]
    body = {"error": {"code": code or default_code, "message": str(message or default_message), "fields": {}}}
    return JsonResponse(body, status=status)


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX) and isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        return _api_error(400, "too_large", _("The request is too large."))
    return _error(
        request, 400, _("Something in the request was not right"), _("Please go back and try again.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("You do not have access to this page"),
        _("Your role does not include this page. If you think it should, ask an administrator."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page not found"), _("If you typed the web address, check it is correct."))


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        429,
        _("Please wait a little and try again"),
        _(
            "That form has been sent many times in a short while, so we have paused it for a few minutes. "
            "Nothing you sent before has been lost."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still the current one. A database that could
    # not be reached gets its own answer (core/faults.py): a 503 saying nothing was saved half-way.
    unavailable = database_unavailable(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    if request.path.startswith(API_PREFIX):
        return _api_error(500)
    # Rendered without the request's context processors: the failure may be the database itself, and
    # looking up the signed-in person would fail again.
    context = {
        "title": _("Sorry, there is a problem with the service"),
        "message": _("Please try again later."),
        **site(request),
    }
    return HttpResponse(render_to_string("core/error.html", context), status=500)
