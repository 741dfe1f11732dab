"""The programme's answer to "what has the site had about this topic" (core/topics.py): the public sessions
of past Gatherings whose title or description mentions it, each linked to its page."""

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gathering.core.topics import TopicItem, topic_finder
from gathering.events.models import Event

from .models import Session


@topic_finder("sessions")
def past_sessions(phrases: Sequence[str], limit: int) -> list[TopicItem]:
    """Sessions on the public programme (`Session.objects.in_play()`) of published Gatherings that have
    ended, newest Gathering first. One query."""
    mentions = reduce(or_, (Q(title__icontains=p) | Q(description__icontains=p) for p in phrases))
    sessions = (
        Session.objects.in_play()
        .filter(
            mentions,
            programme__event__status=Event.Status.PUBLISHED,
            programme__event__ends_at__lte=timezone.now(),
        )
        .select_related("programme__event")
        .order_by("-programme__event__starts_at", "title", "pk")[:limit]
    )
    items = []
    for session in sessions:
        event = session.programme.event
        items.append(
            TopicItem(
                title=session.title,
                url=reverse("programme:session", args=[event.slug, session.pk]),
                source=event.title,
                source_url=event.get_absolute_url(),
                on=timezone.localtime(event.starts_at, event.zone).date(),
                detail=str(session.get_format_display()),
            )
        )
    return items
