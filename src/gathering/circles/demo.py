"""Demo data for the circles app, loaded by `gathering seed-demo` (idempotent)."""

from gathering.accounts.models import User


def seed_circles(*, people: dict[str, User], scale: int = 1) -> None:
    """people: the demo people by role (participant, facilitator, organiser, safeguarding_lead, admin)."""
