"""A person's own consents page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .forms import ConsentChangeForm
from .models import ConsentRecord
from .notices import notice_current


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="60/h", method="POST")
def consents(request: HttpRequest) -> HttpResponse:
    form = ConsentChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        withdrawing = form.cleaned_data["change"] == ConsentChangeForm.WITHDRAW
        if withdrawing and not form.cleaned_data["confirm"]:
            if not selectors.consent_active(user=request.user, purpose=purpose):
                return redirect("privacy:consents")
            # "Are you sure": say exactly what will be deleted before anything is.
            context = {
                "notice": notice_current(purpose),
                "steps": selectors.consent_withdrawal_preview(user=request.user, purpose=purpose),
            }
            return render(request, "privacy/consent_withdraw.html", context)
        if not withdrawing:
            services.consent_give(user=request.user, purpose=purpose, method=ConsentRecord.Method.FORM)
            messages.success(request, _("Thank you. Your consent has been recorded."))
        elif services.consent_withdraw(user=request.user, purpose=purpose):
            messages.success(
                request, _("Your consent has been withdrawn. We have stopped using that information.")
            )
        return redirect("privacy:consents")
    statuses = selectors.consents_for(user=request.user)
    status = 400 if form.is_bound else 200
    return render(request, "privacy/consents.html", {"form": form, "statuses": statuses}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the person, as a readable page in their words, straight away."""
    from .my_data import my_data_sections

    sections = my_data_sections(user=request.user)
    return render(request, "privacy/my_data.html", {"sections": sections})


@login_required
@require_http_methods(["GET", "HEAD"])
def my_data_json(request: HttpRequest) -> HttpResponse:
    from django.http import HttpResponse as Response

    from .services import audit_record
    from .subject import subject_export_json

    body = subject_export_json(user=request.user)
    audit_record(actor=request.user, action="exported", subject=request.user, detail="own data, downloaded")
    response = Response(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-gathering-data.json"'
    return response
