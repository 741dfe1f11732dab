"""The approaches our network showcases: for each approach, its page's words (what it is, a first contact,
the evidence), the services that offer it, and the past Gathering sessions and resources about it, each
loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from gathering.core.topics import TopicItem, topic_find

from . import approaches, search
from . import models as m

# How many sessions and resources an approach's page lists (newest first).
RELATED = 10


@dataclass(frozen=True)
class Approach:
    """An approach of our taxonomy with the words of its page. `page` is None when nobody has written it
    yet (or its row is missing): the page then says so, and the summary is the term's description."""

    code: str
    name: str
    summary: str
    page: m.ApproachPage | None

    @property
    def url(self) -> str:
        return reverse("directory:approach", args=[self.code])

    @property
    def search_url(self) -> str:
        """The search for every service that offers it."""
        return f"{reverse('directory:search')}?approach={self.code}"

    @property
    def edit_url(self) -> str:
        return reverse("directory_staff:approach", args=[self.code])


@dataclass(frozen=True)
class Showcase:
    """Everything an approach's page shows."""

    approach: Approach
    services: search.Results
    sessions: list[TopicItem]
    resources: list[TopicItem]


def _approach(code: str, term: m.TaxonomyTerm | None) -> Approach:
    name = dict(approaches.TERMS)[code]
    if term is None:
        return Approach(code=code, name=name, summary="", page=None)
    try:
        page = term.approach_page
    except m.ApproachPage.DoesNotExist:
        page = None
    summary = page.summary if page is not None else term.description
    return Approach(code=code, name=term.name or name, summary=summary, page=page)


def _terms(codes: tuple[str, ...]) -> dict[str, m.TaxonomyTerm]:
    terms = m.TaxonomyTerm.objects.filter(pk__in=[approaches.term_id(code) for code in codes]).select_related(
        "approach_page"
    )
    return {term.code: term for term in terms}


def approach_list() -> list[Approach]:
    """Every approach, in the taxonomy's order, with its summary. One query."""
    terms = _terms(approaches.CODES)
    return [_approach(code, terms.get(code)) for code in approaches.CODES]


def approach_get(code: str) -> Approach | None:
    """One approach with its page's words; None for a code that is not one of ours. One query."""
    if code not in approaches.CODES:
        return None
    return _approach(code, _terms((code,)).get(code))


def approach_showcase(code: str, *, at: datetime | None = None) -> Showcase | None:
    """An approach's public page: its words; the first page of the services that offer it, by name (the
    search's own results, so they read the same); and the past sessions and resources that mention it.
    The same number of queries whatever the directory and the programme hold."""
    approach = approach_get(code)
    if approach is None:
        return None
    services = search.search(search.Criteria(approach=code), at=at)
    phrases = approaches.MENTIONS.get(code, (approach.name,))
    return Showcase(
        approach=approach,
        services=services,
        sessions=topic_find("sessions", phrases, limit=RELATED),
        resources=topic_find("resources", phrases, limit=RELATED),
    )
