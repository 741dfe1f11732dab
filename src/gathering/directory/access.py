"""Our small taxonomy of the ways a person can get to a service (refer themselves, online, by phone, drop in),
which the search filters on.

HSDS has no field that says this plainly: `application_process` is free text, a schedule's
`attending_type` is free text too, and a virtual location or a phone number says a channel exists, not that
a person can use it without a referral. So the ways in are taxonomy terms applied to a service by
attributes, as HSDS does for any taxonomy, and they travel in HSDS exports like our approaches. The
taxonomy and its terms are created by a data migration (0004_access) with ids derived from the approaches'
fixed namespace, so they are the same in every installation.

This is not accessibility (step-free entrances, hearing loops): that is HSDS's own `accessibility` table.
"""

import uuid

from .approaches import NAMESPACE

TAXONOMY_ID = uuid.uuid5(NAMESPACE, "access-taxonomy")
TAXONOMY_NAME = "Gathering ways in"
TAXONOMY_DESCRIPTION = (
    "How a person can get support from a service: on their own, online, by phone or by dropping in."
)

# (code, name, description): the codes are stable and used in search addresses and exports.
TERMS = (
    (
        "self-referral",
        "Self-referral",
        "You can ask for this support yourself: no referral from a doctor or another service is needed.",
    ),
    ("online", "Online", "The support is offered online: by video, chat or an online group."),
    ("phone", "By phone", "You can get the support by phone."),
    ("drop-in", "Drop-in", "You can turn up while it is open, without an appointment."),
)
CODES = tuple(code for code, _name, _description in TERMS)


def term_id(code: str) -> uuid.UUID:
    """The id of the way in with this code, the same everywhere."""
    return uuid.uuid5(NAMESPACE, f"access:{code}")
