"""Venue photos are stored under a name and type we choose from the decoded image, re-encoded without
metadata, refused when they are not JPEG, PNG or WebP or have too many pixels, and served with that type."""

import functools
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from gathering.events.models import Venue

from ..conftest import signed_in
from ..factories import make_staff

pytestmark = pytest.mark.django_db

NEW = "/staff/gatherings/venues/new/"
BASE = {
    "name": "The Old Library",
    "address": "1 Book Street",
    "entrance_photo_alt": "A blue door with a ramp to its left.",
}
TOO_LARGE = "The photo is too large: at most 25 million pixels (for example 5,000 × 5,000)"
NOT_AN_IMAGE = "Upload a valid image: the photo must be a JPEG, PNG or WebP file"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    return encoded(Image.new("RGB", size, "white"), "PNG")


@functools.cache
def huge_png() -> bytes:
    # 12,000 × 12,000 = 144 million pixels; one colour at one bit a pixel compresses to a few kilobytes.
    return encoded(Image.new("1", (12_000, 12_000), 1), "PNG", optimize=True)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and has no pixels: enough for anything that decodes before it checks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def jpeg_with_gps_and_orientation() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: show it rotated 90° clockwise
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 48.0, 1.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 32.0, 59.0)
    return encoded(Image.new("RGB", (40, 20), "navy"), "JPEG", exif=exif)


def upload(client: Client, name: str, content: bytes, content_type: str = "image/png"):
    photo = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(NEW, {**BASE, "entrance_photo": photo})


def stored(venue: Venue) -> Image.Image:
    with venue.entrance_photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def serve(venue: Venue):
    from gathering.core.media import serve_upload

    url = venue.entrance_photo.url
    return serve_upload(RequestFactory().get(url), path=url.removeprefix("/media/"))


@pytest.mark.parametrize("name", ["photo.pdf", "photo.ps", "photo.html", "photo.svg"])
def test_png_named_as_another_type_is_stored_and_served_as_png(name):
    response = upload(signed_in(make_staff("organiser")), name, png_bytes(), "application/pdf")

    assert response.status_code == 302
    photo = Venue.objects.get().entrance_photo
    assert photo.name.startswith("venues/")
    assert photo.name.endswith(".png")
    assert "photo" not in photo.name
    served = serve(Venue.objects.get())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="{photo.name.removeprefix("venues/")}"'


def _postscript() -> bytes:
    # An EPS header Pillow can identify without Ghostscript: without our own check it passes as an "image".
    return b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n%%EndComments\nshowpage\n%%EOF\n"


REFUSED_CONTENT = {
    "postscript": (_postscript(), "door.png"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "door.jpg"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "door.png"),
    "html": (b"<!doctype html><html><script>alert(1)</script></html>", "door.jpg"),
    "gif": (encoded(Image.new("P", (8, 8)), "GIF"), "door.png"),
    "tiff": (encoded(Image.new("RGB", (8, 8)), "TIFF"), "door.jpg"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED_CONTENT))
def test_other_content_is_refused_and_nothing_saved(kind):
    content, name = REFUSED_CONTENT[kind]

    response = upload(signed_in(make_staff("organiser")), name, content)

    assert response.status_code == 200
    assert response.context["form"].errors["entrance_photo"] == [NOT_AN_IMAGE]
    assert Venue.objects.count() == 0


def test_a_photo_with_too_many_pixels_is_refused_and_nothing_saved(tmp_path):
    response = upload(signed_in(make_staff("organiser")), "door.png", huge_png())

    assert response.status_code == 200
    assert response.context["form"].errors["entrance_photo"] == [TOO_LARGE]
    assert Venue.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


@pytest.mark.parametrize("size", [(5_001, 5_000), (30_000, 30_000), (70_000, 70_000)])
def test_the_pixel_count_is_checked_before_decoding(size):
    from gathering.core.images import ImageRefused, image_clean

    with pytest.raises(ImageRefused) as refusal:
        image_clean(io.BytesIO(png_header_only(*size)))

    assert refusal.value.messages == [TOO_LARGE]


def test_exif_is_removed_and_orientation_applied():
    original = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's premise

    response = upload(signed_in(make_staff("organiser")), "IMG_0001.jpg", original, "image/jpeg")

    assert response.status_code == 302
    image = stored(Venue.objects.get())
    assert image.format == "JPEG"
    assert image.size == (20, 40)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    with Venue.objects.get().entrance_photo.open("rb") as handle:
        raw = handle.read()
    assert b"Exif" not in raw
    assert b"PhoneCo" not in raw


def test_a_normal_jpeg_is_accepted_under_a_random_name():
    content = encoded(Image.new("RGB", (64, 48), "teal"), "JPEG", quality=90)

    response = upload(signed_in(make_staff("organiser")), "door.jpg", content, "image/jpeg")

    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.entrance_photo.name.startswith("venues/")
    assert venue.entrance_photo.name.endswith(".jpg")
    assert "door" not in venue.entrance_photo.name
    assert stored(venue).size == (64, 48)
    served = serve(venue)
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_webp_is_accepted_and_stays_webp():
    content = encoded(Image.new("RGBA", (16, 16), (0, 128, 0, 100)), "WEBP")

    response = upload(signed_in(make_staff("organiser")), "door.webp", content, "image/webp")

    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.entrance_photo.name.endswith(".webp")
    assert stored(venue).format == "WEBP"
    assert serve(venue)["Content-Type"] == "image/webp"


@pytest.mark.parametrize("name", ["venues/notes.pdf", "venues/page.html", "venues/old.svg", "venues/x"])
def test_the_media_view_refuses_anything_we_do_not_produce(tmp_path, name):
    from django.http import Http404

    from gathering.core.media import serve_upload

    (tmp_path / "venues").mkdir()
    (tmp_path / name).write_bytes(b"%PDF-1.4")

    with pytest.raises(Http404):
        serve_upload(RequestFactory().get(f"/media/{name}"), path=name)


@pytest.mark.parametrize("path", ["../secret.png", "venues/../../secret.png", "/etc/passwd.png"])
def test_the_media_view_stays_inside_the_media_folder(tmp_path, path):
    from django.http import Http404

    from gathering.core.media import serve_upload

    media = tmp_path / "media"
    media.mkdir()
    (tmp_path / "secret.png").write_bytes(png_bytes())

    with pytest.raises(Http404):
        serve_upload(RequestFactory().get("/media/x"), path=path, document_root=media)


def test_the_development_server_serves_media_through_the_view(settings):
    from gathering.core.media import development_urlpatterns, serve_upload

    settings.DEBUG = True
    patterns = development_urlpatterns()

    assert (
        resolve("/media/venues/a.png", urlconf=type("U", (), {"urlpatterns": patterns})).func == serve_upload
    )
    settings.DEBUG = False
    assert development_urlpatterns() == []


# Bytes as a careless or hostile upload might send them: anything at all, or a real image with some bytes
# changed, cut short or followed by more.
def _mutated(base: bytes) -> st.SearchStrategy[bytes]:
    return st.tuples(
        st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=8),
        st.integers(0, len(base)),
        st.binary(max_size=64),
    ).map(lambda t: _apply(base, *t))


def _apply(base: bytes, changes: list[tuple[int, int]], cut: int, tail: bytes) -> bytes:
    data = bytearray(base)
    for at, value in changes:
        data[at] = value
    return bytes(data[:cut]) + tail


odd_photos = st.one_of(
    st.binary(max_size=2_000),
    _mutated(png_bytes((12, 9))),
    _mutated(encoded(Image.new("RGB", (12, 9), "red"), "JPEG")),
    _mutated(encoded(Image.new("RGBA", (12, 9), "red"), "WEBP")),
    _mutated(png_header_only(100_000, 100_000)),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(content=odd_photos, name=st.sampled_from(["door.png", "door.jpg", "door.pdf", "door", "x.webp"]))
def test_any_bytes_as_a_photo_give_a_form_error_or_a_saved_photo(content, name):
    before = Venue.objects.count()
    response = upload(signed_in(make_staff("organiser")), name, content)

    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert response.context["form"].errors["entrance_photo"]
        assert Venue.objects.count() == before
    else:
        venue = Venue.objects.latest("pk")
        assert venue.entrance_photo.name.rsplit(".", 1)[1] in {"jpg", "png", "webp"}
        stored(venue)


def test_a_replaced_or_removed_photo_is_deleted(tmp_path, django_capture_on_commit_callbacks):
    organiser = make_staff("organiser")
    client = signed_in(organiser)
    upload(client, "door.png", png_bytes())
    venue = Venue.objects.get()
    first = venue.entrance_photo.name
    edit = f"/staff/gatherings/venues/{venue.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        photo = SimpleUploadedFile("door.png", png_bytes((9, 9)), content_type="image/png")
        assert client.post(edit, {**BASE, "entrance_photo": photo}).status_code == 302
    venue.refresh_from_db()
    second = venue.entrance_photo.name
    assert second != first
    assert not (tmp_path / first).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, {**BASE, "entrance_photo-clear": "on"}).status_code == 302
    venue.refresh_from_db()
    assert venue.entrance_photo.name == ""
    assert not (tmp_path / second).exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_the_gathering_page_shows_only_a_photo_we_serve():
    from ..factories import EventFactory

    event = EventFactory(venue__entrance_photo="venues/old-upload.pdf", venue__entrance_photo_alt="A door")
    assert "old-upload.pdf" not in Client().get(event.get_absolute_url()).content.decode()

    event.venue.entrance_photo = "venues/Ab3.png"
    event.venue.save(update_fields=["entrance_photo"])
    assert (
        '<img src="/media/venues/Ab3.png" alt="A door"'
        in Client().get(event.get_absolute_url()).content.decode()
    )
