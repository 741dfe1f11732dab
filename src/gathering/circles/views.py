"""Participants' pages: a series and joining it, my circles, leaving quietly, "not with" and feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .forms import FeedbackForm, JoinForm, NotWithForm
from .models import CircleMembership, CircleSeries, Meeting
from .rules import can_join_series


def _series_or_404(slug: str) -> CircleSeries:
    return get_object_or_404(selectors.series_public(), slug=slug)


def _mine(request: HttpRequest, membership_id: int) -> CircleMembership:
    # Someone else's membership is "not found": its existence is not revealed.
    return get_object_or_404(
        CircleMembership.objects.select_related(
            "series", "series__event", "circle", "circle__facilitator", "agreement"
        ),
        pk=membership_id,
        user=request.user,
    )


@require_safe
def series_list(request: HttpRequest) -> HttpResponse:
    return render(request, "circles/list.html", {"series_list": selectors.series_public().order_by("name")})


@require_safe
def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = _series_or_404(slug)
    mine = None
    if request.user.is_authenticated:
        mine = CircleMembership.objects.active().filter(series=series, user=request.user).first()
    # Signed out, the join button stays: signing in comes first, and the join page says what is needed.
    may_join = not request.user.is_authenticated or can_join_series(request.user, series)
    context = {
        "series": series,
        "agreement": services.agreement_current(series),
        "mine": mine,
        "may_join": may_join,
        "join_refusal": "" if may_join else services.join_refusal(series),
    }
    return render(request, "circles/series.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="30/h", method="POST")
def join(request: HttpRequest, slug: str) -> HttpResponse:
    series = _series_or_404(slug)
    mine = CircleMembership.objects.active().filter(series=series, user=request.user).first()
    if mine is not None:
        messages.info(request, _("You have already joined this series."))
        return redirect("circles:membership", membership_id=mine.pk)
    agreement = services.agreement_current(series)
    if not series.is_joinable or agreement is None:
        raise Http404
    if not can_join_series(request.user, series):
        messages.info(request, services.join_refusal(series))
        return redirect("circles:series", slug=series.slug)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            membership = services.membership_join(
                series=series,
                user=request.user,
                data=form.to_input(agreement_version=int(version) if version.isdigit() else 0),
            )
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("You have joined. We will email you when your circle is ready."))
            return redirect("circles:membership", membership_id=membership.pk)
    return render(request, "circles/join.html", {"series": series, "agreement": agreement, "form": form})


@login_required
@require_safe
def my_circles(request: HttpRequest) -> HttpResponse:
    return render(
        request, "circles/my.html", {"memberships": selectors.memberships_for_user(user=request.user)}
    )


@login_required
@require_safe
def membership(request: HttpRequest, membership_id: int) -> HttpResponse:
    mine = _mine(request, membership_id)
    published = mine.series.status == CircleSeries.Status.PUBLISHED and mine.is_active
    circle = mine.circle if published else None
    others = []
    meetings = []
    if circle is not None:
        others = [m for m in selectors.circle_members(circle=circle) if m.pk != mine.pk]
        meetings = selectors.meetings_for(circle=circle)
    context = {
        "membership": mine,
        "series": mine.series,
        "circle": circle,
        "listed": [m.first_name for m in others if m.listed],
        "unlisted": sum(1 for m in others if not m.listed),
        "meetings": meetings,
        "now": timezone.now(),
        "current_agreement": services.agreement_current(mine.series),
    }
    return render(request, "circles/membership.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest, membership_id: int) -> HttpResponse:
    mine = _mine(request, membership_id)
    if not mine.is_active:
        raise Http404
    if request.method == "POST":
        services.membership_leave(membership=mine, user=request.user)
        messages.success(
            request, _("You have left %(series)s. Nobody has been told.") % {"series": mine.series}
        )
        return redirect("circles:my")
    return render(request, "circles/leave.html", {"membership": mine})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="30/h", method="POST")
def not_with(request: HttpRequest, membership_id: int) -> HttpResponse:
    mine = _mine(request, membership_id)
    if not mine.is_active:
        raise Http404
    form = NotWithForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.not_with_add(membership=mine, user=request.user, named=form.cleaned_data["not_with"])
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Thank you. Only the organiser forming the circles will see this."))
            return redirect("circles:membership", membership_id=mine.pk)
    count = mine.series.not_with_requests.filter(requester=request.user).count()
    return render(request, "circles/not_with.html", {"membership": mine, "form": form, "count": count})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="30/h", method="POST")
def feedback(request: HttpRequest, membership_id: int, meeting_id: int) -> HttpResponse:
    mine = _mine(request, membership_id)
    meeting = get_object_or_404(Meeting, pk=meeting_id, circle_id=mine.circle_id)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(meeting=meeting, user=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except services.CirclesError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Thank you for your feedback. Nobody can see who gave it."))
            return redirect("circles:membership", membership_id=mine.pk)
    return render(request, "circles/feedback.html", {"membership": mine, "meeting": meeting, "form": form})
