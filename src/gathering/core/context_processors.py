"""Template context every page needs: the site name and the quick-exit destination."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.GATHERING_SITE_NAME,
        "QUICK_EXIT_URL": settings.GATHERING_QUICK_EXIT_URL,
    }
