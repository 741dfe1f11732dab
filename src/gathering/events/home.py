"""The events app's blocks on the home page: the person's own next Gathering, and the next Gatherings."""

from django.http import HttpRequest

from gathering.core.home import home_block
from gathering.core.pagecache import changes_at

from . import selectors

NEXT_GATHERINGS = 4


@home_block("your_next_gathering", order=10, template="events/home/your_next.html")
def your_next_gathering(request: HttpRequest) -> dict[str, object] | None:
    if not request.user.is_authenticated:
        return None
    registration = selectors.registration_next_for_user(user=request.user)
    if registration is None:
        return None
    return {"registration": registration, "event": registration.event}


@home_block("next_gatherings", order=30, template="events/home/next.html")
def next_gatherings(request: HttpRequest) -> dict[str, object]:
    events = selectors.events_next(limit=NEXT_GATHERINGS)
    # A Gathering leaves the list when it ends; a cached home page must not outlive that.
    changes_at(request, *(event.ends_at for event in events))
    return {"events": events}
