"""Template context every page needs: the site name, the quick-exit destination and the header's links."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.GATHERING_SITE_NAME,
        "QUICK_EXIT_URL": settings.GATHERING_QUICK_EXIT_URL,
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages that do not extend base.html (the admin, emails) never work out the header.
    return {"nav": SimpleLazyObject(lambda: navigation_for(request))}
