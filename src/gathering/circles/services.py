"""Every change to listening circles: joining, leaving, "not with" requests, forming, re-forming, swapping,
publishing, removing a participant, attendance and feedback."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gathering.accounts.models import User
from gathering.core import background
from gathering.core.regions import CHOOSE_FROM_THE_LIST, Region
from gathering.core.runs import run_claim, run_progress
from gathering.optimise.grouping import GroupingResult
from gathering.privacy.services import audit_record

from . import formation
from .models import (
    Attendance,
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleSeries,
    Feedback,
    FeedbackReceipt,
    FormationRun,
    GroupAgreement,
    Meeting,
    NotWithRequest,
    Perspective,
)
from .rules import can_facilitate, can_join_series, can_manage_series

logger = logging.getLogger(__name__)

MAX_NOT_WITH = 10
# Staff addresses that a series' web address must not shadow.
RESERVED_SLUGS = {"new", "facilitating"}
# What a new series starts with; organisers change both.
DEFAULT_ROUNDS = (
    "10 | Arriving, and reading the group agreement together\n"
    "25 | First round: what brought you here today\n"
    "30 | Second round: listening to an experience different from your own\n"
    "15 | Closing round: one thing you take away"
)
DEFAULT_AGREEMENT = (
    "What is said in the circle stays in the circle.\n"
    "We listen without fixing, advising or judging.\n"
    "We speak from our own experience.\n"
    "Anyone may pass, at any time, without saying why.\n"
    "If someone seems to be at risk, the facilitator will talk with them privately and may ask for help."
)
Status = CircleSeries.Status


class CirclesError(ValidationError):
    """A refusal with a message meant for the person acting."""


def _require_organiser(series: CircleSeries, actor: User) -> CircleSeries:
    """The series as it is now in the database, if `actor` organises it."""
    if not can_manage_series(actor, series):
        raise PermissionDenied
    return CircleSeries.objects.select_related("event").get(pk=series.pk)


# ---------------------------------------------------------------------------------------------------
# Series and agreements
# ---------------------------------------------------------------------------------------------------


def series_save(*, series: CircleSeries, actor: User, is_new: bool = False) -> CircleSeries:
    """Create or change a series. A new series' creator becomes one of its organisers."""
    if not actor.has_perm("accounts.organise"):
        raise PermissionDenied
    if not is_new:
        _require_organiser(CircleSeries.objects.get(pk=series.pk), actor)
    if series.event_id is not None and not (
        actor.has_perm("accounts.manage_roles") or series.event.organisers.filter(pk=actor.pk).exists()
    ):
        raise CirclesError({"event": _("You can only add circles to a Gathering you organise.")})
    if series.size_min < 2 or series.size_max < series.size_min:
        raise CirclesError(
            {"size_max": _("The largest circle must be at least the smallest, and circles need 2 or more.")}
        )
    if series.slug in RESERVED_SLUGS:
        raise CirclesError({"slug": _("That web address is taken by a page of its own: choose another.")})
    if series.cover_a == series.cover_b:
        raise CirclesError({"cover_b": _("Choose two different perspectives.")})
    with transaction.atomic():
        series.full_clean()
        series.save()
        if is_new:
            series.organisers.add(actor)
        audit_record(actor=actor, action="changed", subject=series, detail="created" if is_new else "edited")
    return series


def agreement_current(series: CircleSeries) -> GroupAgreement | None:
    return series.agreements.order_by("-version").first()


def agreement_add(*, series: CircleSeries, actor: User, text: str) -> GroupAgreement:
    """A new version of the group agreement. People who joined keep the version they accepted."""
    series = _require_organiser(series, actor)
    text = text.strip()
    if not text:
        raise CirclesError({"text": _("Write the agreement.")})
    with transaction.atomic():
        CircleSeries.objects.select_for_update().get(pk=series.pk)
        current = agreement_current(series)
        if current is not None and current.text == text:
            raise CirclesError(
                {"text": _("This is the same as the current version: change something first.")}
            )
        agreement = GroupAgreement.objects.create(
            series=series, version=(current.version + 1) if current else 1, text=text
        )
        audit_record(actor=actor, action="changed", subject=agreement, detail="new agreement version")
    return agreement


def series_open(*, series: CircleSeries, actor: User) -> CircleSeries:
    series = _require_organiser(series, actor)
    if series.status != Status.DRAFT:
        raise CirclesError(_("This series is already open."))
    if agreement_current(series) is None:
        raise CirclesError(
            _("Write the group agreement before opening the series: people accept it to join.")
        )
    with transaction.atomic():
        series.status = Status.OPEN
        series.save(update_fields=["status"])
        audit_record(actor=actor, action="changed", subject=series, detail="opened for joining")
    return series


# ---------------------------------------------------------------------------------------------------
# Joining, leaving and "not with" requests
# ---------------------------------------------------------------------------------------------------


@dataclass
class JoinInput:
    agreement_version: int
    perspectives: list[str] = field(default_factory=list)
    special_category_consent: bool = False
    region: str = ""
    language: str = ""
    organisation: str = ""
    access_needs: str = ""
    share_access_needs: bool = False
    listed: bool = False
    not_with: list[str] = field(default_factory=list)


def _check_named(named: str, user: User) -> str:
    named = " ".join(named.split())
    if not named:
        raise CirclesError({"not_with": _("Write the person's email address or full name.")})
    if len(named) > 200:
        raise CirclesError({"not_with": _("Keep each name or email address under 200 characters.")})
    if named.lower() in {user.email.lower(), user.name.lower()}:
        raise CirclesError({"not_with": _("That is you: name someone else.")})
    return named


def join_refusal(series: CircleSeries) -> str:
    """Why someone may not join a Gathering's circles, in the words the pages and the service use."""
    return _(
        "These circles are for people with a confirmed place at %(title)s, or whom the organisers invite."
    ) % {"title": series.event.title}


def circle_invite(*, series: CircleSeries, actor: User, email: str) -> CircleInvitation:
    """Invite someone by email to join a series without a place at its Gathering. Inviting the same address
    again changes nothing and sends nothing."""
    from .notifications import notify_invited

    series = _require_organiser(series, actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise CirclesError({"email": _("Enter an email address like name@example.org")}) from None
    with transaction.atomic():
        invitation, created = CircleInvitation.objects.get_or_create(
            series=series, email=email, defaults={"invited_by": actor}
        )
        if created:
            audit_record(
                actor=actor, action="changed", subject=invitation, detail="invited to a circle series"
            )
            notify_invited(invitation)
    return invitation


def circle_invitation_withdraw(*, invitation: CircleInvitation, actor: User) -> None:
    """Take back an invitation sent to the wrong address, or no longer meant. Someone who has already
    joined stays: the invitation let them in, and taking them out is a removal, with its reason."""
    series = _require_organiser(invitation.series, actor)
    with transaction.atomic():
        joined = (
            CircleMembership.objects.active()
            .filter(series=series, user__email__iexact=invitation.email)
            .exists()
        )
        if joined:
            raise CirclesError(
                _(
                    "%(email)s has already joined. To take them out of a circle, remove them from it, "
                    "with a reason."
                )
                % {"email": invitation.email}
            )
        audit_record(actor=actor, action="changed", subject=invitation, detail="withdrew circle invitation")
        invitation.delete()


def membership_join(
    *, series: CircleSeries, user: User, data: JoinInput, now: datetime | None = None
) -> CircleMembership:
    """The person joins the series, accepting the current group agreement."""
    now = now or timezone.now()
    if not user.is_authenticated:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not series.is_joinable:
        raise CirclesError(_("This series is not open for joining."))
    if not can_join_series(user, series):
        raise CirclesError(join_refusal(series))
    unknown = set(data.perspectives) - set(Perspective.values)
    if unknown:
        errors.setdefault("perspectives", []).append(_("Choose perspectives from the list."))
    has_special = bool(data.perspectives or data.access_needs.strip())
    if has_special and not data.special_category_consent:
        errors.setdefault("special_category_consent", []).append(
            _("Tick the box to agree we may use your perspectives and access needs, or leave them empty.")
        )
    if data.share_access_needs and not data.access_needs.strip():
        errors.setdefault("share_access_needs", []).append(
            _("Tell us your access needs to share them, or untick the box.")
        )
    if data.region.strip() and data.region.strip() not in Region.values:
        errors.setdefault("region", []).append(CHOOSE_FROM_THE_LIST)
    for name, limit in (("language", 60), ("organisation", 150), ("access_needs", 2000)):
        if len(getattr(data, name)) > limit:
            errors.setdefault(name, []).append(_("Keep this under %(n)s characters.") % {"n": limit})
    if len(data.not_with) > MAX_NOT_WITH:
        errors.setdefault("not_with", []).append(
            _("Name at most %(n)s people you would rather not share a circle with.") % {"n": MAX_NOT_WITH}
        )
    named: list[str] = []
    try:
        named = [_check_named(text, user) for text in data.not_with if text.strip()]
    except CirclesError as error:
        for text in error.message_dict["not_with"]:
            errors.setdefault("not_with", []).append(text)
    if errors:
        raise CirclesError(errors)
    with transaction.atomic():
        series = CircleSeries.objects.select_for_update().get(pk=series.pk)
        agreement = agreement_current(series)
        if agreement is None or agreement.version != data.agreement_version:
            raise CirclesError(
                {"agree": _("The group agreement has just changed. Please read it again before joining.")}
            )
        if CircleMembership.objects.active().filter(series=series, user=user).exists():
            raise CirclesError(_("You have already joined this series."))
        consented = has_special and data.special_category_consent
        membership = CircleMembership.objects.create(
            series=series,
            user=user,
            perspectives=sorted(set(data.perspectives)) if consented and data.perspectives else None,
            perspectives_consent_at=now if consented else None,
            region=data.region.strip(),
            language=data.language.strip(),
            organisation=data.organisation.strip(),
            access_needs=data.access_needs.strip() if consented else "",
            share_access_needs=bool(consented and data.share_access_needs),
            listed=data.listed,
            agreement=agreement,
            agreed_at=now,
        )
        for text in named:
            NotWithRequest.objects.create(series=series, requester=user, named=text)
        if consented:
            from gathering.privacy import notices
            from gathering.privacy.services import consent_give

            consent_give(user=user, purpose=notices.SPECIAL_CATEGORY_EVENT, method="form")
    return membership


def _own(membership: CircleMembership, user: User) -> None:
    if membership.user_id is None or membership.user_id != user.pk:
        raise PermissionDenied


def membership_leave(*, membership: CircleMembership, user: User) -> CircleMembership:
    """Leave quietly: nobody is told, and the place simply frees up for re-forming."""
    _own(membership, user)
    with transaction.atomic():
        membership = CircleMembership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            return membership
        membership.status = CircleMembership.Status.LEFT
        membership.ended_at = timezone.now()
        membership.save(update_fields=["status", "ended_at"])
    return membership


def not_with_add(*, membership: CircleMembership, user: User, named: str) -> NotWithRequest:
    """A private request, read only by the organiser who forms the circles."""
    _own(membership, user)
    named = _check_named(named, user)
    with transaction.atomic():
        mine = NotWithRequest.objects.select_for_update().filter(series=membership.series_id, requester=user)
        if mine.count() >= MAX_NOT_WITH:
            raise CirclesError(
                {
                    "not_with": _("You have already named %(n)s people, the most we can take.")
                    % {"n": MAX_NOT_WITH}
                }
            )
        return NotWithRequest.objects.create(series_id=membership.series_id, requester=user, named=named)


def not_with_withdraw(*, request: NotWithRequest, user: User) -> None:
    if request.requester_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        request.delete()


# ---------------------------------------------------------------------------------------------------
# Forming circles: `formation.py` builds the instance and solves it; these functions save the result
# ---------------------------------------------------------------------------------------------------


@dataclass
class FormationResult:
    circles: int
    moved: int
    seconds: float
    unmatched_requests: int


CANNOT = gettext_lazy("The circles cannot be formed with these rules. Nothing has been saved.")


def _solve(
    plan: formation.Plan,
    series: CircleSeries,
    *,
    time_limit: float | None,
    seed: int,
    solved: Callable[[], None] | None = None,
) -> GroupingResult:
    try:
        return formation.solve(plan, series, time_limit=time_limit, seed=seed)
    except formation.Infeasible as refusal:
        raise CirclesError([str(CANNOT), *refusal.reasons]) from None
    finally:
        if solved is not None:
            solved()


def _save_groups(
    series: CircleSeries, plan: formation.Plan, groups: list[list[int]], circles: list[Circle]
) -> None:
    m = len(plan.members)
    for k, group in enumerate(groups):
        circle = circles[k]
        facilitator = next((plan.facilitators[i - m] for i in group if i >= m), None)
        if circle.facilitator_id != (facilitator.pk if facilitator else None):
            circle.facilitator = facilitator
            circle.save(update_fields=["facilitator"])
        member_ids = [plan.members[i].pk for i in group if i < m]
        CircleMembership.objects.filter(pk__in=member_ids).exclude(circle=circle).update(circle=circle)


def circles_form(
    *,
    series: CircleSeries,
    actor: User,
    count: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    run: FormationRun | None = None,
    solved: Callable[[], None] | None = None,
) -> FormationResult:
    """Form the series' circles from scratch, maximising diversity within the hard rules. On infeasible input
    the error says what cannot be met and what to relax, and nothing is saved. With `run` (a formation run
    its runner holds), the run is marked done in the same transaction as the circles are saved; `solved` is
    called once the optimiser has finished, before anything is written."""
    series = _require_organiser(series, actor)
    if series.status not in {Status.OPEN, Status.FORMED}:
        raise CirclesError(
            _("Circles can be formed from scratch only before they are published; re-form them instead.")
            if series.status == Status.PUBLISHED
            else _("Open the series for joining first.")
        )
    if count is not None and count < 1:
        raise CirclesError({"count": _("Form at least one circle.")})
    plan = formation.build_plan(series, count=count)
    if not plan.members:
        raise CirclesError(_("Nobody has joined yet, so there is nobody to form circles with."))
    result = _solve(plan, series, time_limit=time_limit, seed=seed, solved=solved)
    with transaction.atomic():
        series = CircleSeries.objects.select_for_update().get(pk=series.pk)
        if series.status not in {Status.OPEN, Status.FORMED}:
            raise CirclesError(_("The circles were published meanwhile; re-form them instead."))
        Circle.objects.filter(series=series).delete()
        circles = [Circle.objects.create(series=series, number=k + 1) for k in range(len(result.groups))]
        _save_groups(series, plan, result.groups, circles)
        series.status = Status.FORMED
        series.save(update_fields=["status"])
        audit_record(actor=actor, action="changed", subject=series, detail=f"formed {len(circles)} circles")
        formed = FormationResult(len(circles), 0, result.seconds, plan.unmatched_requests)
        if run is not None:
            _run_done(run, formed)
    return formed


def _circles(series: CircleSeries) -> list[Circle]:
    return list(Circle.objects.filter(series=series).select_related("facilitator").order_by("number"))


def circles_reform(
    *,
    series: CircleSeries,
    actor: User,
    time_limit: float | None = None,
    seed: int = 0,
    run: FormationRun | None = None,
    solved: Callable[[], None] | None = None,
) -> FormationResult:
    """After drop-outs and late joiners: the same circles, moving as few people as the rules allow. With
    `run` and `solved`, as for `circles_form`."""
    series = _require_organiser(series, actor)
    circles = _circles(series)
    if series.status not in {Status.FORMED, Status.PUBLISHED} or not circles:
        raise CirclesError(_("Form the circles first."))
    plan = formation.build_plan(series, circles=circles)
    result = _solve(plan, series, time_limit=time_limit, seed=seed, solved=solved)
    with transaction.atomic():
        CircleSeries.objects.select_for_update().get(pk=series.pk)
        _save_groups(series, plan, result.groups, circles)
        if series.status == Status.PUBLISHED:
            series.status = Status.FORMED
            series.save(update_fields=["status"])
        audit_record(
            actor=actor, action="changed", subject=series, detail=f"re-formed circles, {result.moved} moved"
        )
        reformed = FormationResult(len(circles), result.moved, result.seconds, plan.unmatched_requests)
        if run is not None:
            _run_done(run, reformed)
    return reformed


# Formation runs: the organiser's "form circles" asks for a run; a background task (tasks.py) claims it,
# forms the circles with `circles_form` or `circles_reform`, and records the outcome in plain words.

# Beyond twice its time limit (a refusal's explanation searches as long again as the solve), a run may take
# this long to load the series and save the circles. A worker interrupts the task at half of it and ends it at
# all of it, so a run that started longer ago than that has no live runner.
RUN_MARGIN_SECONDS = 60
# A run whose runner stopped is started again, up to this many starts in all (as timetable runs).
# A run still queued this long after it was asked for lost its task (the broker was down): queue it again.
RUN_RESEND_AFTER = timedelta(minutes=1)


class RunLost(Exception):
    """The run is no longer held by this runner: what it formed is rolled back."""


def formation_run_time_limit(run: FormationRun) -> int:
    """The longest a run may take, in seconds, loading and saving included; no runner is alive after it."""
    return int(2 * run.time_limit) + 1 + RUN_MARGIN_SECONDS


def formation_summary(result: FormationResult, *, reform: bool) -> str:
    """What a forming did, in the organiser's words."""
    if reform:
        text = _("Circles re-formed: %(moved)s people moved.") % {"moved": result.moved}
    else:
        text = _("%(n)s circles formed.") % {"n": result.circles}
    if result.unmatched_requests:
        text += " " + _(
            "%(n)s 'not with' requests name nobody taking part, so they did not change anything."
        ) % {"n": result.unmatched_requests}
    return text


def _reforms(series: CircleSeries, mode: str) -> bool:
    return series.status == Status.PUBLISHED or (
        series.status == Status.FORMED and mode == FormationRun.Mode.REFORM
    )


@transaction.atomic
def formation_run_request(
    *,
    series: CircleSeries,
    actor: User,
    mode: str = FormationRun.Mode.FORM,
    count: int | None = None,
    time_limit: float | None = None,
    start: bool = True,
) -> FormationRun:
    """Ask for the series' circles to be formed (or re-formed) in the background; one run at a time per
    series. Refuses at once what is plain without solving (the series' state, nobody to group); the rest is
    the run's outcome. It starts once the transaction commits, unless `start` is False (the caller then
    runs it)."""
    series = _require_organiser(series, actor)
    # The series' row is the lock: of two requests at once, the second waits, then sees the first's run.
    series = CircleSeries.objects.select_for_update().get(pk=series.pk)
    if series.formation_runs.filter(
        status__in=(FormationRun.Status.QUEUED, FormationRun.Status.RUNNING)
    ).exists():
        raise CirclesError(
            _("Circles are already being formed for this series. Wait for that to finish, then try again.")
        )
    reform = _reforms(series, mode)
    if reform:
        if not Circle.objects.filter(series=series).exists():
            raise CirclesError(_("Form the circles first."))
    elif series.status not in {Status.OPEN, Status.FORMED}:
        raise CirclesError(_("Open the series for joining first."))
    if count is not None and count < 1:
        raise CirclesError({"count": _("Form at least one circle.")})
    if not CircleMembership.objects.active().filter(series=series).exists():
        raise CirclesError(_("Nobody has joined yet, so there is nobody to form circles with."))
    run = FormationRun.objects.create(
        series=series,
        requested_by=actor,
        mode=FormationRun.Mode.REFORM if reform else FormationRun.Mode.FORM,
        count=None if reform else count,
        time_limit=formation.time_limit_default() if time_limit is None else time_limit,
    )
    # The audit entry is the forming's own, made by the run with the requester as actor, as before runs.
    if start:
        _start_in_background(run)
    return run


def _start_in_background(run: FormationRun) -> None:
    background.after_commit(
        "gathering.circles.tasks.formation_run",
        run.pk,
        time_limit=formation_run_time_limit(run),
        soft_time_limit=formation_run_time_limit(run) - RUN_MARGIN_SECONDS // 2,
    )


def formation_run_claim(*, run_id: int, runner: str, now: datetime | None = None) -> FormationRun | None:
    """Take a run for `runner` (the id of the task that will do it), or return None if it is not this
    runner's to do (core/runs.py, as `timetable_run_claim`)."""
    run = run_claim(
        FormationRun,
        run_id=run_id,
        runner=runner,
        now=now or timezone.now(),
        longest_seconds=formation_run_time_limit,
        failed_message=_(
            "Forming the circles stopped unexpectedly several times. Try a shorter time limit; if it happens "
            "again, tell the site team."
        ),
    )
    return (
        None
        if run is None
        else FormationRun.objects.select_related("series__event", "requested_by").get(pk=run.pk)
    )


def formation_run_progress(*, run: FormationRun, percent: int) -> None:
    """Record how far a run is (a share of its time limit), while its runner still holds it."""
    run_progress(run, percent)


def _held(run: FormationRun):
    return FormationRun.objects.filter(pk=run.pk, status=FormationRun.Status.RUNNING, runner=run.runner)


def _run_done(run: FormationRun, result: FormationResult) -> None:
    """Inside the transaction that saved the circles: mark the run done, or undo it all if another runner
    has the run now (so circles are saved once per run)."""
    fields = {
        "status": FormationRun.Status.DONE,
        "finished_at": timezone.now(),
        "progress": 100,
        "summary": formation_summary(result, reform=run.mode == FormationRun.Mode.REFORM),
    }
    if not _held(run).update(**fields):
        raise RunLost


def formation_run_perform(
    *, run: FormationRun, seed: int = 0, solved: Callable[[], None] | None = None
) -> FormationRun:
    """Form the circles for a run taken with `formation_run_claim`, exactly as the organiser's request did
    before runs (the same services, audit and result), and record the outcome: done with a summary, or failed
    with what to change, in plain words. `solved` is called before anything is written (the task stops
    reporting progress then, so that the two never write at once)."""
    solved = solved or (lambda: None)
    failed: str | None = None
    try:
        actor = run.requested_by
        if actor is None:
            raise PermissionDenied
        # The series' state now decides, as it did for the request: published circles are re-formed.
        reform = run.mode == FormationRun.Mode.REFORM or run.series.status == Status.PUBLISHED
        if reform:
            circles_reform(
                series=run.series, actor=actor, time_limit=run.time_limit, seed=seed, run=run, solved=solved
            )
        else:
            circles_form(
                series=run.series,
                actor=actor,
                count=run.count,
                time_limit=run.time_limit,
                seed=seed,
                run=run,
                solved=solved,
            )
    except RunLost:
        logger.warning("Formation run %s: another runner has it now; nothing saved", run.pk)
    except CirclesError as error:
        failed = "\n".join(str(message) for message in error.messages)
    except PermissionDenied:
        failed = _(
            "The person who asked for these circles no longer organises this series. Nothing has been saved."
        )
    except Exception as exc:  # the run records why it stopped; the class only, as a message may quote people
        logger.error("Formation run %s failed with %s", run.pk, type(exc).__name__)
        failed = _(
            "Forming the circles stopped with an error. Nothing has been saved. Try again; if it happens "
            "again, tell the site team."
        )
    if failed is not None:
        solved()
        if _held(run).update(status=FormationRun.Status.FAILED, finished_at=timezone.now(), message=failed):
            logger.info("Formation run %s failed", run.pk)
        else:
            logger.warning("Formation run %s: another runner has it now; outcome not stored", run.pk)
    return FormationRun.objects.get(pk=run.pk)


def formation_run_execute(*, run_id: int, seed: int = 0) -> FormationRun | None:
    """Claim and perform a queued run here and now (the demo data, tests); None if it was not this one's."""
    run = formation_run_claim(run_id=run_id, runner=f"here-{uuid.uuid4().hex}")
    if run is None:
        return None
    return formation_run_perform(run=run, seed=seed)


def formation_runs_sweep(*, now: datetime | None = None) -> int:
    """The periodic sweep: queue again every run whose task was lost (still queued a minute after it was
    asked for) or whose runner stopped (running longer than any run may last); return how many."""
    now = now or timezone.now()
    lost = FormationRun.objects.filter(
        status=FormationRun.Status.QUEUED, created_at__lt=now - RUN_RESEND_AFTER
    )
    running = FormationRun.objects.filter(status=FormationRun.Status.RUNNING, started_at__isnull=False)
    orphaned = [
        run for run in running if (now - run.started_at).total_seconds() > formation_run_time_limit(run)
    ]
    again = [*lost, *orphaned]
    for run in again:
        _start_in_background(run)
    return len(again)


def circles_swap(
    *,
    series: CircleSeries,
    actor: User,
    first: CircleMembership,
    second: CircleMembership | None = None,
    to_circle: Circle | None = None,
) -> None:
    """Swap two people between circles, or move one to another circle, if every rule still holds;
    otherwise refuse, naming the rule that would be broken."""
    series = _require_organiser(series, actor)
    circles = _circles(series)
    if series.status not in {Status.FORMED, Status.PUBLISHED} or not circles:
        raise CirclesError(_("Form the circles first."))
    ids = {circle.pk for circle in circles}
    people = [first] + ([second] if second else [])
    if any(p.series_id != series.pk or not p.is_active for p in people):
        raise CirclesError(_("Choose people who are taking part in this series."))
    if (second is None) == (to_circle is None):
        raise CirclesError(_("Choose a second person to swap with, or a circle to move to, not both."))
    if to_circle is not None and to_circle.pk not in ids:
        raise CirclesError(_("Choose one of this series' circles."))
    if second is not None and first.circle_id == second.circle_id:
        raise CirclesError(_("They are already in the same circle: choose people from different circles."))
    if to_circle is not None and first.circle_id == to_circle.pk:
        raise CirclesError(_("They are already in that circle."))
    moves = {first.pk: second.circle_id if second else to_circle.pk}
    if second is not None:
        moves[second.pk] = first.circle_id
    broken = formation.swap_problems(series, circles, moves)
    if broken:
        raise CirclesError([_("That change would break a rule, so nothing has changed."), *broken])
    with transaction.atomic():
        for membership in people:
            CircleMembership.objects.filter(pk=membership.pk).update(circle_id=moves[membership.pk])
        if series.status == Status.PUBLISHED:
            CircleSeries.objects.filter(pk=series.pk).update(status=Status.FORMED)
        audit_record(actor=actor, action="changed", subject=series, detail="swapped people between circles")


# ---------------------------------------------------------------------------------------------------
# Publishing, and what facilitators and participants do afterwards
# ---------------------------------------------------------------------------------------------------


def _meeting_times(series: CircleSeries) -> list[datetime]:
    if series.first_meets_at is None:
        return []
    step = timedelta(days=series.every_days)
    return [series.first_meets_at + step * k for k in range(series.meeting_count)]


def circle_update(*, circle: Circle, actor: User, place: str, online_link: str) -> Circle:
    """Where one circle meets, when it differs from the series (a room, or its own online link)."""
    _require_organiser(circle.series, actor)
    if len(place) > 200:
        raise CirclesError({"place": _("Keep this under 200 characters.")})
    with transaction.atomic():
        circle.place = place.strip()
        circle.online_link = online_link.strip()
        circle.full_clean()
        circle.save(update_fields=["place", "online_link"])
        audit_record(actor=actor, action="changed", subject=circle, detail="where the circle meets")
    return circle


def circles_publish(*, series: CircleSeries, actor: User, notify: bool = True) -> int:
    """Tell every member and facilitator their circle. Returns how many emails were written; someone whose
    circle has not changed since the last publication is not emailed again. `notify=False` (demo data)
    publishes without email."""
    _require_organiser(series, actor)

    with transaction.atomic():
        series = CircleSeries.objects.select_for_update().get(pk=series.pk)
        circles = _circles(series)
        if series.status != Status.FORMED or not circles:
            raise CirclesError(_("Form the circles before publishing them."))
        leaderless = [circle.number for circle in circles if circle.facilitator is None]
        if leaderless:
            raise CirclesError(
                _("Circles %(numbers)s have no facilitator: re-form them before publishing.")
                % {"numbers": ", ".join(str(n) for n in leaderless)}
            )
        times = _meeting_times(series)
        for circle in circles:
            if times and not circle.meetings.exists():
                Meeting.objects.bulk_create([Meeting(circle=circle, starts_at=when) for when in times])
        sent = _notify_published(series, circles) if notify else 0
        series.status = Status.PUBLISHED
        series.save(update_fields=["status"])
        audit_record(actor=actor, action="changed", subject=series, detail="published circles")
    return sent


def _notify_published(series: CircleSeries, circles: list[Circle]) -> int:
    from .notifications import notify_facilitator, notify_member

    members = (
        CircleMembership.objects.active()
        .filter(series=series, circle__isnull=False, user__isnull=False)
        .select_related("user", "circle", "circle__facilitator", "series")
    )
    return sum(notify_member(m) for m in members) + sum(notify_facilitator(c) for c in circles)


def membership_remove(*, membership: CircleMembership, actor: User, reason: str) -> CircleMembership:
    """A facilitator (or the series' organiser) removes someone from a circle, with a reason; audited."""
    circle = membership.circle
    if not (
        (circle is not None and can_facilitate(actor, circle)) or can_manage_series(actor, membership.series)
    ):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise CirclesError({"reason": _("Give the reason for removing them. Only organisers will see it.")})
    if len(reason) > 2000:
        raise CirclesError({"reason": _("Keep the reason under 2,000 characters.")})
    from .notifications import notify_removed

    with transaction.atomic():
        membership = (
            CircleMembership.objects.select_for_update(of=("self",))
            .select_related("user", "series")
            .get(pk=membership.pk)
        )
        if not membership.is_active:
            raise CirclesError(_("They are no longer taking part in this circle."))
        membership.status = CircleMembership.Status.REMOVED
        membership.removal_reason = reason
        membership.ended_at = timezone.now()
        membership.save(update_fields=["status", "removal_reason", "ended_at"])
        if membership.user is not None:
            notify_removed(membership)
        audit_record(actor=actor, action="changed", subject=membership, detail="removed from circle")
    return membership


def attendance_mark(*, meeting: Meeting, actor: User, present: set[int], now: datetime | None = None) -> int:
    """Mark who came: `present` holds membership ids; everyone else active in the circle is marked absent.
    Only once the meeting has started: nobody can have come to a meeting that is still ahead."""
    if not can_facilitate(actor, meeting.circle):
        raise PermissionDenied
    if meeting.starts_at > (now or timezone.now()):
        raise CirclesError(_("Attendance can be marked once the meeting has started."))
    with transaction.atomic():
        members = list(CircleMembership.objects.active().filter(circle=meeting.circle))
        unknown = present - {m.pk for m in members}
        if unknown:
            raise CirclesError(_("Mark only people in this circle."))
        for membership in members:
            Attendance.objects.update_or_create(
                meeting=meeting, membership=membership, defaults={"present": membership.pk in present}
            )
    return len(present)


def feedback_give(
    *,
    meeting: Meeting,
    user: User,
    felt_safe: int,
    felt_heard: int,
    come_again: int,
    comment: str = "",
    now: datetime | None = None,
) -> Feedback:
    """One anonymous response per member per meeting, once the meeting has started."""
    now = now or timezone.now()
    membership = CircleMembership.objects.active().filter(circle=meeting.circle_id, user=user).first()
    if membership is None:
        raise PermissionDenied
    if meeting.starts_at > now:
        raise CirclesError(_("Feedback opens when the meeting starts."))
    for name, value in (("felt_safe", felt_safe), ("felt_heard", felt_heard), ("come_again", come_again)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise CirclesError({name: _("Choose a number from 1 to 5.")})
    if len(comment) > 2000:
        raise CirclesError({"comment": _("Keep your comment under 2,000 characters.")})
    with transaction.atomic():
        if FeedbackReceipt.objects.filter(meeting=meeting, membership=membership).exists():
            raise CirclesError(_("You have already given feedback for this meeting. Thank you."))
        FeedbackReceipt.objects.create(meeting=meeting, membership=membership)
        return Feedback.objects.create(
            meeting=meeting,
            felt_safe=felt_safe,
            felt_heard=felt_heard,
            come_again=come_again,
            comment=comment.strip(),
        )


def on_consent_withdrawn(sender: object, user: User, purpose: str, **kwargs: object) -> None:
    """Withdrawing consent for special-category answers deletes perspectives and access needs at once."""
    from gathering.privacy import notices

    if purpose == notices.SPECIAL_CATEGORY_EVENT:
        CircleMembership.objects.filter(user=user).update(
            perspectives=None, perspectives_consent_at=None, access_needs="", share_access_needs=False
        )
