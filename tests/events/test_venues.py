"""Organisers keep venues with their access information and an entrance photo that must be described."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gathering.events.models import Venue

from ..conftest import signed_in
from ..factories import UserFactory, VenueFactory, make_staff

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
    assert Venue.objects.get().entrance_photo.name.startswith("venues/door")


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
