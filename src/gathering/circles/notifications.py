"""Emails about circles, written to the outbox inside the transaction of the change they report."""

from django.conf import settings
from django.urls import reverse

from gathering.core.outbox import outbox_enqueue

from .models import Circle, CircleInvitation, CircleMembership, Meeting


def _base(series_name: str) -> dict[str, object]:
    return {"series": series_name, "site": settings.GATHERING_BASE_URL}


def notify_member(membership: CircleMembership) -> int:
    circle = membership.circle
    outbox_enqueue(
        kind="circle_published",
        to=[membership.user.email],
        template="circles/published",
        context={
            **_base(membership.series.name),
            "circle": circle,
            "schedule": membership.series.schedule,
            "url": settings.GATHERING_BASE_URL
            + reverse("circles:membership", kwargs={"membership_id": membership.pk}),
        },
        dedupe_key=f"circles:member:{membership.pk}:circle:{circle.pk}:{circle.facilitator_id}",
    )
    return 1


def notify_facilitator(circle: Circle) -> int:
    if circle.facilitator is None:
        return 0
    outbox_enqueue(
        kind="circle_facilitating",
        to=[circle.facilitator.email],
        template="circles/facilitating",
        context={
            **_base(circle.series.name),
            "circle": circle,
            "schedule": circle.series.schedule,
            "url": settings.GATHERING_BASE_URL
            + reverse("circles_staff:facilitate", kwargs={"circle_id": circle.pk}),
        },
        dedupe_key=f"circles:facilitator:{circle.facilitator_id}:circle:{circle.pk}",
    )
    return 1


def notify_removed(membership: CircleMembership) -> None:
    outbox_enqueue(
        kind="circle_removed",
        to=[membership.user.email],
        template="circles/removed",
        context={**_base(membership.series.name), "help": settings.GATHERING_BASE_URL + "/help/"},
        dedupe_key=f"circles:member:{membership.pk}:removed",
    )


def notify_feedback(membership: CircleMembership, meeting: Meeting) -> None:
    outbox_enqueue(
        kind="circle_feedback_invitation",
        to=[membership.user.email],
        template="circles/feedback_invitation",
        context={
            **_base(membership.series.name),
            "url": settings.GATHERING_BASE_URL
            + reverse("circles:feedback", kwargs={"membership_id": membership.pk, "meeting_id": meeting.pk}),
        },
        dedupe_key=f"circles:member:{membership.pk}:feedback:{meeting.pk}",
    )


def notify_invited(invitation: CircleInvitation) -> int:
    series = invitation.series
    outbox_enqueue(
        kind="circle_invitation",
        to=[invitation.email],
        template="circles/invitation",
        context={
            **_base(series.name),
            "schedule": series.schedule,
            "url": settings.GATHERING_BASE_URL + series.get_absolute_url(),
        },
        dedupe_key=f"circles:invitation:{invitation.pk}",
    )
    return 1
