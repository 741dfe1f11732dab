"""Where a person lives, asked as a region and never finer: saved with the registration, shown in words on
check your answers, refused when not on the list, and carried to the organisers' CSV, the API and the
person's own data export."""

import csv
import io

import pytest

from gathering.events.erasure import anonymise_person
from gathering.events.models import Registration
from gathering.events.services import (
    RegistrationError,
    RegistrationInput,
    registration_create,
    registration_update,
)
from gathering.privacy.subject import subject_export

from ..conftest import signed_in, token_client
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(capacity=5, organisers=[make_staff("organiser")])
    TicketTypeFactory(event=event, name="Free")
    return event


def form_data(event, **changes):
    return {"ticket_type": event.ticket_types.get().pk, "name": "Robin Ash", **changes}


def register(event, person, **extra):
    data = RegistrationInput(
        ticket_type_id=event.ticket_types.get().pk, name=person.name, email=person.email, **extra
    )
    return registration_create(event=event, user=person, data=data).registration


def test_registering_with_a_region_saves_it(participant_client, event):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", form_data(event, region="north_east", confirm="1")
    )

    assert response.status_code == 302
    assert Registration.objects.get().region == "north_east"


def test_registering_without_a_region_is_fine(participant_client, event):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", form_data(event, region="", confirm="1")
    )

    assert response.status_code == 302
    assert Registration.objects.get().region == ""


@pytest.mark.parametrize("region", ["Leeds", "LS6 3HN", "North East", "north_east_and_more"])
def test_a_region_not_on_the_list_is_refused_and_nothing_is_saved(participant_client, event, region):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", form_data(event, region=region, confirm="1")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["Choose a region from the list, or leave it empty"]
    assert "Choose a region from the list, or leave it empty" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_service_refuses_a_region_not_on_the_list(event):
    person = UserFactory()

    with pytest.raises(RegistrationError) as refused:
        register(event, person, region="Leeds")

    assert refused.value.message_dict == {"region": ["Choose a region from the list, or leave it empty"]}
    assert Registration.objects.count() == 0


def test_the_form_offers_every_region_with_prefer_not_to_say_first(participant_client, event):
    form = participant_client.get(f"/gatherings/{event.slug}/register/").context["form"]

    field = form.fields["region"]
    assert field.label == "Where do you live? (optional)"
    assert field.help_text == (
        "A region, never anything finer. We count how far people come to take part; nobody sees your "
        "answer but the organisers."
    )
    assert [str(label) for _value, label in field.choices] == [
        "Prefer not to say",
        "North East",
        "North West",
        "Yorkshire and The Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
        "Wales",
        "Scotland",
        "Northern Ireland",
        "Outside the UK",
    ]
    # Asked beside the other things about the person, before how they come and their access needs.
    names = list(form.fields)
    assert names.index("pronouns") + 1 == names.index("region") == names.index("perspectives") - 1


def test_check_your_answers_shows_the_region_in_words(participant_client, event):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", form_data(event, region="yorkshire_humber")
    )

    assert response.status_code == 200
    assert ("Where do you live? (optional)", "Yorkshire and The Humber") in response.context["rows"]
    body = response.content.decode()
    assert "<dt>Where do you live? (optional)</dt><dd>Yorkshire and The Humber</dd>" in body
    # Carried to the confirming post unseen, as its value.
    assert '<input type="hidden" name="region" value="yorkshire_humber">' in body
    assert Registration.objects.count() == 0


def test_check_your_answers_says_none_given_without_a_region(participant_client, event):
    response = participant_client.post(f"/gatherings/{event.slug}/register/", form_data(event))

    assert ("Where do you live? (optional)", "None given") in response.context["rows"]


def test_changing_answers_keeps_changes_and_clears_the_region(event):
    person = UserFactory()
    registration = register(event, person, region="wales")
    client = signed_in(person)
    url = f"/my/gatherings/{registration.pk}/edit/"
    assert client.get(url).context["form"].initial["region"] == "wales"

    assert client.post(url, {"name": person.name, "region": "scotland"}).status_code == 302
    registration.refresh_from_db()
    assert registration.region == "scotland"

    assert client.post(url, {"name": person.name, "region": ""}).status_code == 302
    registration.refresh_from_db()
    assert registration.region == ""


def test_changing_to_a_region_not_on_the_list_is_refused_and_changes_nothing(event):
    person = UserFactory()
    registration = register(event, person, region="wales")
    client = signed_in(person)

    response = client.post(f"/my/gatherings/{registration.pk}/edit/", {"name": person.name, "region": "Mars"})

    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["Choose a region from the list, or leave it empty"]
    registration.refresh_from_db()
    assert registration.region == "wales"
    with pytest.raises(RegistrationError):
        registration_update(
            registration=registration,
            user=person,
            data=RegistrationInput(
                ticket_type_id=registration.ticket_type_id,
                name=person.name,
                email=person.email,
                region="Mars",
            ),
        )
    registration.refresh_from_db()
    assert registration.region == "wales"


def test_the_organisers_csv_has_the_region_in_words(event):
    register(event, UserFactory(name="Ana"), region="outside_uk")
    register(event, UserFactory(name="Bo"))

    response = signed_in(event.organisers.get()).get(f"/staff/gatherings/{event.slug}/registrations.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "name",
        "pronouns",
        "email",
        "ticket",
        "status",
        "amount_pence",
        "paid",
        "checked_in",
        "dietary_needs",
        "region",
    ]
    assert [(row[0], row[-1]) for row in rows[1:]] == [("Ana", "Outside the UK"), ("Bo", "")]


def post(client, event, body):
    return client.post(f"/api/v1/events/{event.slug}/registrations/", body, content_type="application/json")


def test_the_api_takes_a_region_and_shows_it_to_organisers_only(event):
    person = UserFactory()

    response = post(
        token_client(person), event, {"ticket_type": event.ticket_types.get().pk, "region": "london"}
    )

    assert response.status_code == 201
    assert "region" not in response.json()
    assert Registration.objects.get().region == "london"
    listing = signed_in(event.organisers.get()).get(f"/api/v1/events/{event.slug}/registrations/").json()
    assert [r["region"] for r in listing["results"]] == ["london"]


def test_the_api_refuses_a_region_not_on_the_list(event):
    response = post(
        token_client(UserFactory()), event, {"ticket_type": event.ticket_types.get().pk, "region": "Leeds"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["region"] == ['"Leeds" is not a valid choice.']
    assert Registration.objects.count() == 0


def test_the_persons_data_export_holds_the_region(event):
    person = UserFactory()
    register(event, person, region="south_west")

    export = subject_export(user=person)

    [row] = export["data"]["events.registration"]["rows"]
    assert row["region"] == "south_west"


def test_erasure_clears_the_region_with_the_other_answers(event):
    person = UserFactory()
    registration = register(event, person, region="northern_ireland")

    anonymise_person(user=person)

    registration.refresh_from_db()
    assert (registration.user, registration.region) == (None, "")
