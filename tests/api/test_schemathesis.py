"""The whole API against its own OpenAPI schema: Schemathesis generates requests for every operation at
/api/schema/, valid and not, and runs every check on each answer (no server error, documented status
codes, content types and headers, bodies matching the schema, bad input refused, good input accepted,
authentication not ignored...). Twice: anonymously and with a participant's token. The data is real (a
published Gathering with a published programme, where the participant has a confirmed place), so the path
parameters name things that exist. Fixed seed and a bounded number of examples keep it repeatable and
quick enough for `make test`."""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from gathering.accounts.models import ApiToken
from gathering.accounts.services import api_token_create
from gathering.events.models import Registration
from gathering.wsgi import application

from ..factories import EventFactory, TicketTypeFactory, UserFactory
from ..programme.attendee_data import grid, programme_for, publish, session

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25


@pytest.fixture
def in_process_requests():
    # The WSGI handler closes "old" database connections around each request, which would drop the test's
    # transaction; Django's own test client disconnects these for the same reason.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The things the path parameters name, made with these ids in each test (far above any id the database
# hands out on its own, so nothing made during the run collides with them).
EVENT_SLUG = "schemathesis-gathering"
SESSION_ID = 900_001
REGISTRATION_ID = 900_002
TOKEN_ID = 900_003
TICKET_ID = 900_004

# The schema is read while tests are collected, which builds the URL map; pytest-django turns DEBUG off only
# after collection, and under DEBUG the map gains the development server's media route. Turn it off first,
# so the map built here is the one every test sees.
django_settings.DEBUG = False
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.update(
    parameters={
        "path.slug": EVENT_SLUG,
        "path.session_id": SESSION_ID,
        "path.registration_id": REGISTRATION_ID,
        "path.token_id": TOKEN_ID,
    }
)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
schema.config.checks.update(included_check_names=["all"])

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def api_world(in_process_requests):
    """A published Gathering with a published open-space programme and an accepted session, where a
    participant has a confirmed place; the participant's token key."""
    event = EventFactory(slug=EVENT_SLUG)
    ticket = TicketTypeFactory(event=event, pk=TICKET_ID)
    programme = programme_for(event, open_space=True)
    grid(programme)
    session(programme, pk=SESSION_ID, status="accepted")
    publish(programme)
    participant = UserFactory()
    Registration.objects.create(
        pk=REGISTRATION_ID,
        event=event,
        ticket_type=ticket,
        user=participant,
        name=participant.name,
        email=participant.email,
        status=Registration.Status.CONFIRMED,
    )
    _token, key = api_token_create(user=participant, name="schemathesis")
    spare, _key = api_token_create(user=participant, name="spare")
    ApiToken.objects.filter(pk=spare.pk).update(id=TOKEN_ID)
    return key


def _name_real_things(case) -> None:
    """A registration names a ticket of the Gathering and answers its questions (it asks none): a
    well-formed value there becomes the real one, so valid requests can succeed. Malformed ones are left
    alone, so requests meant to be refused still are."""
    body = case.body
    if not isinstance(body, dict):
        return
    ticket = body.get("ticket_type")
    if isinstance(ticket, int) and not isinstance(ticket, bool) and 1 <= ticket <= 2**31 - 1:
        body["ticket_type"] = TICKET_ID
    if isinstance(body.get("answers"), dict):
        body["answers"] = {}


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_schema_anonymously(case, api_world):
    cache.clear()  # rate limits are documented (429) but would hide everything after the first minute's worth
    _name_real_things(case)
    case.call_and_validate()


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_schema_with_a_token(case, api_world):
    cache.clear()
    _name_real_things(case)
    case.call_and_validate(headers={"Authorization": f"Token {api_world}"})
