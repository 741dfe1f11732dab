"""Staff protections: the second factor before any staff power, and a short idle timeout.

A staff role grants nothing to a session that has not passed the second factor: the middleware records on
the user object whether this session did (`User.has_perm` withholds every staff permission when it did not),
and sends staff pages to set up or enter the second factor."""

import time
from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .second_factor import session_passed_second_factor

STAFF_PREFIXES = ("/staff/", "/admin/")
LAST_SEEN_KEY = "gathering_staff_last_seen"


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        user.second_factor_passed = session_passed_second_factor(request=request, user=user)
        if not user.is_staff_member:
            return self.get_response(request)

        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN_KEY)
        if last_seen is not None and now - int(last_seen) > settings.GATHERING_STAFF_IDLE_SECONDS:
            logout(request)
            messages.info(
                request, _("You were signed out after 30 minutes without activity. Please sign in again.")
            )
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        request.session[LAST_SEEN_KEY] = now

        if request.path.startswith(STAFF_PREFIXES) and not user.second_factor_passed:
            query = urlencode({"next": request.path})
            if is_mfa_enabled(user):
                messages.warning(
                    request, _("Staff pages need two-step verification. Enter a code to continue.")
                )
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
            messages.warning(
                request,
                _("Staff pages need two-step verification. Set up an authenticator app to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)
