"""Certificates of attendance: issued only when the completion rule is met, the PDF states the facts (read
back from its text), the public verification page says valid, revoked or "no certificate" and nothing
else, and the Open Badge credential is checked by the verifier in test_badges.py, written from the
specifications, against what the site publishes (fetched through the test client)."""

import io
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pdfminer.high_level import extract_text

from gathering.learning import certificates, services
from gathering.learning.erasure import anonymise_person
from gathering.learning.models import CODE_ALPHABET, Certificate
from gathering.learning.services import LearningError
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import CourseFactory, UserFactory, enrol, make_cohort, make_staff
from .test_badges import Rejected, b64url_decode, email_matches, verify_open_badge

pytestmark = pytest.mark.django_db

SITE = "https://gathering.example.org"


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    return tmp_path_factory.mktemp("credential-key") / "credential-signing-key.pem"


@pytest.fixture(autouse=True)
def site(settings, key_file):
    settings.GATHERING_BASE_URL = SITE
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(key_file)
    settings.GATHERING_SITE_NAME = "Gathering Network"


@pytest.fixture
def organiser():
    return make_staff("organiser")


@pytest.fixture
def cohort(organiser):
    course = CourseFactory(
        title="Listening with compassion",
        cpd_hours="6.5",
        outcomes=["Hold a listening circle", "Know when to signpost"],
        organisers=[organiser],
    )
    return make_cohort(course=course, sessions=5, completion_percent=80, organisers=[organiser])


def _attend(organiser, cohort, registrations, sessions: int) -> None:
    for session in list(cohort.sessions.order_by("starts_at"))[:sessions]:
        present = set(session.attendances.values_list("registration_id", flat=True))
        services.attendance_record(
            actor=organiser, session=session, present=present | {r.pk for r in registrations}
        )


def _completed(organiser, cohort, **kwargs):
    registration = enrol(cohort, UserFactory(**kwargs))
    _attend(organiser, cohort, [registration], 4)
    return registration


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _published(client: Client, token: str) -> dict[str, str]:
    """What a verifier fetches for `token`: the document its `kid` names and its status list, each read
    from the site by its address's path, as anyone on the web would."""
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    urls = {header["kid"].split("#", 1)[0], payload["credentialStatus"]["statusListCredential"]}
    web = {}
    for url in urls:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        web[url] = response.content.decode()
    return web


# ------------------------------------------------------------------------------------------------- issuing


def test_no_certificate_below_the_completion_rule(organiser, cohort):
    three = enrol(cohort)
    _attend(organiser, cohort, [three], 3)  # 60% of five sessions; the rule is 80%

    with pytest.raises(LearningError):
        certificates.certificate_issue(registration=three)
    client = signed_in(three.user)
    assert client.get(f"/my/learning/{three.pk}/certificate.pdf").status_code == 404
    assert client.get(f"/my/learning/{three.pk}/certificate.jwt").status_code == 404
    assert "Download your certificate" not in client.get("/my/learning/").content.decode()
    assert Certificate.objects.count() == 0


def test_certificate_is_issued_once_at_the_rule_with_an_unguessable_code(organiser, cohort):
    first, second = enrol(cohort), enrol(cohort)
    _attend(organiser, cohort, [first, second], 4)  # exactly 80%

    certificate = certificates.certificate_issue(registration=first)
    again = certificates.certificate_issue(registration=first)
    other = certificates.certificate_issue(registration=second)

    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 2
    assert len(certificate.code) == 12 and set(certificate.code) <= set(CODE_ALPHABET)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", certificate.grouped_code)
    assert certificate.code != other.code
    assert (certificate.status_list_index, other.status_list_index) == (0, 1)
    assert certificate.name_on_certificate == first.name
    assert certificate.cohort == cohort


def test_my_learning_offers_the_certificate_and_says_how_it_is_checked(organiser, cohort):
    registration = _completed(organiser, cohort)

    page = signed_in(registration.user).get("/my/learning/").content.decode()

    assert "Download your certificate (PDF)" in page
    assert "Download as an Open Badge" in page
    assert "An employer or professional body can check the certificate without asking us" in page


# -------------------------------------------------------------------------------------------------- the PDF


def test_pdf_states_the_facts_and_the_verification_code(organiser, cohort):
    registration = _completed(organiser, cohort, name="Zoë Ashworth")

    response = signed_in(registration.user).get(f"/my/learning/{registration.pk}/certificate.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    certificate = Certificate.objects.get(registration=registration)
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-listening-with-compassion-{certificate.code}.pdf"'
    )
    text = _words(extract_text(io.BytesIO(response.content)))
    zone = cohort.event.zone
    sessions = list(cohort.sessions.order_by("starts_at"))
    first = timezone.localtime(sessions[0].starts_at, zone)
    last = timezone.localtime(sessions[-1].ends_at, zone)
    for fact in (
        "Gathering Network",
        "Certificate of attendance",
        "Zoë Ashworth",
        "Listening with compassion",
        f"from {first:%-d %B %Y} to {last:%-d %B %Y}",
        "Continuing professional development: 6.5 hours",
        "Hold a listening circle",
        "Know when to signpost",
        f"Check this certificate at {SITE}/certificates/verify/{certificate.grouped_code}/ "
        f"with the code {certificate.grouped_code}.",
    ):
        assert fact in text


def test_a_name_the_pdf_cannot_print_is_asked_for_first(organiser, cohort):
    registration = _completed(organiser, cohort, name="Zofia Wąsik")
    client = signed_in(registration.user)

    response = client.get(f"/my/learning/{registration.pk}/certificate.pdf")
    assert response.status_code == 302
    assert response["Location"] == f"/my/learning/{registration.pk}/certificate/name/"
    page = client.get(response["Location"]).content.decode()
    assert "The certificate cannot print these letters of your name: ą." in page

    refused = client.post(response["Location"], {"name": "Zofia Wąsik"})
    assert refused.status_code == 200
    assert "The certificate cannot print these letters: ą." in refused.content.decode()
    assert client.post(response["Location"], {"name": "Zofia Wasik"}).status_code == 302

    pdf = client.get(f"/my/learning/{registration.pk}/certificate.pdf")
    assert pdf.status_code == 200
    assert "Zofia Wasik" in _words(extract_text(io.BytesIO(pdf.content)))
    assert AuditEntry.objects.filter(detail="name on certificate").count() == 1


# ------------------------------------------------------------------------------------------- verification


def test_verify_page_says_valid_and_shows_only_what_is_printed(organiser, cohort):
    registration = _completed(organiser, cohort, name="Zoë Ashworth", email="zoe.private@example.org")
    other_course = make_cohort(course=CourseFactory(title="Peer support supervision"))
    enrol(other_course, registration.user)
    certificate = certificates.certificate_issue(registration=registration)

    response = Client().get(f"/certificates/verify/{certificate.grouped_code}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Certificate valid" in page
    for fact in ("Zoë Ashworth", "Listening with compassion", "6.5", certificate.grouped_code):
        assert fact in page
    assert f"{timezone.localtime(certificate.issued_at, cohort.event.zone):%-d %B %Y}" in page
    assert "zoe.private@example.org" not in page
    assert "Peer support supervision" not in page
    assert "Hold a listening circle" not in page  # on the certificate, but not needed to confirm it


def test_the_code_may_be_typed_in_any_case_with_spaces(organiser, cohort):
    certificate = certificates.certificate_issue(registration=_completed(organiser, cohort))
    typed = " ".join(certificate.code.lower()[i : i + 4] for i in range(0, 12, 4))

    response = Client().get("/certificates/verify/", {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{certificate.code}/"
    assert "Certificate valid" in Client().get(response["Location"]).content.decode()


def test_a_forged_code_is_not_found(organiser, cohort):
    certificate = certificates.certificate_issue(registration=_completed(organiser, cohort))
    forged = ("2" if certificate.code[0] != "2" else "3") + certificate.code[1:]

    response = Client().get(f"/certificates/verify/{forged}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate with that code" in page
    assert certificate.name_on_certificate not in page


def test_a_revoked_certificate_says_so_and_can_no_longer_be_downloaded(organiser, cohort):
    registration = _completed(organiser, cohort)
    certificate = certificates.certificate_issue(registration=registration)
    staff = signed_in(organiser)

    response = staff.post(
        f"/staff/learning/cohorts/{cohort.pk}/certificates/{certificate.pk}/revoke/",
        {"reason": "Attendance was recorded for the wrong person."},
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Attendance was recorded for the wrong person."
    page = Client().get(f"/certificates/verify/{certificate.code}/").content.decode()
    assert "Certificate revoked" in page
    assert f"was revoked on {timezone.localtime(certificate.revoked_at):%-d %B %Y}" in page
    assert certificate.name_on_certificate not in page
    assert "wrong person" not in page
    owner = signed_in(registration.user)
    assert owner.get(f"/my/learning/{registration.pk}/certificate.pdf").status_code == 410
    assert owner.get(f"/my/learning/{registration.pk}/certificate.jwt").status_code == 410
    assert "Your certificate was revoked on" in owner.get("/my/learning/").content.decode()
    assert AuditEntry.objects.filter(detail="certificate revoked", subject_id=str(certificate.pk)).exists()
    cohort_page = staff.get(f"/staff/learning/cohorts/{cohort.pk}/").content.decode()
    assert "Revoked on" in cohort_page


def test_only_the_cohorts_organisers_revoke_and_always_with_a_reason(organiser, cohort):
    certificate = certificates.certificate_issue(registration=_completed(organiser, cohort))
    url = f"/staff/learning/cohorts/{cohort.pk}/certificates/{certificate.pk}/revoke/"

    with pytest.raises(PermissionDenied):
        certificates.certificate_revoke(certificate=certificate, by=make_staff("organiser"), reason="No")
    assert signed_in(make_staff("organiser")).post(url, {"reason": "No"}).status_code == 403
    assert signed_in(make_staff("facilitator")).post(url, {"reason": "No"}).status_code == 403
    with pytest.raises(LearningError):
        certificates.certificate_revoke(certificate=certificate, by=organiser, reason="  ")
    signed_in(organiser).post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_verify_page_queries_do_not_grow_with_the_course(organiser, cohort):
    small = certificates.certificate_issue(registration=_completed(organiser, cohort))
    big_course = CourseFactory(outcomes=[f"Outcome {n}" for n in range(12)], organisers=[organiser])
    big_cohort = make_cohort(course=big_course, sessions=10, organisers=[organiser])
    member = enrol(big_cohort)
    _attend(organiser, big_cohort, [member], 10)
    big = certificates.certificate_issue(registration=member)
    client = Client()
    client.get(f"/certificates/verify/{small.code}/")  # warm any per-process caches

    counts = []
    for certificate in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/certificates/verify/{certificate.code}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 4


# ------------------------------------------------------------------------------------------ the Open Badge


def test_open_badge_is_verified_against_the_published_key(organiser, cohort):
    registration = _completed(organiser, cohort, name="Zoë Ashworth", email="Zoe.Ashworth@example.org")

    response = signed_in(registration.user).get(f"/my/learning/{registration.pk}/certificate.jwt")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    certificate = Certificate.objects.get(registration=registration)
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-listening-with-compassion-{certificate.code}.jwt"'
    )
    token = response.content.decode()
    outsider = Client()
    web = _published(outsider, token)
    assert set(web) == {f"{SITE}/.well-known/jwks.json", f"{SITE}/certificates/status/1"}

    credential = verify_open_badge(token, web=web, now=timezone.now() + timedelta(minutes=1))

    assert credential["id"] == f"{SITE}/certificates/verify/{certificate.grouped_code}/"
    assert credential["issuer"]["id"] == f"{SITE}/certificates/issuer"
    assert credential["issuer"]["name"] == "Gathering Network"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Listening with compassion"
    assert email_matches(credential, "zoe.ashworth@example.org")
    assert not email_matches(credential, "someone.else@example.org")
    names = [
        e["identityHash"]
        for e in credential["credentialSubject"]["identifier"]
        if e["identityType"] == "name"
    ]
    assert names == ["Zoë Ashworth"]
    assert "zoe.ashworth@example.org" not in token.lower()
    issuer = outsider.get("/certificates/issuer")
    assert issuer.json()["id"] == credential["issuer"]["id"]
    assert outsider.get("/.well-known/jwks.json")["Content-Type"] == "application/jwk-set+json"


def test_revoking_sets_the_status_list_bit_the_verifier_reads(organiser, cohort):
    kept_registration, revoked_registration = (_completed(organiser, cohort), _completed(organiser, cohort))
    tokens = {}
    for registration in (kept_registration, revoked_registration):
        tokens[registration.pk] = (
            signed_in(registration.user)
            .get(f"/my/learning/{registration.pk}/certificate.jwt")
            .content.decode()
        )
    certificates.certificate_revoke(
        certificate=Certificate.objects.get(registration=revoked_registration), by=organiser, reason="Error"
    )
    now = timezone.now() + timedelta(minutes=1)
    outsider = Client()

    with pytest.raises(Rejected, match="revoked"):
        verify_open_badge(
            tokens[revoked_registration.pk],
            web=_published(outsider, tokens[revoked_registration.pk]),
            now=now,
        )
    verify_open_badge(
        tokens[kept_registration.pk], web=_published(outsider, tokens[kept_registration.pk]), now=now
    )
    status = outsider.get("/certificates/status/1")
    assert status["Content-Type"] == "application/vc+jwt"
    assert outsider.get("/certificates/status/2").status_code == 404


def test_downloads_are_only_for_the_holder(organiser, cohort):
    registration = _completed(organiser, cohort)
    certificates.certificate_issue(registration=registration)
    someone_else = signed_in(_completed(organiser, cohort).user)

    for suffix in ("certificate.pdf", "certificate.jwt", "certificate/name/"):
        url = f"/my/learning/{registration.pk}/{suffix}"
        assert someone_else.get(url).status_code == 404
        assert signed_in(organiser).get(url).status_code == 404
        assert Client().get(url).status_code == 302  # to sign in


def test_erasing_the_account_revokes_the_certificate_and_removes_the_name(organiser, cohort):
    registration = _completed(organiser, cohort, name="Zoë Ashworth")
    certificate = certificates.certificate_issue(registration=registration)

    anonymise_person(user=registration.user)

    certificate.refresh_from_db()
    assert (certificate.name_on_certificate, certificate.revoked_at is not None) == ("", True)
    page = Client().get(f"/certificates/verify/{certificate.code}/").content.decode()
    assert "Certificate revoked" in page and "Zoë Ashworth" not in page
