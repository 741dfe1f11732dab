"""Account pages a person uses for themselves: profile, API tokens, deleting the account."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from gathering.core.views import rate_limited

from . import limits, selectors, services
from .forms import ApiTokenForm, DeleteAccountForm, ProfileForm
from .models import ApiToken
from .second_factor import session_passed_second_factor


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST":
        # Validate against a copy so a rejected form leaves the signed-in person's object untouched.
        if form.is_valid():
            services.user_profile_update(
                user=user, data={field: form.cleaned_data[field] for field in form.Meta.fields}
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
        user.refresh_from_db()
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="20/h", method="POST")
@reauthentication_required(allow_get=True)
def tokens(request: HttpRequest) -> HttpResponse:
    """Making a token asks for the password again (allauth keeps the form and carries on afterwards): a
    token outlives the session, so a session left open must not be enough to make one."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                second_factor=session_passed_second_factor(request=request, user=request.user),
            )
        except ValidationError as error:
            for message in error.message_dict.get("name", error.messages):
                form.add_error("name", message)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_for(user=request.user),
            "new_key": new_key,
            "staff_token_days": settings.GATHERING_STAFF_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The token has been revoked. Scripts using it will stop working."))
    return redirect("accounts:tokens")


@login_required
@require_POST
def tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    count = services.api_tokens_end(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s token has been revoked. Scripts using it will stop working.",
            "%(count)s tokens have been revoked. Scripts using them will stop working.",
            count,
        )
        % {"count": count},
    )
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # Counted before the password is checked, so guesses sent at once cannot all pass the limit.
        attempt = limits.account_deletion_attempt(request)
        if attempt is None:
            return rate_limited(request)
        if not form.has_error("password", code="wrong_password"):
            attempt.give_back()
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, _("Your account has been deleted."))
        return redirect("core:home")
    from gathering.privacy.selectors import erasure_preview

    leaving = erasure_preview(user=request.user)
    return render(request, "accounts/delete.html", {"form": form, "leaving": leaving})
