"""The learning app's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """tests.pages.Page's fields; defined here too because that module imports this one."""

    url: str
    as_role: str | None
    name: str


S = "/staff/learning"
PAGES: tuple = (
    Page("/learning/", None, "learning:catalogue"),
    Page("/learning/?format=online&online=on", "participant", "learning:catalogue"),
    Page("/learning/{course}/", None, "learning:course"),
    Page("/learning/{course}/", "participant", "learning:course"),
    Page("/my/learning/", "participant", "learning:my"),
    Page("/my/learning/{enrolment}/check-in/", "participant", "learning:check_in"),
    Page("/my/learning/{enrolment}/self-assessment/before/", "participant", "learning:assessment"),
    Page("/my/learning/{enrolment}/certificate/name/", "participant", "learning:certificate_name"),
    Page("/certificates/verify/", None, "learning:certificate_verify_form"),
    Page("/certificates/verify/{certificate}/", None, "learning:certificate_verify"),
    Page(f"{S}/", "organiser", "learning_staff:list"),
    Page(f"{S}/", "facilitator", "learning_staff:list"),
    Page(f"{S}/new/", "organiser", "learning_staff:create"),
    Page(f"{S}/{{course}}/", "organiser", "learning_staff:course"),
    Page(f"{S}/{{course}}/edit/", "organiser", "learning_staff:edit"),
    Page(f"{S}/{{course}}/materials/new/", "organiser", "learning_staff:material_new"),
    Page(f"{S}/{{course}}/materials/{{material}}/", "organiser", "learning_staff:material"),
    Page(f"{S}/{{course}}/cohorts/new/", "organiser", "learning_staff:cohort_new"),
    Page(f"{S}/cohorts/{{cohort}}/", "organiser", "learning_staff:cohort"),
    Page(f"{S}/cohorts/{{cohort}}/", "facilitator", "learning_staff:cohort"),
    Page(f"{S}/cohorts/{{cohort}}/edit/", "organiser", "learning_staff:cohort_edit"),
    Page(f"{S}/cohorts/{{cohort}}/breakouts/", "organiser", "learning_staff:breakouts"),
    Page(f"{S}/cohorts/{{cohort}}/breakouts/", "facilitator", "learning_staff:breakouts"),
    Page(f"{S}/cohorts/{{cohort}}/sessions/new/", "organiser", "learning_staff:session_new"),
    Page(f"{S}/cohorts/{{cohort}}/sessions/{{session}}/", "organiser", "learning_staff:session"),
    Page(
        f"{S}/cohorts/{{cohort}}/sessions/{{session}}/attendance/", "facilitator", "learning_staff:attendance"
    ),
)
NOT_PAGES: dict[str, str] = {
    "learning:material": "a file download or a redirect to the link; tested in tests/learning/test_pages.py",
    "api:v1:courses": "JSON API",
    "api:v1:course": "JSON API",
    "api:v1:cohorts": "JSON API",
    "api:v1:my_enrolments": "JSON API",
    "learning:certificate_pdf": "a PDF download; tested in tests/learning/test_certificates.py",
    "learning:certificate_badge": "an Open Badge download; tested in tests/learning/test_certificates.py",
    "learning_staff:certificate_revoke": "POST only; tested in tests/learning/test_certificates.py",
    "certificates_jwks": "the JWK Set (JSON) for verifiers; tested in tests/learning/test_certificates.py",
    "certificates_issuer": "the issuer Profile (JSON); tested in tests/learning/test_certificates.py",
    "certificates_status": "the revocation list (VC-JWT); tested in tests/learning/test_certificates.py",
}


def learning_world(
    *, participant=None, organiser=None, facilitator=None, people: int = 5, reflection: str = ""
):
    """A published course with a cohort of `people` enrolled (plus `participant`, first), each with both
    self-assessments so the cohort page shows the change, and a link material."""
    from datetime import timedelta

    from django.utils import timezone

    from gathering.learning.services import self_assessment_save

    from ..factories import CourseFactory, enrol, make_cohort

    course = CourseFactory(
        organisers=[organiser] if organiser else [], facilitators=[facilitator] if facilitator else []
    )
    material = course.materials.create(title="Reading list", url="https://example.org/reading")
    # Running now: the first session is on, so check-in and the "before" self-assessment are both open.
    cohort = make_cohort(
        course=course,
        organisers=[organiser] if organiser else [],
        starts_at=timezone.now() - timedelta(minutes=30),
        sessions=2,
    )
    members = ([enrol(cohort, participant)] if participant else []) + [enrol(cohort) for _ in range(people)]
    sessions = list(cohort.sessions.order_by("starts_at"))
    for member in members[1:] if participant else members:
        for stage, now in (("before", sessions[0].starts_at), ("after", sessions[-1].starts_at)):
            self_assessment_save(
                user=member.user,
                registration=member,
                stage=stage,
                ratings={o.pk: 3 for o in course.outcomes.all()},
                reflection=reflection,
                now=now,
            )
    if organiser is not None:
        from gathering.learning.services import breakouts_form

        breakouts_form(actor=organiser, cohort=cohort, size=3)
    return course, cohort, material, members


def completed_certificate(registration):
    """`registration` marked present at every session of its cohort, and its certificate issued."""
    from gathering.learning.certificates import certificate_issue
    from gathering.learning.models import Attendance, CohortSession

    for session in CohortSession.objects.filter(cohort__event_id=registration.event_id):
        Attendance.objects.get_or_create(
            session=session,
            registration=registration,
            defaults={"how": Attendance.How.FACILITATOR, "recorded_at": session.starts_at},
        )
    return certificate_issue(registration=registration)


def page_values(page, user, event) -> dict[str, object]:
    if not page.name.startswith(("learning:", "learning_staff:")) or "{" not in page.url:
        return {}
    course, cohort, material, members = learning_world(
        participant=user if page.as_role == "participant" else None,
        organiser=user if page.as_role == "organiser" else None,
        facilitator=user if page.as_role == "facilitator" else None,
    )
    values = {
        "course": course.slug,
        "cohort": cohort.pk,
        "session": cohort.sessions.first().pk,
        "material": material.pk,
        "enrolment": members[0].pk,
    }
    if "certificate" in page.name:
        values["certificate"] = completed_certificate(members[0]).grouped_code
    return values


# Sweep: routes anyone may open (no object behind them), and test_access_sweep.Route entries by name.
PUBLIC: set[str] = {
    "learning:catalogue",
    "api:v1:courses",
    "api:v1:course",
    "api:v1:cohorts",
    # Anyone holding a certificate's code may check it: the page shows only what the certificate prints.
    "learning:certificate_verify_form",
    "learning:certificate_verify",
    # What verifiers of the Open Badge credentials fetch: the public key, the issuer and the revocation list.
    "certificates_jwks",
    "certificates_issuer",
    "certificates_status",
}
# Routes outside /staff/ that need no staff role (test_access_sweep's second-factor sweep).
FOR_EVERYONE: set[str] = {
    "learning:catalogue",
    "learning:course",
    "learning:material",
    "learning:my",
    "learning:check_in",
    "learning:assessment",
    "learning:certificate_pdf",
    "learning:certificate_badge",
    "learning:certificate_name",
    "learning:certificate_verify_form",
    "learning:certificate_verify",
    "certificates_jwks",
    "certificates_issuer",
    "certificates_status",
    "api:v1:courses",
    "api:v1:course",
    "api:v1:cohorts",
    "api:v1:my_enrolments",
}


@dataclass(frozen=True)
class Route:
    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


_BOTH = ("get", "post")
C = f"{S}/cohorts/{{learning_cohort}}"
ROUTES: dict = {
    "learning:course": Route("/learning/{learning_course}/", refused_only=False),
    "learning:material": Route(
        "/learning/{learning_course}/materials/{learning_material}/", refused_only=True
    ),
    "learning:my": Route("/my/learning/", refused_only=False),
    "learning:check_in": Route(
        "/my/learning/{learning_enrolment}/check-in/", refused_only=True, methods=_BOTH
    ),
    "learning:assessment": Route(
        "/my/learning/{learning_enrolment}/self-assessment/before/", refused_only=True, methods=_BOTH
    ),
    "learning:certificate_pdf": Route("/my/learning/{learning_enrolment}/certificate.pdf", refused_only=True),
    "learning:certificate_badge": Route(
        "/my/learning/{learning_enrolment}/certificate.jwt", refused_only=True
    ),
    "learning:certificate_name": Route(
        "/my/learning/{learning_enrolment}/certificate/name/", refused_only=True, methods=_BOTH
    ),
    "api:v1:my_enrolments": Route("/api/v1/me/enrolments/", refused_only=False),
    "learning_staff:list": Route(f"{S}/", refused_only=False),
    "learning_staff:create": Route(f"{S}/new/", refused_only=False, methods=_BOTH),
    "learning_staff:course": Route(f"{S}/{{learning_course}}/", refused_only=True),
    "learning_staff:edit": Route(f"{S}/{{learning_course}}/edit/", refused_only=True, methods=_BOTH),
    "learning_staff:material_new": Route(
        f"{S}/{{learning_course}}/materials/new/", refused_only=True, methods=_BOTH
    ),
    "learning_staff:material": Route(
        f"{S}/{{learning_course}}/materials/{{learning_material}}/", refused_only=True, methods=_BOTH
    ),
    "learning_staff:cohort_new": Route(
        f"{S}/{{learning_course}}/cohorts/new/", refused_only=True, methods=_BOTH
    ),
    "learning_staff:cohort": Route(f"{C}/", refused_only=True),
    "learning_staff:cohort_edit": Route(f"{C}/edit/", refused_only=True, methods=_BOTH),
    "learning_staff:breakouts": Route(f"{C}/breakouts/", refused_only=True, methods=_BOTH),
    "learning_staff:session_new": Route(f"{C}/sessions/new/", refused_only=True, methods=_BOTH),
    "learning_staff:session": Route(f"{C}/sessions/{{learning_session}}/", refused_only=True, methods=_BOTH),
    "learning_staff:attendance": Route(
        f"{C}/sessions/{{learning_session}}/attendance/", refused_only=True, methods=_BOTH
    ),
    "learning_staff:certificate_revoke": Route(
        f"{C}/certificates/{{learning_certificate}}/revoke/", refused_only=True, methods=("post",)
    ),
}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    """The owner (named MARKER) enrolled in a cohort run by `organiser`, with a self-assessment whose
    reflection holds SECRET and a certificate for completing it; the placeholder values for ROUTES."""
    from gathering.learning.services import self_assessment_save

    from ..test_access_sweep import SECRET

    course, cohort, material, members = learning_world(participant=owner, organiser=organiser)
    mine = members[0]
    self_assessment_save(
        user=owner,
        registration=mine,
        stage="before",
        ratings={o.pk: 2 for o in course.outcomes.all()},
        reflection=SECRET,
    )
    return {
        "learning_course": course.slug,
        "learning_cohort": cohort.pk,
        "learning_session": cohort.sessions.first().pk,
        "learning_material": material.pk,
        "learning_enrolment": mine.pk,
        "learning_certificate": completed_certificate(mine).pk,
    }
