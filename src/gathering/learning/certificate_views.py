"""Certificate pages: the holder's PDF and Open Badge downloads and the name the certificate prints; the
public verification page; the site's published key set, issuer profile and revocation list; and the
organisers' revoke action."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from gathering.accounts.decorators import permission_required
from gathering.events.models import Registration

from . import certificates, selectors
from .badges import jwks, open_badge_credential, status_list_credential
from .certificate_pdf import certificate_pdf
from .forms import CertificateNameForm, CertificateRevokeForm, CertificateVerifyForm
from .keys import site_signing_key
from .models import Certificate, Cohort, normalise_certificate_code
from .rules import can_manage_cohort
from .services import LearningError

VC_JWT = "application/vc+jwt"
# The revocation list changes when an organiser revokes: verifiers may cache it, but not for long.
STATUS_MAX_AGE = 300


def _own_certificate(request: HttpRequest, registration_id: int) -> Certificate:
    """The person's certificate for their own completed place, issued on this first request. Anyone else's
    place, or a place not completed, is "not found"."""
    registration = Registration.objects.filter(pk=registration_id, user=request.user).first()
    if registration is None:
        raise Http404
    try:
        return certificates.certificate_issue(registration=registration)
    except LearningError:
        raise Http404 from None


def _refused_if_revoked(request: HttpRequest, certificate: Certificate) -> HttpResponse | None:
    if not certificate.is_revoked:
        return None
    return render(request, "learning/certificate_revoked.html", {"certificate": certificate}, status=410)


def _download(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _file_stem(certificate: Certificate) -> str:
    return f"certificate-{slugify(certificate.cohort.course.title)[:60]}-{certificate.code}"


@login_required
@require_safe
def certificate_pdf_download(request: HttpRequest, registration_id: int) -> HttpResponse:
    certificate = _own_certificate(request, registration_id)
    if refused := _refused_if_revoked(request, certificate):
        return refused
    if certificates.unprintable_letters(certificate.name_on_certificate):
        messages.info(
            request, _("Please choose how your name is printed before downloading the certificate.")
        )
        return redirect("learning:certificate_name", registration_id=registration_id)
    pdf = certificate_pdf(certificates.pdf_facts(certificate))
    return _download(pdf, content_type="application/pdf", filename=f"{_file_stem(certificate)}.pdf")


@login_required
@require_safe
def certificate_badge_download(request: HttpRequest, registration_id: int) -> HttpResponse:
    certificate = _own_certificate(request, registration_id)
    if refused := _refused_if_revoked(request, certificate):
        return refused
    token = open_badge_credential(certificates.badge_facts(certificate), key=site_signing_key())
    return _download(token, content_type=VC_JWT, filename=f"{_file_stem(certificate)}.jwt")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_name(request: HttpRequest, registration_id: int) -> HttpResponse:
    certificate = _own_certificate(request, registration_id)
    if refused := _refused_if_revoked(request, certificate):
        return refused
    form = CertificateNameForm(request.POST or None, initial={"name": certificate.name_on_certificate})
    if request.method == "POST" and form.is_valid():
        try:
            certificates.certificate_name_set(
                user=request.user, certificate=certificate, name=form.cleaned_data["name"]
            )
        except LearningError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Your certificate will print your name as you wrote it."))
            return redirect("learning:my")
    context = {
        "certificate": certificate,
        "form": form,
        "unprintable": certificates.unprintable_letters(certificate.name_on_certificate),
    }
    return render(request, "learning/certificate_name.html", context)


# ------------------------------------------------------------------------------------------------ public


@require_safe
@ratelimit(key="user_or_ip", rate="120/h")
def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    form = CertificateVerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        code = normalise_certificate_code(form.cleaned_data["code"])
        if code:
            return redirect("learning:certificate_verify", code=code)
        form.add_error("code", _("Enter the verification code printed on the certificate."))
    return render(request, "learning/certificate_verify_form.html", {"form": form})


@require_safe
@ratelimit(key="user_or_ip", rate="120/h")
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Whether a certificate with this code was issued, and what it states: nothing that is not printed."""
    typed = normalise_certificate_code(code)
    try:
        certificate = selectors.certificate_for_code(code=typed)
    except Certificate.DoesNotExist:
        certificate = None
    context = {
        "certificate": certificate,
        "code": code,
        "form": CertificateVerifyForm(),
        "facts": certificates.pdf_facts(certificate) if certificate and not certificate.is_revoked else None,
    }
    response = render(
        request, "learning/certificate_verify.html", context, status=200 if certificate else 404
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _public_json(content: str, *, content_type: str, max_age: int) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # Published for verifiers anywhere, with nothing that depends on who asks.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def jwks_document(request: HttpRequest) -> HttpResponse:
    return _public_json(
        json.dumps(jwks(site_signing_key())), content_type="application/jwk-set+json", max_age=3600
    )


@require_safe
def issuer_profile(request: HttpRequest) -> HttpResponse:
    """The issuer's Open Badges Profile, at the address every credential gives as its issuer."""
    base = settings.GATHERING_BASE_URL.rstrip("/")
    profile = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": certificates.issuer_id(),
        "type": ["Profile"],
        "name": settings.GATHERING_SITE_NAME,
        "url": base + "/",
    }
    return _public_json(json.dumps(profile), content_type="application/json", max_age=3600)


@require_safe
def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    if list_id != certificates.STATUS_LIST_ID:
        raise Http404
    token = status_list_credential(
        selectors.revoked_status_indexes(),
        url=certificates.status_list_url(),
        issuer=certificates.issuer_id(),
        key=site_signing_key(),
    )
    return _public_json(token, content_type=VC_JWT, max_age=STATUS_MAX_AGE)


# ------------------------------------------------------------------------------------------------- staff


@permission_required("accounts.organise")
@require_POST
def certificate_revoke(request: HttpRequest, cohort_id: int, certificate_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("course", "event"), pk=cohort_id)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    certificate = get_object_or_404(
        Certificate.objects.select_related("cohort"), pk=certificate_id, cohort=cohort
    )
    form = CertificateRevokeForm(request.POST)
    if form.is_valid():
        try:
            certificates.certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except LearningError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The certificate %(code)s is revoked.") % {"code": certificate.grouped_code},
            )
    else:
        messages.error(request, " ".join(form.errors["reason"]))
    return redirect(reverse("learning_staff:cohort", kwargs={"cohort_id": cohort.pk}) + "#certificates")
