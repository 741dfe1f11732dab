"""Gatherings' answer to "what has the site had about this topic" (core/topics.py): the resources (slides,
recordings, reports) of past Gatherings whose title mentions it."""

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from gathering.core.topics import TopicItem, topic_finder

from .models import Event, EventResource


@topic_finder("resources")
def past_resources(phrases: Sequence[str], limit: int) -> list[TopicItem]:
    """Resources of published Gatherings that have ended, newest Gathering first. One query."""
    mentions = reduce(or_, (Q(title__icontains=phrase) for phrase in phrases))
    resources = (
        EventResource.objects.filter(
            mentions, event__status=Event.Status.PUBLISHED, event__ends_at__lte=timezone.now()
        )
        .select_related("event")
        .order_by("-event__starts_at", "event_id", "position", "pk")[:limit]
    )
    return [
        TopicItem(
            title=resource.title,
            url=resource.url,
            source=resource.event.title,
            source_url=resource.event.get_absolute_url(),
            on=timezone.localtime(resource.event.starts_at, resource.event.zone).date(),
            detail=str(resource.get_kind_display()),
        )
        for resource in resources
    ]
