"""A Gathering's public pages in the page cache (core/pagecache.py): the scopes they are kept under, named by
the Gathering's web address, and the changes that make them render afresh.

Places left are part of what the page says, so every change to a registration marks them changed: a
cached page never says "3 places left" after the last one has gone. The home page lists the next
Gatherings with their places, so the same changes mark the listings changed too; the API's list of
Gatherings (api.EventListView) is kept under the listings as well.

My Gatherings keeps each person's list (`MY_GATHERINGS`) under their own scope (`pagecache.person`), which
every change to their registrations, bursary applications, calendar feed and feedback receipts marks
changed, whoever makes it (an organiser's decision, someone else's cancellation that offers them a place, a
periodic job); and under the scopes of the Gatherings it lists, and of the waiting lists they are in.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Model
from django.db.models.signals import pre_save

from gathering.core.pagecache import LISTINGS, person, personal_forget, scopes_changed, watch

from .models import (
    BursaryApplication,
    BursaryFund,
    CalendarFeed,
    Event,
    EventResource,
    FeedbackReceipt,
    Registration,
    TicketType,
    Venue,
)
from .selectors import MyGatheringsEvents

# The name of a person's list on My Gatherings in the page cache.
MY_GATHERINGS = "my-gatherings"


def gathering(slug: str) -> str:
    """What a Gathering's public pages show, but its places: the Gathering, its venue, tickets, resources,
    bursaries, and its programme (programme/pagecache.py)."""
    return f"gathering:{slug}"


def places(slug: str) -> str:
    """The places taken at a Gathering, which its page counts down."""
    return f"places:{slug}"


def event_page_scopes(*, slug: str) -> list[str]:
    return [gathering(slug), places(slug)]


def event_page_changes_at(event: Event) -> list[datetime | None]:
    """When a Gathering's page changes with no edit: registration opens or closes, the Gathering ends."""
    return [event.registration_opens_at, event.registration_closes_at, event.ends_at]


def event_slug(instance: Model, field: str = "event") -> str | None:
    """The web address of the Gathering `instance` belongs to through `field`; a query only when that
    Gathering is not loaded already."""
    relation = instance._meta.get_field(field)
    if relation.is_cached(instance):
        return getattr(instance, field).slug
    event_id = getattr(instance, relation.attname)
    return Event.objects.filter(pk=event_id).values_list("slug", flat=True).first()


def places_changed(*, slug: str) -> None:
    """For writes that send no signals (`QuerySet.update()` of registrations)."""
    scopes_changed(places(slug), LISTINGS)


def my_gatherings_scopes(events: MyGatheringsEvents) -> list[str]:
    """What a person's list on My Gatherings shows beyond their own rows: each Gathering's title, dates,
    tickets and joining link, and the waiting lists they are in (their number in each)."""
    return [
        *(gathering(slug) for slug in sorted(events.shown)),
        *(places(slug) for slug in sorted(events.waiting)),
    ]


def people_changed(*, user_ids: Iterable[int | None]) -> None:
    """For writes to people's registrations that send no signals (`QuerySet.update()`)."""
    scopes_changed(*(person(pk) for pk in user_ids if pk is not None))


def my_gatherings_forget(*, user_id: int) -> None:
    """The person's account is being erased: their list goes from the cache."""
    personal_forget(name=MY_GATHERINGS, owner=person(user_id))


def _event_scopes(event: Event) -> list[str]:
    return [gathering(event.slug), LISTINGS]


def _venue_scopes(venue: Venue) -> list[str]:
    slugs = Event.objects.filter(venue=venue).values_list("slug", flat=True) if venue.pk else []
    return [*(gathering(slug) for slug in slugs), LISTINGS]


def _part_scopes(instance: Model) -> list[str]:
    slug = event_slug(instance)
    return [gathering(slug)] if slug else []


def _ticket_scopes(ticket: TicketType) -> list[str]:
    # The API's list of Gatherings shows their tickets.
    return [*_part_scopes(ticket), LISTINGS]


def _registration_scopes(registration: Registration) -> list[str]:
    slug = event_slug(registration)
    owner = [person(registration.user_id)] if registration.user_id else []
    return [places(slug), LISTINGS, *owner] if slug else [LISTINGS, *owner]


def _owner_scopes(instance: BursaryApplication | CalendarFeed) -> list[str]:
    return [person(instance.user_id)] if instance.user_id else []


def _receipt_scopes(receipt: FeedbackReceipt) -> list[str]:
    # "Thank you, we have your feedback" on the person's list.
    if FeedbackReceipt._meta.get_field("registration").is_cached(receipt):
        user_id = receipt.registration.user_id
    else:
        user_id = (
            Registration.objects.filter(pk=receipt.registration_id).values_list("user_id", flat=True).first()
        )
    return [person(user_id)] if user_id else []


def _event_renaming(sender: type[Event], instance: Event, raw: bool = False, **kwargs: object) -> None:
    """A Gathering given a new web address: the pages cached at the old one go too."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    before = Event.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if before and before != instance.slug:
        scopes_changed(gathering(before), places(before))


def watch_models() -> None:
    watch(Event, _event_scopes)
    watch(Venue, _venue_scopes)
    watch(TicketType, _ticket_scopes)
    watch(EventResource, _part_scopes)
    watch(BursaryFund, _part_scopes)
    watch(Registration, _registration_scopes)
    watch(BursaryApplication, _owner_scopes)
    watch(CalendarFeed, _owner_scopes)
    watch(FeedbackReceipt, _receipt_scopes)
    pre_save.connect(_event_renaming, sender=Event, dispatch_uid="pagecache_event_renaming")
