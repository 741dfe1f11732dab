"""Prepares the scale-out test's fresh database once, from the root namespace, before any host starts: the
migrations, the static files (production serves only collected ones), a Gathering with a few places, people
with API tokens to rush it, and one participant who signs in with a password. Prints what the test needs as
one line of JSON.

Run as `python -m tests.scaleout.prepare PEOPLE PLACES` with the hosts' environment.
"""

import json
import sys
from datetime import timedelta

import django


def main(people: int, places: int) -> dict[str, object]:
    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from gathering.accounts.models import ApiToken, User
    from gathering.accounts.roles import ROLES_BY_SLUG
    from gathering.events.models import Event, TicketType
    from tests.factories import PASSWORD, UserFactory

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        title="Rush",
        slug="rush",
        summary="Many people, few places.",
        format=Event.Format.ONLINE,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=places,
    )
    ticket = TicketType.objects.create(event=event, name="Free")
    users = User.objects.bulk_create(
        User(email=f"rush{n}@example.org", name=f"Rush {n}", password="!") for n in range(people)
    )
    participants = Group.objects.get(name=ROLES_BY_SLUG["participant"].group_name)
    participants.user_set.add(*users)
    keys = [ApiToken.new_key() for _ in users]
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user,
            name="rush",
            key_hash=ApiToken.hash_key(key),
            hint=key[:8],
            credentials_hash=user.get_session_auth_hash(),
        )
        for user, key in zip(users, keys, strict=True)
    )
    person = UserFactory(email="signs.in@example.org", name="Robin Signs-In")
    return {
        "ticket": ticket.pk,
        "keys": keys,
        "email": person.email,
        "password": PASSWORD,
        "name": person.name,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
