"""The crisis page: plain, small, no JavaScript, no cookies, no sign-in."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .selectors import country_from_accept_language, helplines


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    data = helplines()
    default = settings.GATHERING_DEFAULT_COUNTRY
    asked = request.GET.get("country", "").strip().upper()[:2]
    unknown_country = bool(asked) and data.get(asked) is None
    code = (
        asked
        if asked and not unknown_country
        else country_from_accept_language(request.headers.get("Accept-Language", ""), default=default)
    )
    country = data.get(code) or data.get(default) or data.countries[0]
    response = render(
        request,
        "support/help.html",
        {"country": country, "helplines": data, "unknown_country": unknown_country},
    )
    # The same for everyone: safe for browsers and shared caches to keep for an hour.
    response.gathering_public = True
    patch_cache_control(response, public=True, max_age=3600)
    patch_vary_headers(response, ["Accept-Language"])
    return response
