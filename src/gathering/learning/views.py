"""Participants' learning pages: the course catalogue, a course, My learning, self-check-in, self-assessment
and the course materials for people with a confirmed place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from gathering.events.feedback import feedback_link_path, feedback_state
from gathering.events.models import Registration

from . import selectors, services
from .forms import CatalogueForm, CheckInForm, SelfAssessmentForm
from .models import Course, SelfAssessment
from .rules import can_manage_course, is_course_facilitator


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueForm(request.GET or None)
    courses = selectors.courses_catalogue(filters=form.filters())
    return render(request, "learning/catalogue.html", {"form": form, "courses": courses})


def _course_or_404(slug: str) -> Course:
    try:
        return selectors.course_get_published(slug=slug)
    except Course.DoesNotExist:
        raise Http404 from None


@require_safe
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_or_404(slug)
    enrolled = selectors.has_confirmed_place(user=request.user, course=course)
    context = {
        "course": course,
        "cohorts": course.shown_cohorts,
        "places_left": selectors.places_left(cohorts=course.shown_cohorts),
        "now": timezone.now(),
        "enrolled": enrolled,
        "materials": selectors.materials_for(course=course) if enrolled else [],
    }
    return render(request, "learning/course.html", context)


@login_required
@require_safe
def material(request: HttpRequest, slug: str, material_id: int) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    item = get_object_or_404(course.materials, pk=material_id)
    user = request.user
    if not (
        selectors.has_confirmed_place(user=user, course=course)
        or can_manage_course(user, course)
        or is_course_facilitator(user, course)
    ):
        raise Http404
    if item.url:
        return HttpResponseRedirect(item.url)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def my_learning(request: HttpRequest) -> HttpResponse:
    enrolments = selectors.enrolments_for_user(user=request.user)
    now = timezone.now()
    for registration in enrolments:
        registration.changes = selectors.own_change(registration=registration)
        registration.session_now = next(
            (s for s in registration.event.cohort.sessions.all() if s.is_now(now)), None
        )
        # The cohort's Gathering asks for feedback once it ends, as any Gathering does (events/feedback.py).
        registration.feedback = feedback_state(registration)
        registration.feedback_url = (
            feedback_link_path(registration) if registration.feedback == "open" else ""
        )
        registration.windows = {
            stage: services.assessment_window(registration.event.cohort, stage, now)
            for stage in SelfAssessment.Stage.values
        }
    return render(
        request,
        "learning/my.html",
        {"enrolments": enrolments, "confirmed": Registration.CONFIRMED_PLACE, "check_in_form": CheckInForm()},
    )


def _mine(request: HttpRequest, registration_id: int) -> Registration:
    # Someone else's enrolment is "not found": its existence is not revealed.
    try:
        return selectors.enrolment_for_user(user=request.user, registration_id=registration_id)
    except Registration.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="30/h", method="POST")
def check_in(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _mine(request, registration_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_check_in(
                user=request.user, registration=registration, code=form.cleaned_data["code"]
            )
        except services.LearningError as error:
            form.apply_service_errors(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("You are checked in. Welcome."))
            return redirect("learning:my")
    return render(request, "learning/check_in.html", {"registration": registration, "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment(request: HttpRequest, registration_id: int, stage: str) -> HttpResponse:
    registration = _mine(request, registration_id)
    if stage not in SelfAssessment.Stage.values or registration.status not in Registration.CONFIRMED_PLACE:
        raise Http404
    cohort = registration.event.cohort
    given = registration.assessments.get(stage)
    closed = services.assessment_window(cohort, stage)
    outcomes = list(cohort.course.outcomes.all())
    form = SelfAssessmentForm(request.POST or None, outcomes=outcomes)
    if request.method == "POST" and given is None and not closed and form.is_valid():
        try:
            services.self_assessment_save(
                user=request.user,
                registration=registration,
                stage=stage,
                ratings=form.ratings(),
                reflection=form.cleaned_data["reflection"],
            )
        except services.LearningError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Thank you: your self-assessment is saved."))
            return redirect("learning:my")
    context = {
        "registration": registration,
        "cohort": cohort,
        "stage": stage,
        "stage_label": SelfAssessment.Stage(stage).label,
        "form": form,
        "given": given,
        "closed": closed,
    }
    return render(request, "learning/assessment.html", context)
