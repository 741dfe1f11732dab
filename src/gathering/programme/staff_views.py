"""Organisers' and reviewers' pages for a programme: the grid, the call for sessions and its review, the
board (pin, merge, move, drop), the timetable editor, and optimiser runs with their diff before publishing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required
from gathering.events.models import Event

from . import selectors, services, timetabling
from .forms import (
    DecisionForm,
    MergeForm,
    MoveForm,
    OptimiseForm,
    ProgrammeSettingsForm,
    ReviewForm,
    RoomForm,
    SlotForm,
)
from .models import Programme, Room, Session, Slot, TimetableRun
from .rules import can_manage_programme, can_review, can_see_proposers

ORGANISE = "accounts.organise"


def _event(request: HttpRequest, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can_manage_programme(request.user, event):
        raise PermissionDenied
    return event


def _programme(request: HttpRequest, slug: str) -> Programme:
    event = _event(request, slug)
    programme = Programme.objects.filter(event=event).select_related("event").first()
    if programme is None:
        raise Http404
    return programme


def _reviewed_programme(request: HttpRequest, slug: str) -> Programme:
    event = get_object_or_404(Event, slug=slug)
    if not can_review(request.user, event):
        raise PermissionDenied
    programme = Programme.objects.filter(event=event).select_related("event").first()
    if programme is None:
        raise Http404
    return programme


def _show_errors(request: HttpRequest, error: services.ProgrammeChangeError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _flash_form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _form_errors(form, error: services.ProgrammeChangeError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _slot_choices(programme: Programme, slots: list[Slot], *, playable_only: bool = False) -> list:
    zone = programme.event.zone
    return [
        (slot.pk, timetabling.slot_label(slot, zone) + (f" ({slot.label})" if slot.label else ""))
        for slot in slots
        if not (playable_only and slot.is_break)
    ]


# ----------------------------------------------------------------------------------------- overview


@permission_required()
@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    events = selectors.staff_programmes(user=request.user)
    return render(request, "programme/staff/list.html", {"events": events})


@permission_required(ORGANISE)
@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    programme = Programme.objects.filter(event=event).first()
    if programme is None:
        return render(request, "programme/staff/start.html", {"event": event})
    sessions = selectors.staff_sessions(programme=programme)
    in_play = [s for s in sessions if s.is_in_play]
    context = {
        "event": event,
        "programme": programme,
        "in_play": in_play,
        "under_review": [
            s for s in sessions if s.track == Session.Track.CURATED and s.status == Session.Status.PROPOSED
        ],
        "waiting": [s for s in sessions if s.status == Session.Status.WAITING],
        "off_board": [s for s in sessions if s.status not in (*Session.ON_PROGRAMME, Session.Status.WAITING)],
        "runs": selectors.timetable_runs(programme=programme, limit=5),
        "optimise_form": OptimiseForm(),
        "grid_counts": (programme.slots.filter(is_break=False).count(), programme.rooms.count()),
    }
    return render(request, "programme/staff/board.html", context)


@permission_required(ORGANISE)
@require_POST
def programme_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    services.programme_create(event=event, actor=request.user)
    messages.success(request, _("The programme is set up. Start with its grid: slots and rooms."))
    return redirect("programme_staff:grid", slug=event.slug)


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def programme_settings(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug)
    zone = programme.event.zone
    initial = {
        "cfp_opens_at": programme.cfp_opens_at,
        "cfp_closes_at": programme.cfp_closes_at,
        "anonymised_review": programme.anonymised_review,
        "open_space": programme.open_space,
        "move_cost": programme.move_cost,
        "proposals_need_approval": programme.proposals_need_approval,
        "reviewers": "\n".join(programme.reviewers.order_by("email").values_list("email", flat=True)),
    }
    form = ProgrammeSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial, zone=zone
    )
    if request.method == "POST" and form.is_valid():
        data = services.SettingsInput(
            cfp_opens_at=form.cleaned_data["cfp_opens_at"],
            cfp_closes_at=form.cleaned_data["cfp_closes_at"],
            anonymised_review=form.cleaned_data["anonymised_review"],
            open_space=form.cleaned_data["open_space"],
            move_cost=form.cleaned_data["move_cost"],
            reviewer_emails=form.cleaned_data["reviewers"],
            proposals_need_approval=form.cleaned_data["proposals_need_approval"],
        )
        try:
            services.programme_settings_update(programme=programme, actor=request.user, data=data)
        except services.ProgrammeChangeError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Programme settings saved."))
            return redirect("programme_staff:board", slug=slug)
    return render(request, "programme/staff/settings.html", {"programme": programme, "form": form})


# --------------------------------------------------------------------------------------------- grid


@permission_required(ORGANISE)
@require_safe
def grid(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug)
    slots, rooms = selectors.staff_grid(programme=programme)
    zone = programme.event.zone
    for slot in slots:
        slot.when = timetabling.slot_label(slot, zone)
    labels = {slot.pk: slot.when for slot in slots}
    for room in rooms:
        room.unavailable = [labels[s.pk] for s in room.unavailable_slots.all() if s.pk in labels]
    return render(
        request, "programme/staff/grid.html", {"programme": programme, "slots": slots, "rooms": rooms}
    )


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def slot_edit(request: HttpRequest, slug: str, slot_id: int | None = None) -> HttpResponse:
    programme = _programme(request, slug)
    slot = get_object_or_404(Slot, pk=slot_id, programme=programme) if slot_id else None
    initial = (
        {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "is_break": slot.is_break, "label": slot.label}
        if slot
        else {}
    )
    form = SlotForm(
        request.POST if request.method == "POST" else None, initial=initial, zone=programme.event.zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_save(programme=programme, actor=request.user, slot=slot, **form.cleaned_data)
        except services.ProgrammeChangeError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Slot saved."))
            return redirect("programme_staff:grid", slug=slug)
    return render(
        request, "programme/staff/slot_form.html", {"programme": programme, "slot": slot, "form": form}
    )


def _remove(request: HttpRequest, slug: str, model, pk: int, remove, done: str) -> HttpResponse:
    """Remove a slot or a room of the grid, or say why it stays."""
    programme = _programme(request, slug)
    thing = get_object_or_404(model, pk=pk, programme=programme)
    try:
        remove(thing, request.user)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
    else:
        messages.success(request, done)
    return redirect("programme_staff:grid", slug=slug)


@permission_required(ORGANISE)
@require_POST
def slot_delete(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    return _remove(
        request,
        slug,
        Slot,
        slot_id,
        lambda slot, actor: services.slot_delete(slot=slot, actor=actor),
        _("Slot removed."),
    )


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def room_edit(request: HttpRequest, slug: str, room_id: int | None = None) -> HttpResponse:
    programme = _programme(request, slug)
    room = get_object_or_404(Room, pk=room_id, programme=programme) if room_id else None
    slots = list(programme.slots.filter(is_break=False))
    initial = (
        {
            "name": room.name,
            "capacity": room.capacity,
            "features": room.features,
            "is_online": room.is_online,
            "position": room.position,
            "unavailable_slots": [str(pk) for pk in room.unavailable_slots.values_list("pk", flat=True)],
        }
        if room
        else {"position": programme.rooms.count() + 1}
    )
    form = RoomForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        slots=_slot_choices(programme, slots),
    )
    if request.method == "POST" and form.is_valid():
        data = services.RoomInput(
            name=form.cleaned_data["name"],
            capacity=form.cleaned_data["capacity"],
            features=form.cleaned_data["features"],
            is_online=form.cleaned_data["is_online"],
            position=form.cleaned_data["position"] or 0,
            unavailable_slot_ids=[int(pk) for pk in form.cleaned_data["unavailable_slots"]],
        )
        try:
            services.room_save(programme=programme, actor=request.user, data=data, room=room)
        except services.ProgrammeChangeError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Room saved."))
            return redirect("programme_staff:grid", slug=slug)
    return render(
        request, "programme/staff/room_form.html", {"programme": programme, "room": room, "form": form}
    )


@permission_required(ORGANISE)
@require_POST
def room_delete(request: HttpRequest, slug: str, room_id: int) -> HttpResponse:
    return _remove(
        request,
        slug,
        Room,
        room_id,
        lambda room, actor: services.room_delete(room=room, actor=actor),
        _("Room removed."),
    )


# ------------------------------------------------------------------------------------------- review


@permission_required()
@require_safe
def reviews(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _reviewed_programme(request, slug)
    context = {
        "programme": programme,
        "sessions": selectors.review_queue(programme=programme, reviewer=request.user),
        "show_proposers": can_see_proposers(request.user, programme.event),
        "can_decide": can_manage_programme(request.user, programme.event),
    }
    return render(request, "programme/staff/reviews.html", context)


@permission_required()
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _reviewed_programme(request, slug)
    try:
        session = selectors.review_session(programme=programme, session_id=session_id)
    except Session.DoesNotExist:
        raise Http404 from None
    mine = next((r for r in session.reviews.all() if r.reviewer_id == request.user.pk), None)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"score": str(mine.score), "comment": mine.comment} if mine else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_save(session=session, reviewer=request.user, **form.cleaned_data)
        except services.ProgrammeChangeError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your review is saved."))
            return redirect("programme_staff:reviews", slug=slug)
    can_decide = can_manage_programme(request.user, programme.event)
    context = {
        "programme": programme,
        "session": session,
        "form": form,
        "decision_form": DecisionForm() if can_decide else None,
        "show_proposers": can_see_proposers(request.user, programme.event),
        "own": session.proposer_id == request.user.pk,
    }
    return render(request, "programme/staff/review.html", context)


@permission_required(ORGANISE)
@require_POST
def decide(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = get_object_or_404(Session, pk=session_id, programme=programme, track=Session.Track.CURATED)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect("programme_staff:review", slug=slug, session_id=session.pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.proposal_decide(
            session=session, actor=request.user, accept=accept, message=form.cleaned_data["message"]
        )
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
        return redirect("programme_staff:review", slug=slug, session_id=session.pk)
    messages.success(
        request,
        (
            _("Accepted; the proposer has been told.")
            if accept
            else _("Declined; the proposer has been told.")
        ),
    )
    return redirect("programme_staff:reviews", slug=slug)


# -------------------------------------------------------------------------------- board and editor


def _session(programme: Programme, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("slot", "room", "proposer"), pk=session_id, programme=programme
    )


def _move_form(programme: Programme, data=None, session: Session | None = None) -> MoveForm:
    slots, rooms = selectors.staff_grid(programme=programme)
    initial = (
        {"slot": str(session.slot_id), "room": str(session.room_id)} if session and session.slot_id else None
    )
    return MoveForm(
        data,
        initial=initial,
        slots=_slot_choices(programme, slots, playable_only=True),
        rooms=[(room.pk, f"{room.name} ({room.capacity})") for room in rooms],
    )


def _merge_form(programme: Programme, session: Session, data=None) -> MergeForm:
    others = programme.sessions.in_play().exclude(pk=session.pk).order_by("title")
    return MergeForm(data, sessions=list(others.values_list("pk", "title")))


@permission_required(ORGANISE)
@require_safe
def session_detail(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    return _render_session(request, programme, session)


def _render_session(request, programme, session, *, move_form=None, merge_form=None, status=200):
    context = {
        "programme": programme,
        "session": session,
        "facilitators": list(session.facilitators.order_by("name")),
        "interest_count": session.interests.count(),
        "move_form": move_form or _move_form(programme, session=session),
        "merge_form": merge_form or _merge_form(programme, session),
        "in_play": session.is_in_play,
    }
    return render(request, "programme/staff/session.html", context, status=status)


def _back(request: HttpRequest, slug: str, session: Session) -> HttpResponse:
    if request.POST.get("next") == "timetable":
        return redirect(
            reverse("programme_staff:timetable", kwargs={"slug": slug}) + f"#session-{session.pk}"
        )
    return redirect("programme_staff:session", slug=slug, session_id=session.pk)


@permission_required(ORGANISE)
@require_POST
def session_move(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    form = _move_form(programme, request.POST)
    from_timetable = request.POST.get("next") == "timetable"
    if form.is_valid():
        slot = get_object_or_404(Slot, pk=form.cleaned_data["slot"], programme=programme)
        room = get_object_or_404(Room, pk=form.cleaned_data["room"], programme=programme)
        try:
            services.session_move(session=session, actor=request.user, slot=slot, room=room)
        except services.ProgrammeChangeError as error:
            if from_timetable:
                _show_errors(request, error)
                return _back(request, slug, session)
            _form_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” moved.") % {"title": session.title})
            return _back(request, slug, session)
    elif from_timetable:
        _flash_form_errors(request, form)
        return _back(request, slug, session)
    return _render_session(request, programme, session, move_form=form, status=400)


@permission_required(ORGANISE)
@require_POST
def session_pin(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    pinned = request.POST.get("pinned") == "1"
    try:
        services.session_pin(session=session, actor=request.user, pinned=pinned)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Pinned where it is.") if pinned else _("Unpinned."))
    return _back(request, slug, session)


@permission_required(ORGANISE)
@require_POST
def session_approve(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """Approve (approve=1) or decline an open-space proposal that waits for approval."""
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    approve = request.POST.get("approve") == "1"
    try:
        services.proposal_approve(session=session, actor=request.user, approve=approve)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            (_("“%(title)s” is approved and on the board.") if approve else _("“%(title)s” is declined."))
            % {"title": session.title},
        )
    return redirect("programme_staff:board", slug=slug)


@permission_required(ORGANISE)
@require_POST
def session_merge(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    form = _merge_form(programme, session, request.POST)
    if form.is_valid():
        into = get_object_or_404(Session, pk=form.cleaned_data["into"], programme=programme)
        try:
            services.session_merge(session=session, into=into, actor=request.user)
        except services.ProgrammeChangeError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Merged into “%(title)s”; its interest moved there.") % {"title": into.title}
            )
            return redirect("programme_staff:session", slug=slug, session_id=into.pk)
    return _render_session(request, programme, session, merge_form=form, status=400)


@permission_required(ORGANISE)
@require_POST
def session_drop(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    session = _session(programme, session_id)
    try:
        services.session_drop(session=session, actor=request.user)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
        return _back(request, slug, session)
    messages.success(request, _("“%(title)s” is off the board.") % {"title": session.title})
    return redirect("programme_staff:board", slug=slug)


@permission_required(ORGANISE)
@require_safe
def timetable(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor: rooms across, slots down; each session has a move form (slot and room)."""
    programme = _programme(request, slug)
    slots, rooms = selectors.staff_grid(programme=programme)
    sessions = selectors.staff_sessions(programme=programme)
    zone = programme.event.zone
    playable = [s for s in slots if not s.is_break]
    order = {slot.pk: n for n, slot in enumerate(playable)}
    cells: dict[tuple[int, int], list[tuple[Session, bool]]] = {}
    unplaced = []
    for session in sessions:
        if not session.is_in_play:
            continue
        if session.slot_id in order and session.room_id:
            start = order[session.slot_id]
            for n, slot in enumerate(playable[start : start + session.length]):
                cells.setdefault((slot.pk, session.room_id), []).append((session, n > 0))
        else:
            unplaced.append(session)
    rows = []
    for slot in slots:
        unavailable = {room.pk for room in rooms if slot in room.unavailable_slots.all()}
        rows.append(
            {
                "slot": slot,
                "when": timetabling.slot_label(slot, zone),
                "cells": [
                    {
                        "room": room,
                        "sessions": cells.get((slot.pk, room.pk), []),
                        "closed": room.pk in unavailable,
                    }
                    for room in rooms
                ],
            }
        )
    slot_choices = _slot_choices(programme, slots, playable_only=True)
    room_choices = [(room.pk, room.name) for room in rooms]
    context = {
        "programme": programme,
        "rooms": rooms,
        "rows": rows,
        "unplaced": unplaced,
        "slot_choices": slot_choices,
        "room_choices": room_choices,
    }
    return render(request, "programme/staff/timetable.html", context)


# ------------------------------------------------------------------------------------------- runs


@permission_required(ORGANISE)
@require_POST
def optimise(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug)
    form = OptimiseForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect("programme_staff:board", slug=slug)
    try:
        run = services.timetable_optimise_request(
            programme=programme, actor=request.user, time_limit=form.cleaned_data["time_limit"]
        )
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
        return redirect("programme_staff:board", slug=slug)
    return redirect("programme_staff:run", slug=slug, run_id=run.pk)


@permission_required(ORGANISE)
@require_safe
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    run = get_object_or_404(TimetableRun, pk=run_id, programme=programme)
    placed = len(run.assignments)
    moved = [row for row in run.diff if row["kind"] == "moved"]
    new = [row for row in run.diff if row["kind"] == "new"]
    context = {
        "programme": programme,
        "run": run,
        "working": run.status in (TimetableRun.Status.QUEUED, TimetableRun.Status.RUNNING),
        "moved": moved,
        "new": new,
        "unchanged": placed - len(moved) - len(new),
        "explained": [row for row in run.explanation if row["clashing_people"] or row["overflow"]],
        "calm": sum(1 for row in run.explanation if not row["clashing_people"] and not row["overflow"]),
    }
    return render(request, "programme/staff/run.html", context)


@permission_required(ORGANISE)
@require_POST
def run_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    run = get_object_or_404(TimetableRun, pk=run_id, programme=programme)
    try:
        services.timetable_publish(run=run, actor=request.user)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
        return redirect("programme_staff:run", slug=slug, run_id=run.pk)
    messages.success(
        request, _("The timetable is published. Facilitators whose sessions moved have been told.")
    )
    return redirect("programme_staff:timetable", slug=slug)


@permission_required(ORGANISE)
@require_POST
def run_discard(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    programme = _programme(request, slug)
    run = get_object_or_404(TimetableRun, pk=run_id, programme=programme)
    try:
        services.timetable_discard(run=run, actor=request.user)
    except services.ProgrammeChangeError as error:
        _show_errors(request, error)
        return redirect("programme_staff:run", slug=slug, run_id=run.pk)
    messages.success(request, _("Discarded: the published timetable is unchanged."))
    return redirect("programme_staff:board", slug=slug)
