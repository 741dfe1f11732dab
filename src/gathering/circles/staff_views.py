"""Staff pages for circles: organisers run their series (form, preview, swap, publish, feedback) and
facilitators see their own circles only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required
from gathering.privacy.services import audit_record

from . import formation, selectors, services
from .forms import (
    AgreementForm,
    CirclePlaceForm,
    FormCirclesForm,
    InvitationForm,
    RemoveForm,
    SeriesForm,
    SwapForm,
)
from .models import (
    Attendance,
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleSeries,
    FormationRun,
    Meeting,
)
from .rules import can_facilitate, can_manage_series
from .services import DEFAULT_AGREEMENT, DEFAULT_ROUNDS


def _managed(request: HttpRequest, slug: str) -> CircleSeries:
    series = get_object_or_404(CircleSeries.objects.select_related("event"), slug=slug)
    if not can_manage_series(request.user, series):
        raise PermissionDenied
    return series


def _facilitated(request: HttpRequest, circle_id: int) -> Circle:
    circle = get_object_or_404(Circle.objects.select_related("series", "series__event"), pk=circle_id)
    if not can_facilitate(request.user, circle):
        raise PermissionDenied
    return circle


@permission_required("accounts.organise")
@require_safe
def series_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "circles/staff/list.html", {"series_list": selectors.series_managed_by(user=request.user)}
    )


def _save_series(request: HttpRequest, form: SeriesForm, *, is_new: bool) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    series = form.save(commit=False)
    try:
        services.series_save(series=series, actor=request.user, is_new=is_new)
    except services.CirclesError as error:
        form.apply_service_errors(error)
        return None
    form.save_m2m()
    if is_new:
        services.agreement_add(series=series, actor=request.user, text=DEFAULT_AGREEMENT)
    messages.success(request, _("The series is saved."))
    return redirect("circles_staff:series", slug=series.slug)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None, user=request.user, initial={"rounds": DEFAULT_ROUNDS})
    return _save_series(request, form, is_new=True) or render(
        request, "circles/staff/series_form.html", {"form": form, "series": None}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def series_edit(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    with timezone.override(series.time_zone):
        form = SeriesForm(request.POST or None, instance=series, user=request.user)
        response = _save_series(request, form, is_new=False)
    return response or render(request, "circles/staff/series_form.html", {"form": form, "series": series})


@permission_required("accounts.organise")
@require_safe
def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    members = list(selectors.series_members(series=series))
    context = {
        "series": series,
        "members": members,
        "active": sum(1 for m in members if m.is_active),
        "agreement": services.agreement_current(series),
        "pool": list(series.facilitators.order_by("name")),
        "latest_run": series.formation_runs.first(),
    }
    return render(request, "circles/staff/series.html", context)


@permission_required("accounts.organise")
@require_POST
def series_open(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    try:
        services.series_open(series=series, actor=request.user)
    except services.CirclesError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The series is open: people can join it now."))
    return redirect("circles_staff:series", slug=series.slug)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.circle_invite(
                series=series, actor=request.user, email=form.cleaned_data["email"]
            )
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("%(email)s is invited.") % {"email": invitation.email})
            return redirect("circles_staff:invitations", slug=series.slug)
    context = {"series": series, "form": form, "invitations": selectors.invitations_for(series=series)}
    return render(request, "circles/staff/invitations.html", context)


@permission_required("accounts.organise")
@require_POST
def invitation_withdraw(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    series = _managed(request, slug)
    invitation = get_object_or_404(CircleInvitation, pk=invitation_id, series=series)
    try:
        services.circle_invitation_withdraw(invitation=invitation, actor=request.user)
    except services.CirclesError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return redirect("circles_staff:invitations", slug=series.slug)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    current = services.agreement_current(series)
    form = AgreementForm(
        request.POST or None, initial={"text": current.text if current else DEFAULT_AGREEMENT}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_add(series=series, actor=request.user, text=form.cleaned_data["text"])
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The new version of the agreement is saved."))
            return redirect("circles_staff:series", slug=series.slug)
    versions = list(series.agreements.order_by("-version"))
    return render(
        request, "circles/staff/agreement.html", {"series": series, "form": form, "versions": versions}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def form_circles(request: HttpRequest, slug: str) -> HttpResponse:
    """Form circles from scratch, or re-form them after people leave or join, moving as few as possible."""
    series = _managed(request, slug)
    form = FormCirclesForm(request.POST or None, initial={"time_limit": formation.time_limit_default()})
    reform = series.status == CircleSeries.Status.PUBLISHED or (
        series.status == CircleSeries.Status.FORMED and request.POST.get("mode") == "reform"
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.formation_run_request(
                series=series,
                actor=request.user,
                mode=FormationRun.Mode.REFORM if reform else FormationRun.Mode.FORM,
                count=form.cleaned_data["count"],
                time_limit=form.cleaned_data["time_limit"],
            )
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            # The circles are formed in the background; the run's page shows how far it is.
            return redirect("circles_staff:run", slug=series.slug, run_id=run.pk)
    requests = list(selectors.not_with_requests(series=series))
    if requests:
        audit_record(actor=request.user, action="viewed", subject=series, detail="'not with' requests")
    context = {
        "series": series,
        "form": form,
        "requests": requests,
        "active": _active_count(series),
        "latest_run": series.formation_runs.first(),
    }
    return render(request, "circles/staff/form.html", context)


@permission_required("accounts.organise")
@require_safe
def formation_run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """How far forming the circles is, refreshing itself while it works; then what happened, where next."""
    series = _managed(request, slug)
    run = get_object_or_404(FormationRun, pk=run_id, series=series)
    return render(request, "circles/staff/run.html", {"series": series, "run": run})


def _active_count(series: CircleSeries) -> int:
    return CircleMembership.objects.active().filter(series=series).count()


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def circles_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Each circle with why it looks as it does, and a form to swap or move people by hand."""
    series = _managed(request, slug)
    circles = list(Circle.objects.filter(series=series).select_related("facilitator").order_by("number"))
    swap = SwapForm(request.POST or None, series=series, circles=circles)
    if request.method == "POST" and swap.is_valid():
        try:
            services.circles_swap(
                series=series,
                actor=request.user,
                first=swap.cleaned_data["first"],
                second=swap.cleaned_data["second"],
                to_circle=swap.cleaned_data["to_circle"],
            )
        except services.CirclesError as error:
            swap.apply_service_errors(error)
        else:
            messages.success(request, _("Done: every rule still holds."))
            return redirect("circles_staff:circles", slug=series.slug)
    explanations, unassigned = selectors.circle_explanations(series=series)
    if explanations:
        audit_record(actor=request.user, action="viewed", subject=series, detail="circle perspective mix")
    context = {"series": series, "explanations": explanations, "unassigned": unassigned, "swap": swap}
    return render(request, "circles/staff/circles.html", context)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def circle_place(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    series = _managed(request, slug)
    circle = get_object_or_404(Circle, pk=circle_id, series=series)
    form = CirclePlaceForm(
        request.POST or None, initial={"place": circle.place, "online_link": circle.online_link}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_update(circle=circle, actor=request.user, **form.cleaned_data)
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Saved. Members see it on their circle page."))
            return redirect("circles_staff:circles", slug=series.slug)
    return render(
        request, "circles/staff/circle_place.html", {"series": series, "circle": circle, "form": form}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    if request.method == "POST":
        try:
            sent = services.circles_publish(series=series, actor=request.user)
        except services.CirclesError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("circles_staff:circles", slug=series.slug)
        messages.success(
            request, _("The circles are published. %(n)s emails are on their way.") % {"n": sent}
        )
        return redirect("circles_staff:series", slug=series.slug)
    circles = Circle.objects.filter(series=series).count()
    return render(request, "circles/staff/publish.html", {"series": series, "circles": circles})


@permission_required("accounts.organise")
@require_safe
def feedback_report(request: HttpRequest, slug: str) -> HttpResponse:
    series = _managed(request, slug)
    summary = selectors.feedback_summary(series=series)
    if summary.comments:
        audit_record(actor=request.user, action="viewed", subject=series, detail="circle feedback comments")
    context = {"series": series, "summary": summary, "minimum": selectors.MIN_RESPONSES}
    return render(request, "circles/staff/feedback.html", context)


# ---------------------------------------------------------------------------------------------------
# Facilitators
# ---------------------------------------------------------------------------------------------------


@permission_required("accounts.facilitate")
@require_safe
def facilitating(request: HttpRequest) -> HttpResponse:
    circles = selectors.circles_facilitated_by(user=request.user)
    return render(request, "circles/staff/facilitating.html", {"circles": circles})


@permission_required("accounts.facilitate")
@require_http_methods(["GET", "HEAD", "POST"])
def facilitate(request: HttpRequest, circle_id: int) -> HttpResponse:
    """A facilitator's own circle: members (preferred names and pronouns), consented access needs, the
    agreement, the round-by-round guide and attendance."""
    circle = _facilitated(request, circle_id)
    meetings = selectors.meetings_for(circle=circle)
    if request.method == "POST":
        meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting", "0").strip() or 0, circle=circle)
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        try:
            services.attendance_mark(meeting=meeting, actor=request.user, present=present)
        except services.CirclesError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("circles_staff:facilitate", circle_id=circle.pk)
    members = selectors.circle_members(circle=circle)
    shared = [m for m in members if m.share_access_needs and m.access_needs]
    if shared:
        audit_record(
            actor=request.user,
            action="viewed",
            subject=circle,
            detail=f"access needs of {len(shared)} members",
        )
    marks = {
        (mark.meeting_id, mark.membership_id): mark.present
        for mark in Attendance.objects.filter(meeting__circle=circle)
    }
    feedback = selectors.feedback_summary(circle=circle)
    if feedback.comments:
        audit_record(actor=request.user, action="viewed", subject=circle, detail="circle feedback comments")
    context = {
        "circle": circle,
        "series": circle.series,
        "members": members,
        "meetings": [
            (meeting, [(m, marks.get((meeting.pk, m.pk))) for m in members]) for meeting in meetings
        ],
        "agreement": services.agreement_current(circle.series),
        "feedback": feedback,
        "minimum": selectors.MIN_RESPONSES,
        "now": timezone.now(),
    }
    return render(request, "circles/staff/facilitate.html", context)


@permission_required("accounts.facilitate")
@require_http_methods(["GET", "HEAD", "POST"])
def remove(request: HttpRequest, circle_id: int, membership_id: int) -> HttpResponse:
    circle = _facilitated(request, circle_id)
    membership = get_object_or_404(
        CircleMembership.objects.active().select_related("user"), pk=membership_id, circle=circle
    )
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_remove(
                membership=membership, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request, _("They are no longer in the circle. The organisers can see your reason.")
            )
            return redirect("circles_staff:facilitate", circle_id=circle.pk)
    return render(
        request, "circles/staff/remove.html", {"circle": circle, "membership": membership, "form": form}
    )
