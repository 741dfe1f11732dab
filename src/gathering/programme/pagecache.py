"""A programme's public timetable page in the page cache (core/pagecache.py).

The programme belongs to its Gathering's scope (events/pagecache.py): its settings, sessions, rooms, slots
and the published timetable change what the Gathering's pages show. Interest marks have a scope of their
own, as they change only the counts on the board: the grid, kept as a fragment for signed-in people too,
is kept under the Gathering's scope alone, and each person's own marks are filled in around it
(`programme_tags.personal_marks`).
"""

from django.db.models import Model

from gathering.core.pagecache import watch
from gathering.events.models import Event
from gathering.events.pagecache import event_slug, gathering

from .models import Interest, Programme, Room, Session, Slot


def interest(slug: str) -> str:
    """The interest marks on a Gathering's sessions, which the board counts."""
    return f"interest:{slug}"


def timetable_page_scopes(*, slug: str) -> list[str]:
    return [gathering(slug), interest(slug)]


def grid_scopes(*, slug: str) -> list[str]:
    return [gathering(slug)]


def _loaded(instance: Model, field: str) -> bool:
    return instance._meta.get_field(field).is_cached(instance)


def _programme_slug(instance: Model) -> str | None:
    """The web address of the Gathering whose programme `instance` (a session, room or slot) is part of."""
    if _loaded(instance, "programme"):
        return event_slug(instance.programme)
    return Event.objects.filter(programme__pk=instance.programme_id).values_list("slug", flat=True).first()


def _programme_scopes(programme: Programme) -> list[str]:
    slug = event_slug(programme)
    return [gathering(slug)] if slug else []


def _part_scopes(instance: Model) -> list[str]:
    slug = _programme_slug(instance)
    return [gathering(slug)] if slug else []


def _interest_scopes(mark: Interest) -> list[str]:
    if _loaded(mark, "session"):
        slug = _programme_slug(mark.session)
    else:
        slug = (
            Event.objects.filter(programme__sessions__pk=mark.session_id)
            .values_list("slug", flat=True)
            .first()
        )
    return [interest(slug)] if slug else []


def watch_models() -> None:
    watch(Programme, _programme_scopes)
    watch(Session, _part_scopes)
    watch(Room, _part_scopes)
    watch(Slot, _part_scopes)
    watch(Interest, _interest_scopes)
