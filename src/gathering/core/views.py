"""Pages that belong to no single capability: the home page, the about page and the error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .context_processors import site
from .home import registry as home_blocks


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Each app that has something to lead with fills its own block (core.home), so core imports none of them.
    return render(request, "core/home.html", {"blocks": home_blocks.fill(request)})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
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
    # Rendered without the request's context processors: the failure may be the database itself, and
    # looking up the signed-in person would fail again.
    context = {
        "title": _("Sorry, there is a problem with the service"),
        "message": _("Please try again later."),
        **site(request),
    }
    return HttpResponse(render_to_string("core/error.html", context), status=500)
