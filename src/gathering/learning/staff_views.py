"""Staff pages for learning: organisers set up courses, outcomes, materials, cohorts and sessions;
organisers and the course's facilitators open a cohort's page to mark attendance and see the outcomes'
change (aggregates of five or more people only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gathering.accounts.decorators import permission_required
from gathering.events.models import Event
from gathering.events.rules import can_manage_event
from gathering.events.selectors import events_managed_by

from . import charts, selectors, services
from .forms import BreakoutForm, CohortForm, CourseForm, MaterialForm, SessionForm
from .models import Cohort, CohortSession, Course, CourseMaterial
from .rules import can_facilitate_cohort, can_manage_cohort, can_manage_course


def _managed_course(request: HttpRequest, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if not can_manage_course(request.user, course):
        raise PermissionDenied
    return course


def _cohort(request: HttpRequest, cohort_id: int, *, manage: bool) -> Cohort:
    try:
        cohort = selectors.cohort_for_staff(cohort_id=cohort_id)
    except Cohort.DoesNotExist:
        raise Http404 from None
    allowed = can_manage_cohort if manage else can_facilitate_cohort
    if not allowed(request.user, cohort):
        raise PermissionDenied
    return cohort


@permission_required("accounts.organise", "accounts.facilitate")
@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    context = {
        "courses": selectors.courses_for_staff(user=request.user),
        "cohorts": selectors.cohorts_for_staff(user=request.user),
        "may_create": request.user.has_perm("accounts.organise"),
    }
    return render(request, "learning/staff/list.html", context)


def _save_course(request: HttpRequest, form: CourseForm, *, creating: bool) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    course = form.save(commit=False)
    try:
        services.course_save(
            actor=request.user, course=course, outcomes=form.outcome_lines(), creating=creating
        )
    except services.LearningError as error:
        form.apply_service_errors(error)
        return None
    form.save_m2m()
    messages.success(request, _("The course is saved."))
    return redirect("learning_staff:course", slug=course.slug)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    return _save_course(request, form, creating=True) or render(
        request, "learning/staff/course_form.html", {"form": form, "course": None}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    course = _managed_course(request, slug)
    form = CourseForm(request.POST or None, instance=course)
    return _save_course(request, form, creating=False) or render(
        request, "learning/staff/course_form.html", {"form": form, "course": Course.objects.get(pk=course.pk)}
    )


@permission_required("accounts.organise")
@require_safe
def course_setup(request: HttpRequest, slug: str) -> HttpResponse:
    course = _managed_course(request, slug)
    return render(
        request, "learning/staff/course.html", {"course": selectors.course_for_staff(slug=course.slug)}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def material_edit(request: HttpRequest, slug: str, material_id: int | None = None) -> HttpResponse:
    course = _managed_course(request, slug)
    item = get_object_or_404(CourseMaterial, pk=material_id, course=course) if material_id else None
    form = MaterialForm(
        request.POST or None, request.FILES or None, instance=item or CourseMaterial(course=course)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.material_save(actor=request.user, material=form.save(commit=False))
        except services.LearningError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The material is saved."))
            return redirect("learning_staff:course", slug=course.slug)
    return render(
        request, "learning/staff/material_form.html", {"form": form, "course": course, "material": item}
    )


def _training_events(user: object, cohort: Cohort | None) -> QuerySet[Event]:
    events = events_managed_by(user=user).filter(kind=Event.Kind.TRAINING)
    free = events.filter(cohort__isnull=True)
    if cohort is not None:
        return events.filter(pk=cohort.event_id) | free
    return free


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_create(request: HttpRequest, slug: str) -> HttpResponse:
    course = _managed_course(request, slug)
    form = CohortForm(
        request.POST or None, instance=Cohort(course=course), events=_training_events(request.user, None)
    )
    return _save_cohort(request, form) or render(
        request, "learning/staff/cohort_form.html", {"form": form, "course": course, "cohort": None}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort(request, cohort_id, manage=True)
    form = CohortForm(request.POST or None, instance=cohort, events=_training_events(request.user, cohort))
    return _save_cohort(request, form) or render(
        request, "learning/staff/cohort_form.html", {"form": form, "course": cohort.course, "cohort": cohort}
    )


def _save_cohort(request: HttpRequest, form: CohortForm) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        cohort = services.cohort_save(actor=request.user, cohort=form.save(commit=False))
    except services.LearningError as error:
        form.apply_service_errors(error)
        return None
    messages.success(request, _("The cohort is saved. Add its sessions next."))
    return redirect("learning_staff:cohort", cohort_id=cohort.pk)


@permission_required("accounts.organise", "accounts.facilitate")
@require_safe
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort(request, cohort_id, manage=False)
    grid = selectors.attendance_grid(cohort=cohort)
    change = selectors.outcome_change(cohort=cohort)
    context = {
        "cohort": cohort,
        "grid": grid,
        "change": change,
        "chart": charts.outcome_change_svg(change) if change.shown else None,
        "counts": selectors.assessment_counts(cohort=cohort),
        "manages": can_manage_cohort(request.user, cohort),
        "manages_event": can_manage_event(request.user, cohort.event),
        "completed": sum(1 for row in grid.rows if row.completion.complete),
        "certificates": selectors.certificates_for_cohort(cohort=cohort),
    }
    return render(request, "learning/staff/cohort.html", context)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit(request: HttpRequest, cohort_id: int, session_id: int | None = None) -> HttpResponse:
    cohort = _cohort(request, cohort_id, manage=True)
    session = get_object_or_404(CohortSession, pk=session_id, cohort=cohort) if session_id else None
    with timezone.override(cohort.event.time_zone):
        form = SessionForm(request.POST or None, instance=session or CohortSession(cohort=cohort))
        if request.method == "POST" and form.is_valid():
            try:
                services.session_save(actor=request.user, session=form.save(commit=False))
            except services.LearningError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The session is saved."))
                return redirect("learning_staff:cohort", cohort_id=cohort.pk)
        return render(
            request, "learning/staff/session_form.html", {"form": form, "cohort": cohort, "session": session}
        )


@permission_required("accounts.organise", "accounts.facilitate")
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request: HttpRequest, cohort_id: int, session_id: int) -> HttpResponse:
    cohort = _cohort(request, cohort_id, manage=False)
    session = get_object_or_404(
        CohortSession.objects.select_related("cohort__event"), pk=session_id, cohort=cohort
    )
    grid = selectors.attendance_grid(cohort=cohort)
    column = next(i for i, s in enumerate(grid.sessions) if s.pk == session.pk)
    error = ""
    if request.method == "POST":
        present = request.POST.getlist("present")
        if not all(value.isdigit() for value in present):
            error = str(services.NOT_A_MEMBER)
        else:
            try:
                services.attendance_record(
                    actor=request.user, session=session, present=[int(v) for v in present]
                )
            except services.LearningError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, _("Attendance for this session is saved."))
                return redirect("learning_staff:cohort", cohort_id=cohort.pk)
    rows = [(row.registration, row.cells[column] is not None) for row in grid.rows]
    context = {"cohort": cohort, "session": session, "rows": rows, "error": error}
    return render(request, "learning/staff/attendance.html", context, status=400 if error else 200)


@permission_required("accounts.organise", "accounts.facilitate")
@require_http_methods(["GET", "HEAD", "POST"])
def breakouts(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's breakout groups; its organisers form them (again) with the grouping optimiser."""
    cohort = _cohort(request, cohort_id, manage=False)
    manages = can_manage_cohort(request.user, cohort)
    form = BreakoutForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.breakouts_form(actor=request.user, cohort=cohort, size=form.cleaned_data["size"])
            except services.LearningError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The breakout groups are formed."))
                return redirect("learning_staff:breakouts", cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "groups": selectors.breakout_groups(cohort=cohort),
        "form": form,
        "manages": manages,
    }
    return render(request, "learning/staff/breakouts.html", context)
