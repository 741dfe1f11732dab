"""Certificates of attendance: issuing one when a person meets their cohort's completion rule, setting the
name it prints, revoking it, and the facts the PDF and the Open Badge credential state.

A certificate is issued on the person's first request for it (the PDF, the Open Badge or the name it
prints), never before they complete: attendance can be corrected until then, and nothing is issued for a
place that does not meet the rule. Once issued, its code, name and dates stay as they are; an organiser
revokes it, and both checks (the verification page and the Open Badge status list) then say so.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.events.models import Registration
from gathering.privacy.services import audit_record

from . import selectors
from .badges import BadgeFacts, new_identity_salt
from .certificate_pdf import CertificateFacts, characters_without_glyphs
from .models import Certificate, Cohort, new_certificate_code
from .rules import can_manage_cohort
from .services import LearningError

# The one revocation list every certificate's Open Badge points to (Bitstring Status List v1.0).
STATUS_LIST_ID = 1
MAX_REASON = 500
_ISSUE_ATTEMPTS = 5


def _base_url() -> str:
    return settings.GATHERING_BASE_URL.rstrip("/")


def verification_url(certificate: Certificate) -> str:
    return _base_url() + certificate.get_absolute_url()


def status_list_url() -> str:
    return _base_url() + reverse("certificates_status", kwargs={"list_id": STATUS_LIST_ID})


def issuer_id() -> str:
    return _base_url() + reverse("certificates_issuer")


def unprintable_letters(name: str) -> str:
    """The letters of `name` the PDF cannot draw, in order of first use, as one string ("" when none)."""
    missing = characters_without_glyphs(name)
    return "".join(dict.fromkeys(ch for ch in name if ch in missing))


# ---------------------------------------------------------------------------------------------- issuing


def certificate_issue(*, registration: Registration, now=None) -> Certificate:
    """The registration's certificate, issued now if it has none. Refused unless the person has a
    confirmed place and met the cohort's completion rule (selectors.completion)."""
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if registration.status not in Registration.CONFIRMED_PLACE:
        raise LearningError(_("Certificates are for people with a confirmed place in the cohort."))
    try:
        cohort = Cohort.objects.select_related("course", "event").get(event_id=registration.event_id)
    except Cohort.DoesNotExist:
        raise LearningError(_("This Gathering is not a course, so it has no certificate.")) from None
    if not selectors.completion(registration=registration).complete:
        raise LearningError(
            _("A certificate is issued once you have attended %(percent)s%% of the sessions.")
            % {"percent": cohort.completion_percent}
        )
    issued_at = (now or timezone.now()).replace(microsecond=0)
    for _attempt in range(_ISSUE_ATTEMPTS):
        try:
            with transaction.atomic():
                # Lock the registration so two first downloads at once issue one certificate.
                Registration.objects.select_for_update().get(pk=registration.pk)
                existing = Certificate.objects.filter(registration=registration).first()
                if existing is not None:
                    return existing
                # Indexes are allocated in order; the unique constraint settles a race and we try again.
                highest = Certificate.objects.aggregate(n=Max("status_list_index"))["n"]
                certificate = Certificate(
                    registration=registration,
                    cohort=cohort,
                    code=new_certificate_code(),
                    issued_at=issued_at,
                    name_on_certificate=registration.name,
                    identity_salt=new_identity_salt(),
                    status_list_index=0 if highest is None else highest + 1,
                )
                certificate.full_clean(validate_unique=False, validate_constraints=False)
                certificate.save()
                return certificate
        except IntegrityError:
            continue
    raise LearningError(_("The certificate could not be issued just now. Please try again."))


def certificate_name_set(*, user: User, certificate: Certificate, name: str) -> Certificate:
    """The person sets the name their certificate prints, in letters the certificate can draw."""
    if certificate.registration.user_id != user.pk:
        raise PermissionDenied
    if certificate.is_revoked:
        raise LearningError(_("This certificate was revoked, so its name cannot be changed."))
    name = " ".join(name.split())
    if not name:
        raise LearningError({"name": _("Enter your name as it should be printed.")})
    if len(name) > 200:
        raise LearningError({"name": _("Keep the name under 200 characters.")})
    missing = unprintable_letters(name)
    if missing:
        raise LearningError(
            {
                "name": _(
                    "The certificate cannot print these letters: %(letters)s. Write your name with letters "
                    "it can print, for example without accents."
                )
                % {"letters": " ".join(missing)}
            }
        )
    with transaction.atomic():
        certificate.name_on_certificate = name
        certificate.save(update_fields=["name_on_certificate"])
        audit_record(actor=user, action="changed", subject=certificate, detail="name on certificate")
    return certificate


def certificate_revoke(*, certificate: Certificate, by: User, reason: str, now=None) -> Certificate:
    """An organiser of the cohort revokes a certificate: its verification page and its Open Badge's status
    then say it is revoked. The reason is kept for the organisers and never shown publicly."""
    if not can_manage_cohort(by, certificate.cohort):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise LearningError({"reason": _("Say why the certificate is revoked.")})
    if len(reason) > MAX_REASON:
        raise LearningError({"reason": _("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked:
            raise LearningError(_("This certificate is already revoked."))
        locked.revoked_at = now or timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(actor=by, action="changed", subject=locked, detail="certificate revoked")
    return locked


# ------------------------------------------------------------------------------------------------ facts


def _cohort_dates(cohort: Cohort) -> tuple[date, date]:
    """The first and last day of the cohort's sessions (of its Gathering when it has none), in its zone."""
    zone = cohort.event.zone
    sessions = list(cohort.sessions.order_by("starts_at").values_list("starts_at", "ends_at"))
    if sessions:
        first, last = sessions[0][0], sessions[-1][1]
    else:
        first, last = cohort.event.starts_at, cohort.event.ends_at
    return timezone.localtime(first, zone).date(), timezone.localtime(last, zone).date()


def _outcomes(cohort: Cohort) -> tuple[str, ...]:
    return tuple(cohort.course.outcomes.order_by("position").values_list("text", flat=True))


def completion_rule(cohort: Cohort) -> str:
    return _("Attended at least %(percent)s%% of the cohort's sessions.") % {
        "percent": cohort.completion_percent
    }


def pdf_facts(certificate: Certificate) -> CertificateFacts:
    cohort = certificate.cohort
    first, last = _cohort_dates(cohort)
    return CertificateFacts(
        person_name=certificate.name_on_certificate,
        course_title=cohort.course.title,
        first_date=first,
        last_date=last,
        cpd_hours=cohort.course.cpd_hours,
        learning_outcomes=_outcomes(cohort),
        verification_code=certificate.grouped_code,
        verification_url=verification_url(certificate),
        issuer_name=settings.GATHERING_SITE_NAME,
        issued_on=timezone.localtime(certificate.issued_at, cohort.event.zone).date(),
    )


def badge_facts(certificate: Certificate) -> BadgeFacts:
    cohort = certificate.cohort
    course = cohort.course
    first, last = _cohort_dates(cohort)
    return BadgeFacts(
        credential_id=verification_url(certificate),
        issuer_id=issuer_id(),
        issuer_name=settings.GATHERING_SITE_NAME,
        issuer_url=_base_url() + "/",
        achievement_id=_base_url() + course.get_absolute_url(),
        course_title=course.title,
        course_description=course.summary or course.title,
        completion_rule=completion_rule(cohort),
        cpd_hours=course.cpd_hours,
        first_date=first,
        last_date=last,
        recipient_email=certificate.registration.email,
        recipient_name=certificate.name_on_certificate,
        identity_salt=certificate.identity_salt,
        valid_from=certificate.issued_at,
        status_list_url=status_list_url(),
        status_list_index=certificate.status_list_index,
        learning_outcomes=_outcomes(cohort),
    )
