"""Pages for Gatherings: browse, read, register (with check your answers), My Gatherings, iCal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from gathering.core.pagecache import Rendered, cache_page, changes_at, person, personal_fragment

from . import calendar, selectors, services
from .forms import RegistrationForm
from .models import BursaryFund, CalendarFeed, Event, Registration
from .pagecache import MY_GATHERINGS, event_page_changes_at, event_page_scopes, my_gatherings_scopes
from .rules import can_manage_event


def _event_or_404(slug: str) -> Event:
    try:
        return selectors.event_get_published(slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/list.html", {"events": selectors.events_upcoming(), "past": False})


@require_safe
def event_past_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/list.html", {"events": selectors.events_past(), "past": True})


@require_safe
@cache_page(scopes=event_page_scopes)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = selectors.event_get_for_page(slug=slug)
        preview = False
    except Event.DoesNotExist:
        # A draft is shown only to those who may manage it, as a preview; to everyone else it does not exist.
        event = selectors.event_get_draft(slug=slug)
        if event is None or not can_manage_event(request.user, event):
            raise Http404 from None
        preview = True
    mine = None
    if request.user.is_authenticated:
        mine = Registration.objects.filter(event=event, user=request.user).live().first()
    changes_at(request, *event_page_changes_at(event))
    availability = selectors.event_availability(event=event)
    context = {
        "event": event,
        "places_left": availability.places_left,
        "full": availability.full,
        "bursaries_open": selectors.bursaries_open(event=event),
        "attendees": selectors.attendee_list(event=event, viewer=mine),
        "mine": mine,
        "position": selectors.waitlist_position(mine) if mine else None,
        "show_join_link": bool(mine and mine.gets_join_link and event.join_link_visible()),
        "preview": preview,
    }
    response = render(request, "events/detail.html", context)
    if preview:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def _register_context(event: Event, form: RegistrationForm) -> dict[str, object]:
    # A refusal about supported places mentions bursaries, so the page links the application when open.
    bursary_link = "invitation_code" in form.errors and selectors.bursaries_open(event=event)
    # Full: the pages say "Join the waiting list" from the start, by the rule the service registers with.
    return {
        "event": event,
        "form": form,
        "bursary_link": bursary_link,
        "full": selectors.event_full(event=event),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="30/h", method="POST")
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    existing = Registration.objects.filter(event=event, email=request.user.email.lower()).live().first()
    if existing is not None:
        messages.info(request, _("You are already registered for this Gathering."))
        return redirect("events:my")
    if not event.registration_open():
        return render(request, "events/closed.html", {"event": event}, status=200)
    form = RegistrationForm(request.POST or None, event=event, user=request.user)
    if request.method != "POST" or "change" in request.POST or not form.is_valid():
        return render(request, "events/register.html", _register_context(event, form))
    data = form.to_input(email=request.user.email)
    if "confirm" not in request.POST:
        # Check the service would accept it before showing "check your answers".
        try:
            services.validate_registration(event=event, data=data)
        except services.RegistrationError as error:
            form.apply_service_errors(error)
            return render(request, "events/register.html", _register_context(event, form))
        return render(
            request, "events/check.html", {**_register_context(event, form), "rows": form.summary()}
        )
    try:
        result = services.registration_create(event=event, user=request.user, data=data)
    except services.RegistrationError as error:
        form.apply_service_errors(error)
        return render(request, "events/register.html", _register_context(event, form))
    registration = result.registration
    if registration.status == Registration.Status.WAITLISTED:
        messages.success(
            request,
            _(
                "This Gathering is full, so you are on the waiting list at number %(n)s. "
                "We will email you if a place "
                "comes up."
            )
            % {"n": result.waitlist_position},
        )
    else:
        messages.success(request, _("You are registered. We have sent a confirmation to your email."))
    return redirect("events:my")


@login_required
@require_safe
def my_gatherings(request: HttpRequest) -> HttpResponse:
    # The person's list is kept in the page cache for them alone, under the versions of what it shows; the
    # rest of the page (header, messages) is theirs at every request.
    user = request.user
    listing = personal_fragment(
        request,
        name=MY_GATHERINGS,
        owner=person(user.pk),
        scopes=lambda: my_gatherings_scopes(selectors.my_gatherings_events(user=user)),
        render=lambda: _my_gatherings_listing(request),
    )
    return render(request, "events/my.html", {"listing": listing})


def _my_gatherings_listing(request: HttpRequest) -> Rendered:
    from .feedback import feedback_link_path, feedback_state

    mine = selectors.my_gatherings(user=request.user)
    for registration in mine.registrations:
        registration.feedback = feedback_state(registration)
        if registration.feedback == "open":
            registration.feedback_url = feedback_link_path(registration)
    feed_url = request.build_absolute_uri(f"/calendar/feed.ics?key={mine.feed.token}") if mine.feed else None
    html = render_to_string(
        "events/_my_listing.html",
        {"registrations": mine.registrations, "applications": mine.applications, "feed_url": feed_url},
        request=request,
    )
    return Rendered(
        html=html,
        scopes=tuple(my_gatherings_scopes(mine.events())),
        # A Gathering that ends loses its links to change or cancel, and may ask for feedback.
        moments=tuple(registration.event.ends_at for registration in mine.registrations),
    )


def _my_registration(request: HttpRequest, registration_id: int) -> Registration:
    # Someone else's registration is "not found": its existence is not revealed.
    return get_object_or_404(
        Registration.objects.select_related("event", "ticket_type"), pk=registration_id, user=request.user
    )


def _ended(request: HttpRequest, registration: Registration) -> HttpResponse:
    messages.info(
        request,
        _("%(event)s has ended, so its registration can no longer be changed or cancelled.")
        % {"event": registration.event.title},
    )
    return redirect("events:my")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _my_registration(request, registration_id)
    if registration.status in Registration.ENDED:
        raise Http404
    if registration.event.is_past:
        return _ended(request, registration)
    if request.method == "POST":
        services.registration_cancel(registration=registration, user=request.user)
        messages.success(
            request, _("Your registration for %(event)s is cancelled.") % {"event": registration.event}
        )
        return redirect("events:my")
    return render(request, "events/cancel.html", {"registration": registration})


@login_required
@require_POST
def registration_offer(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _my_registration(request, registration_id)
    try:
        if request.POST.get("answer") == "accept":
            services.registration_offer_accept(registration=registration, user=request.user)
            messages.success(request, _("The place is yours. See you there."))
        elif request.POST.get("answer") == "decline":
            services.registration_offer_decline(registration=registration, user=request.user)
            messages.success(
                request, _("Thank you for letting us know. The place will go to the next person.")
            )
        else:
            messages.error(request, _("Choose whether to accept or decline the place."))
    except services.RegistrationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect("events:my")


@require_safe
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    body = calendar.event_ics(event, request=request)
    return calendar.calendar_response(request, body, changed=[event.updated_at], filename=f"{event.slug}.ics")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="10/h", method="POST")
def bursary_apply(request: HttpRequest, slug: str) -> HttpResponse:
    from . import bursaries
    from .forms import BursaryApplicationForm

    event = _event_or_404(slug)
    existing = (
        event.bursary_applications.filter(email=request.user.email.lower())
        .exclude(status="withdrawn")
        .first()
    )
    if existing is not None:
        return render(request, "events/bursary_status.html", {"event": event, "application": existing})
    fund = BursaryFund.objects.filter(event=event).first()
    if fund is None or not fund.open or event.is_past:
        return render(request, "events/bursary_closed.html", {"event": event})
    form = BursaryApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bursaries.bursary_apply(
                event=event,
                user=request.user,
                support=form.cleaned_data["support"],
                amount_requested_minor=form.cleaned_data["amount"],
                circumstances=form.cleaned_data["circumstances"],
            )
        except services.RegistrationError as error:
            for key, texts in (
                error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            ):
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(
                request, _("Thank you. We have your application and will email you with a decision.")
            )
            return redirect("events:bursary", slug=event.slug)
    return render(request, "events/bursary_apply.html", {"event": event, "form": form})


@login_required
@require_POST
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_renew(user=request.user)
    messages.success(request, _("Your calendar address is ready. Any earlier address no longer works."))
    return redirect("events:my")


@require_safe
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """A person's private feed. The key travels in the query string, which our logs never record."""
    key = request.GET.get("key", "")
    feed = CalendarFeed.objects.select_related("user").filter(token=key).first() if key else None
    if feed is None or not feed.user.is_active:
        raise Http404
    registrations = list(selectors.registrations_for_user(user=feed.user))
    body = calendar.registrations_ics(registrations, request=request, name=_("My Gatherings"))
    changed = [
        feed.created_at,
        *(r.updated_at for r in registrations),
        *(r.event.updated_at for r in registrations),
    ]
    return calendar.calendar_response(request, body, changed=changed, private=True)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="30/h", method="POST")
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The anonymous survey, opened from the link in the invitation email (no sign-in needed)."""
    from . import feedback as feedback_service
    from .forms import FeedbackForm

    event = _event_or_404(slug)
    token = request.POST.get("t") or request.GET.get("t", "")
    registration = feedback_service.registration_from_token(token) if token else None
    if registration is None or registration.event_id != event.pk:
        return render(request, "events/feedback_link.html", {"event": event}, status=404)
    form = FeedbackForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_service.feedback_submit(
                registration=registration,
                outcome_ratings=form.outcome_ratings(),
                felt_safe=form.cleaned_data["felt_safe"],
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
        except services.RegistrationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return render(request, "events/feedback_thanks.html", {"event": event})
    return render(request, "events/feedback.html", {"event": event, "form": form, "token": token})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def registration_edit(request: HttpRequest, registration_id: int) -> HttpResponse:
    from .forms import RegistrationEditForm

    registration = _my_registration(request, registration_id)
    if registration.status in Registration.ENDED:
        raise Http404
    if registration.event.is_past:
        return _ended(request, registration)
    form = RegistrationEditForm(request.POST or None, registration=registration)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update(
                registration=registration, user=request.user, data=form.to_input(email=registration.email)
            )
        except services.RegistrationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Your answers are saved."))
            return redirect("events:my")
    return render(request, "events/edit.html", {"registration": registration, "form": form})
