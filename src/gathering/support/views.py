"""The crisis page, raising a concern, and the safeguarding leads' queue."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from gathering.accounts.decorators import permission_required

from . import services
from .forms import ConcernForm, ConcernUpdateForm
from .models import Concern
from .selectors import country_from_accept_language, helplines


def _help_context(request: HttpRequest) -> dict[str, object]:
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
    return {"country": country, "helplines": data, "unknown_country": unknown_country}


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "support/help.html", _help_context(request))
    # The same for everyone: safe for browsers and shared caches to keep for an hour.
    response.gathering_public = True
    patch_cache_control(response, public=True, max_age=3600)
    patch_vary_headers(response, ["Accept-Language"])
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST")
def raise_concern(request: HttpRequest) -> HttpResponse:
    """Anyone may raise a concern; afterwards they see the helplines straight away."""
    signed_in = request.user.is_authenticated
    initial = {"context": request.GET.get("from", "")[:120]}
    form = ConcernForm(request.POST or None, signed_in=signed_in, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                reporter=request.user if signed_in else None,
                severity=form.cleaned_data["severity"],
                details=form.cleaned_data["details"],
                people_involved=form.cleaned_data["people_involved"],
                context=form.cleaned_data["context"],
                anonymous=form.cleaned_data.get("anonymous", True),
                contact=form.cleaned_data.get("contact", ""),
            )
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            context = {**_help_context(request), "concern": concern}
            return render(request, "support/concern_sent.html", context)
    return render(request, "support/concern.html", {"form": form})


SEVERITY_ORDER = Case(
    When(severity="urgent", then=Value(0)),
    When(severity="high", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@permission_required("accounts.safeguard")
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("closed") == "1"
    concerns = Concern.objects.select_related("assigned_to").annotate(order=SEVERITY_ORDER)
    concerns = concerns if show_closed else concerns.exclude(status=Concern.Status.CLOSED)
    concerns = concerns.order_by("order", "respond_by", "pk")
    return render(
        request,
        "support/queue.html",
        {"concerns": concerns, "now": timezone.now(), "show_closed": show_closed},
    )


@permission_required("accounts.safeguard")
@require_http_methods(["GET", "HEAD", "POST"])
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = get_object_or_404(Concern.objects.select_related("reporter", "assigned_to"), pk=concern_id)
    form = ConcernUpdateForm(request.POST or None, initial={"status": concern.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_update(concern=concern, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            from django.contrib import messages

            messages.success(request, _("Saved."))
            return redirect("safeguarding:concern", concern_id=concern.pk)
    if request.method != "POST":
        from gathering.privacy.services import audit_record

        audit_record(actor=request.user, action="viewed", subject=concern, detail="safeguarding concern")
    # Notes and status changes, oldest first, as one history.
    history = sorted(
        [*concern.notes.select_related("author"), *concern.status_changes.select_related("changed_by")],
        key=lambda entry: (entry.created_at, entry.pk),
    )
    return render(
        request, "support/concern_detail.html", {"concern": concern, "form": form, "history": history}
    )
