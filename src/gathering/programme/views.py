"""Programme pages for attendees and the public: the timetable, the proposal board, session pages, the
personal agenda, the printable board, the venue's "now and next" screen, and iCal feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from gathering.core.pagecache import cache_page, changes_at
from gathering.events.calendar import calendar_response
from gathering.events.models import CalendarFeed
from gathering.events.services import calendar_feed_renew

from . import calendar, selectors, services
from .forms import InterestForm, ProposalForm
from .models import Programme, Session
from .pagecache import grid_scopes, timetable_page_scopes
from .rules import can_see_display, can_take_part, can_withdraw

DISPLAY_REFRESH_SECONDS = 60


def programme_or_404(slug: str) -> Programme:
    """The public programme of a Gathering, for pages and the API alike; 404 for drafts and unknown slugs."""
    try:
        return selectors.programme_get_public(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


def session_or_404(programme: Programme, session_id: int) -> Session:
    """A public session of this programme; 404 for another programme's, withdrawn or unreviewed ones."""
    try:
        return selectors.session_get_public(programme=programme, session_id=session_id)
    except Session.DoesNotExist:
        raise Http404 from None


def _board_context(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "event": programme.event,
        "sessions": selectors.board_sessions(programme=programme),
        "levels": selectors.interest_levels(user=request.user, programme=programme),
        "taking_part": request.user.is_authenticated and can_take_part(request.user, programme.event),
    }


@require_safe
@cache_page(scopes=timetable_page_scopes, fragment_scopes=grid_scopes)
def timetable(request: HttpRequest, slug: str) -> HttpResponse:
    """The published grid; until it is published, the proposal board with a plain notice."""
    programme = programme_or_404(slug)
    changes_at(request, programme.event.ends_at)
    context = _board_context(request, programme)
    if programme.published_at:
        sessions = context["sessions"]
        # Built only if the grid is not in the cache already (its fragment on the page).
        context["timetable"] = SimpleLazyObject(
            lambda: selectors.timetable_build(programme=programme, sessions=sessions)
        )
    return render(request, "programme/timetable.html", context)


@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_or_404(slug)
    return render(request, "programme/board.html", _board_context(request, programme))


@require_safe
def session_detail(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = programme_or_404(slug)
    session = session_or_404(programme, session_id)
    running = []
    if programme.published_at:
        running = selectors.session_slots(session, list(programme.slots.all()))
    context = {
        "programme": programme,
        "event": programme.event,
        "session": session,
        "running": running,
        "starts_at": running[0].starts_at if running else None,
        "ends_at": running[-1].ends_at if running else None,
        "levels": selectors.interest_levels(user=request.user, programme=programme),
        "taking_part": request.user.is_authenticated and can_take_part(request.user, programme.event),
        "can_withdraw": can_withdraw(request.user, session),
    }
    return render(request, "programme/session.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user_or_ip", rate="20/h", method="POST")
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_or_404(slug)
    event = programme.event
    if not programme.open_space or event.is_past or not can_take_part(request.user, event):
        return render(request, "programme/propose_closed.html", {"programme": programme, "event": event})
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_propose(
                programme=programme,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                length=form.cleaned_data["length"],
                needs=form.cleaned_data["needs"],
                proposer_shown_as=form.cleaned_data["proposer_shown_as"],
            )
        except services.ProposalError as error:
            form.apply_service_errors(error)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
        else:
            if session.status == Session.Status.WAITING:
                messages.success(request, _("Your proposal is waiting for the organisers' approval."))
                return redirect("programme:agenda")
            messages.success(request, _("Your session is on the board. People can now mark it."))
            return redirect("programme:session", slug=event.slug, session_id=session.pk)
    return render(request, "programme/propose.html", {"programme": programme, "event": event, "form": form})


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def interest(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """Marks "would like" / "really want" (or takes the mark back). A plain form post; with HTMX the button
    and counts are swapped in place."""
    programme = programme_or_404(slug)
    session = session_or_404(programme, session_id)
    session_url = reverse("programme:session", args=[slug, session.pk])
    form = InterestForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = " ".join(form.errors["level"])
    else:
        level = form.cleaned_data["level"]
        try:
            if level:
                services.interest_set(user=request.user, session=session, level=level)
            else:
                services.interest_remove(user=request.user, session=session)
        except services.ProposalError as error:
            problem = " ".join(error.messages)
        except PermissionDenied as refusal:
            problem = str(refusal)
    if request.headers.get("HX-Request") == "true":
        session = session_or_404(programme, session_id)
        context = {
            "event": programme.event,
            "session": session,
            "mine": selectors.interest_levels(user=request.user, programme=programme).get(session.pk),
            "taking_part": can_take_part(request.user, programme.event),
            "next": _back(request, session_url),
            "problem": problem,
        }
        return render(request, "programme/_interest.html", context)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Your mark on “%(title)s” is saved.") % {"title": session.title})
    return redirect(_back(request, session_url))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    programme = programme_or_404(slug)
    session = session_or_404(programme, session_id)
    if not can_withdraw(request.user, session):
        raise Http404
    if request.method == "POST":
        try:
            services.session_withdraw(session=session, user=request.user)
        except (services.ProposalError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("“%(title)s” is withdrawn.") % {"title": session.title})
        return redirect("programme:agenda")
    return render(request, "programme/withdraw.html", {"programme": programme, "session": session})


@require_safe
def board_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The timetable for the venue wall, laid out for one A3 landscape sheet."""
    programme = programme_or_404(slug)
    context = {"programme": programme, "event": programme.event}
    if programme.published_at:
        context["timetable"] = selectors.timetable_build(programme=programme)
    return render(request, "programme/print.html", context)


@require_safe
def now_next(request: HttpRequest, slug: str) -> HttpResponse:
    """The venue display. Opened with the programme's display key it needs no sign-in and refreshes itself
    every minute; the Gathering's organisers may open it without the key to preview it."""
    programme = programme_or_404(slug)
    key = request.GET.get("key", "")
    if not can_see_display(request.user, programme.event, key=key, display_key=programme.display_key):
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        raise Http404
    now = timezone.now()
    context = {"programme": programme, "event": programme.event, "now": now, "display": bool(key)}
    if programme.published_at:
        table = selectors.timetable_build(programme=programme)
        current, upcoming = table.now_and_next(now)
        context["rows"] = [(_("Now"), current), (_("Next"), upcoming)]
        if key:
            context["refresh"] = DISPLAY_REFRESH_SECONDS
    elif key:
        context["refresh"] = DISPLAY_REFRESH_SECONDS
    if not key:
        query = f"?key={programme.display_key}"
        context["display_url"] = request.build_absolute_uri(request.path + query)
    return render(request, "programme/now_next.html", context)


@require_safe
def programme_ics(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_or_404(slug)
    if not programme.published_at:
        raise Http404
    sessions = list(selectors.sessions_public(programme=programme).filter(slot__isnull=False))
    body = calendar.programme_ics(programme, sessions, list(programme.slots.all()), request=request)
    changed = [programme.published_at, programme.event.updated_at, *(s.updated_at for s in sessions)]
    return calendar_response(request, body, changed=changed, filename=f"{programme.event.slug}-programme.ics")


@login_required
@require_safe
def agenda(request: HttpRequest) -> HttpResponse:
    """My programme: the sessions I marked and the ones I facilitate, with clashes spelled out."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = None
    if feed is not None:
        feed_url = request.build_absolute_uri(f"{reverse('programme:feed')}?key={feed.token}")
    context = {"agendas": selectors.agenda_for_user(user=request.user), "feed_url": feed_url}
    return render(request, "programme/agenda.html", context)


@login_required
@require_POST
def agenda_calendar_renew(request: HttpRequest) -> HttpResponse:
    calendar_feed_renew(user=request.user)
    messages.success(
        request,
        _("Your calendar address is ready. Any earlier address (for your Gatherings too) no longer works."),
    )
    return redirect("programme:agenda")


@require_safe
def agenda_feed(request: HttpRequest) -> HttpResponse:
    """A person's private programme feed. The key is their private calendar key (the same one as their
    Gatherings feed, revoked together); it travels in the query string, which our logs never record."""
    key = request.GET.get("key", "")
    feed = CalendarFeed.objects.select_related("user").filter(token=key).first() if key else None
    if feed is None or not feed.user.is_active:
        raise Http404
    agendas = [a for a in selectors.agenda_for_user(user=feed.user) if a.published]
    body = calendar.agenda_ics(agendas, request=request, name=_("My programme"))
    changed = [feed.created_at]
    for agenda in agendas:
        changed += [agenda.programme.published_at, agenda.programme.event.updated_at]
        changed += [item.session.updated_at for item in agenda.items]
    return calendar_response(request, body, changed=changed, private=True)
