"""Uploaded images made safe to store and serve: decoded, checked, re-encoded without metadata, renamed.

Nothing of what the uploader sent is kept: not the name, not the declared type, not the bytes. The type is
read from the content, only JPEG, PNG and WebP are accepted, and the pixels are written out afresh, so a
file that is also a PDF, PostScript or HTML page ("polyglot") loses everything but its picture, and EXIF
(which can hold where a photo was taken) is gone.
"""

import contextlib
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_PIXELS = 25_000_000  # a 25-megapixel phone photo; decoding it takes about 100 MB of memory
MAX_BYTES = 5 * 1024 * 1024

# What we write, by the format Pillow reads: (format, extension, Content-Type). We keep the family of
# what was sent rather than turning everything into JPEG: a PNG may be a map of the way in or a sign with
# lettering, which JPEG would blur, and PNG and WebP keep transparency. All three show in every current
# browser, and these three are the only types the media view and nginx will serve.
OUTPUTS = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "MPO": ("JPEG", "jpg", "image/jpeg"),  # a JPEG with a second picture (some phones): we keep the first
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
}
SERVED_TYPES = {extension: content_type for _format, extension, content_type in OUTPUTS.values()}

NOT_AN_IMAGE = _("Upload a valid image: the photo must be a JPEG, PNG or WebP file")
DAMAGED = _("The photo could not be read: it may be damaged. Save it again as JPEG or PNG and upload that")
TOO_MANY_PIXELS = _("The photo is too large: at most 25 million pixels (for example 5,000 × 5,000)")
TOO_MANY_BYTES = _("The photo must be 5 MB or smaller")


class ImageRefused(ValidationError):
    """An upload we will not store, with a message for the person who sent it."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str
    content_type: str
    width: int
    height: int
    name: str  # random, with our extension: never the uploader's name


class CleanImageFile(ContentFile):
    """A re-encoded image ready to store under its random name; services store no other kind of upload."""

    def __init__(self, image: CleanImage) -> None:
        super().__init__(image.content, name=image.name)
        self.image = image


def image_clean(upload: IO[bytes], *, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_BYTES) -> CleanImage:
    """Decode `upload`, refuse what we do not accept (raising ImageRefused), and return it re-encoded."""
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRefused(TOO_MANY_BYTES, code="too_many_bytes")
    image = _open(data, max_pixels=max_pixels)
    fmt, extension, content_type = OUTPUTS[image.format]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()  # the header said the size is acceptable: only now decode the pixels
            # Orientation is the one piece of EXIF worth keeping; apply it to the pixels, then drop the rest.
            # EXIF we cannot read leaves the picture as it is: no reason to refuse the photo.
            with contextlib.suppress(Exception):
                ImageOps.exif_transpose(image, in_place=True)
            content = _encode(image, fmt)
    except Image.DecompressionBombError as error:
        raise ImageRefused(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except Exception as error:
        # Pillow reports damaged data as OSError, ValueError, SyntaxError, struct.error, EOFError and others.
        raise ImageRefused(DAMAGED, code="damaged") from error
    return CleanImage(
        content=content,
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
        name=f"{secrets.token_urlsafe(16)}.{extension}",
    )


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    """Read the header only, trying just the formats we accept, and check the size it declares."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit (89 million pixels) and twice that; ours is lower and
            # is checked below, so the warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
    except Image.DecompressionBombError as error:
        raise ImageRefused(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except Exception as error:
        raise ImageRefused(NOT_AN_IMAGE, code="not_an_image") from error
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRefused(DAMAGED, code="damaged")
    if width * height > max_pixels:
        raise ImageRefused(TOO_MANY_PIXELS, code="too_many_pixels")
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Write the pixels out afresh with no metadata: no EXIF, no XMP, no text chunks, no ICC profile."""
    # The first frame only: an animated PNG or WebP becomes a still photo.
    if fmt == "JPEG":
        image = image.convert("L" if image.mode in ("1", "L", "I;16", "I", "F") else "RGB")
        params: dict[str, object] = {"quality": 85, "optimize": True, "progressive": True}
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        params = {"optimize": True}
    else:
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        params = {"quality": 85, "method": 4}
    if fmt == "PNG" and "transparency" in image.info:
        params["transparency"] = image.info["transparency"]
    # Some encoders copy metadata from `info` (PNG takes the ICC profile from it): empty it. The image is
    # ours to change (decoded from bytes we hold, or a conversion of that), and copying 25 million pixels
    # again would cost another 100 MB.
    image.info = {}
    buffer = BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()
