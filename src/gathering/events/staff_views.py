"""Organisers' pages for their Gatherings: registrations with counts and filters, payments, check-in."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required

from . import selectors, services
from .forms import (
    BursaryDecisionForm,
    BursaryReviewForm,
    EventForm,
    FundForm,
    MessageForm,
    QuestionForm,
    TicketTypeForm,
    VenueForm,
)
from .models import BursaryApplication, BursaryFund, Event, Question, Registration, TicketType, Venue
from .rules import can_manage_event


def _managed_event(request: HttpRequest, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    return event


@permission_required("accounts.organise")
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "events/staff/list.html", {"events": selectors.events_managed_by(user=request.user)}
    )


@permission_required("accounts.organise")
@require_safe
def registrations(request: HttpRequest, slug: str) -> HttpResponse:
    event = _managed_event(request, slug)
    status = request.GET.get("status", "")
    ticket = request.GET.get("ticket", "")
    rows = selectors.registrations_for_event(event=event)
    if status in Registration.Status.values:
        rows = rows.filter(status=status)
    if ticket.isdigit():
        rows = rows.filter(ticket_type_id=int(ticket))
    rows = list(rows)
    positions = selectors.waitlist_positions(registrations=rows)
    for row in rows:
        row.position = positions.get(row.pk)
    context = {
        "event": event,
        "rows": rows,
        "counts": selectors.registration_status_counts(event=event),
        "places": selectors.event_place_count(event=event),
        "by_ticket": selectors.ticket_type_counts(event=event),
        "mix": selectors.perspective_mix(event=event),
        "statuses": Registration.Status.choices,
        "status": status,
        "ticket": ticket,
    }
    return render(request, "events/staff/registrations.html", context)


@permission_required("accounts.organise")
@require_POST
def mark_paid(request: HttpRequest, slug: str, registration_id: int) -> HttpResponse:
    event = _managed_event(request, slug)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    try:
        services.registration_mark_paid(registration=registration, actor=request.user)
    except services.RegistrationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as paid."))
    return redirect("events_staff:registrations", slug=event.slug)


def _desk_registration(request: HttpRequest, event: Event, field: str) -> Registration:
    raw = request.POST[field]
    registration = Registration.objects.filter(pk=int(raw), event=event).first() if raw.isdigit() else None
    if registration is None:
        raise Http404
    return registration


def _check_in_action(request: HttpRequest, event: Event) -> None:
    """One desk action from a POST: check in, undo a check-in, or mark paid; the outcome as a message."""
    try:
        if "undo" in request.POST:
            registration = services.registration_check_in_undo(
                registration=_desk_registration(request, event, "undo"), actor=request.user
            )
            messages.success(request, _("%(name)s is no longer checked in.") % {"name": registration.name})
        elif "paid" in request.POST:
            registration = services.registration_mark_paid(
                registration=_desk_registration(request, event, "paid"), actor=request.user
            )
            messages.success(request, _("%(name)s has paid.") % {"name": registration.name})
        else:
            registration, newly = services.registration_check_in(
                registration=_desk_registration(request, event, "registration"), actor=request.user
            )
            when = timezone.localtime(registration.checked_in_at, event.zone).strftime("%H:%M")
            messages.success(
                request,
                (_("%(name)s is checked in.") if newly else _("%(name)s was already checked in at %(time)s."))
                % {"name": registration.name, "time": when},
            )
    except services.RegistrationError as error:
        messages.error(request, " ".join(error.messages))


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Mobile-first check-in desk: counts, everyone expected, and a search by name, by the code in the
    ticket's QR code or by the reference in the email. The form POSTs its search so names stay out of
    addresses and logs; a plain GET with `q` works too (a bookmark, a browser without the form)."""
    event = _managed_event(request, slug)
    if request.method == "POST" and {"registration", "undo", "paid"} & set(request.POST):
        _check_in_action(request, event)
        return redirect("events_staff:check_in", slug=event.slug)
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "").strip()[:150]
    if query:
        people = selectors.check_in_search(event=event, query=query)
        if not people:
            messages.info(request, _("Nobody with a place matches that name or code."))
    else:
        people = selectors.check_in_expected(event=event)
    shown = [r for r in people if r.share_access_with_venue and (r.access_needs or r.access_needs_other)]
    if shown:
        from gathering.privacy.services import audit_record

        audit_record(
            actor=request.user,
            action="viewed",
            subject=event,
            detail=f"access needs of {len(shown)} people at check-in",
        )
    context = {
        "event": event,
        "people": people,
        "searched": bool(query),
        "query": query,
        "counts": selectors.check_in_counts(event=event),
    }
    return render(request, "events/staff/check_in.html", context)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def bursary_queue(request: HttpRequest, slug: str) -> HttpResponse:
    from . import bursaries

    event = _managed_event(request, slug)
    summary = bursaries.fund_summary(event=event)
    fund = BursaryFund.objects.filter(event=event).first()
    form = FundForm(
        request.POST or None,
        initial={"total": f"{summary.total_minor / 100:.2f}", "open": fund.open if fund else True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bursaries.fund_set(
                event=event,
                actor=request.user,
                total_minor=form.cleaned_data["total"],
                open=form.cleaned_data["open"],
            )
        except services.RegistrationError as error:
            for text in error.message_dict.get("total", error.messages):
                form.add_error("total", text)
        else:
            messages.success(request, _("The bursary fund is saved."))
            return redirect("events_staff:bursaries", slug=event.slug)
    context = {
        "event": event,
        "applications": bursaries.bursary_queue(event=event),
        "summary": summary,
        "form": form,
        "show_names": request.GET.get("names") == "1",
    }
    return render(request, "events/staff/bursaries.html", context)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def bursary_review(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    from . import bursaries

    event = _managed_event(request, slug)
    application = get_object_or_404(BursaryApplication, pk=application_id, event=event)
    review = BursaryReviewForm(
        request.POST if "review" in request.POST else None,
        initial={"score": application.score, "notes": application.reviewer_notes},
        prefix="review",
    )
    no_place = application.status in {
        BursaryApplication.Status.SUBMITTED,
        BursaryApplication.Status.WAITLISTED,
    } and not bursaries.event_has_place_for_award(event=event)
    decision = BursaryDecisionForm(
        request.POST if "decide" in request.POST else None, prefix="decide", no_place=no_place
    )
    try:
        if "review" in request.POST and review.is_valid():
            bursaries.bursary_review(
                application=application,
                actor=request.user,
                score=review.cleaned_data["score"],
                notes=review.cleaned_data["notes"],
            )
            messages.success(request, _("Your review is saved."))
            return redirect("events_staff:bursary", slug=event.slug, application_id=application.pk)
        if "decide" in request.POST and decision.is_valid():
            bursaries.bursary_decide(
                application=application,
                actor=request.user,
                decision=decision.cleaned_data["decision"],
                amount_awarded_minor=decision.cleaned_data["amount_awarded"],
                travel_owed_minor=decision.cleaned_data["travel_owed"],
                message=decision.cleaned_data["message"],
                place=decision.cleaned_data.get("place", ""),
            )
            messages.success(request, _("The decision is saved and the applicant will be emailed."))
            return redirect("events_staff:bursaries", slug=event.slug)
    except services.RegistrationError as error:
        form = decision if "decide" in request.POST else review
        pairs = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
        for key, texts in pairs:
            for text in texts:
                form.add_error(key if key in form.fields else None, text)
    if request.method != "POST":
        from gathering.privacy.services import audit_record

        audit_record(actor=request.user, action="viewed", subject=application, detail="bursary application")
    context = {
        "event": event,
        "application": application,
        "review": review,
        "decision": decision,
        "summary": bursaries.fund_summary(event=event),
        "no_place": no_place,
        "show_name": request.GET.get("names") == "1",
    }
    return render(request, "events/staff/bursary.html", context)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def message_attendees(request: HttpRequest, slug: str) -> HttpResponse:

    event = _managed_event(request, slug)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.event_message_attendees(
                event=event,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except services.RegistrationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("Your message is on its way to %(n)s people.") % {"n": count})
            return redirect("events_staff:registrations", slug=event.slug)
    return render(request, "events/staff/message.html", {"event": event, "form": form})


def _save_event(request: HttpRequest, form: EventForm, *, creating: bool) -> HttpResponse | None:
    from django.core.exceptions import ValidationError

    if not form.is_valid():
        return None
    try:
        event, told = services.event_save(
            actor=request.user, event=form.save(commit=False), creating=creating
        )
    except ValidationError as error:
        for key, texts in error.message_dict.items():
            for text in texts:
                form.add_error(key if key in form.fields else None, text)
        return None
    if told:
        messages.success(request, _("Saved. Everyone registered is being told about the change."))
    else:
        messages.success(request, _("Saved."))
    return redirect("events_staff:registrations", slug=event.slug)


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:

    form = EventForm(
        request.POST or None, initial={"status": Event.Status.DRAFT, "time_zone": "Europe/London"}
    )
    if request.method == "POST" and (done := _save_event(request, form, creating=True)):
        return done
    return render(request, "events/staff/event_form.html", {"form": form, "event": None})


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:

    event = _managed_event(request, slug)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and (done := _save_event(request, form, creating=False)):
        return done
    return render(request, "events/staff/event_form.html", {"form": form, "event": event})


def _child_editor(
    request: HttpRequest,
    slug: str,
    *,
    model: type,
    form_class: type,
    pk: int | None,
    label: str,
    save=None,
):
    event = _managed_event(request, slug)
    instance = get_object_or_404(model, pk=pk, event=event) if pk else model(event=event)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if save is None:
                form.save()
            else:
                save(form.save(commit=False))
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("Saved."))
            return redirect("events_staff:setup", slug=event.slug)
    return render(request, "events/staff/child_form.html", {"event": event, "form": form, "label": label})


@permission_required("accounts.organise")
@require_safe
def event_setup(request: HttpRequest, slug: str) -> HttpResponse:
    from .forms import ticket_price

    event = _managed_event(request, slug)
    tickets = list(event.ticket_types.all())
    for ticket in tickets:
        ticket.price_text = ticket_price(ticket, event.currency)
    return render(
        request,
        "events/staff/setup.html",
        {"event": event, "tickets": tickets, "questions": event.questions.all()},
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_edit(request: HttpRequest, slug: str, ticket_id: int | None = None) -> HttpResponse:

    return _child_editor(
        request,
        slug,
        model=TicketType,
        form_class=TicketTypeForm,
        pk=ticket_id,
        label=_("Ticket"),
        save=lambda ticket: services.ticket_type_save(actor=request.user, ticket=ticket),
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def event_copy(request: HttpRequest, slug: str) -> HttpResponse:
    """Copy a Gathering as the start of a new one: one page asking the new title and date."""
    from .forms import EventCopyForm

    source = get_object_or_404(Event, slug=slug)
    if not can_manage_event(request.user, source):
        # Not found rather than refused: the answer does not confirm that a draft of that name exists.
        raise Http404
    form = EventCopyForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.event_copy(
                actor=request.user,
                source=source,
                title=form.cleaned_data["title"],
                starts_at=form.starts_at(),
            )
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(
                request,
                _("Copied. The new Gathering is a draft: check its details and tickets, then publish it."),
            )
            return redirect("events_staff:edit", slug=copy.slug)
    return render(request, "events/staff/copy.html", {"source": source, "form": form})


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, slug: str, question_id: int | None = None) -> HttpResponse:

    return _child_editor(
        request,
        slug,
        model=Question,
        form_class=QuestionForm,
        pk=question_id,
        label=_("Registration question"),
    )


@permission_required("accounts.organise")
@require_safe
def feedback_report(request: HttpRequest, slug: str) -> HttpResponse:
    from . import feedback

    event = _managed_event(request, slug)
    report = feedback.feedback_report(event=event)
    return render(
        request,
        "events/staff/feedback.html",
        {"event": event, "report": report, "minimum": feedback.MIN_RESPONSES},
    )


@permission_required("accounts.organise")
@require_safe
def venue_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "events/staff/venues.html", {"venues": selectors.venues_editable_by(user=request.user)}
    )


@permission_required("accounts.organise")
@require_http_methods(["GET", "HEAD", "POST"])
def venue_edit(request: HttpRequest, venue_id: int | None = None) -> HttpResponse:
    # 404, not 403, for a venue they may not edit: the answer does not confirm that it exists.
    venue = (
        get_object_or_404(selectors.venues_editable_by(user=request.user), pk=venue_id)
        if venue_id
        else Venue()
    )
    form = VenueForm(request.POST or None, request.FILES or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_save(actor=request.user, venue=form.save(commit=False))
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("The venue is saved."))
            return redirect("events_staff:venues")
    return render(
        request, "events/staff/venue_form.html", {"form": form, "venue": venue if venue.pk else None}
    )


@permission_required("accounts.organise")
@require_safe
def registrations_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Registrations as CSV: what the role may see. Special-category columns only with the permission for
    them, and each such export is written to the audit log."""
    from gathering.core.spreadsheets import csv_response
    from gathering.privacy.services import audit_record

    event = _managed_event(request, slug)
    special = request.GET.get("special") == "1"
    if special and not request.user.has_perm("accounts.view_special_category"):
        raise PermissionDenied
    rows = selectors.registrations_for_event(event=event)
    header = [
        "name",
        "pronouns",
        "email",
        "ticket",
        "status",
        "amount_pence",
        "paid",
        "checked_in",
        "dietary_needs",
        "region",
    ]
    if special:
        header += ["perspectives", "access_needs", "access_needs_other", "share_with_venue"]
    labels = dict(Registration.AccessNeed.choices) | dict(Registration.Perspective.choices)
    lines = []
    for r in rows:
        line = [
            r.name,
            r.pronouns,
            r.email,
            r.ticket_type.name,
            r.status,
            r.amount_minor,
            "yes" if r.paid_at else "",
            "yes" if r.checked_in_at else "",
            r.dietary_needs,
            r.get_region_display(),
        ]
        if special:
            line += [
                "; ".join(str(labels.get(p, p)) for p in r.perspectives or []),
                "; ".join(str(labels.get(n, n)) for n in r.access_needs or []),
                r.access_needs_other,
                "yes" if r.share_access_with_venue else "",
            ]
        lines.append(line)
    response = csv_response(filename=f"{event.slug}-registrations.csv", header=header, rows=lines)
    if special:
        audit_record(
            actor=request.user,
            action="exported",
            subject=event,
            detail="registrations CSV with special-category columns",
        )
    return response
