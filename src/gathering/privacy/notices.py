"""The purposes we ask consent for, each with the versioned notice a person agrees to.

Change a notice's wording by adding a new version (never by editing an old one): consent records keep the
version the person saw, so we can always show what they agreed to.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Notice:
    purpose: str
    version: int
    title: str | Promise
    text: str | Promise
    # Optional purposes can be given and withdrawn on the consents page; the others are asked for where the
    # information is collected (the registration form) and can be withdrawn on the consents page.
    optional: bool


SPECIAL_CATEGORY_EVENT = "special_category_event"
ATTENDEE_LIST = "attendee_list"
SHARE_ACCESS_NEEDS_WITH_VENUE = "share_access_needs_with_venue"
NEWSLETTER = "newsletter"
FEEDBACK_CONTACT = "feedback_contact"

NOTICES: tuple[Notice, ...] = (
    Notice(
        SPECIAL_CATEGORY_EVENT,
        1,
        _("Using what you tell us about your experience and access needs at a Gathering"),
        _(
            "We use what you tell us about your own experience of mental health and your access needs to "
            "support you at the Gathering you register for, and to balance listening circles and groups. "
            "Only the organisers and facilitators of that Gathering can read it. It is kept encrypted and "
            "deleted soon after the Gathering ends. If you withdraw, we stop using it and delete it."
        ),
        optional=False,
    ),
    Notice(
        ATTENDEE_LIST,
        1,
        _("Appearing on a Gathering’s attendee list"),
        _(
            "Your name (or preferred name) and pronouns appear on the attendee list that other people "
            "registered for the same Gathering can see. Nothing else about you is shown."
        ),
        optional=True,
    ),
    # Version 2 says who sees the list as it works: only people with a confirmed place who chose it too.
    Notice(
        ATTENDEE_LIST,
        2,
        _("Appearing on a Gathering’s attendee list"),
        _(
            "Your preferred name and pronouns appear on the Gathering’s page, on a list seen only by people "
            "with a confirmed place who also chose to be on it; you then see theirs. Nothing else about you "
            "is shown, and nobody else sees the list. You can take your name off at any time."
        ),
        optional=True,
    ),
    # Version 2 names the organiser's own questions, which may ask about the same things.
    Notice(
        SPECIAL_CATEGORY_EVENT,
        2,
        _("Using what you tell us about your experience and access needs at a Gathering"),
        _(
            "We use what you tell us about your own experience of mental health and your access needs, and "
            "your answers to the organisers’ questions marked as needing this agreement, to support you at "
            "the Gathering you register for, and to balance listening circles and groups. Only the "
            "organisers and facilitators of that Gathering can read it. It is kept encrypted and deleted "
            "soon after the Gathering ends. If you withdraw, we stop using it and delete it."
        ),
        optional=False,
    ),
    Notice(
        SHARE_ACCESS_NEEDS_WITH_VENUE,
        1,
        _("Sharing your access needs with the venue team"),
        _(
            "We share the access needs you tell us about with the venue team who check people in, so they "
            "can have the right support ready when you arrive. They see only your name and those needs, and "
            "only for that Gathering."
        ),
        optional=False,
    ),
    Notice(
        NEWSLETTER,
        1,
        _("Network newsletter"),
        _(
            "We send you occasional news by email about Gatherings, trainings and circles across the "
            "network. You can stop it at any time."
        ),
        optional=True,
    ),
    Notice(
        FEEDBACK_CONTACT,
        1,
        _("Being contacted about your feedback"),
        _(
            "When you leave feedback, a member of the organising team may email you to ask more about it or "
            "to tell you what changed because of it."
        ),
        optional=True,
    ),
)

# The newest notice for each purpose, in the order people read them.
CURRENT: dict[str, Notice] = {}
for _notice in NOTICES:
    if _notice.purpose not in CURRENT or _notice.version > CURRENT[_notice.purpose].version:
        CURRENT[_notice.purpose] = _notice
del _notice

PURPOSE_CHOICES: list[tuple[str, str | Promise]] = [(n.purpose, n.title) for n in CURRENT.values()]
OPTIONAL_PURPOSES: frozenset[str] = frozenset(p for p, n in CURRENT.items() if n.optional)


def notice_current(purpose: str) -> Notice:
    """The notice a person agrees to today for `purpose`; KeyError for an unknown purpose."""
    return CURRENT[purpose]


def notice_for(purpose: str, version: int) -> Notice | None:
    """The notice a person saw when they gave consent, if it is still on record."""
    return next((n for n in NOTICES if n.purpose == purpose and n.version == version), None)
