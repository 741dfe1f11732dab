"""Pages, and parts of pages, kept in the cache under the versions of what they show.

Everything a cached page shows belongs to a named scope ("gathering:spring-2027", "listings"); a scope's
version is a random token in the cache, replaced whenever something in it changes (`scopes_changed`). A
cached page is kept with the tokens it was rendered under and served only while they are still current, so
a change shows on the very next request. The page's scopes come from its address, so their tokens are read
before the page reads the database: a page rendered from rows that a change has since replaced never passes
as current.

Whole pages are kept only for people who are not signed in, without a query string or a message waiting for
them, and only when the page used no CSRF token, set no cookie and wrote nothing to the session. Anyone's
request may use fragments marked in a template with `{% pagefragment %}` (gathering_cache tag library),
which must hold nothing personal, and values the same for everyone, such as an API answer (`kept_value`).
A signed-in person's own part of a page (their list of Gatherings) is kept for them alone
(`personal_fragment`), under the version of their own scope (`person(pk)`) and of the scopes of everything
else it shows; what belongs to the request, the CSRF token, is left as a hole and filled at every request.

The cache must be shared by every process that changes data and every process that serves pages: Redis in
production. Entries also expire after GATHERING_PAGE_CACHE_SECONDS (0, or DEBUG, turns page caching off),
and when a page says it changes by itself at a given moment (`changes_at`), at that moment.
"""

import hashlib
import logging
import math
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache as once
from functools import wraps
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

# The home page's lists (the next Gatherings, open circles): apps bump it when something listed there changes.
LISTINGS = "listings"

_VERSION = "pagecache:version:"
_PAGE = "pagecache:page:"
_FRAGMENT = "pagecache:fragment:"
_VALUE = "pagecache:value:"
_PERSONAL = "pagecache:personal:"
# Where a personal fragment's form takes the request's CSRF token (`{% csrf_hole %}`): a comment only that tag
# writes, as everything else in a template is escaped.
CSRF_HOLE = "<!--csrf-->"
_SAFE_METHODS = ("GET", "HEAD")

View = Callable[..., HttpResponseBase]
Scopes = Callable[..., Iterable[str]]
T = TypeVar("T")


def seconds() -> int:
    """How long an entry may be kept at most; 0 when page caching is off, as it always is with DEBUG (a
    template being edited shows at once)."""
    return 0 if settings.DEBUG else settings.GATHERING_PAGE_CACHE_SECONDS


def person(pk: int) -> str:
    """What a person's own pages show of their own things (registrations, bursary applications, calendar
    address): the apps keeping those things mark it changed."""
    return f"person:{pk}"


# ---------------------------------------------------------------- versions


def scopes_changed(*scopes: str) -> None:
    """What these scopes name has changed: every page showing it is rendered afresh. The tokens are replaced
    at once and again when the transaction commits, so a page rendered from the old rows in between, while
    the change was not yet visible, is not taken for current."""
    names = tuple(dict.fromkeys(scope for scope in scopes if scope))
    if not names or seconds() <= 0:
        return
    _replace_tokens(names)
    transaction.on_commit(lambda: _replace_tokens(names))


def _replace_tokens(scopes: tuple[str, ...]) -> None:
    try:
        cache.set_many({_VERSION + scope: secrets.token_hex(8) for scope in scopes}, timeout=None)
    except Exception:
        # The change itself is saved; pages showing it catch up when their entries expire.
        logger.exception("Could not mark cached pages as out of date")


def _tokens(scopes: tuple[str, ...], *also: str) -> tuple[tuple[str, ...], dict[str, object]]:
    """The current token of each scope (a scope without one gets one) and the entries under `also`, in one
    round trip to the cache when every scope has a token."""
    keys = [_VERSION + scope for scope in scopes]
    found = cache.get_many([*keys, *also])
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(8)
            # Two requests may start a scope at once: the first token wins.
            if not cache.add(key, token, timeout=None):
                token = cache.get(key) or token
        tokens.append(token)
    return tuple(tokens), {key: found[key] for key in also if key in found}


# ---------------------------------------------------------------- what a request renders under


@dataclass
class PageState:
    """The scope tokens a request renders its page and its fragments under, and the first moment the page
    changes by itself."""

    tokens: tuple[str, ...]
    fragment_tokens: tuple[str, ...] = ()
    until: datetime | None = None

    def changes_at(self, *moments: datetime | None) -> None:
        now = timezone.now()
        for moment in moments:
            if moment is not None and moment > now and (self.until is None or moment < self.until):
                self.until = moment

    def timeout(self) -> int | None:
        """Seconds to keep what this request renders; None when it must not be kept at all."""
        limit = seconds()
        if self.until is None:
            return limit
        left = (self.until - timezone.now()).total_seconds()
        return min(limit, math.ceil(left)) if left > 0 else None


def changes_at(request: HttpRequest, *moments: datetime | None) -> None:
    """The page being rendered changes by itself at these moments (registration opening, a Gathering
    ending): what is cached from it expires at the first one still to come."""
    state: PageState | None = getattr(request, "pagecache", None)
    if state is not None:
        state.changes_at(*moments)


@once
def release() -> str:
    """A fingerprint of the code, templates and translations this process serves, part of every key, so a
    deployment never serves pages rendered by the release before it."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".html", ".txt", ".mo", ".json"} and path.is_file():
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _key(prefix: str, *parts: object) -> str:
    """A key for what is rendered in the current language and time zone by this release."""
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    text = "\x1f".join(str(part) for part in (*parts, language, zone, release()))
    return prefix + hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- whole pages


def _whole_page_allowed(request: HttpRequest) -> bool:
    """Whether this request may be answered from, and rendered into, the shared cache: it carries nothing
    that would make the page its own."""
    if request.META.get("QUERY_STRING") or request.user.is_authenticated:
        return False
    # Messages wait in a cookie (or the session) for the next page; a page showing them is personal.
    return len(get_messages(request)) == 0


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the response holds nothing of this request's own: no CSRF token (its form would post another
    person's), no cookie, nothing written to the session, no private page."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control


def cache_page(*, scopes: Scopes, fragment_scopes: Scopes | None = None) -> Callable[[View], View]:
    """Keep the page a view renders for people who are not signed in, under the versions of `scopes`,
    which the view's keyword arguments name (`scopes(slug="...")`). With `fragment_scopes`, every request,
    signed in or not, reads their versions first, for the page's `{% pagefragment %}` parts."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if seconds() <= 0 or request.method not in _SAFE_METHODS:
                return view(request, *args, **kwargs)
            whole = _whole_page_allowed(request)
            if not (whole or fragment_scopes):
                return view(request, *args, **kwargs)
            page_scopes = tuple(scopes(**kwargs)) if whole else ()
            parts_scopes = tuple(fragment_scopes(**kwargs)) if fragment_scopes else ()
            page_key = _key(_PAGE, request.get_host(), request.path) if whole else None
            try:
                names = tuple(dict.fromkeys(page_scopes + parts_scopes))
                tokens, entries = _tokens(names, *([page_key] if page_key else []))
            except Exception:
                logger.exception("The page cache could not be read")
                return view(request, *args, **kwargs)
            current = dict(zip(names, tokens, strict=True))
            state = PageState(
                tokens=tuple(current[name] for name in page_scopes),
                fragment_tokens=tuple(current[name] for name in parts_scopes),
            )
            kept = entries.get(page_key) if page_key else None
            if kept is not None and kept[0] == state.tokens:
                _stored_tokens, content, headers = kept
                return HttpResponse(content, headers=headers)
            request.pagecache = state
            response = view(request, *args, **kwargs)
            timeout = state.timeout()
            if page_key and timeout and _keepable(request, response):
                # The view's own headers: the middleware adds the rest to every response, kept or not.
                _store(page_key, (state.tokens, response.content, dict(response.headers)), timeout)
            return response

        return wrapper

    return decorate


def _store(key: str, entry: tuple[object, ...], timeout: int) -> None:
    try:
        cache.set(key, entry, timeout)
    except Exception:
        logger.exception("The page cache could not be written")


# ---------------------------------------------------------------- fragments


def fragment(
    request: HttpRequest | None, name: str, parts: Iterable[object], render: Callable[[], str]
) -> str:
    """The fragment `name` (varying by `parts`), from the cache while the versions of the view's fragment
    scopes are current, else rendered by `render` and kept. Rendered directly when the view keeps none."""
    state: PageState | None = getattr(request, "pagecache", None)
    timeout = state.timeout() if state is not None and state.fragment_tokens else None
    if not timeout:
        return render()
    key = _key(_FRAGMENT, name, *parts)
    try:
        kept = cache.get(key)
    except Exception:
        logger.exception("The page cache could not be read")
        return render()
    if kept is not None and kept[0] == state.fragment_tokens:
        return kept[1]
    html = render()
    _store(key, (state.fragment_tokens, html), timeout)
    return html


# ---------------------------------------------------------------- a person's own fragments


@dataclass(frozen=True)
class Rendered:
    """A personal fragment as rendered: its HTML (with CSRF holes), the scopes of what else it showed (a
    Gathering's title and dates, the places ahead in a waiting list), and the moments it changes by itself."""

    html: str
    scopes: tuple[str, ...] = ()
    moments: tuple[datetime | None, ...] = ()


def personal_fragment(
    request: HttpRequest,
    *,
    name: str,
    owner: str,
    scopes: Callable[[], Iterable[str]],
    render: Callable[[], Rendered],
) -> SafeString:
    """The fragment `name` of the person whose scope is `owner`, from the cache while it is current, else
    rendered by `render` and kept; with its CSRF holes filled for this request either way.

    It is current while the owner's token and the tokens of the other scopes it showed are the ones it was
    rendered under, and it was rendered in the same language, time zone and address by this release. The
    owner's token is read before anything else; on a miss `scopes` (a cheap query) names the other scopes
    and their tokens are read before `render` reads the database, so a change committed meanwhile is never
    taken for current. One entry per person and name, so forgetting a person is one deletion
    (`personal_forget`)."""
    if seconds() <= 0:
        return _filled(request, render().html)
    key = _personal_key(name, owner)
    context = (
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        request.scheme,
        request.get_host(),
        release(),
    )
    try:
        # The other scopes this process last saw in the entry are read with it, in one round trip.
        guess = _personal_scopes_seen.get(key, ())
        (owner_token, *guessed), entries = _tokens((owner, *guess), key)
        kept = entries.get(key)
        if kept is not None and kept[0] == owner_token and kept[1] == context:
            names, tokens, html = kept[2], kept[3], kept[4]
            current = tuple(guessed) if names == guess else (_tokens(names)[0] if names else ())
            if current == tokens:
                _remember_personal_scopes(key, names)
                return _filled(request, html)
        names = tuple(dict.fromkeys(scopes()))
        tokens = _tokens(names)[0] if names else ()
    except Exception:
        logger.exception("The page cache could not be read")
        return _filled(request, render().html)
    rendered = render()
    state = PageState(tokens=tokens)
    state.changes_at(*rendered.moments)
    timeout = state.timeout()
    # A scope the fragment showed but `scopes` did not name (a Gathering given a new address meanwhile) has no
    # token read before the database: such a fragment is not kept.
    if timeout and set(rendered.scopes) <= set(names):
        _store(key, (owner_token, context, names, tokens, rendered.html), timeout)
        _remember_personal_scopes(key, names)
    return _filled(request, rendered.html)


# For each personal fragment this process served, the other scopes its entry named: a guess, checked against
# the entry itself, that saves a second round trip to the cache.
_personal_scopes_seen: dict[str, tuple[str, ...]] = {}
_PERSONAL_SCOPES_REMEMBERED = 10_000


def _remember_personal_scopes(key: str, names: tuple[str, ...]) -> None:
    if len(_personal_scopes_seen) >= _PERSONAL_SCOPES_REMEMBERED:
        _personal_scopes_seen.clear()
    _personal_scopes_seen[key] = names


def personal_forget(*, name: str, owner: str) -> None:
    """Delete a person's kept fragment and their scope's token (their account is being erased), at once and
    again after the commit, so nothing rendered for them outlives the erasure in the cache."""
    keys = [_personal_key(name, owner), _VERSION + owner]
    _personal_scopes_seen.pop(keys[0], None)

    def delete() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            logger.exception("The page cache could not be written")

    delete()
    transaction.on_commit(delete)


def _personal_key(name: str, owner: str) -> str:
    return f"{_PERSONAL}{name}:{owner}"


def _filled(request: HttpRequest, html: str) -> SafeString:
    if CSRF_HOLE in html:
        field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        html = html.replace(CSRF_HOLE, field)
    # A template's own output, escaped when it was rendered, with the CSRF field built by format_html.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


# ---------------------------------------------------------------- values


def kept_value(
    *,
    name: str,
    parts: Iterable[object],
    scopes: Iterable[str],
    build: Callable[[], tuple[T, Iterable[datetime | None]]],
) -> T:
    """A value the same for everyone who asks (an API answer), built from the database by `build` and kept
    under the versions of `scopes` like a page. `build` returns the value and the moments it changes by
    itself. The scopes' tokens are read before `build` reads the database, as for pages."""
    if seconds() <= 0:
        return build()[0]
    names = tuple(scopes)
    key = _key(_VALUE, name, *parts)
    try:
        tokens, entries = _tokens(names, key)
    except Exception:
        logger.exception("The page cache could not be read")
        return build()[0]
    kept = entries.get(key)
    if kept is not None and kept[0] == tokens:
        return kept[1]
    value, moments = build()
    state = PageState(tokens=tokens)
    state.changes_at(*moments)
    timeout = state.timeout()
    if timeout:
        _store(key, (tokens, value), timeout)
    return value


# ---------------------------------------------------------------- what changes which scopes


def watch(model: type[Model], scopes: Callable[[Model], Iterable[str]]) -> None:
    """Mark the scopes `scopes(instance)` names as changed whenever an instance of `model` is saved or
    deleted, however it is written: through a service, an organiser's form or the admin. (Writes that send
    no signals, `QuerySet.update()` and `bulk_create()`, call `scopes_changed` themselves.)"""

    def changed(sender: type[Model], instance: Model, raw: bool = False, **kwargs: object) -> None:
        if not raw:  # fixtures being loaded: the rows they point at may not be there yet
            scopes_changed(*scopes(instance))

    uid = f"pagecache_{model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
