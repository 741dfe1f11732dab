"""Cross-cutting HTTP behaviour: security headers, private caching and the viewer's time zone."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Adds headers Django's SecurityMiddleware does not: Permissions-Policy, cross-origin isolation."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.GATHERING_PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class PrivateCacheMiddleware:
    """Pages seen by a signed-in person may show personal data: no browser or proxy may keep them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        public = getattr(response, "gathering_public", False)
        if user is not None and user.is_authenticated and not public:
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, no_store=True, private=True)
        return response


class TimezoneMiddleware:
    """Shows times in the viewer's chosen zone; everything is stored in UTC."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name = getattr(getattr(request, "user", None), "time_zone", "") or ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name)) if zone_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
