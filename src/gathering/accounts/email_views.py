"""The page behind the link sent to the old address when someone asks to change an account's email."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .email_change import UndoLinkInvalidError, email_change_undo, undo_link_read


@require_http_methods(["GET", "POST"])
def email_change_undo_view(request: HttpRequest, token: str) -> HttpResponse:
    """Open to people who are signed out: the token proves the link came to the old address. Opening it
    only asks; the change is undone by the button, so mail scanners that follow links change nothing."""
    try:
        if request.method == "POST":
            email_change_undo(token=token)
            return render(request, "accounts/email_change_undone.html")
        undo_link_read(token=token)
    except UndoLinkInvalidError:
        return render(request, "accounts/email_change_undo_invalid.html", status=400)
    return render(request, "accounts/email_change_undo.html")
