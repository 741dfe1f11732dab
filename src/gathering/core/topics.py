"""What the site has about a topic, found by the words that name it: an app registers a finder for its own
things (the programme its past sessions, Gatherings their resources), so that a page about a topic (the
directory's approach pages) can list them without importing the app."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class TopicItem:
    """One thing about a topic: its title and page, and the Gathering (or other source) it comes from."""

    title: str
    url: str
    source: str = ""
    source_url: str = ""
    on: date | None = None
    # A word about what it is ("Slides", "Workshop"), already translated.
    detail: str = ""


# Called as `finder(phrases, limit)`: at most `limit` items whose words hold any of the phrases
# (case-insensitively), newest first, in one query whatever the data.
Finder = Callable[[Sequence[str], int], list[TopicItem]]

_finders: dict[str, Finder] = {}


def topic_finder(kind: str) -> Callable[[Finder], Finder]:
    """Register the decorated function as the finder of `kind` ("sessions", "resources")."""

    def register(function: Finder) -> Finder:
        existing = _finders.get(kind)
        if existing is not None and existing is not function:
            raise ImproperlyConfigured(f"Two topic finders are registered as {kind!r}.")
        _finders[kind] = function
        return function

    return register


def topic_find(kind: str, phrases: Sequence[str], *, limit: int) -> list[TopicItem]:
    """What the finder of `kind` has about these phrases; nothing when no app finds that kind, or no
    phrase is given."""
    finder = _finders.get(kind)
    phrases = [phrase for phrase in phrases if phrase.strip()]
    if finder is None or not phrases or limit <= 0:
        return []
    return finder(phrases, limit)
