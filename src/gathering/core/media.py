"""Uploaded files for the development server: only the image types we write, with the type we chose.

In production nginx serves /media/ with the same rules (docs/deployment.md). Anything else in the media
folder, such as a file stored before uploads were re-encoded, is not served at all.
"""

from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

from .images import SERVED_TYPES


@require_safe
def serve_upload(request: HttpRequest, path: str, document_root: str | Path | None = None) -> FileResponse:
    content_type = SERVED_TYPES.get(PurePosixPath(path).suffix.lower().removeprefix("."))
    if content_type is None:
        raise Http404
    try:
        full = Path(safe_join(document_root or settings.MEDIA_ROOT, path))
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404 from error
    if not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{full.name}"'
    return response


def development_urlpatterns() -> list[URLPattern]:
    """Like django.conf.urls.static.static(): routes only with DEBUG and a local MEDIA_URL."""
    prefix = settings.MEDIA_URL.lstrip("/")
    if not settings.DEBUG or not prefix or "://" in settings.MEDIA_URL:
        return []
    return [path(f"{prefix}<path:path>", serve_upload, name="media")]
