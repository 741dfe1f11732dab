"""Organisers keep venues with their access information and an entrance photo that must be described."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gathering.events.models import Venue
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import EventFactory, UserFactory, VenueFactory, make_staff

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("door.png", buffer.getvalue(), content_type="image/png")


BASE = {"name": "The Old Library", "address": "1 Book Street", "step_free_route": "Ramp at the side door."}


def test_photo_needs_a_description(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(make_staff("organiser"))
    response = client.post("/staff/gatherings/venues/new/", {**BASE, "entrance_photo": png()})
    assert (
        "Describe what the photo of the entrance shows."
        in response.context["form"].errors["entrance_photo_alt"][0]
    )
    assert Venue.objects.count() == 0
    response = client.post(
        "/staff/gatherings/venues/new/",
        {**BASE, "entrance_photo": png(), "entrance_photo_alt": "A blue door with a ramp to its left."},
    )
    assert response.status_code == 302
    # Stored under a random name we choose, never the uploader's (see test_uploads.py).
    name = Venue.objects.get().entrance_photo.name
    assert name.startswith("venues/")
    assert name.endswith(".png")
    assert "door" not in name


def test_not_an_image_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("door.png", b"not really", content_type="image/png")
    response = signed_in(make_staff("organiser")).post(
        "/staff/gatherings/venues/new/", {**BASE, "entrance_photo": bad, "entrance_photo_alt": "x"}
    )
    assert "Upload a valid image" in response.context["form"].errors["entrance_photo"][0]


def test_only_organisers_manage_venues():
    venue = VenueFactory()
    for person in (UserFactory(), make_staff("facilitator")):
        client = signed_in(person)
        assert client.get("/staff/gatherings/venues/").status_code == 403
        assert client.post(f"/staff/gatherings/venues/{venue.pk}/", {**BASE}).status_code == 403
    venue.refresh_from_db()
    assert venue.name != "The Old Library"


def edit_url(venue: Venue) -> str:
    return f"/staff/gatherings/venues/{venue.pk}/"


def test_an_organiser_who_organises_nothing_cannot_open_another_organisers_venue():
    venue = EventFactory(organisers=[make_staff("organiser")]).venue
    before = Venue.objects.values().get(pk=venue.pk)
    client = signed_in(make_staff("organiser"))

    assert client.get(edit_url(venue)).status_code == 404
    assert client.post(edit_url(venue), {**BASE}).status_code == 404

    assert Venue.objects.values().get(pk=venue.pk) == before


def test_the_organiser_of_another_gathering_cannot_edit_the_venue():
    venue = EventFactory(organisers=[make_staff("organiser")]).venue
    elsewhere = make_staff("organiser")
    EventFactory(organisers=[elsewhere])

    assert signed_in(elsewhere).post(edit_url(venue), {**BASE}).status_code == 404
    venue.refresh_from_db()
    assert venue.name != "The Old Library"


def test_the_organiser_of_a_gathering_at_the_venue_can_edit_it():
    organiser = make_staff("organiser")
    venue = EventFactory(organisers=[organiser]).venue
    client = signed_in(organiser)

    assert client.get(edit_url(venue)).status_code == 200
    response = client.post(edit_url(venue), {**BASE})

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "The Old Library"
    assert venue.created_by is None


def test_the_organiser_who_adds_a_venue_can_edit_it_and_others_cannot():
    organiser = make_staff("organiser")

    response = signed_in(organiser).post("/staff/gatherings/venues/new/", {**BASE})

    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.created_by == organiser
    assert signed_in(organiser).post(edit_url(venue), {**BASE, "postcode": "LS2 7EE"}).status_code == 302
    assert signed_in(make_staff("organiser")).get(edit_url(venue)).status_code == 404
    venue.refresh_from_db()
    assert venue.postcode == "LS2 7EE"
    assert list(
        AuditEntry.objects.filter(subject_type="events.venue").order_by("pk").values_list("action", "detail")
    ) == [
        ("changed", "venue added"),
        ("changed", "venue edited"),
    ]


def test_administrators_edit_any_venue_even_without_creator_or_gatherings():
    venue = VenueFactory()
    assert signed_in(make_staff("organiser")).get(edit_url(venue)).status_code == 404

    response = signed_in(make_staff("admin")).post(edit_url(venue), {**BASE})

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "The Old Library"


def test_the_venue_list_shows_only_venues_the_person_may_edit():
    organiser = make_staff("organiser")
    at_own_gathering = EventFactory(organisers=[organiser], venue__name="Hall of the own Gathering").venue
    added = VenueFactory(name="Added by the organiser", created_by=organiser)
    other = EventFactory(organisers=[make_staff("organiser")], venue__name="Someone else's hall").venue
    unused = VenueFactory(name="Nobody's hall")

    def listed(person) -> list[str]:
        response = signed_in(person).get("/staff/gatherings/venues/")
        assert response.status_code == 200
        return [venue.name for venue in response.context["venues"]]

    assert listed(organiser) == sorted([added.name, at_own_gathering.name])
    assert listed(make_staff("organiser")) == []
    assert listed(make_staff("admin")) == sorted([added.name, at_own_gathering.name, other.name, unused.name])


def test_the_venue_list_does_the_same_queries_with_more_venues():
    organiser = make_staff("organiser")
    client = signed_in(organiser)
    EventFactory(organisers=[organiser])
    client.get("/staff/gatherings/venues/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/gatherings/venues/")
    for _ in range(10):
        EventFactory(organisers=[organiser])
        VenueFactory(created_by=organiser)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/gatherings/venues/")

    assert len(response.context["venues"]) == 21
    assert len(many) == len(few)


def test_venue_save_refuses_someone_who_may_not_edit_the_venue():
    from gathering.events.services import venue_save

    venue = EventFactory(organisers=[make_staff("organiser")]).venue
    venue.name = "Renamed"

    with pytest.raises(PermissionDenied):
        venue_save(actor=make_staff("organiser"), venue=venue)
    with pytest.raises(PermissionDenied):
        venue_save(actor=make_staff("facilitator"), venue=Venue(name="New", address="1 Road"))

    venue.refresh_from_db()
    assert venue.name != "Renamed"
