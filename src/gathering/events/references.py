"""How a Gathering is named where it is referred to, e.g. on a concern raised from its page."""

from gathering.core.references import Reference, reference_kind

from .models import Event


@reference_kind("gathering")
def gathering_reference(key: str) -> Reference | None:
    event = Event.objects.filter(slug=key).only("title", "slug").first()
    if event is None:
        return None
    return Reference(label=event.title, path=event.get_absolute_url())
