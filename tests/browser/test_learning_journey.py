"""A learner's journey to a certificate, by clicking only what the site shows: from the home page to Learning
in the navigation, a course, enrolling in its cohort with a free place, checking in to each session with
the code the facilitator announces, giving both self-assessments, and downloading the certificate as a PDF
and as an Open Badge. Then an outsider, not signed in, checks the PDF's code on the verification page and
checks the Open Badge with the verifier in tests/learning/test_badges.py (written from the specifications),
fetching the site's published key and revocation list from the live server."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db.models import F
from django.utils import timezone
from pdfminer.high_level import extract_text

from gathering.events.models import Event
from gathering.learning.models import Certificate, CohortSession

from ..factories import CourseFactory, UserFactory, make_cohort
from ..learning.test_badges import b64url_decode, email_matches, verify_open_badge
from .conftest import screenshot_folder, shot
from .test_participant_journey import header_link

pytestmark = pytest.mark.django_db(transaction=True)

# The site's public address; the live server stands in for it, so the verifier maps its URLs there.
SITE = "https://gathering.example.org"
COURSE = "Listening with compassion"
OUTCOMES = ["Hold a listening circle", "Know when to signpost"]
NAME = "Sam Learner"
EMAIL = "sam.learner@example.org"
TICKET = "Free place"


def check_in(page, code: str) -> None:
    main = page.locator("main")
    main.get_by_label("Session code").fill(code)
    main.get_by_role("button", name="Check in").click()
    page.wait_for_url("**/my/learning/")
    assert "You are checked in. Welcome." in main.inner_text()


def self_assess(page, stage_link: str, rating: str) -> None:
    main = page.locator("main")
    main.get_by_role("link", name=stage_link).click()
    page.wait_for_url("**/self-assessment/**")
    for outcome in OUTCOMES:
        main.get_by_role("group", name=outcome).get_by_role("radio", name=rating, exact=True).check()
    main.get_by_role("button", name="Save my self-assessment").click()
    page.wait_for_url("**/my/learning/")
    assert "Thank you: your self-assessment is saved." in main.inner_text()


def test_learner_completes_a_course_and_an_outsider_verifies_the_certificate(
    new_page, live_server, settings, tmp_path
):
    settings.GATHERING_BASE_URL = SITE
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(tmp_path / "credential-signing-key.pem")
    folder = screenshot_folder("learner")

    course = CourseFactory(title=COURSE, cpd_hours="4.0", outcomes=OUTCOMES)
    # Two weekly sessions, the first on now: check-in and the "before" self-assessment are open.
    cohort = make_cohort(course=course, sessions=2, starts_at=timezone.now() - timedelta(minutes=30))
    cohort.event.ticket_types.update(name=TICKET)
    learner = UserFactory(name=NAME, email=EMAIL)
    first, second = CohortSession.objects.filter(cohort=cohort).order_by("starts_at")

    page = new_page(user=learner)
    main = page.locator("main")

    # 1. From the home page, Learning in the navigation, then the course.
    page.goto("/")
    header_link(page, "Learning").click()
    page.wait_for_url("**/learning/")
    main.get_by_role("link", name=COURSE).first.click()
    page.wait_for_url(f"**{course.get_absolute_url()}")
    shot(page, folder, "01-course")

    # 2. Enrol in the cohort with a free place: the form, check your answers, confirm.
    main.get_by_role("link", name=f"Enrol in {cohort.event.title}").click()
    page.wait_for_url("**/register/")
    page.get_by_role("radio", name=re.compile(TICKET)).check()
    main.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.get_by_role("heading", level=1).inner_text()
    main.get_by_role("button", name="Confirm and register").click()
    page.wait_for_url("**/my/gatherings/")
    assert "You are registered" in main.inner_text()
    shot(page, folder, "02-enrolled")

    # 3. My learning: check in with the code the facilitator announces, and give the first self-assessment.
    header_link(page, "My learning").click()
    page.wait_for_url("**/my/learning/")
    check_in(page, first.checkin_code.lower())
    self_assess(page, "Give your self-assessment before the course", "2")
    assert "You have attended 1 of 2 sessions." in main.inner_text()
    assert "Download your certificate" not in main.inner_text()
    shot(page, folder, "03-first-session")

    # 4. A week later the second session is on: check in again, and give the self-assessment after.
    CohortSession.objects.filter(cohort=cohort).update(
        starts_at=F("starts_at") - timedelta(days=7), ends_at=F("ends_at") - timedelta(days=7)
    )
    Event.objects.filter(pk=cohort.event_id).update(
        starts_at=F("starts_at") - timedelta(days=7), ends_at=F("ends_at") - timedelta(days=7)
    )
    header_link(page, "My learning").click()
    page.wait_for_url("**/my/learning/")
    check_in(page, second.checkin_code)
    self_assess(page, "Give your self-assessment after the course", "4")
    text = main.inner_text()
    assert "You have attended 2 of 2 sessions." in text
    assert "You have completed this course." in text
    assert "An employer or professional body can check the certificate without asking us" in text
    shot(page, folder, "04-completed")

    # 5. Download the certificate as a PDF and as an Open Badge.
    with page.expect_download() as download_info:
        main.get_by_role("link", name=re.compile(r"Download your certificate \(PDF\)")).click()
    pdf_download = download_info.value
    assert pdf_download.suggested_filename.endswith(".pdf")
    pdf_text = re.sub(r"\s+", " ", extract_text(io.BytesIO(Path(pdf_download.path()).read_bytes())))
    for fact in (NAME, COURSE, "Continuing professional development: 4 hours", *OUTCOMES):
        assert fact in pdf_text
    code = re.search(r"with the code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\.", pdf_text).group(1)
    assert f"Check this certificate at {SITE}/certificates/verify/{code}/" in pdf_text
    with page.expect_download() as download_info:
        main.get_by_role("link", name=re.compile("Download as an Open Badge")).click()
    badge_download = download_info.value
    assert badge_download.suggested_filename.endswith(".jwt")
    token = Path(badge_download.path()).read_text(encoding="ascii").strip()

    # 6. An outsider, not signed in, types the code printed on the PDF into the verification page.
    outsider = new_page()
    outsider.goto("/certificates/verify/")
    outsider.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    outsider.get_by_role("button", name="Check the certificate").click()
    outsider.wait_for_url("**/certificates/verify/*/")
    verified = outsider.locator("main").inner_text()
    assert "Certificate valid" in verified
    assert NAME in verified and COURSE in verified
    assert EMAIL not in verified
    shot(outsider, folder, "05-verified")

    # 7. ... and checks the Open Badge with the verifier written from the specifications, fetching what
    # the credential points to (the key set in its kid, its status list) from the site.
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    web = {}
    for url in (header["kid"].split("#", 1)[0], payload["credentialStatus"]["statusListCredential"]):
        assert url.startswith(SITE)
        response = outsider.request.get(live_server.url + urlsplit(url).path)
        assert response.ok and response.headers["access-control-allow-origin"] == "*"
        web[url] = response.text()
    credential = verify_open_badge(token, web=web, now=timezone.now() + timedelta(minutes=1))
    assert credential["credentialSubject"]["achievement"]["name"] == COURSE
    assert email_matches(credential, EMAIL)
    assert Certificate.objects.get(registration__user=learner).grouped_code == code
